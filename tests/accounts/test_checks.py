"""The sign-in settings are checked: single sign-on switched on without its endpoints is an error;
in production the second factor switched off is a warning."""

from django.core.checks import run_checks
from django.test import SimpleTestCase, override_settings


def ids(**kwargs):
    return {message.id for message in run_checks(**kwargs)}


class CheckTests(SimpleTestCase):
    @override_settings(BANLI_OIDC_ENABLED=True, OIDC_OP_TOKEN_ENDPOINT="", OIDC_RP_CLIENT_SECRET="")
    def test_single_sign_on_on_but_not_configured_is_an_error(self):
        self.assertIn("accounts.E001", ids())

    def test_single_sign_on_off_needs_nothing(self):
        self.assertNotIn("accounts.E001", ids())

    @override_settings(BANLI_SECOND_FACTOR=False)
    def test_the_second_factor_off_is_a_warning_in_production(self):
        self.assertIn("accounts.W001", ids(include_deployment_checks=True))

    @override_settings(BANLI_SECOND_FACTOR=True)
    def test_the_second_factor_on_passes(self):
        self.assertNotIn("accounts.W001", ids(include_deployment_checks=True))

    @override_settings(
        BANLI_OIDC_ENABLED=True,
        BANLI_OIDC_ISSUER="http://idp",
        OIDC_OP_AUTHORIZATION_ENDPOINT="http://idp/authorize",
        OIDC_OP_TOKEN_ENDPOINT="https://idp/token",
        OIDC_OP_USER_ENDPOINT="https://idp/userinfo",
        OIDC_OP_JWKS_ENDPOINT="https://idp/jwks",
        OIDC_RP_CLIENT_ID="banli",
        OIDC_RP_CLIENT_SECRET="s",
    )
    def test_an_identity_service_over_plain_http_is_a_warning_in_production(self):
        self.assertIn("accounts.W002", ids(include_deployment_checks=True))
        self.assertNotIn("accounts.E001", ids())
