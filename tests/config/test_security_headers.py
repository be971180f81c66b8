"""Security headers (issue 11, finding 8; ADR 0014): a Content-Security-Policy without
'unsafe-inline' on every response of every URL, whoever asks; the Permissions-Policy and the
cross-origin-opener policy; no server banner from the application; HSTS in production."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import path

from keplive.accounts.models import Role
from tests.factories import CitizenFactory, EmployeeFactory, UserFactory
from tests.staff import login_staff
from tests.test_url_access import all_routes

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = "5b8f3d5e-1d8a-4d0e-9a53-8f1d2d3c4b5a"

# A value for each kind of path parameter, so that every route can be asked for.
_SAMPLES = [
    (r"<int:[^>]+>", "1"),
    (r"<uuid:[^>]+>", REFERENCE),
    (r"<slug:[^>]+>", "by-day"),
    (r"<path:[^>]+>", "1"),
    (r"<(?:str:)?[^>]+>", "x"),
    (r"\(\?P<app_label>[^)]*\)", "accounts"),
    (r"\(\?P<url>[^)]*\)", "nothing-here"),
    (r"[\^$]", ""),
]


def sample_path(route: str) -> str:
    for pattern, value in _SAMPLES:
        route = re.sub(pattern, value, route)
    return "/" + route


def directives(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    header = response.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_strict_policy(response) -> None:  # type: ignore[no-untyped-def]
    where = response.request["PATH_INFO"]
    header = response.get("Content-Security-Policy", "")
    assert "'unsafe-inline'" not in header, where
    assert "'unsafe-eval'" not in header, where
    policy = directives(response)
    if where.endswith("/html/") and response.status_code == 200:  # an email's HTML, sandboxed
        assert policy["default-src"] == ["'none'"]
        return
    assert policy["default-src"] == ["'self'"], where
    assert policy["script-src"][0] == "'self'", where
    assert all(v == "'self'" or v.startswith("'nonce-") for v in policy["script-src"]), where
    assert all(v == "'self'" or v.startswith("'nonce-") for v in policy["style-src"]), where
    assert policy["object-src"] == ["'none'"], where
    assert policy["base-uri"] == ["'none'"], where
    assert policy["frame-ancestors"] == ["'none'"], where
    assert policy["form-action"][0] == "'self'", where


def _client_for(who: str) -> Client:
    client = Client()
    if who == "citizen":
        client.force_login(CitizenFactory().user)
    elif who == "employee":
        login_staff(client, EmployeeFactory().user)
    elif who == "administrator":
        login_staff(client, UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "citizen", "employee", "administrator"])
def test_every_url_answers_with_a_strict_content_security_policy(who, settings):
    # Every route of the URL configuration, whatever it answers this visitor (a page, a
    # redirect, 403, 404, 405, 410, JSON): the policy is on the response.
    settings.KEPLIVE_MAIL_VIEWER = settings.KEPLIVE_SMS_VIEWER = True
    client = _client_for(who)
    routes = all_routes()
    assert len(routes) > 200
    for route in routes:
        assert_strict_policy(client.get(sample_path(route)))


@pytest.mark.django_db
def test_the_admin_never_shows_a_staff_members_totp_secret():
    # The walk above found django-otp's admin pages answering 500 for a device that does not
    # exist; they now refuse, for any device: the secret is a credential.
    from tests.staff import totp_device

    administrator = _client_for("administrator")
    device = totp_device(UserFactory(role=Role.EMPLOYEE))
    for pk in (device.pk, device.pk + 1000):
        for view in ("config", "qrcode"):
            response = administrator.get(f"/admin/otp_totp/totpdevice/{pk}/{view}/")
            assert response.status_code == 403, (pk, view)
    change = administrator.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert change.status_code == 200
    assert device.key not in change.content.decode()


@pytest.mark.django_db
def test_the_pages_people_use_carry_the_policy_when_they_render(client):
    for page in ("/", "/services/", "/manual/", "/privacy/", "/municipalities/join/"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert_strict_policy(response)
    for page in ("/api/v1/docs", "/workspace/login/", "/administration/login/"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert_strict_policy(response)
    administrator = _client_for("administrator")
    for page in ("/admin/", "/admin/accounts/user/", "/administration/", "/administration/audit/"):
        response = administrator.get(page)
        assert response.status_code == 200, page
        assert_strict_policy(response)


@pytest.mark.django_db
def test_the_policy_names_the_calls_own_websocket_origin(client):
    policy = directives(client.get("/"))
    assert policy["connect-src"] == ["'self'", "ws://testserver"]
    secure = directives(client.get("/", secure=True))
    assert secure["connect-src"] == ["'self'", "wss://testserver"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["media-src"] == ["'self'"]


@pytest.mark.django_db
def test_forms_may_post_to_gsis_whose_logout_the_citizens_logout_redirects_to(client, settings):
    # The GSIS stand-in's default address is this server: it is named all the same.
    form_action = directives(client.get("/"))["form-action"]
    assert form_action == ["'self'", settings._GSIS_ORIGIN]
    assert re.fullmatch(r"https?://[^/]+", settings._GSIS_ORIGIN)


@pytest.mark.django_db
def test_a_nonce_appears_only_when_a_template_uses_one(rf):
    from django.template import engines

    from keplive.config.security_headers import ContentSecurityPolicy

    template = engines["django"].from_string(
        '<script nonce="{{ request.csp_nonce }}">window.x = 1;</script>'
    )

    def view(request):  # type: ignore[no-untyped-def]
        from django.http import HttpResponse

        return HttpResponse(template.render({"request": request}))

    request = rf.get("/")
    response = ContentSecurityPolicy(view)(request)
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in directives(response)["script-src"]
    plain = ContentSecurityPolicy(lambda request: __import__("django").http.HttpResponse("x"))
    assert directives(plain(rf.get("/")))["script-src"] == ["'self'"]


def _boom(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_error_page_of_a_crash_carries_the_policy_too(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert_strict_policy(response)


@pytest.mark.django_db
def test_a_refused_csrf_token_gets_our_page_without_inline_style(client):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "<style" not in body
    assert "style=" not in body
    assert "/static/css/keplive.css" in body
    assert_strict_policy(response)


@pytest.mark.django_db
def test_permissions_and_opener_policies_and_no_banner(client):
    response = client.get("/")
    assert response["Permissions-Policy"] == "camera=(self), microphone=(self), geolocation=()"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    for banner in ("Server", "X-Powered-By", "X-Runtime", "Via"):
        assert banner not in response, banner


@pytest.mark.django_db
def test_an_emails_html_is_served_alone_with_only_its_own_inline_styles(client, settings, tmp_path):
    from keplive.notifications.mailbox import email_policy

    settings.KEPLIVE_MAIL_VIEWER, settings.KEPLIVE_MAIL_DIR = True, tmp_path
    name = "20261201T093000000000Z-0a1b2c3d.eml"
    html = '<html><body style="margin:0"><p style="color:#1d70b8">Γεια</p></body></html>'
    (tmp_path / name).write_bytes(
        (
            "Subject: test\r\nFrom: a@example.gr\r\nTo: b@example.gr\r\nMIME-Version: 1.0\r\n"
            'Content-Type: text/html; charset="utf-8"\r\n\r\n' + html
        ).encode()
    )
    page = client.get(f"/dev/mail/{name}/")
    assert page.status_code == 200
    assert f'src="/dev/mail/{name}/html/"' in page.content.decode()
    assert "srcdoc" not in page.content.decode()
    framed = client.get(f"/dev/mail/{name}/html/")
    assert framed.status_code == 200
    assert framed["X-Frame-Options"] == "SAMEORIGIN"
    policy = framed["Content-Security-Policy"]
    assert policy == email_policy(html)
    # sha256 of "margin:0" and of "color:#1d70b8", and nothing else allowed.
    assert "'sha256-" in policy
    assert policy.count("'sha256-") == 2
    assert "'unsafe-hashes'" in policy
    assert "'unsafe-inline'" not in policy
    assert "script-src" not in policy
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    assert "sandbox" in policy


# --- HSTS and `check --deploy` --------------------------------------------------------------------

PRODUCTION = {
    "KEPLIVE_ENVIRONMENT": "production",
    "KEPLIVE_SECRET_KEY": "k" * 30 + "-production-like-secret-for-the-check-only-" + "z" * 20,
    "DATABASE_URL": "postgres://keplive:keplive@127.0.0.1:5432/keplive",
    "KEPLIVE_ALLOWED_HOSTS": "keplive.gov.gr",
    "KEPLIVE_PUBLIC_URL": "https://keplive.gov.gr",
    "KEPLIVE_GSIS_CLIENT_ID": "keplive",
    "KEPLIVE_GSIS_CLIENT_SECRET": "s" * 40,
    "EMAIL_HOST": "smtp.keplive.gov.gr",
    "EMAIL_PORT": "587",
    "EMAIL_USE_TLS": "1",
    "DEFAULT_FROM_EMAIL": "KEPlive <no-reply@keplive.gov.gr>",
    "KEPLIVE_SMS_GATEWAY_URL": "https://sms.example.gr/send",
    "KEPLIVE_SMS_GATEWAY_API_KEY": "a" * 40,
    "KEPLIVE_POLICE_REGISTRY_URL": "https://ked.example.gr/registry",
    "KEPLIVE_POLICE_REGISTRY_CLIENT_ID": "keplive",
    "KEPLIVE_POLICE_REGISTRY_CLIENT_SECRET": "p" * 40,
    "KEPLIVE_EKEP_URL": "https://ekep.example.gr/cases",
    "KEPLIVE_EKEP_TOKEN": "t" * 40,
    "KEPLIVE_TURN_URLS": "turn:turn.keplive.gov.gr:3478?transport=udp",
    "KEPLIVE_TURN_SECRET": "x" * 40,
    # The audit checkpoints' Ed25519 key (ADR 0011): any 32 bytes, base64; production needs one.
    "KEPLIVE_AUDIT_SIGNING_KEY": base64.b64encode(b"a-test-only-audit-signing-key-32").decode(),
}


def _manage(env: dict[str, str], *args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    import os

    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KEPLIVE_", "DATABASE_URL", "REDIS_URL", "EMAIL_"))
    }
    environment |= env | {"KEPLIVE_VAR_DIR": str(tmp_path)}
    environment["DJANGO_SETTINGS_MODULE"] = "keplive.config.settings"
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_under_production_settings_reports_nothing(tmp_path):
    done = _manage(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr


def test_check_deploy_says_when_hsts_preload_is_on_it_is_on(tmp_path):
    # With preloading chosen, Django's own reminder is not silenced and has nothing to say.
    env = PRODUCTION | {"KEPLIVE_HSTS_PRELOAD": "1"}
    done = _manage(env, "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def _production_settings(tmp_path: Path, **extra: str) -> dict[str, object]:
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k,"
        " None) for k in ('SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS',"
        " 'SECURE_HSTS_PRELOAD', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE',"
        " 'SECURE_SSL_REDIRECT', 'SILENCED_SYSTEM_CHECKS')}))"
    )
    done = _manage(PRODUCTION | extra, "shell", "-c", script, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    import json

    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_production_sends_hsts_for_a_year_with_subdomains_and_preload_on_request(tmp_path):
    values = _production_settings(tmp_path)
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SILENCED_SYSTEM_CHECKS"] == ["security.W021"]
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    preload = _production_settings(tmp_path, KEPLIVE_HSTS_PRELOAD="1")
    assert preload["SECURE_HSTS_PRELOAD"] is True
    assert preload["SILENCED_SYSTEM_CHECKS"] == []
