"""The GSIS OAuth2 client (Authlib over requests): the same code talks to the production host,
the GSIS test host and the local stand-in; only the base URL and the credentials differ."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from keplive.integrations.gsis.base import (
    AUTHORIZE_PATH,
    LOGOUT_PATH,
    SCOPE,
    TOKEN_PATH,
    USERINFO_PATH,
    GsisRefused,
    GsisUnavailable,
    MalformedReply,
    Userinfo,
)
from keplive.integrations.gsis.userinfo import (
    MAX_REPLY_BYTES,
    oauth_error_code,
    parse_userinfo,
    safe_error_code,
)


class LiveGsis:
    """Authorization-code flow against ``base_url`` (for example https://www1.gsis.gr).

    The client secret is sent only in the token request body (``client_secret_post``, as GSIS
    expects); the access token only in the userinfo request's ``Authorization: Bearer`` header.
    Neither is logged, kept on this object, or put in an exception message.
    """

    def __init__(
        self, *, base_url: str, client_id: str, client_secret: str, timeout: float = 10.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, client_id={self.client_id!r})"

    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        with self._session(redirect_uri=redirect_uri) as session:
            url, _ = session.create_authorization_url(self.base_url + AUTHORIZE_PATH, state=state)
        return str(url)

    def exchange_code(self, *, code: str, redirect_uri: str) -> str:
        with self._session(redirect_uri=redirect_uri) as session:
            try:
                token = session.fetch_token(
                    self.base_url + TOKEN_PATH,
                    grant_type="authorization_code",
                    code=code,
                    allow_redirects=False,
                )
            except OAuthError as exc:
                error = safe_error_code(getattr(exc, "error", ""))
                raise GsisRefused(
                    "GSIS refused the authorization code.", reason="token_refused", error=error
                ) from None
            except (requests.Timeout, requests.ConnectionError) as exc:
                raise GsisUnavailable(
                    f"GSIS token endpoint unreachable ({type(exc).__name__})."
                ) from None
            except requests.HTTPError as exc:
                status = exc.response.status_code if exc.response is not None else 0
                if status >= 500:
                    raise GsisUnavailable(f"GSIS token endpoint failed (HTTP {status}).") from None
                raise GsisRefused(
                    f"GSIS token endpoint refused (HTTP {status}).", reason="token_refused"
                ) from None
            except (requests.RequestException, ValueError):
                raise MalformedReply("GSIS token reply is not a JSON object.") from None
            access_token = _access_token(token)
        return access_token

    def fetch_userinfo(self, *, access_token: str) -> Userinfo:
        with self._session(token={"access_token": access_token, "token_type": "Bearer"}) as s:
            try:
                response = s.get(
                    self.base_url + USERINFO_PATH,
                    params={"format": "xml"},
                    allow_redirects=False,
                    stream=True,
                )
                with response:
                    body = _read_capped(response)
            except (requests.Timeout, requests.ConnectionError) as exc:
                raise GsisUnavailable(
                    f"GSIS userinfo endpoint unreachable ({type(exc).__name__})."
                ) from None
            except requests.RequestException:
                raise GsisUnavailable("GSIS userinfo request failed.") from None
        if response.status_code >= 500:
            raise GsisUnavailable(f"GSIS userinfo failed (HTTP {response.status_code}).")
        if response.status_code >= 300:
            raise GsisRefused(
                f"GSIS userinfo refused (HTTP {response.status_code}).",
                reason="userinfo_refused",
                error=oauth_error_code(body),
            )
        return parse_userinfo(body)

    def logout_url(self, *, return_to: str) -> str:
        path = LOGOUT_PATH.format(client_id=quote(self.client_id, safe=""))
        return f"{self.base_url}{path}?{urlencode({'url': return_to})}"

    def _session(self, **kwargs: Any) -> OAuth2Session:
        return OAuth2Session(
            client_id=self.client_id,
            client_secret=self._client_secret,
            token_endpoint_auth_method="client_secret_post",  # noqa: S106 - a method name
            scope=SCOPE,
            default_timeout=self.timeout,
            **kwargs,
        )


def _access_token(token: Any) -> str:
    access_token = token.get("access_token") if isinstance(token, dict) else None
    token_type = str(token.get("token_type", "")) if isinstance(token, dict) else ""
    if not isinstance(access_token, str) or not access_token or token_type.lower() != "bearer":
        raise MalformedReply("GSIS token reply has no bearer access token.")
    return access_token


def _read_capped(response: requests.Response) -> bytes:
    """The body, refused past MAX_REPLY_BYTES so a hostile reply cannot exhaust memory."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=8192):
        size += len(chunk)
        if size > MAX_REPLY_BYTES:
            raise MalformedReply("The userinfo reply is too large.")
        chunks.append(chunk)
    return b"".join(chunks)
