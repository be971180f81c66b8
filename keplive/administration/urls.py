from django.urls import include, path

from keplive.administration import views

app_name = "administration"
urlpatterns = [
    path("login/", views.AdministrationLoginView.as_view(), name="login"),
    path("verify/", views.verify, name="verify"),
    path("logout/", views.log_out, name="logout"),
    # One module of views and URLs per part of the administration. dashboard_urls names the
    # home page ("administration:home", at /administration/).
    path("", include("keplive.administration.dashboard_urls")),
    path("", include("keplive.administration.audit_urls")),
    path("", include("keplive.administration.keps_urls")),
    path("", include("keplive.administration.onboarding_urls")),
    path("", include("keplive.administration.catalogue_urls")),
    path("", include("keplive.administration.support_urls")),
]
