"""ICE servers for a call's participants (docs/calls.md "ICE", ADR 0009).

Each participant gets the STUN servers and, when TURN is configured, TURN credentials minted
for them alone and valid for KEPLIVE_TURN_TTL_SECONDS: the TURN REST API scheme that coturn
implements with ``use-auth-secret`` / ``static-auth-secret`` (deploy/coturn/turnserver.conf)::

    username   = "<expiry, unix seconds>:<participant>"
    credential = base64(HMAC-SHA1(KEPLIVE_TURN_SECRET, username))

coturn recomputes the credential from the username and its copy of the secret and refuses it
after the expiry, so there is no TURN user database and nothing to revoke. The secret is never
logged and never leaves this module; only the derived credential does.

coturn writes the username to its log, so ``participant`` must be an opaque id (for example
``<call reference>-<role>``), never a name or a tax number.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Opaque ids only: no ":" (coturn's separator), nothing personal, short enough for a log line.
_PARTICIPANT = re.compile(r"[A-Za-z0-9._-]{1,128}")
STUN_SCHEMES = ("stun:", "stuns:")
TURN_SCHEMES = ("turn:", "turns:")


def ice_servers(*, participant: str, now: dt.datetime) -> list[dict[str, Any]]:
    """The RTCIceServer list for ``participant`` at ``now`` (aware): the STUN servers, then the
    TURN servers with this participant's credentials — only when both KEPLIVE_TURN_URLS and
    KEPLIVE_TURN_SECRET are set. Empty on loopback development, where none is needed."""
    if not _PARTICIPANT.fullmatch(participant):
        raise ValueError("participant must be an opaque id of letters, digits and ._-")
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime.")
    servers: list[dict[str, Any]] = []
    stun_urls = _urls("KEPLIVE_STUN_URLS", STUN_SCHEMES)
    if stun_urls:
        servers.append({"urls": stun_urls})
    turn_urls = _urls("KEPLIVE_TURN_URLS", TURN_SCHEMES)
    secret: str = settings.KEPLIVE_TURN_SECRET
    if turn_urls and secret:
        ttl = int(settings.KEPLIVE_TURN_TTL_SECONDS)
        if ttl <= 0:
            raise ImproperlyConfigured("KEPLIVE_TURN_TTL_SECONDS must be positive.")
        username = f"{int(now.timestamp()) + ttl}:{participant}"
        servers.append(
            {
                "urls": turn_urls,
                "username": username,
                "credential": turn_credential(secret=secret, username=username),
            }
        )
    return servers


def turn_credential(*, secret: str, username: str) -> str:
    """base64(HMAC-SHA1(secret, username)), as coturn computes it for ``use-auth-secret``.
    SHA-1 is what the scheme (and coturn) defines; as an HMAC it is not weakened by SHA-1's
    collisions."""
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _urls(name: str, schemes: tuple[str, ...]) -> list[str]:
    urls = [str(url) for url in getattr(settings, name)]
    for url in urls:
        if not url.startswith(schemes):
            # Names the setting and the schemes only: a URL could carry credentials.
            raise ImproperlyConfigured(f"Every {name} entry must start with {' or '.join(schemes)}")
    return urls
