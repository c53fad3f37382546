from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("me/", views.portal, name="portal"),
    path("me/replies/<int:pk>/", views.reply_detail, name="reply"),
    path("me/replies/<int:pk>/feedback/", views.member_form, name="member_form"),
    path("f/form/", views.link_form, name="link_form"),
    path("f/<str:token>/", views.link_open, name="link"),
    path("feedback/<int:pk>/", views.feedback_detail, name="detail"),
    path("feedback/<int:pk>/signature.png", views.signature, name="signature"),
    path("feedback/<int:pk>/scan/", views.paper_scan, name="paper_scan"),
    path("feedback/<int:pk>/receive/", views.receive, name="receive"),
    path("office/feedback/", views.office_inbox, name="office"),
    path("office/replies/<int:pk>/paper/", views.paper_entry, name="paper_entry"),
    path("office/replies/<int:pk>/members/<int:member_pk>/link/", views.send_link, name="send_link"),
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
