from django.urls import path

from . import views

app_name = "proposals"
urlpatterns = [
    path("", views.ProposalListView.as_view(), name="list"),
    path("proposals/<int:pk>/", views.ProposalDetailView.as_view(), name="detail"),
]
