"""The 督办 pages: only the 督查室 raises a 督办 by hand or changes a ladder; the office of the
body reads them; unit staff and members do not even find them."""

import datetime

from django.test import TestCase
from django.urls import reverse

from proposals.models import AssignmentStatus, Body, Event, EventVerb
from supervision import escalation
from supervision.models import Escalation, EscalationRule
from tests import factories as f


class ManualEscalationTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.session = f.session(Body.CPPCC)
        escalation.install_default_ladder(cls.session)
        cls.unit = f.unit(short_name="经信")
        cls.assignment = f.assignment(
            f.proposal(cls.session, title="关于督办事项的提案"),
            cls.unit,
            assigned_on=datetime.date(2026, 1, 10),
            status=AssignmentStatus.HANDLING,
        )
        cls.url = reverse("supervision:escalations", args=[cls.assignment.pk])
        cls.supervisor = f.supervisor()
        cls.office = f.office(Body.CPPCC)
        cls.npc_office = f.office(Body.NPC)
        cls.clerk = f.clerk(cls.unit)
        cls.member_user, _m = f.member_user()
        cls.notice = cls.session.escalation_levels.get(name="督办通知")
        cls.top = cls.session.escalation_levels.get(name="重点督办")

    def post(self, user, **data):
        self.client.force_login(user)
        return self.client.post(self.url, {"level": self.notice.pk, "reason": "进度滞后", "leader": "", **data})

    def test_supervisor_escalates_with_a_reason(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.post(self.supervisor)
        self.assertRedirects(response, self.url)
        record = Escalation.objects.get()
        self.assertEqual((record.level, record.by, record.reason), (self.notice, self.supervisor, "进度滞后"))
        self.assertTrue(Event.objects.filter(assignment=self.assignment, verb=EventVerb.ESCALATED).exists())
        page = self.client.get(self.url)
        self.assertContains(page, "进度滞后")
        # The proposal's timeline shows it.
        detail = self.client.get(self.assignment.proposal.get_absolute_url())
        self.assertContains(detail, "督办通知")

    def test_the_form_offers_the_level_above_the_one_the_share_stands_at(self):
        self.client.force_login(self.supervisor)
        levels = list(self.session.escalation_levels.order_by("rank"))
        form = self.client.get(self.url).context["form"]
        self.assertEqual(form["level"].value(), None)  # none yet: the list starts at its first level
        with self.captureOnCommitCallbacks(execute=True):
            self.post(self.supervisor, level=levels[1].pk)
        form = self.client.get(self.url).context["form"]
        self.assertEqual(form["level"].value(), levels[2].pk)
        with self.captureOnCommitCallbacks(execute=True):
            self.post(self.supervisor, level=self.top.pk, leader="市政府副市长 李明")
        self.assertEqual(self.client.get(self.url).context["form"]["level"].value(), self.top.pk)  # the top stays

    def test_a_missing_reason_or_leader_is_said_next_to_the_field(self):
        self.top.leader = ""
        self.top.save()
        response = self.post(self.supervisor, reason="  ")
        self.assertContains(response, "请填写督办事由。")
        response = self.post(self.supervisor, level=self.top.pk, reason="群众反映强烈")
        self.assertContains(response, "重点督办须写明督办领导。")
        self.assertContains(response, "群众反映强烈")  # what was typed stays
        self.assertFalse(Escalation.objects.exists())

    def test_office_reads_the_page_but_cannot_escalate(self):
        self.client.force_login(self.office)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "督办并通知")
        self.assertEqual(self.post(self.office).status_code, 403)
        self.assertFalse(Escalation.objects.exists())

    def test_unit_staff_members_and_other_bodies_do_not_find_it(self):
        for user in (self.clerk, self.member_user, self.npc_office):
            self.assertEqual(self.post(user).status_code, 404, user)
            self.assertEqual(self.client.get(self.url).status_code, 404, user)
        self.assertFalse(Escalation.objects.exists())

    def test_a_replied_assignment_is_not_escalated(self):
        self.assignment.status = AssignmentStatus.REPLIED
        self.assignment.save()
        response = self.post(self.supervisor)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Escalation.objects.exists())

    def test_overdue_list_and_overview_lead_to_it(self):
        self.client.force_login(self.supervisor)
        listing = self.client.get(reverse("supervision:list", args=["all"]))
        self.assertContains(listing, self.url)
        overview = self.client.get(reverse("supervision:escalation_overview"))
        self.assertContains(overview, reverse("supervision:ladder", args=[self.session.pk]))


class LadderPageTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.session = f.session(Body.CPPCC)
        cls.url = reverse("supervision:ladder", args=[cls.session.pk])
        cls.supervisor = f.supervisor()
        cls.office = f.office(Body.CPPCC)
        cls.clerk = f.clerk(f.unit())

    def install(self, user):
        self.client.force_login(user)
        return self.client.post(reverse("supervision:install_ladder", args=[self.session.pk]))

    def formset_data(self, **changes):
        levels = list(self.session.escalation_levels.order_by("rank"))
        rules = list(self.session.escalation_rules.order_by("offset_days"))
        data = {
            "levels-TOTAL_FORMS": len(levels),
            "levels-INITIAL_FORMS": len(levels),
            "rules-TOTAL_FORMS": len(rules),
            "rules-INITIAL_FORMS": len(rules),
            "meeting-first_contact_days": 30,
            "meeting-face_to_face_for_key": "on",
        }
        for i, level in enumerate(levels):
            data |= {
                f"levels-{i}-id": level.pk,
                f"levels-{i}-rank": level.rank,
                f"levels-{i}-name": level.name,
                f"levels-{i}-leader": level.leader,
            }
            if level.needs_leader:
                data[f"levels-{i}-needs_leader"] = "on"
        for i, rule in enumerate(rules):
            data |= {
                f"rules-{i}-id": rule.pk,
                f"rules-{i}-offset_days": rule.offset_days,
                f"rules-{i}-level": rule.level_id,
                f"rules-{i}-notify": rule.notify,
            }
        data.update(changes)
        return data

    def test_supervisor_installs_the_defaults_and_changes_a_day(self):
        self.install(self.supervisor)
        self.assertEqual(self.session.escalation_rules.count(), 4)
        response = self.client.post(self.url, self.formset_data(**{"rules-0-offset_days": -10}))
        self.assertRedirects(response, self.url)
        self.assertEqual(sorted(self.session.escalation_rules.values_list("offset_days", flat=True)), [-10, 0, 7, 30])

    def test_supervisor_sets_the_meeting_rule_and_a_bad_one_is_refused(self):
        self.install(self.supervisor)
        response = self.client.post(self.url, self.formset_data(**{"meeting-first_contact_days": 15}))
        self.assertRedirects(response, self.url)
        self.assertEqual(self.session.meeting_rule.first_contact_days, 15)
        response = self.client.post(self.url, self.formset_data(**{"meeting-first_contact_days": 0}))
        self.assertContains(response, "确保该值大于或等于1")
        self.session.meeting_rule.refresh_from_db()
        self.assertEqual(self.session.meeting_rule.first_contact_days, 15)

    def test_a_level_led_by_a_leader_names_one(self):
        self.install(self.supervisor)
        response = self.client.post(self.url, self.formset_data(**{"levels-3-leader": ""}))
        self.assertContains(response, "须由领导督办的级别须写明督办领导。")
        response = self.client.post(self.url, self.formset_data(**{"levels-3-leader": "李明副市长"}))
        self.assertRedirects(response, self.url)
        self.assertEqual(self.session.escalation_levels.get(rank=4).leader, "李明副市长")

    def test_two_rules_on_one_day_are_refused_in_chinese(self):
        self.install(self.supervisor)
        response = self.client.post(self.url, self.formset_data(**{"rules-1-offset_days": -7}))
        self.assertContains(response, "同一天只能有一条规则。")
        self.assertEqual(sorted(self.session.escalation_rules.values_list("offset_days", flat=True)), [-7, 0, 7, 30])

    def test_a_rule_used_already_is_not_deleted(self):
        self.install(self.supervisor)
        a = f.assignment(
            f.proposal(self.session), f.unit(), assigned_on=datetime.date(2026, 4, 1), due_on=datetime.date(2026, 6, 30)
        )
        escalation.run(today=datetime.date(2026, 6, 30))
        used = Escalation.objects.get(assignment=a).rule
        index = list(self.session.escalation_rules.order_by("offset_days")).index(used)
        response = self.client.post(self.url, self.formset_data(**{f"rules-{index}-DELETE": "on"}), follow=True)
        self.assertContains(response, "不能删除")
        self.assertTrue(EscalationRule.objects.filter(pk=used.pk).exists())

    def test_office_reads_the_ladder_but_cannot_change_it(self):
        self.install(self.supervisor)
        self.assertEqual(self.install(self.office).status_code, 403)
        response = self.client.get(self.url)
        self.assertContains(response, "重点督办")
        self.assertNotContains(response, "保存</button>")
        self.assertEqual(self.client.post(self.url, self.formset_data()).status_code, 403)

    def test_unit_staff_do_not_find_it(self):
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.install(self.clerk).status_code, 404)
