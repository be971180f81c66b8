from django.urls import include, path

from keplive.portal import appointments, pages, views, waitlist_views, wizard
from keplive.portal.login import log_out, login_callback, start_login

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.services, name="services"),
    path("login/", start_login, name="login"),
    path("login/callback/", login_callback, name="login_callback"),
    path("logout/", log_out, name="logout"),
    # Each module owns its routes: the booking wizard, the citizen's appointments and the
    # signed manage link, and the information pages (manual, data protection).
    *wizard.urlpatterns,
    *appointments.urlpatterns,
    *waitlist_views.urlpatterns,
    *pages.urlpatterns,
    path("", include("keplive.portal.onboarding_views")),
    path("", include("keplive.portal.outcome_views")),
]
