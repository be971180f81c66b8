from django.urls import path

from keplive.workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.today, name="today"),
    path("login/", views.EmployeeLoginView.as_view(), name="login"),
    path("logout/", views.log_out, name="logout"),
    path("calls/<str:reference>/", views.call, name="call"),
    path("calls/<str:reference>/registry-check/", views.registry_check, name="registry_check"),
]
