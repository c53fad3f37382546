from django.urls import path

from . import views

app_name = "legacy"
urlpatterns = [
    path("", views.ImportListView.as_view(), name="list"),
    path("upload/", views.upload, name="upload"),
    path("<int:pk>/", views.review, name="review"),
    path("<int:pk>/refuse/", views.refuse, name="refuse"),
]
