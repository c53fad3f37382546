"""The second factor: enrolment with a QR code, sign-in with the authenticator or a recovery code,
and staff who must have it cannot reach anything else (the admin and supervisor pages included)."""

from django.test import TestCase, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import LoginEvent, LoginEventKind
from tests import factories as f


def code_for(device, drift=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def enrol(client):
    """Open the enrolment page, read the new device's key from the database, confirm with its code."""
    page = client.get("/account/2fa/enrol/")
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post("/account/2fa/enrol/", {"token": code_for(device)})
    return page, response, device


def verified_client(client, user):
    """A browser signed in as `user` past the second factor (a device enrolled beforehand)."""
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@override_settings(BANLI_SECOND_FACTOR=True, BANLI_SECOND_FACTOR_FOR_UNIT_STAFF=False)
class SecondFactorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.unit = f.unit()
        cls.supervisor = f.supervisor(username="supervisor")
        cls.office = f.office(username="office")
        cls.clerk = f.clerk(cls.unit, username="clerk")
        cls.admin = f.user("admin", is_staff=True, is_superuser=True)
        _u, cls.member = f.member_user("程玮", username="member")

    def sign_in(self, username):
        return self.client.post("/login/", {"username": username, "password": "pw-for-tests", "next": "/dashboard/"})

    def test_a_supervisor_without_a_device_is_sent_to_enrolment_at_sign_in(self):
        response = self.sign_in("supervisor")
        self.assertRedirects(response, "/account/2fa/enrol/?next=/dashboard/", fetch_redirect_response=False)

    def test_staff_without_a_verified_device_cannot_reach_the_admin_or_supervisor_pages(self):
        for user in (self.supervisor, self.office, self.admin):
            self.client.force_login(user)
            for url in ("/dashboard/", "/admin/", "/admin/proposals/proposal/", "/", "/staff/"):
                with self.subTest(user=user.username, url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 302)
                    self.assertTrue(response["Location"].startswith("/account/2fa/enrol/"))

    def test_the_enrolment_page_offers_only_signing_out_until_the_second_factor_is_set_up(self):
        self.sign_in("supervisor")
        page = self.client.get("/account/2fa/enrol/")
        topbar = page.content.decode().split("<nav>", 1)[1].split("</nav>", 1)[0]
        self.assertIn("退出", topbar)
        for link in ("督查统计", "工作台", "数据管理", "人员管理", "旧答复导入"):
            self.assertNotIn(link, topbar)
        _page, _response, _device = enrol(self.client)
        topbar = self.client.get("/dashboard/").content.decode().split("<nav>", 1)[1].split("</nav>", 1)[0]
        self.assertIn("督查统计", topbar)

    def test_a_clerk_may_work_without_a_second_factor_unless_the_setting_requires_it(self):
        self.client.force_login(self.clerk)
        self.assertEqual(self.client.get("/").status_code, 200)
        with override_settings(BANLI_SECOND_FACTOR_FOR_UNIT_STAFF=True):
            self.assertEqual(self.client.get("/").status_code, 302)

    def test_a_member_is_never_asked_for_a_second_factor(self):
        self.sign_in("member")
        self.assertEqual(self.client.get("/me/").status_code, 200)

    def test_enrolment_shows_a_qr_code_and_the_key_in_chinese(self):
        self.sign_in("supervisor")
        page, _response, device = enrol(self.client)
        self.assertContains(page, "设置两步验证")
        self.assertContains(page, 'src="data:image/png;base64,')
        self.assertContains(page, "扫描下面的二维码")

    def test_enrolment_confirms_the_device_shows_recovery_codes_once_and_lets_the_supervisor_in(self):
        self.sign_in("supervisor")
        _page, response, device = enrol(self.client)
        device.refresh_from_db()
        self.assertTrue(device.confirmed)
        self.assertContains(response, "恢复码")
        self.assertEqual(response.content.decode().count("<li><code>"), 10)
        self.assertEqual(self.client.get("/dashboard/").status_code, 200)
        self.assertEqual(self.client.get("/admin/").status_code, 200)
        self.assertTrue(LoginEvent.objects.filter(kind=LoginEventKind.OTP_ENROLLED, user=self.supervisor).exists())

    def test_a_wrong_code_at_enrolment_says_so_and_confirms_nothing(self):
        self.sign_in("supervisor")
        self.client.get("/account/2fa/enrol/")
        response = self.client.post("/account/2fa/enrol/", {"token": "000000"})
        self.assertContains(response, "验证码不正确")
        self.assertFalse(TOTPDevice.objects.filter(confirmed=True).exists())

    def _enrolled_and_signed_out(self, username="supervisor"):
        self.sign_in(username)
        _page, _response, device = enrol(self.client)
        self.client.post("/logout/")
        return device

    def test_signing_in_again_asks_for_the_code_and_a_right_code_lets_in(self):
        device = self._enrolled_and_signed_out()
        response = self.sign_in("supervisor")
        self.assertRedirects(response, "/login/verify/?next=/dashboard/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/dashboard/").status_code, 302)
        response = self.client.post("/login/verify/?next=/dashboard/", {"token": code_for(device, drift=1)})
        self.assertRedirects(response, "/dashboard/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/dashboard/").status_code, 200)
        self.assertTrue(LoginEvent.objects.filter(kind=LoginEventKind.OTP_SUCCESS).exists())

    def test_a_wrong_code_is_refused_and_logged(self):
        self._enrolled_and_signed_out()
        self.sign_in("supervisor")
        response = self.client.post("/login/verify/", {"token": "123456"})
        self.assertContains(response, "验证码不正确")
        self.assertEqual(self.client.get("/dashboard/").status_code, 302)
        self.assertTrue(LoginEvent.objects.filter(kind=LoginEventKind.OTP_FAILURE, user=self.supervisor).exists())

    def test_a_recovery_code_works_once(self):
        self.sign_in("supervisor")
        self.client.get("/account/2fa/enrol/")
        device = TOTPDevice.objects.get(confirmed=False)
        response = self.client.post("/account/2fa/enrol/", {"token": code_for(device)})
        codes = response.context["codes"]
        self.client.post("/logout/")

        self.sign_in("supervisor")
        response = self.client.post("/login/verify/", {"token": codes[0]})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.get("/dashboard/").status_code, 200)
        self.assertTrue(LoginEvent.objects.filter(kind=LoginEventKind.RECOVERY_USED).exists())
        self.client.post("/logout/")

        self.sign_in("supervisor")
        response = self.client.post("/login/verify/", {"token": codes[0]})
        self.assertContains(response, "验证码不正确")

    def test_a_clerk_who_enrolled_of_their_own_accord_is_asked_for_it_too(self):
        self._enrolled_and_signed_out("clerk")
        response = self.sign_in("clerk")
        self.assertTrue(response["Location"].startswith("/login/verify/"))
        self.assertEqual(self.client.get("/").status_code, 302)

    def test_a_clerk_may_switch_an_optional_second_factor_off_but_a_supervisor_may_not(self):
        self.client.force_login(self.clerk)
        enrol(self.client)
        self.client.post("/account/2fa/disable/")
        self.assertFalse(TOTPDevice.objects.filter(user=self.clerk).exists())

        self.client.force_login(self.supervisor)
        enrol(self.client)
        response = self.client.post("/account/2fa/disable/", follow=True)
        self.assertContains(response, "不能停用")
        self.assertTrue(TOTPDevice.objects.filter(user=self.supervisor, confirmed=True).exists())

    def test_a_supervisor_resets_a_lost_phone_and_the_person_enrols_again(self):
        self._enrolled_and_signed_out("clerk")
        supervisor = verified_client(self.client_class(), self.supervisor)
        supervisor.post(f"/staff/{self.clerk.pk}/second-factor/reset/")
        self.assertFalse(TOTPDevice.objects.filter(user=self.clerk).exists())
        response = self.sign_in("clerk")
        self.assertEqual(response["Location"], "/dashboard/")

    def test_the_verify_page_is_in_chinese(self):
        self._enrolled_and_signed_out()
        self.sign_in("supervisor")
        page = self.client.get("/login/verify/")
        self.assertContains(page, "两步验证")
        self.assertContains(page, "恢复码")
