"""What KEPlive needs of GSIS (TAXISnet OAuth2): the protocol every client implements, and the
errors a client raises. Each error carries a short ``reason`` code for the audit log and the
logs; none carries a token, a secret or personal data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# The GSIS OAuth2 server's paths, relative to its host (KEPLIVE_GSIS_BASE_URL).
AUTHORIZE_PATH = "/oauth2server/oauth/authorize"
TOKEN_PATH = "/oauth2server/oauth/token"  # noqa: S105 - a path, not a password
USERINFO_PATH = "/oauth2server/userinfo"
LOGOUT_PATH = "/oauth2server/logout/{client_id}/"
SCOPE = "read"


@dataclass(frozen=True, slots=True)
class Userinfo:
    """A citizen as TAXISnet reports them: what KEPlive keeps, nothing more (no user name,
    mother's name or birth year)."""

    tax_id: str
    first_name: str
    last_name: str
    father_name: str = ""


class GsisError(Exception):
    """GSIS did not give us a citizen. ``reason`` is a short code safe to log and audit."""

    reason = "gsis_error"

    def __init__(self, message: str = "", *, reason: str | None = None) -> None:
        super().__init__(message or self.__class__.__doc__ or "")
        if reason is not None:
            self.reason = reason


class GsisUnavailable(GsisError):
    """GSIS could not be reached, timed out or failed (HTTP 5xx)."""

    reason = "gsis_unavailable"


class GsisRefused(GsisError):
    """GSIS answered with an OAuth2 error (a JSON error reply or an HTTP 4xx)."""

    reason = "gsis_refused"

    def __init__(self, message: str = "", *, reason: str | None = None, error: str = "") -> None:
        super().__init__(message, reason=reason)
        # The OAuth2 error code GSIS sent (for example "invalid_grant"): short, safe to log.
        self.error = error


class MalformedReply(GsisError):
    """GSIS answered with something that is not the documented reply, or unsafe XML."""

    reason = "malformed_reply"


class UnsafeXml(MalformedReply):
    """The userinfo XML carried a DTD, entities or external references: refused unparsed."""

    reason = "unsafe_xml"


class InvalidTaxIdReply(GsisError):
    """GSIS sent a tax number whose check digit is wrong."""

    reason = "invalid_tax_id"


class GsisClient(Protocol):
    """The authorization-code flow against one GSIS host."""

    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        """Where to send the citizen's browser to log in and consent."""
        ...

    def exchange_code(self, *, code: str, redirect_uri: str) -> str:
        """Exchange the code, server to server, for an access token (returned, never kept)."""
        ...

    def fetch_userinfo(self, *, access_token: str) -> Userinfo:
        """The citizen's tax number and names; the token travels only as a Bearer header."""
        ...

    def logout_url(self, *, return_to: str) -> str:
        """Where to send the browser to end the TAXISnet session, then come back to us."""
        ...
