from django.urls import path

from .views import assignments, corrections, lookup, pages, routing, similar, units

app_name = "proposals"
urlpatterns = [
    path("proposals/", pages.ProposalListView.as_view(), name="list"),
    path("proposals/<int:pk>/", pages.ProposalDetailView.as_view(), name="detail"),
    path("proposals/<int:pk>/assign/", routing.assign, name="assign"),
    path("proposals/<int:pk>/edit/", corrections.proposal_edit, name="edit"),
    path("assignments/<int:pk>/edit/", corrections.assignment_edit, name="assignment_edit"),
    path("proposals/<int:pk>/link/", similar.link, name="link_similar"),
    path("office/register/", routing.register, name="register"),
    path("office/register/members/", lookup.member_search, name="member_search"),
    path("office/register/number/", lookup.number_preview, name="number_preview"),
    path("office/requests/", routing.RequestListView.as_view(), name="requests"),
    path("requests/<int:pk>/decide/", routing.decide_request, name="decide_request"),
    path("assignments/<int:pk>/sign-for/", assignments.sign_for, name="sign_for"),
    path("assignments/<int:pk>/return/", assignments.request_return, name="request_return"),
    path("assignments/<int:pk>/extension/", assignments.request_extension, name="request_extension"),
    path("units/<int:pk>/settings/", units.unit_settings, name="unit_settings"),
]
