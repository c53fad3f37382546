"""面商 and 见面率 on a small dataset counted by hand: the window of each session, face to face for
key proposals, what is not due yet, and the units below 100% named on the dashboard."""

import datetime

from django.test import TestCase, override_settings
from django.urls import reverse

from proposals.models import AssignmentRole, AssignmentStatus, Body
from replies.models import ContactMethod, ContactRecord
from supervision import meetings
from supervision.models import MeetingRule
from tests import factories as f

TODAY = datetime.date(2026, 6, 30)


def d(month, day):
    return datetime.date(2026, month, day)


def share(unit, session, assigned_on, *, key=False, **extra):
    proposal = f.proposal(session, is_key=key)
    return f.assignment(
        proposal, unit, assigned_on=assigned_on, status=extra.pop("status", AssignmentStatus.HANDLING), **extra
    )


def contact(assignment, on, method=ContactMethod.PHONE):
    ContactRecord.objects.create(assignment=assignment, contacted_on=on, method=method, summary="沟通办理情况")


class MeetingRateTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        s = f.session(Body.CPPCC)  # defaults: 30 days, key items face to face
        t = f.session(Body.NPC)
        MeetingRule.objects.create(session=t, first_contact_days=10, face_to_face_for_key=False)
        a, b, c = f.unit(short_name="甲局"), f.unit(short_name="乙局"), f.unit(short_name="丙局")
        # 甲局 (session s, 30 days)
        contact(share(a, s, d(5, 1)), d(5, 10))  # met
        contact(share(a, s, d(5, 1), key=True), d(5, 5))  # key, by phone only: missed
        contact(share(a, s, d(5, 1), key=True), d(5, 31), ContactMethod.VISIT)  # key, visit on day 30: met
        share(a, s, d(6, 15))  # window open till 7-15, no contact: not counted
        contact(share(a, s, d(6, 20)), d(6, 25), ContactMethod.MEETING)  # window open but met: counted, met
        contact(share(a, s, d(4, 1)), d(5, 15))  # day 44: missed
        share(a, s, d(4, 1), role=AssignmentRole.CO)  # 会办: not counted
        share(a, s, d(4, 1), status=AssignmentStatus.RETURNED)  # returned: not counted
        # 乙局 (session t, 10 days, phone is enough even for key items)
        contact(share(b, t, d(6, 1), key=True), d(6, 11))  # day 10: met
        contact(share(b, t, d(6, 1)), d(6, 12))  # day 11: missed
        share(b, t, d(6, 25))  # window open: not counted
        # 丙局
        contact(share(c, s, d(5, 1)), d(5, 2), ContactMethod.VISIT)  # met
        cls.supervisor = f.supervisor()

    def test_rates_by_hand(self):
        rates = meetings.unit_rates(today=TODAY)
        got = [(e["unit"], e["due"], e["met"], e["missed"], e["rate"]) for e in rates]
        self.assertEqual(got, [("丙局", 1, 1, 0, 100), ("甲局", 5, 3, 2, 60), ("乙局", 2, 1, 1, 50)])
        self.assertEqual([e["unit"] for e in meetings.below_full(rates)], ["甲局", "乙局"])

    def test_a_longer_window_changes_the_count(self):
        MeetingRule.objects.create(session=f.session(Body.CPPCC), first_contact_days=5)
        rule = MeetingRule.objects.get(first_contact_days=10)
        rule.first_contact_days = 11  # 乙局's day-11 contact now counts
        rule.save()
        rates = {e["unit"]: (e["due"], e["met"]) for e in meetings.unit_rates(today=TODAY)}
        self.assertEqual(rates["乙局"], (2, 2))

    @override_settings(BANLI_DASHBOARD_CACHE_SECONDS=0)
    def test_the_dashboard_names_the_units_below_full(self):
        self.client.force_login(self.supervisor)
        response = self.client.get(reverse("supervision:dashboard"))
        self.assertContains(response, "见面率未达 100% 的单位：")
        named = response.content.decode().split("见面率未达 100% 的单位：")[1].split("</p>")[0]
        self.assertIn("甲局", named)
        self.assertIn("乙局", named)
        self.assertNotIn("丙局", named)
