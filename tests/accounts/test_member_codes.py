"""Members sign in without a password: a one-time code by text message or e-mail to what the office
registered. Wrong, expired and reused codes are refused; sending is rate-limited; nothing tells a
stranger whether a number is registered; the one-time feedback links keep working."""

import datetime
import re

from django.core import mail
from django.test import TestCase, override_settings
from django.utils import timezone

from accounts.models import LoginEvent, LoginEventKind, SignInCode
from feedback.models import FeedbackLink
from notifications import sms
from proposals.models import Body
from tests import factories as f

SENT = "验证码已发出"


def last_code():
    text = sms.outbox[-1].text if sms.outbox else mail.outbox[-1].body
    return re.search(r"\b(\d{6})\b", text).group(1)


class MemberCodeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.session = f.session(Body.CPPCC)
        cls.user, cls.member = f.member_user("程玮", username="chengwei")
        cls.member.phone = "139-0714-0001"
        cls.member.email = "chengwei@example.org"
        cls.member.save()
        cls.mine = f.proposal(cls.session, lead=cls.member, title="关于促进中小企业健康快速发展的提案")
        cls.other = f.proposal(cls.session, title="关于别人的提案")

    def ask(self, identifier, ip="10.0.0.1"):
        return self.client.post("/login/code/", {"identifier": identifier}, REMOTE_ADDR=ip)

    def enter(self, code, identifier="13907140001", ip="10.0.0.1"):
        return self.client.post("/login/code/verify/", {"identifier": identifier, "code": code}, REMOTE_ADDR=ip)

    def test_a_member_signs_in_with_a_code_sent_by_text_message_and_sees_only_their_proposals(self):
        response = self.ask("139 0714 0001")
        self.assertRedirects(response, "/login/code/verify/", fetch_redirect_response=False)
        self.assertEqual(sms.outbox[-1].to, "13907140001")
        self.assertIn("登录验证码", sms.outbox[-1].text)
        page = self.client.get("/login/code/verify/")
        self.assertContains(page, "139****0001")
        response = self.enter(last_code())
        self.assertRedirects(response, "/me/", fetch_redirect_response=False)
        listing = self.client.get("/proposals/").content.decode()
        self.assertIn(self.mine.title, listing)
        self.assertNotIn(self.other.title, listing)
        self.assertTrue(LoginEvent.objects.filter(kind=LoginEventKind.CODE_SUCCESS, user=self.user).exists())

    def test_a_member_signs_in_with_a_code_sent_by_e_mail(self):
        self.ask("ChengWei@Example.org")
        self.assertEqual(mail.outbox[-1].to, ["chengwei@example.org"])
        response = self.enter(last_code(), identifier="chengwei@example.org")
        self.assertRedirects(response, "/me/", fetch_redirect_response=False)

    def test_a_wrong_code_is_refused_with_a_chinese_message(self):
        self.ask("13907140001")
        code = last_code()
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        response = self.enter(wrong)
        self.assertContains(response, "验证码不正确")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_an_expired_code_is_refused(self):
        self.ask("13907140001")
        SignInCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
        response = self.enter(last_code())
        self.assertContains(response, "验证码已过期")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_used_code_cannot_be_used_again(self):
        self.ask("13907140001")
        code = last_code()
        self.enter(code)
        self.client.post("/logout/")
        response = self.enter(code)
        self.assertContains(response, "已使用过")
        self.assertNotIn("_auth_user_id", self.client.session)

    @override_settings(BANLI_MEMBER_CODE_TRIES=3)
    def test_a_code_dies_after_too_many_wrong_tries_even_if_the_right_one_follows(self):
        self.ask("13907140001")
        code = last_code()
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for _ in range(3):
            self.enter(wrong)
        response = self.enter(code)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(response.status_code, 200)

    def test_a_new_code_replaces_the_last_one(self):
        self.ask("13907140001")
        first = last_code()
        self.ask("13907140001")
        second = last_code()
        if first != second:
            self.assertContains(self.enter(first), "验证码已过期")
        self.assertRedirects(self.enter(second), "/me/", fetch_redirect_response=False)

    def test_an_unknown_number_gets_the_same_answer_and_no_message(self):
        response = self.ask("13800000000")
        self.assertRedirects(response, "/login/code/verify/", fetch_redirect_response=False)
        self.assertEqual(sms.outbox, [])
        self.assertContains(self.client.get("/login/code/verify/"), SENT)
        self.assertContains(self.enter("123456", identifier="13800000000"), "验证码不正确")

    def test_a_number_shared_by_two_members_signs_in_neither(self):
        _u, twin = f.member_user("王秋红")
        twin.phone = "13907140001"
        twin.save()
        self.ask("13907140001")
        self.assertEqual(sms.outbox, [])

    def test_a_member_without_an_account_or_with_a_stopped_one_gets_no_code(self):
        f.member(name="无账号委员", phone="13907140002")
        self.ask("13907140002")
        self.user.is_active = False
        self.user.save()
        self.ask("13907140001")
        self.assertEqual(sms.outbox, [])

    def test_a_staff_phone_number_is_not_a_way_in(self):
        self.ask("not a number")
        self.assertEqual(sms.outbox, [])

    def test_a_bad_identifier_is_a_clear_error_next_to_the_field(self):
        response = self.ask("12345")
        self.assertContains(response, "请输入 11 位手机号码或电子邮箱地址")
        self.assertContains(response, 'value="12345"')

    @override_settings(BANLI_MEMBER_CODE_SENDS=2)
    def test_sending_to_one_number_is_rate_limited(self):
        for _ in range(3):
            response = self.ask("13907140001")
        self.assertEqual(len(sms.outbox), 2)
        self.assertContains(response, "获取验证码过于频繁")

    @override_settings(BANLI_MEMBER_CODE_ADDRESS_SENDS=3)
    def test_sending_from_one_address_is_rate_limited_across_numbers(self):
        for n in range(4):
            response = self.ask(f"1380000000{n}", ip="10.7.7.7")
        self.assertContains(response, "获取验证码过于频繁")
        self.assertTrue(LoginEvent.objects.filter(kind=LoginEventKind.CODE_LIMITED).exists())

    @override_settings(BANLI_MEMBER_CODE_ADDRESS_CHECKS=3)
    def test_guessing_codes_from_one_address_is_rate_limited(self):
        self.ask("13907140001")
        code = last_code()
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for _ in range(3):
            self.enter(wrong, ip="10.8.8.8")
        response = self.enter(code, ip="10.8.8.8")
        self.assertContains(response, "错误次数过多")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_code_pages_are_in_chinese_and_link_from_the_login_page(self):
        self.assertContains(self.client.get("/login/"), "/login/code/")
        self.assertContains(self.client.get("/login/code/"), "登记的手机号码或电子邮箱")

    def test_the_one_time_feedback_link_still_works_without_signing_in(self):
        assignment = f.assignment(self.mine, f.unit())
        reply = f.reply(assignment)
        _link, token = FeedbackLink.issue(reply=reply, member=self.member)
        response = self.client.get(f"/f/{token}/")
        self.assertRedirects(response, "/f/form/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/f/form/").status_code, 200)
