"""A local stand-in of GSIS's OAuth2 server, served by this app under ``/oauth2server/`` when
KEPLIVE_GSIS_STANDIN is on (development and tests; refused in production).

It speaks the same protocol as GSIS: ``oauth/authorize`` (a consent page listing test
identities), ``oauth/token`` (single-use codes, bound to client and redirect address, checked
client credentials), ``userinfo?format=xml`` (Bearer token only; XML, JSON on error) and
``logout/<client_id>/?url=…``. Codes and tokens live in the Django cache for minutes.
"""

from __future__ import annotations

import functools
import html
import secrets
from dataclasses import dataclass
from hmac import compare_digest
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.http.request import split_domain_port, validate_host
from django.template import Engine, RequestContext
from django.template.base import Template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keplive.integrations.gsis.base import SCOPE

CODE_SECONDS = 120
TOKEN_SECONDS = 600
_CODE_KEY = "gsis-standin:code:{}"
_TOKEN_KEY = "gsis-standin:token:{}"  # noqa: S105 - a cache key pattern
REFUSE = "refuse"
_Response = TypeVar("_Response", bound=HttpResponse)
FAIL = "fail"


@dataclass(frozen=True, slots=True)
class StandInIdentity:
    """A TAXISnet account of the stand-in. ``taxid`` is sent exactly as written here."""

    key: str
    userid: str
    taxid: str
    firstname: str
    lastname: str
    fathername: str
    mothername: str
    birthyear: str
    note: Any = ""
    # Userinfo answers this identity with a JSON error, as GSIS does for a broken account.
    userinfo_error: bool = False


IDENTITIES: tuple[StandInIdentity, ...] = (
    StandInIdentity(
        key="maria",
        userid="mpapadopoulou",
        taxid="123456783",
        firstname="ΜΑΡΙΑ",
        lastname="ΠΑΠΑΔΟΠΟΥΛΟΥ",
        fathername="ΓΕΩΡΓΙΟΣ",
        mothername="ΕΛΕΝΗ",
        birthyear="1985",
        note=gettext_lazy("Greek citizen"),
    ),
    StandInIdentity(
        key="giorgos",
        userid="gnikolaou",
        taxid="00045671233",
        firstname="ΓΕΩΡΓΙΟΣ",
        lastname="ΝΙΚΟΛΑΟΥ",
        fathername="ΔΗΜΗΤΡΙΟΣ",
        mothername="ΑΙΚΑΤΕΡΙΝΗ",
        birthyear="1962",
        note=gettext_lazy("Greek citizen; tax number sent in the 11-digit form with 00"),
    ),
    StandInIdentity(
        key="eleni",
        userid="ekaragianni",
        taxid="135792468",
        firstname="ΕΛΕΝΗ",
        lastname="ΚΑΡΑΓΙΑΝΝΗ",
        fathername="ΝΙΚΟΛΑΟΣ",
        mothername="ΣΟΦΙΑ",
        birthyear="1994",
        note=gettext_lazy("Greek citizen"),
    ),
    StandInIdentity(
        key="anna",
        userid="akowalska",
        taxid="147258367",
        firstname="ANNA",
        lastname="KOWALSKA",
        fathername="JAN",
        mothername="MARIA",
        birthyear="1990",
        note=gettext_lazy("Foreign citizen living in Greece"),
    ),
    StandInIdentity(
        key="broken",
        userid="kalexiou",
        taxid="098765430",
        firstname="ΚΩΝΣΤΑΝΤΙΝΟΣ",
        lastname="ΑΛΕΞΙΟΥ",
        fathername="ΙΩΑΝΝΗΣ",
        mothername="ΜΑΡΙΑ",
        birthyear="1978",
        note=gettext_lazy("GSIS answers this account's details with an error"),
        userinfo_error=True,
    ),
)
_BY_KEY = {identity.key: identity for identity in IDENTITIES}

