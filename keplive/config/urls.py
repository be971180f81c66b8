from django.contrib import admin
from django.urls import include, path

from keplive.api.api import api
from keplive.config import health, observability

urlpatterns = [
    # Probes and metrics (ADR 0018): /healthz and /readyz public, /metrics for the token only.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", observability.metrics, name="metrics"),
    path("", include("keplive.portal.urls")),
    path("admin/", admin.site.urls),
    path("workspace/", include("keplive.workspace.urls")),
    path("administration/", include("keplive.administration.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("oauth2server/", include("keplive.integrations.gsis.standin_urls")),
    path("dev/mail/", include("keplive.notifications.mailbox")),
    path("dev/codes/", include("keplive.accounts.devcodes")),
    path("dev/sms/", include("keplive.notifications.smsbox")),
]
