"""The stand-in's routes, mounted at ``oauth2server/`` by the project's URLs. Empty unless
KEPLIVE_GSIS_STANDIN is on, so production does not even route to it."""

from __future__ import annotations

from django.conf import settings
from django.urls import URLPattern, path

from keplive.integrations.gsis import standin

app_name = "gsis_standin"
urlpatterns: list[URLPattern] = (
    [
        path("oauth/authorize", standin.authorize, name="authorize"),
        path("oauth/token", standin.token, name="token"),
        path("userinfo", standin.userinfo, name="userinfo"),
        path("logout/<str:client_id>/", standin.logout, name="logout"),
    ]
    if settings.KEPLIVE_GSIS_STANDIN
    else []
)