_PAGE = """{% extends "base.html" %}
{% block title %}{{ title }}{% endblock %}
{% block content %}
<div class="govgr-notification-banner"><div class="govgr-notification-banner__content">
  <p class="govgr-body">{{ standin_notice }}</p>
</div></div>
<h1 class="govgr-heading-xl">{{ title }}</h1>
{% if problem %}
<div class="govgr-error-summary" role="alert"><p class="govgr-body">{{ problem }}</p></div>
{% else %}
<p class="govgr-body">{{ intro }}</p>
<form method="post">
  {% csrf_token %}
  {% for name, value in params %}<input type="hidden" name="{{ name }}" value="{{ value }}">
  {% endfor %}
  <fieldset class="govgr-fieldset">
    <legend class="govgr-fieldset__legend govgr-heading-m">{{ choose_label }}</legend>
    <ul class="kl-identities">
      {% for identity in identities %}
      <li>
        <button class="govgr-btn govgr-btn-primary" type="submit" name="choice"
          value="{{ identity.key }}">{{ identity.firstname }} {{ identity.lastname }}</button>
        <p class="govgr-hint">{{ tax_label }}: {{ identity.taxid }} · {{ identity.note }}</p>
      </li>
      {% endfor %}
    </ul>
  </fieldset>
  <h2 class="govgr-heading-m">{{ other_label }}</h2>
  <div class="govgr-button-group">
    <button class="govgr-btn govgr-btn-secondary" type="submit" name="choice"
      value="refuse">{{ refuse_label }}</button>
    <button class="govgr-btn govgr-btn-secondary" type="submit" name="choice"
      value="fail">{{ fail_label }}</button>
  </div>
</form>
{% endif %}
{% endblock %}
"""


@functools.cache
def _page_template() -> Template:
    return Engine.get_default().from_string(_PAGE)


def _require_enabled() -> None:
    if not settings.KEPLIVE_GSIS_STANDIN:
        raise Http404


@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """The TAXISnet login and consent page: pick a test identity, refuse, or fail."""
    _require_enabled()
    params = request.POST if request.method == "POST" else request.GET
    problem = _authorize_problem(params)
    if problem:
        return _page(request, problem=problem, status=400)
    if request.method == "GET":
        return _page(request, params=params)
    redirect_uri, state = params["redirect_uri"], params.get("state", "")
    choice = params.get("choice", "")
    if choice == REFUSE:
        return HttpResponseRedirect(
            _with_query(
                redirect_uri,
                error="access_denied",
                error_description="The user denied access.",
                state=state,
            )
        )
    if choice != FAIL and choice not in _BY_KEY:
        return _page(request, problem=_("Choose one of the test identities."), status=400)
    code = secrets.token_urlsafe(24)
    cache.set(
        _CODE_KEY.format(code),
        {
            "identity": choice,
            "client_id": params["client_id"],
            "redirect_uri": redirect_uri,
            "fail": choice == FAIL,
        },
        CODE_SECONDS,
    )
    return HttpResponseRedirect(_with_query(redirect_uri, code=code, state=state))


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    """Exchange a code for an access token (client_secret_post, as GSIS)."""
    _require_enabled()
    form = request.POST
    if form.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type", status=400)
    client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
    if not (
        compare_digest(client_id.encode(), settings.KEPLIVE_GSIS_CLIENT_ID.encode())
        and compare_digest(client_secret.encode(), settings.KEPLIVE_GSIS_CLIENT_SECRET.encode())
    ):
        return _oauth_error("invalid_client", status=401)
    key = _CODE_KEY.format(form.get("code", ""))
    grant = cache.get(key)
    # Single use: only the request that deletes the code may use it.
    if not isinstance(grant, dict) or not cache.delete(key):
        return _oauth_error("invalid_grant", status=400)
    if grant["client_id"] != client_id or grant["redirect_uri"] != form.get("redirect_uri"):
        return _oauth_error("invalid_grant", status=400)
    if grant["fail"]:
        return _oauth_error("temporarily_unavailable", status=503)
    access_token = secrets.token_urlsafe(32)
    cache.set(_TOKEN_KEY.format(access_token), grant["identity"], TOKEN_SECONDS)
    return _no_store(
        JsonResponse(
            {"access_token": access_token, "token_type": "bearer", "expires_in": TOKEN_SECONDS}
        )
    )


