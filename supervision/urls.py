from django.urls import path

from . import commitment_views, escalation_views, import_pages, scoring_views, topic_views, views

app_name = "supervision"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/list/<str:which>/", views.assignment_list, name="list"),
    path("dashboard/urge/<int:pk>/", views.urge, name="urge"),
    path("dashboard/import/", import_pages.import_assignments, name="import"),
    path("dashboard/import/template/", import_pages.import_template, name="import_template"),
    path("escalations/", escalation_views.overview, name="escalation_overview"),
    path("escalations/assignment/<int:pk>/", escalation_views.assignment_escalations, name="escalations"),
    path("escalations/session/<int:pk>/", escalation_views.ladder, name="ladder"),
    path("escalations/session/<int:pk>/defaults/", escalation_views.install_ladder, name="install_ladder"),
    path("escalations/topics/", topic_views.topic_list, name="topics"),
    path("escalations/topics/new/", topic_views.topic_edit, name="topic_new"),
    path("escalations/topics/<int:pk>/", topic_views.topic_detail, name="topic"),
    path("escalations/topics/<int:pk>/edit/", topic_views.topic_edit, name="topic_edit"),
    path("commitments/", commitment_views.commitment_list, name="commitments"),
    path("commitments/<int:pk>/", commitment_views.commitment_detail, name="commitment"),
    path("commitments/<int:pk>/progress/", commitment_views.commitment_progress, name="commitment_progress"),
    path("commitments/<int:pk>/close/", commitment_views.commitment_close, name="commitment_close"),
    path("commitments/<int:pk>/reopen/", commitment_views.commitment_reopen, name="commitment_reopen"),
    path("commitments/new/<int:reply_pk>/", commitment_views.commitment_new, name="commitment_new"),
    path("scoring/", scoring_views.score_table, name="scoring"),
    path("scoring/unit/<int:pk>/", scoring_views.score_unit, name="score_unit"),
    path("search/", views.search_view, name="search"),
    path("public/", views.public_list, name="public"),
    path("public/<int:pk>/", views.public_detail, name="public_detail"),
]
