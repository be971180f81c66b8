from django.urls import path

from keplive.administration import onboarding_views

urlpatterns = [
    path("municipalities/", onboarding_views.applications, name="applications"),
    path("municipalities/<int:pk>/", onboarding_views.application, name="application"),
    path(
        "municipalities/<int:pk>/approve/",
        onboarding_views.approve,
        name="application_approve",
    ),
    path(
        "municipalities/<int:pk>/reject/",
        onboarding_views.reject,
        name="application_reject",
    ),
]
