from django.test import TestCase

from proposals.models import DuplicateNumber, Proposal, ProposalKind
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