@require_GET
def userinfo(request: HttpRequest) -> HttpResponse:
    """The citizen behind a Bearer token, as XML; errors as JSON. Tokens in the query string
    are not accepted."""
    _require_enabled()
    scheme, _space, access_token = request.headers.get("Authorization", "").partition(" ")
    identity_key = (
        cache.get(_TOKEN_KEY.format(access_token.strip()))
        if scheme.lower() == "bearer" and access_token.strip()
        else None
    )
    identity = _BY_KEY.get(identity_key) if isinstance(identity_key, str) else None
    if identity is None:
        response = _oauth_error("invalid_token", status=401)
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    if request.GET.get("format", "xml") != "xml":
        return _oauth_error("invalid_request", status=400)
    if identity.userinfo_error:
        return _oauth_error("server_error", status=200)
    attributes = {
        "userid": identity.userid,
        "taxid": identity.taxid,
        "lastname": identity.lastname,
        "firstname": identity.firstname,
        "fathername": identity.fathername,
        "mothername": identity.mothername,
        "birthyear": identity.birthyear,
    }
    rendered = " ".join(f'{name}="{html.escape(value)}"' for name, value in attributes.items())
    body = f'<?xml version="1.0" encoding="UTF-8"?><root><userinfo {rendered}/></root>'
    return _no_store(HttpResponse(body.encode(), content_type="application/xml; charset=utf-8"))


@require_GET
def logout(request: HttpRequest, client_id: str) -> HttpResponse:
    """End the (pretend) TAXISnet session, then go back to the client's ``url``."""
    _require_enabled()
    url = request.GET.get("url", "")
    if client_id != settings.KEPLIVE_GSIS_CLIENT_ID or not _is_own_address(url):
        return _page(request, problem=_("This logout request is not valid."), status=400)
    return HttpResponseRedirect(url)


def _authorize_problem(params: QueryDict) -> str:
    """Why these authorize parameters are refused, or "". Never redirects to an unchecked
    address: a bad client or redirect address gets a page, as GSIS does."""
    if params.get("client_id") != settings.KEPLIVE_GSIS_CLIENT_ID:
        return _("Unknown application (client_id).")
    if not _is_own_address(params.get("redirect_uri", "")):
        return _("The return address (redirect_uri) is not registered for this application.")
    if params.get("response_type") != "code" or params.get("scope") != SCOPE:
        return _("Only response_type=code with scope=read is supported.")
    return ""


def _is_own_address(url: str) -> bool:
    """An http(s) address on one of this app's hosts: the stand-in's registered addresses."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.username:
        return False
    host, _port = split_domain_port(parts.netloc)
    return bool(host) and validate_host(host, settings.ALLOWED_HOSTS)


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _oauth_error(error: str, *, status: int) -> JsonResponse:
    return _no_store(JsonResponse({"error": error}, status=status))


def _no_store(response: _Response) -> _Response:
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def _page(
    request: HttpRequest,
    *,
    params: QueryDict | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    names = ("response_type", "client_id", "redirect_uri", "scope", "state")
    context = {
        "title": _("TAXISnet login (local stand-in)"),
        "standin_notice": _(
            "This is myKEPlive's local stand-in of the GSIS TAXISnet login, for development "
            "and tests. No real credentials are asked for or used."
        ),
        "intro": _(
            "Choose a test identity to log in with. myKEPlive will receive its tax number and "
            "names."
        ),
        "choose_label": _("Test identities"),
        "tax_label": _("Tax number (ΑΦΜ)"),
        "other_label": _("Other outcomes"),
        "refuse_label": _("Refuse consent"),
        "fail_label": _("Simulate a GSIS error"),
        "identities": IDENTITIES,
        "params": [(name, params.get(name, "")) for name in names] if params else [],
        "problem": problem,
    }
    response = HttpResponse(
        _page_template().render(RequestContext(request, context)), status=status
    )
    response["Cache-Control"] = "no-store"
    return response
