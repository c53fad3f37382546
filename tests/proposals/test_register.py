from django.test import TestCase

from proposals.models import Body, DuplicateNumber, MemberKind, Proposal, ProposalKind
from tests import factories as f


class RegisterTests(TestCase):
    def test_it_numbers_proposals_in_sequence_within_a_session(self):
        session = f.session(number_format="委员提案〔{year}〕{serial}号", year=2021)
        lead = f.member()
        first = Proposal.objects.register(session=session, lead=lead, title="关于甲的提案", by=None)
        second = Proposal.objects.register(
            session=session, lead=lead, title="关于乙的提案", cosigners=[f.member()], by=None
        )
        self.assertEqual(first.number, "委员提案〔2021〕1号")
        self.assertEqual(second.number, "委员提案〔2021〕2号")
        self.assertEqual(second.kind, ProposalKind.PROPOSAL)
        self.assertEqual(len(second.members_in_order), 2)

    def test_a_taken_serial_is_refused_and_nothing_is_half_saved(self):
        session = f.session()
        lead = f.member()
        Proposal.objects.register(session=session, lead=lead, title="甲", serial=110, by=None)
        with self.assertRaises(DuplicateNumber):
            Proposal.objects.register(
                session=session, lead=lead, title="乙", serial=110, cosigners=[f.member()], by=None
            )
        self.assertEqual(Proposal.objects.filter(session=session).count(), 1)


class AddresseeLineTests(TestCase):
    """The 主送 line a new reply starts from."""

    def line(self, *members):
        return f.proposal(f.session(), lead=members[0], cosigners=members[1:]).addressee_line()

    def test_people_are_named_in_order_and_the_title_closes_the_line(self):
        self.assertEqual(
            self.line(f.member("程玮"), f.member("王秋红"), f.member("纪春明")), "程玮、王秋红、纪春明委员"
        )

    def test_an_organisation_is_not_called_a_member(self):
        organisation = f.member("市工商联", kind=MemberKind.ORGANISATION)
        self.assertEqual(self.line(organisation, f.member("程玮"), f.member("王秋红")), "市工商联、程玮、王秋红委员")
        organisation = f.member("市民建", kind=MemberKind.ORGANISATION)
        self.assertEqual(self.line(f.member("郭盛桂"), organisation), "郭盛桂委员、市民建")
        self.assertEqual(self.line(organisation), "市民建")

    def test_deputies_are_deputies(self):
        self.assertEqual(self.line(f.member("张伟", body=Body.NPC), f.member("李娜", body=Body.NPC)), "张伟、李娜代表")
