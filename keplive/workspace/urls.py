from django.urls import include, path

from keplive.workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.today, name="today"),
    path("login/", views.EmployeeLoginView.as_view(), name="login"),
    path("verify/", views.verify, name="verify"),
    path("logout/", views.log_out, name="logout"),
    path("calls/<str:reference>/", views.call, name="call"),
    path("calls/<str:reference>/registry-check/", views.registry_check, name="registry_check"),
    # Each part of the working day has its own module of views and URLs.
    path("", include("keplive.workspace.calendar_urls")),
    path("", include("keplive.workspace.changes_urls")),
    path("", include("keplive.workspace.outcome_urls")),
    path("", include("keplive.workspace.alerts_urls")),
    path("", include("keplive.workspace.support_urls")),
]
