"""Single sign-on through the city's identity service (统一身份认证) with OpenID Connect
(mozilla-django-oidc, authorization code flow with PKCE), configured by BANLI_OIDC_* (off by default).

Claims → user:
- the account is found by the provider's subject (`sub`, kept in ExternalIdentity), else by the
  username claim (BANLI_OIDC_USERNAME_CLAIM) matching an existing username (so accounts that
  exist before SSO is switched on carry over), else created (BANLI_OIDC_CREATE_USERS);
- the name and e-mail claims refresh the account at each sign-in;
- the unit claim (BANLI_OIDC_UNIT_CLAIM) names a handling unit by its full or short name and the
  role claim (BANLI_OIDC_ROLE_CLAIM) says 经办人 or 签发人 (values mapped by BANLI_OIDC_ROLE_VALUES):
  a person the service places in a unit joins it at sign-in (recorded in their staff history).
  Leaving a unit is done in Banli, where the open work is handed over (accounts.services).
"""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from proposals.models import HandlingUnit, Role, RoleKind, TransitionError

from .backends import request_user
from .models import ExternalIdentity, LoginEvent, LoginEventKind, SignInMethod

log = logging.getLogger("banli.accounts")


def _claim(claims, name):
    value = claims.get(name) if name else None
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value).strip() if value is not None else ""


def role_values():
    """{claim value: role kind} from BANLI_OIDC_ROLE_VALUES ("clerk:clerk,signer:signer,经办人:clerk")."""
    mapping = {}
    for pair in settings.BANLI_OIDC_ROLE_VALUES:
        value, _sep, kind = pair.partition(":")
        if kind in (RoleKind.CLERK, RoleKind.SIGNER):
            mapping[value.strip()] = kind
    return mapping


class Backend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        if not settings.BANLI_OIDC_ENABLED:
            return None
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id):
        return request_user(user_id)

    def verify_claims(self, claims):
        return bool(claims.get("sub")) and bool(_claim(claims, settings.BANLI_OIDC_USERNAME_CLAIM))

    def filter_users_by_claims(self, claims):
        User = get_user_model()
        issuer = settings.BANLI_OIDC_ISSUER
        linked = ExternalIdentity.objects.filter(issuer=issuer, subject=claims["sub"]).values("user_id")
        users = User.objects.filter(pk__in=linked)
        if users.exists():
            return users
        # An account of the same username that no other identity of this service has claimed.
        username = _claim(claims, settings.BANLI_OIDC_USERNAME_CLAIM)
        taken = ExternalIdentity.objects.filter(issuer=issuer).values("user_id")
        return User.objects.filter(username=username).exclude(pk__in=taken)

    def create_user(self, claims):
        User = get_user_model()
        username = _claim(claims, settings.BANLI_OIDC_USERNAME_CLAIM)[:150]
        if User.objects.filter(username=username).exists():
            raise SuspiciousOperation("username already linked to another identity")
        user = User(username=username)
        user.set_unusable_password()
        self._fill(user, claims)
        user.save()
        self._link_and_place(user, claims)
        return user

    def update_user(self, user, claims):
        self._fill(user, claims)
        user.save(update_fields=["first_name", "email"])
        self._link_and_place(user, claims)
        return user

    def _fill(self, user, claims):
        name = _claim(claims, settings.BANLI_OIDC_NAME_CLAIM)
        email = _claim(claims, settings.BANLI_OIDC_EMAIL_CLAIM)
        if name:
            user.first_name, user.last_name = name[:150], ""
        if email:
            user.email = email[:254]

    def _link_and_place(self, user, claims):
        from . import services

        issuer = settings.BANLI_OIDC_ISSUER
        with transaction.atomic():
            ExternalIdentity.objects.get_or_create(issuer=issuer, subject=claims["sub"], defaults={"user": user})
            unit_name = _claim(claims, settings.BANLI_OIDC_UNIT_CLAIM)
            if not unit_name:
                return
            unit = HandlingUnit.objects.filter(Q(name=unit_name) | Q(short_name=unit_name)).first()
            kind = role_values().get(_claim(claims, settings.BANLI_OIDC_ROLE_CLAIM), RoleKind.CLERK)
            if unit is None:
                log.warning("identity service names an unknown unit for user=%s", user.pk)
                return
            if not Role.objects.filter(user=user, unit=unit, kind=kind).exists():
                try:
                    services.add_to_unit(unit=unit, kind=kind, by=None, username=user.username, via_sso=True)
                except TransitionError:
                    log.warning("could not place user=%s in unit=%s", user.pk, unit.pk)


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer: sign in, record it, start the session row; a failure goes back to the login page."""

    def login_success(self):
        self.request.banli_sign_in_method = SignInMethod.SSO
        response = super().login_success()
        LoginEvent.objects.record(kind=LoginEventKind.SSO_SUCCESS, request=self.request, user=self.user)
        return response

    def login_failure(self):
        LoginEvent.objects.record(kind=LoginEventKind.SSO_FAILURE, request=self.request)
        return HttpResponseRedirect(reverse("login") + "?sso=failed")

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation:
            return self.login_failure()


def provider_logout_url(request):
    """Where signing out sends an SSO user: the provider's end-session endpoint, then back here."""
    if not settings.BANLI_OIDC_END_SESSION_ENDPOINT:
        return reverse("login")
    params = {"post_logout_redirect_uri": request.build_absolute_uri(reverse("login"))}
    id_token = request.session.get("oidc_id_token")
    if id_token:
        params["id_token_hint"] = id_token
    params["client_id"] = settings.OIDC_RP_CLIENT_ID
    return f"{settings.BANLI_OIDC_END_SESSION_ENDPOINT}?{urlencode(params)}"
