"""Printing URLs, included at the root (other apps link to these exact paths)."""

from django.urls import path

from . import views

app_name = "printing"

urlpatterns = [
    path("replies/<int:pk>/pdf/", views.reply_pdf, name="reply_pdf"),
    path("replies/<int:pk>/print/", views.reply_print, name="reply_print"),
    path("replies/<int:pk>/docx/", views.reply_docx_view, name="reply_docx"),
    path("replies/<int:pk>/feedback-form.pdf", views.reply_feedback_form, name="reply_feedback_form"),
    path("replies/<int:pk>/packet.pdf", views.reply_packet, name="reply_packet"),
    path("feedback/<int:pk>/pdf/", views.feedback_pdf, name="feedback_pdf"),
    path("feedback/blank-form.pdf", views.blank_feedback_form, name="blank_feedback_form"),
    path("escalations/<int:pk>/notice.pdf", views.escalation_notice_pdf, name="escalation_notice"),
    path("dashboard/report.pdf", views.annual_report_pdf, name="annual_report_pdf"),
    path("dashboard/report.docx", views.annual_report_docx, name="annual_report_docx"),
    path("printing/batch/", views.batch_print, name="batch"),
    path("printing/batch/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("printing/batch/<int:pk>/status/", views.batch_status, name="batch_status"),
    path("printing/batch/<int:pk>/pdf/", views.batch_download, name="batch_download"),
]
