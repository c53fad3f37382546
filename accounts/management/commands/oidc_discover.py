"""`manage.py oidc_discover ISSUER`: read the identity service's discovery document and print the
BANLI_OIDC_* lines for its endpoints (deploy/identity.md), to paste into the environment file."""

import requests
from django.core.management.base import BaseCommand, CommandError

LINES = [
    ("BANLI_OIDC_ISSUER", "issuer"),
    ("BANLI_OIDC_AUTHORIZATION_ENDPOINT", "authorization_endpoint"),
    ("BANLI_OIDC_TOKEN_ENDPOINT", "token_endpoint"),
    ("BANLI_OIDC_USERINFO_ENDPOINT", "userinfo_endpoint"),
    ("BANLI_OIDC_JWKS_ENDPOINT", "jwks_uri"),
    ("BANLI_OIDC_END_SESSION_ENDPOINT", "end_session_endpoint"),
]


class Command(BaseCommand):
    help = "Print the BANLI_OIDC_* endpoint settings from an OpenID Connect issuer's discovery document."

    def add_arguments(self, parser):
        parser.add_argument("issuer")

    def handle(self, *args, issuer, **options):
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=10)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise CommandError(f"could not read {url}: {error}") from None
        for name, key in LINES:
            value = document.get(key, "")
            self.stdout.write(f"{name}={value}" if value else f"# {name}: not offered by this provider")
        algorithms = document.get("id_token_signing_alg_values_supported") or []
        if algorithms and "RS256" not in algorithms:
            self.stdout.write(f"BANLI_OIDC_SIGN_ALGO={algorithms[0]}")
