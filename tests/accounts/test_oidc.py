"""Single sign-on end to end against a real OpenID Connect provider started on 127.0.0.1: sign-in,
the claims mapped to the account, the unit and role from the claims, sign-out at the provider."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase, override_settings

from accounts.models import ExternalIdentity, LoginEvent, LoginEventKind, SignInMethod, StaffChange, UserSession
from proposals.models import Role, RoleKind
from tests import factories as f
from tests.accounts.oidc import CLIENT_ID, Provider

User = get_user_model()


@pytest.fixture(scope="class")
def provider(request):
    p = Provider(["http://testserver"])
    request.cls.provider = p
    yield p
    p.stop()


@pytest.mark.usefixtures("provider")
class SingleSignOnTests(TestCase):
    provider: Provider

    @classmethod
    def setUpTestData(cls):
        cls.unit = f.unit("X市经济和信息化局", "X局")

    def setUp(self):
        overrides = override_settings(**self.provider.settings())
        overrides.enable()
        self.addCleanup(overrides.disable)

    def sign_in(self, username, next_url="/"):
        start = self.client.get(f"/oidc/authenticate/?next={next_url}")
        self.assertEqual(start.status_code, 302)
        authorize = start["Location"]
        self.assertTrue(authorize.startswith(self.provider.issuer))
        params = parse_qs(urlsplit(authorize).query)
        self.assertEqual(params["client_id"], [CLIENT_ID])
        self.assertEqual(params["code_challenge_method"], ["S256"])  # PKCE
        back = self.provider.sign_in(authorize, username)
        self.assertTrue(back.startswith("http://testserver/oidc/callback/?"), back)
        parts = urlsplit(back)
        return self.client.get(f"{parts.path}?{parts.query}")

    def test_a_new_person_signs_in_and_gets_an_account_from_the_claims(self):
        response = self.sign_in("zhangsan", next_url="/proposals/")
        self.assertRedirects(response, "/proposals/", fetch_redirect_response=False)
        user = User.objects.get(username="zhangsan")
        self.assertEqual(user.first_name, "张三")
        self.assertEqual(user.email, "zhangsan@example.gov.cn")
        self.assertFalse(user.has_usable_password())
        self.assertEqual(self.client.get("/proposals/").status_code, 200)
        self.assertTrue(ExternalIdentity.objects.filter(user=user, issuer=self.provider.issuer).exists())
        self.assertEqual(UserSession.objects.get(user=user).method, SignInMethod.SSO)
        self.assertTrue(LoginEvent.objects.filter(kind=LoginEventKind.SSO_SUCCESS, user=user).exists())

    def test_the_unit_and_role_claims_place_the_person_in_their_unit(self):
        self.sign_in("zhangsan")
        user = User.objects.get(username="zhangsan")
        self.assertTrue(Role.objects.filter(user=user, unit=self.unit, kind=RoleKind.SIGNER).exists())
        self.assertTrue(StaffChange.objects.filter(user=user, unit=self.unit, kind="sso_joined").exists())
        self.assertEqual(self.client.get("/").status_code, 200)  # the unit's inbox

    def test_an_unknown_unit_places_no_one_and_still_signs_in(self):
        self.sign_in("wangwu")
        user = User.objects.get(username="wangwu")
        self.assertFalse(Role.objects.filter(user=user).exists())

    def test_an_existing_account_of_the_same_username_is_linked_not_duplicated(self):
        existing = f.clerk(self.unit, username="lisi")
        self.sign_in("lisi")
        self.assertEqual(User.objects.filter(username="lisi").count(), 1)
        existing.refresh_from_db()
        self.assertEqual(existing.first_name, "李四")
        self.assertTrue(ExternalIdentity.objects.filter(user=existing).exists())

    def test_the_second_sign_in_finds_the_account_by_its_subject(self):
        self.sign_in("lisi")
        self.client.post("/logout/")
        user = User.objects.get(username="lisi")
        user.username = "renamed-in-banli"
        user.save()
        self.sign_in("lisi")
        self.assertEqual(User.objects.filter(first_name="李四").count(), 1)

    def test_a_deactivated_account_cannot_sign_in_through_the_provider(self):
        f.user("lisi", is_active=False)
        response = self.sign_in("lisi")
        self.assertEqual(response["Location"], "/login/?sso=failed")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertContains(self.client.get("/login/?sso=failed"), "统一身份认证登录未成功")

    def test_a_tampered_answer_is_refused(self):
        start = self.client.get("/oidc/authenticate/")
        back = self.provider.sign_in(start["Location"], "lisi")
        parts = urlsplit(back)
        query = parts.query.replace("state=", "state=x")
        response = self.client.get(f"{parts.path}?{query}")
        self.assertEqual(response["Location"], "/login/?sso=failed")
        self.assertTrue(LoginEvent.objects.filter(kind=LoginEventKind.SSO_FAILURE).exists())

    def test_signing_out_ends_the_session_here_and_at_the_provider(self):
        self.sign_in("lisi")
        response = self.client.post("/logout/")
        location = response["Location"]
        self.assertTrue(location.startswith(f"{self.provider.issuer}/logout/?"))
        params = parse_qs(urlsplit(location).query)
        self.assertEqual(params["post_logout_redirect_uri"], ["http://testserver/login/"])
        self.assertIn("id_token_hint", params)
        self.assertEqual(self.client.get("/").status_code, 302)

    def test_the_login_page_offers_the_identity_service(self):
        page = self.client.get("/login/")
        self.assertContains(page, "统一身份认证登录")
        self.assertContains(page, "/oidc/authenticate/")

    def test_with_staff_passwords_off_staff_must_use_the_identity_service_but_members_need_not(self):
        f.clerk(self.unit, username="clerk")
        f.member_user(username="member")
        with override_settings(BANLI_OIDC_STAFF_PASSWORDS=False):
            response = self.client.post("/login/", {"username": "clerk", "password": "pw-for-tests"})
            self.assertContains(response, "工作人员请使用统一身份认证登录")
            self.assertNotIn("_auth_user_id", self.client.session)
            response = self.client.post("/login/", {"username": "member", "password": "pw-for-tests"})
            self.assertEqual(response.status_code, 302)

    def test_oidc_discover_prints_the_settings_for_the_provider(self):
        from io import StringIO

        out = StringIO()
        call_command("oidc_discover", self.provider.issuer, stdout=out)
        text = out.getvalue()
        self.assertIn(f"BANLI_OIDC_TOKEN_ENDPOINT={self.provider.issuer}/token/", text)
        self.assertIn("BANLI_OIDC_JWKS_ENDPOINT=", text)
        self.assertIn("BANLI_OIDC_END_SESSION_ENDPOINT=", text)


class SingleSignOnOffTests(TestCase):
    def test_with_sso_off_the_login_page_has_no_button_and_the_endpoints_do_not_exist(self):
        self.assertNotContains(self.client.get("/login/"), "统一身份认证登录")
        self.assertEqual(self.client.get("/oidc/authenticate/").status_code, 404)
        self.assertEqual(self.client.get("/oidc/callback/?code=x&state=y").status_code, 404)
