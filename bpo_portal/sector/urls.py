from django.urls import path

from bpo_portal.sector import views

app_name = "sector"

urlpatterns = [
    path("incentives/", views.incentive_list, name="incentive_list"),
    path("incentives/<slug:slug>/", views.incentive_detail, name="incentive_detail"),
    path("statistics/", views.statistic_list, name="statistic_list"),
    path("challenges/", views.challenge_list, name="challenge_list"),
    path("advantages/", views.advantage_list, name="advantage_list"),
    path("disagreements/", views.disagreement_list, name="disagreement_list"),
]
