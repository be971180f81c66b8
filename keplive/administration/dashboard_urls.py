from django.urls import path

from keplive.administration import dashboard_views

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    # One CSV per table of the dashboard (dashboard_views.TABLES); any other name is not found.
    path("dashboard/<slug:table>.csv", dashboard_views.dashboard_export, name="dashboard_export"),
]
