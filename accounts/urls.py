from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.urls import path, reverse_lazy
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from .oidc import CallbackView
from .views import security, signin, staff


def _sso(view):
    """The identity service's pages exist only while single sign-on is on."""

    @login_not_required
    def wrapped(request, *args, **kwargs):
        from django.conf import settings

        if not settings.BANLI_OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


app_name = "accounts"
urlpatterns = [
    path("login/verify/", signin.verify, name="verify"),
    path("login/code/", signin.code_request, name="code_request"),
    path("login/code/verify/", signin.code_verify, name="code_verify"),
    path("account/", security.account, name="account"),
    path("account/2fa/enrol/", security.enrol, name="enrol"),
    path("account/2fa/recovery-codes/", security.recovery_codes, name="recovery_codes"),
    path("account/2fa/disable/", security.disable_second_factor, name="disable_second_factor"),
    path("account/sessions/<uuid:pk>/end/", security.end_session, name="end_session"),
    path("account/sessions/end-all/", security.sign_out_everywhere, name="sign_out_everywhere"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:account")
        ),
        name="password_change",
    ),
    path("staff/", staff.StaffListView.as_view(), name="staff"),
    path("staff/add/", staff.add_staff, name="staff_add"),
    path("staff/<int:pk>/", staff.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/units/<int:unit_pk>/remove/", staff.remove_from_unit, name="staff_remove"),
    path("staff/<int:pk>/deactivate/", staff.deactivate, name="staff_deactivate"),
    path("staff/<int:pk>/reactivate/", staff.reactivate, name="staff_reactivate"),
    path("staff/<int:pk>/second-factor/reset/", staff.reset_second_factor, name="staff_reset_second_factor"),
    path("staff/logins/", staff.LoginEventListView.as_view(), name="login_events"),
    path("oidc/authenticate/", _sso(OIDCAuthenticationRequestView.as_view()), name="oidc_authenticate"),
    path("oidc/callback/", _sso(CallbackView.as_view()), name="oidc_callback"),
]
