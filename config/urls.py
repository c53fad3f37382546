from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from accounts.views import signin

handler400 = "config.errors.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", signin.login, name="login"),
    path("logout/", signin.logout, name="logout"),
    path("", include("accounts.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("imports/", include("legacy.urls")),
    path("", include("workspace.urls")),
    path("", include("proposals.urls")),
    path("", include("replies.urls")),
    path("", include("feedback.urls")),
    path("", include("supervision.urls")),
    path("", include("printing.urls")),
    path("", include("notifications.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.http import Http404

    def _private(request, path):
        raise Http404  # signatures and scans only through their access-checked views

    media = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [
        path(f"{media}signatures/<path:path>", _private),
        path(f"{media}feedback/<path:path>", _private),
    ]
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
