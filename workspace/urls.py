"""The workspace's pages. The namespace stays `proposals` so `proposals:list` and `proposals:detail` keep working."""

from django.urls import path

from . import views

app_name = "proposals"
urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("proposals/", views.ProposalListView.as_view(), name="list"),
    path("proposals/<int:pk>/", views.ProposalDetailView.as_view(), name="detail"),
    path("proposals/<int:pk>/assign/", views.assign, name="assign"),
    path("office/register/", views.register, name="register"),
    path("office/requests/", views.RequestListView.as_view(), name="requests"),
    path("requests/<int:pk>/decide/", views.decide_request, name="decide_request"),
    path("assignments/<int:pk>/sign-for/", views.sign_for, name="sign_for"),
    path("assignments/<int:pk>/return/", views.request_return, name="request_return"),
    path("assignments/<int:pk>/extension/", views.request_extension, name="request_extension"),
    path("assignments/<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("assignments/<int:pk>/opinion/", views.opinion_create, name="opinion_create"),
    path("assignments/<int:pk>/reply/", views.reply_create, name="reply_create"),
    path("replies/<int:pk>/edit/", views.reply_edit, name="reply_edit"),
    path("replies/<int:pk>/submit/", views.reply_submit, name="reply_submit"),
    path("replies/<int:pk>/sign-off/", views.reply_sign_off, name="reply_sign_off"),
    path("replies/<int:pk>/send-back/", views.reply_send_back, name="reply_send_back"),
    path("replies/<int:pk>/review/", views.reply_review, name="reply_review"),
    path("replies/<int:pk>/scan/", views.reply_scan, name="reply_scan"),
    path("replies/<int:pk>/scan/file/", views.reply_scan_file, name="reply_scan_file"),
    path("replies/<int:pk>/delivered/", views.reply_delivered, name="reply_delivered"),
    path("paragraphs/", views.templates_list, name="templates"),
    path("paragraphs/<int:pk>/edit/", views.template_edit, name="template_edit"),
    path("paragraphs/<int:pk>/delete/", views.template_delete, name="template_delete"),
]
