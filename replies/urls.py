from django.urls import path

from .views import contacts, drafting, paragraphs, steps

app_name = "replies"
urlpatterns = [
    path("assignments/<int:pk>/contacts/new/", contacts.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", contacts.contact_edit, name="contact_edit"),
    path("assignments/<int:pk>/opinion/", contacts.opinion_create, name="opinion_create"),
    path("assignments/<int:pk>/reply/", drafting.reply_create, name="create"),
    path("replies/<int:pk>/edit/", drafting.reply_edit, name="edit"),
    path("replies/<int:pk>/submit/", steps.submit, name="submit"),
    path("replies/<int:pk>/sign-off/", steps.sign_off, name="sign_off"),
    path("replies/<int:pk>/send-back/", steps.send_back, name="send_back"),
    path("replies/<int:pk>/withdraw/", steps.withdraw, name="withdraw"),
    path("replies/<int:pk>/review/", steps.review, name="review"),
    path("replies/<int:pk>/scan/", steps.scan, name="scan"),
    path("replies/<int:pk>/scan/file/", steps.scan_file, name="scan_file"),
    path("replies/<int:pk>/delivered/", steps.delivered, name="delivered"),
    path("paragraphs/", paragraphs.templates_list, name="templates"),
    path("paragraphs/<int:pk>/edit/", paragraphs.template_edit, name="template_edit"),
    path("paragraphs/<int:pk>/delete/", paragraphs.template_delete, name="template_delete"),
]
