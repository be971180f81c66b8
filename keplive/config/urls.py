from django.contrib import admin
from django.urls import include, path

from keplive.api.api import api

urlpatterns = [
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

# Error pages in the site's layout and the visitor's language (keplive.portal.errors, ADR 0019).
handler400 = "keplive.portal.errors.bad_request"
handler403 = "keplive.portal.errors.permission_denied"
handler404 = "keplive.portal.errors.page_not_found"
handler500 = "keplive.portal.errors.server_error"
