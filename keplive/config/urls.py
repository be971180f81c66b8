from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils.translation import gettext as _

from keplive.api.api import api
from keplive.api.problems import problem
from keplive.config import health, observability
from keplive.portal import errors

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


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """An address under /api/ that names no operation (e.g. a code with a "/" in it) answers the
    API's own 404, in JSON like every other API error; pages get the site's own (ADR 0019)."""
    if request.path.startswith("/api/"):
        return problem(request, status=404, code="not_found", message=_("Not found."))
    return errors.page_not_found(request, exception)


# Error pages in the site's layout and the visitor's language (keplive.portal.errors, ADR 0019).
handler400 = "keplive.portal.errors.bad_request"
handler403 = "keplive.portal.errors.permission_denied"
handler404 = not_found
handler500 = "keplive.config.errors.server_error"
