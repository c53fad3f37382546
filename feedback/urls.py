from django.urls import path

from .views import detail, form, office, portal, verify

app_name = "feedback"
urlpatterns = [
    path("me/", portal.portal, name="portal"),
    path("me/replies/<int:pk>/", portal.reply_detail, name="reply"),
    path("me/replies/<int:pk>/feedback/", form.member_form, name="member_form"),
    path("me/replies/<int:pk>/feedback/draft/", form.member_draft, name="member_draft"),
    path("f/form/", form.link_form, name="link_form"),
    path("f/form/draft/", form.link_draft, name="link_draft"),
    path("f/<str:token>/", form.link_open, name="link"),
    path("feedback/<int:pk>/", detail.feedback_detail, name="detail"),
    path("feedback/<int:pk>/signature.png", detail.signature, name="signature"),
    path("feedback/<int:pk>/scan/", detail.paper_scan, name="paper_scan"),
    path("feedback/<int:pk>/receive/", detail.receive, name="receive"),
    path("office/feedback/", office.office_inbox, name="office"),
    path("office/replies/<int:pk>/paper/", office.paper_entry, name="paper_entry"),
    path("office/replies/<int:pk>/members/<int:member_pk>/link/", office.send_link, name="send_link"),
    path("office/feedback/<int:pk>/resolve/", office.resolve, name="resolve"),
    path("verify/", verify.verify_lookup, name="verify_lookup"),
    path("verify/<str:code>/", verify.verify, name="verify"),
    path("verify/<str:code>/signature.png", verify.verify_signature, name="verify_signature"),
]
