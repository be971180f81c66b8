"""The local GSIS: the production client, pointed at the stand-in this app serves itself under
``/oauth2server/`` (see ``standin.py``). Nothing is faked on the client side: the browser
redirects, the server-to-server token exchange and the userinfo call all go over real HTTP."""

from __future__ import annotations

from keplive.integrations.gsis.live import LiveGsis


class LocalGsis(LiveGsis):
    """``LiveGsis`` against the built-in stand-in (KEPLIVE_GSIS_STANDIN=1).

    KEPLIVE_GSIS_BASE_URL then defaults to this app's own address, and the client id and
    secret to development values the stand-in accepts.
    """
