from django.urls import path

from keplive.portal import views
from keplive.portal.login import log_out, login_callback, start_login

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.services, name="services"),
    path("login/", start_login, name="login"),
    path("login/callback/", login_callback, name="login_callback"),
    path("logout/", log_out, name="logout"),
]
