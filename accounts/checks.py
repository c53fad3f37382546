"""System checks for the sign-in settings: single sign-on switched on but not configured is an
error; in production (`check --deploy`), the second factor switched off or an identity service
reached over plain HTTP is a warning."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

ENDPOINTS = [
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
]


@register(Tags.security)
def oidc_configured(app_configs, **kwargs):
    if not settings.BANLI_OIDC_ENABLED:
        return []
    missing = [
        name for name in [*ENDPOINTS, "OIDC_RP_CLIENT_ID", "OIDC_RP_CLIENT_SECRET"] if not getattr(settings, name)
    ]
    if not settings.BANLI_OIDC_ISSUER:
        missing.append("BANLI_OIDC_ISSUER")
    if missing:
        return [
            Error(
                "Single sign-on is on (BANLI_OIDC_ENABLED) but not configured: " + ", ".join(missing),
                hint="See deploy/identity.md; `manage.py oidc_discover ISSUER` prints the endpoint lines.",
                id="accounts.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def production_sign_in(app_configs, **kwargs):
    problems = []
    if not settings.BANLI_SECOND_FACTOR:
        problems.append(
            Warning(
                "BANLI_SECOND_FACTOR is off: supervisors, offices and administrators sign in with a password alone.",
                id="accounts.W001",
            )
        )
    if settings.BANLI_OIDC_ENABLED:
        plain = [name for name in ENDPOINTS if urlsplit(getattr(settings, name)).scheme != "https"]
        if plain:
            problems.append(
                Warning("The identity service is reached over plain HTTP: " + ", ".join(plain), id="accounts.W002")
            )
    return problems
