import json
import os

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    """Every claim the test configured for the user, whatever the scope (the test decides what to send)."""

    oidc_claim_scope = None

    def get_additional_claims(self, request):
        users = json.loads(os.environ["OIDC_TEST_USERS"])
        claims = dict(users.get(request.user.username, {}).get("claims", {}))
        claims.setdefault("preferred_username", request.user.username)
        return claims
