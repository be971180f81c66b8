"""The session backend of citizens signed in through TAXISnet.

A citizen's every request reads their ``Citizen`` row after the user (the API's
``CitizenSession``, the portal's pages): this backend reads both in one query when it loads the
session's user (``select_related``), one round trip fewer per request (issue 13, ADR 0030).

It authenticates nobody (``authenticate`` answers ``None``): it is only named in the session
by ``portal.login`` when the TAXISnet sign-in succeeds, and loads the user back as Django's
``ModelBackend`` does — the same ``is_active`` check, and ``django.contrib.auth.get_user``
still checks the session's password hash. Sessions signed in before it (named
``ModelBackend``) keep working as they were.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

# What ``portal.login`` names in a citizen's session when the TAXISnet sign-in succeeds.
CITIZEN_SESSION_BACKEND = "keplive.accounts.backends.CitizenSessionBackend"


class CitizenSessionBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        return None

    def get_user(self, user_id: Any) -> Any:
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("citizen").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    async def aauthenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        return None

    async def aget_user(self, user_id: Any) -> Any:
        user_model = get_user_model()
        try:
            user = await user_model._default_manager.select_related("citizen").aget(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
