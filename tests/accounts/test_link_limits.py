"""Per-address limits on the public pages that take a secret in the URL: unknown one-time links
(/f/) and verification codes (/verify/) are counted, and past the limit the address gets 429 in
Chinese; real links and codes are never counted."""

from django.test import TestCase, override_settings

from feedback.models import FeedbackLink
from proposals.models import Body
from tests import factories as f


@override_settings(BANLI_LINK_MISSES=3)
class LinkLimitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        session = f.session(Body.CPPCC)
        cls.user, cls.member = f.member_user("程玮")
        proposal = f.proposal(session, lead=cls.member)
        cls.reply = f.reply(f.assignment(proposal, f.unit()))
        cls.feedback = f.feedback(cls.reply, cls.member, verification_code="K7Q29XWD23")

    def miss(self, path, ip="10.0.0.1"):
        return self.client.get(path, REMOTE_ADDR=ip)

    def test_unknown_links_from_one_address_are_refused_past_the_limit_with_a_chinese_page(self):
        for n in range(3):
            self.assertEqual(self.miss(f"/f/guess{n}/").status_code, 404)
        response = self.miss("/f/guess9/")
        self.assertContains(response, "请稍后再试", status_code=429)

    def test_even_a_real_link_waits_once_the_address_is_over_the_limit(self):
        _link, token = FeedbackLink.issue(reply=self.reply, member=self.member)
        for n in range(3):
            self.miss(f"/f/guess{n}/")
        self.assertEqual(self.miss(f"/f/{token}/").status_code, 429)

    def test_another_address_is_not_affected(self):
        for n in range(3):
            self.miss(f"/f/guess{n}/")
        _link, token = FeedbackLink.issue(reply=self.reply, member=self.member)
        self.assertEqual(self.miss(f"/f/{token}/", ip="10.0.0.2").status_code, 302)

    def test_wrong_verification_codes_are_limited_too(self):
        for n in range(3):
            self.assertEqual(self.miss(f"/verify/AAAAAAAAA{n}/").status_code, 404)
        self.assertEqual(self.miss("/verify/K7Q29XWD23/").status_code, 429)

    def test_real_codes_are_never_counted(self):
        for _ in range(10):
            self.assertEqual(self.miss("/verify/K7Q29XWD23/").status_code, 200)

    def test_a_signed_in_user_is_counted_by_account_not_by_the_shared_address(self):
        for n in range(3):
            self.miss(f"/verify/AAAAAAAAA{n}/")
        self.client.force_login(f.supervisor())
        self.assertEqual(self.miss("/verify/K7Q29XWD23/").status_code, 200)
