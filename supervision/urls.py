from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/list/<str:which>/", views.assignment_list, name="list"),
    path("dashboard/urge/<int:pk>/", views.urge, name="urge"),
    path("dashboard/import/", views.import_assignments, name="import"),
    path("search/", views.search_view, name="search"),
    path("public/", views.public_list, name="public"),
    path("public/<int:pk>/", views.public_detail, name="public_detail"),
]
