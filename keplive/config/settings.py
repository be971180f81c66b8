"""Django settings for KEPlive.

Every value that differs between a laptop, CI and production comes from the environment
(see ``environment.py``). Runtime parameters that administrators change — hours, slot
lengths, buffers, horizon — are data in the database, not settings.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from keplive.config import environment as env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = env.path("KEPLIVE_VAR_DIR", BASE_DIR / "var")
# Local state (SQLite files, the worker's queue) lives here; it must exist before Huey starts.
VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Core -------------------------------------------------------------------------------
DEBUG = env.flag("KEPLIVE_DEBUG", default=False)
# A development key is only acceptable while DEBUG is on; the production check refuses it.
DEVELOPMENT_SECRET_KEY = "keplive-development-only-not-secret"  # noqa: S105
SECRET_KEY = env.text("KEPLIVE_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env.words("KEPLIVE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env.words("KEPLIVE_CSRF_TRUSTED_ORIGINS")
# "development" | "test" | "production": stand-ins for outside systems are refused in production.
ENVIRONMENT = env.text("KEPLIVE_ENVIRONMENT", "development")

INSTALLED_APPS = [
    "keplive.config.apps.KepliveAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "ninja",
    "channels",
    "huey.contrib.djhuey",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "keplive.config",
    # domain
    "keplive.audit",
    "keplive.accounts",
    "keplive.directory",
    "keplive.catalogue",
    "keplive.notifications",
    "keplive.booking",
    "keplive.calls",
    "keplive.outcomes",
    "keplive.alerts",
    "keplive.waitlist",
    "keplive.worklist",
    "keplive.onboarding",
    "keplive.support",
    # interfaces
    "keplive.api",
    "keplive.portal",
    "keplive.workspace",
    "keplive.administration",
]

MIDDLEWARE = [
    # First: counts and times every request, whatever answers it (ADR 0018).
    "keplive.config.observability.RequestMetrics",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (ADR 0014).
    "keplive.config.security_headers.ContentSecurityPolicy",
    "keplive.config.security_headers.PermissionsPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "keplive.config.middleware.GreekFirstLocaleMiddleware",
    "keplive.config.middleware.RejectNulCharacters",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Ends sessions past their idle or absolute limit (ADR 0014), before OTP reads the user.
    "keplive.config.session_timeout.SessionTimeout",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A view the database could not serve right now (deadlock, restart) answers 503, not 500.
    "keplive.config.errors.DatabaseTryAgain",
    # Last, as django-axes asks: turns a lockout into the login page's own message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "keplive.config.urls"
ASGI_APPLICATION = "keplive.config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "keplive" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env.text("DATABASE_URL", f"sqlite:///{VAR_DIR / 'keplive.sqlite3'}")
    )
}
# Persistent connections are per thread, and under ASGI a process runs views on many threads:
# with them PostgreSQL ran out of connections after a restart (issue 11). Refused by a start-up
# check (keplive.E010); PostgreSQL connections come from a bounded pool instead.
KEPLIVE_DB_CONN_MAX_AGE = env.text("KEPLIVE_DB_CONN_MAX_AGE", "")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's psycopg pool, one per process: at most MAX_SIZE connections, each checked as it
    # is handed out (CONN_HEALTH_CHECKS: psycopg_pool's ConnectionPool.check_connection), so a
    # connection broken by a database restart is discarded instead of failing a request. A
    # request waits at most TIMEOUT seconds for a connection.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django's backend, whose pool checks a connection without a round trip while its socket
    # is quiet (keplive/config/postgresql, ADR 0031).
    DATABASES["default"]["ENGINE"] = "keplive.config.postgresql"
    DATABASES["default"]["OPTIONS"] = {
        "pool": {
            "min_size": env.integer("KEPLIVE_DB_POOL_MIN_SIZE", default=2),
            "max_size": env.integer("KEPLIVE_DB_POOL_MAX_SIZE", default=10),
            "timeout": env.integer("KEPLIVE_DB_POOL_TIMEOUT", default=10),
            "name": "keplive",
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two bookings never interleave;
    # WAL lets readers go on while one booking writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Staff sign in with a password and a TOTP second factor (django-otp); repeated failed
# passwords lock the user name out from that address (django-axes). See ADR 0010.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Citizens' sessions: loads the user and the citizen in one query (ADR 0030).
    "keplive.accounts.backends.CitizenSessionBackend",
]
AXES_FAILURE_LIMIT = env.integer("KEPLIVE_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
# Never the user name in the log: it can be personal data.
AXES_SENSITIVE_PARAMETERS = ["username", "password"]
AXES_LOCKOUT_CALLABLE = "keplive.accounts.staff_login.locked_out"
# The address axes counts is the one the audit log records (keplive/config/proxies.py).
AXES_CLIENT_IP_CALLABLE = "keplive.audit.origin.client_ip"
# Across addresses (credential stuffing from many, or many people behind one proxy): past this many
# failures for one user name within AXES_COOLOFF_TIME, each try waits 1, 2, 4… seconds after the
# last failure, up to the cap — the real employee is slowed, never locked out (ASVS 2.2.1:
# at most ~60 tries an hour).
KEPLIVE_ACCOUNT_FAILURE_LIMIT = env.integer("KEPLIVE_ACCOUNT_FAILURE_LIMIT", default=10)
KEPLIVE_ACCOUNT_MAX_DELAY_SECONDS = env.integer("KEPLIVE_ACCOUNT_MAX_DELAY_SECONDS", default=60)
OTP_TOTP_ISSUER = "myKEPlive"
# A staff member's TOTP secret is a credential: the Django admin never shows it (nor its QR code).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_TOTP_THROTTLE_FACTOR = 1

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "keplive",
        # One entry per KEP's directory snapshot: room for a national directory and more.
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}
REDIS_URL = env.text("REDIS_URL", "")
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }

# --- Background work (Huey) -------------------------------------------------------------
HUEY = {
    "name": "keplive",
    "immediate": env.flag("KEPLIVE_HUEY_IMMEDIATE", default=False),
    "utc": True,
}
if REDIS_URL:
    HUEY |= {"huey_class": "huey.RedisHuey", "url": REDIS_URL}
else:
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")}

# --- Real time (Channels) ---------------------------------------------------------------
CHANNEL_LAYERS: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
}
# redis-py 8 gives up reading after 5 s by default: as long as channels_redis's blocking receive
# (BZPOPMIN, 5 s), so every quiet WebSocket would die every ~5 s (channels_redis#422). Longer.
CHANNELS_REDIS_SOCKET_TIMEOUT = 15
if REDIS_URL:
    CHANNEL_LAYERS["default"] = {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [{"address": REDIS_URL, "socket_timeout": CHANNELS_REDIS_SOCKET_TIMEOUT}]
        },
    }

# --- Language and time ------------------------------------------------------------------
LANGUAGE_CODE = "el"
LANGUAGES = [("el", _("Greek")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "keplive" / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Athens"
USE_TZ = True

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # collectstatic fills it for production
STATICFILES_DIRS = [BASE_DIR / "keplive" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Security ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# An expired form, in the site's layout; the booking details form is shown again (ADR 0019).
CSRF_FAILURE_VIEW = "keplive.portal.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The call needs the camera and microphone on this site's own pages; nothing needs the rest.
KEPLIVE_PERMISSIONS_POLICY = "camera=(self), microphone=(self), geolocation=()"
# HSTS preloading binds the whole registrable domain for good: the operator's explicit choice.
KEPLIVE_HSTS_PRELOAD = env.flag("KEPLIVE_HSTS_PRELOAD", default=False)
if ENVIRONMENT == "production":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.flag("KEPLIVE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = KEPLIVE_HSTS_PRELOAD
# Without preloading, Django's reminder that it is off (security.W021) is silenced on purpose
# (ADR 0014): `check --deploy` then reports only what is really wrong.
SILENCED_SYSTEM_CHECKS = [] if KEPLIVE_HSTS_PRELOAD else ["security.W021"]
# The proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or networks,
# comma-separated: the production nginx, e.g. 127.0.0.1). Empty (the default): nobody's — the
# client address is the connection's peer. Applied once, in the ASGI application
# (keplive/config/proxies.py), for pages, API, WebSockets, django-axes and the audit log; the
# scheme (https) comes the same way, so SECURE_PROXY_SSL_HEADER is not used. ADR 0016.
KEPLIVE_TRUSTED_PROXIES = [
    proxy for proxy in env.words("KEPLIVE_TRUSTED_PROXIES") if proxy not in {"0", "none"}
]
# The audit log's checkpoints are signed with this Ed25519 key (base64 of 32 bytes; make one
# with `manage.py audit_signing_key`). Unset: derived from SECRET_KEY, refused in production.
KEPLIVE_AUDIT_SIGNING_KEY = env.text("KEPLIVE_AUDIT_SIGNING_KEY", "")
# Public keys (base64) of earlier signing keys, so their checkpoints still verify (ADR 0011).
KEPLIVE_AUDIT_VERIFY_KEYS = env.words("KEPLIVE_AUDIT_VERIFY_KEYS")
# Signed-in sessions (keplive/accounts/sessions.py, ADR 0014; OWASP ASVS 4.0.3 V3.3): staff are
# signed out after 30 minutes without activity and 12 hours after signing in; citizens after 15
# minutes without activity (a held time lasts 10) and 12 hours. The workspace's background poll
# is not activity. Anonymous sessions (the TAXISnet login's state) last as long as the longest.
KEPLIVE_STAFF_IDLE_MINUTES = env.integer("KEPLIVE_STAFF_IDLE_MINUTES", default=30)
KEPLIVE_STAFF_ABSOLUTE_HOURS = env.integer("KEPLIVE_STAFF_ABSOLUTE_HOURS", default=12)
KEPLIVE_CITIZEN_IDLE_MINUTES = env.integer("KEPLIVE_CITIZEN_IDLE_MINUTES", default=15)
KEPLIVE_CITIZEN_ABSOLUTE_HOURS = env.integer("KEPLIVE_CITIZEN_ABSOLUTE_HOURS", default=12)
SESSION_COOKIE_AGE = max(KEPLIVE_STAFF_ABSOLUTE_HOURS, KEPLIVE_CITIZEN_ABSOLUTE_HOURS) * 3600

# --- Booking ----------------------------------------------------------------------------
# How long a chosen time stays held while the citizen fills in the form.
KEPLIVE_HOLD_MINUTES = env.integer("KEPLIVE_HOLD_MINUTES", default=10)
# How many upcoming bookings one citizen may have at once.
KEPLIVE_MAX_ACTIVE_BOOKINGS = env.integer("KEPLIVE_MAX_ACTIVE_BOOKINGS", default=3)
# Minutes before a call that the reminder email goes out (the worker checks every minute).
KEPLIVE_REMINDER_MINUTES = env.integer("KEPLIVE_REMINDER_MINUTES", default=60)
# The ministerial decision the consent text cites (the manual leaves its number blank; the
# ministry's circular, seed 002, names 20530 ΕΞ 2020); empty: the text names no number.
KEPLIVE_CONSENT_DECISION = env.text(
    "KEPLIVE_CONSENT_DECISION", default="20530 ΕΞ 2020 (ΦΕΚ 3030/Β΄/2020)"
)

# --- Logging: no personal data, no secrets ----------------------------------------------
# configure() applies LOGGING and rewrites every record of every logger so that no token,
# personal datum or secret reaches a log line (keplive/config/logs.py).
LOGGING_CONFIG = "keplive.config.logs.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # One JSON object a line, with the request id (production: KEPLIVE_LOG_FORMAT=json).
        "json": {"()": "keplive.config.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.text("KEPLIVE_LOG_FORMAT", "plain"),
        }
    },
    "root": {"handlers": ["console"], "level": env.text("KEPLIVE_LOG_LEVEL", "INFO")},
    "loggers": {
        # Request lines carry query strings (signed links, OAuth codes): keep them out.
        "django.server": {"level": "WARNING"},
        "uvicorn.access": {"level": "WARNING"},
        # Ours, so the worker's lines have the same format; then the Huey consumer adds none.
        "huey": {"level": "INFO", "propagate": False, "handlers": ["console"]},
        # One line per request (view name, status, time; never a path or a query string).
        "keplive.access": {
            "level": "INFO" if env.flag("KEPLIVE_ACCESS_LOG", default=False) else "WARNING"
        },
        # django-axes logs each login with the client's address; the audit log records logins.
        "axes": {"level": "WARNING"},
    },
}
# Development serves static files straight from the source folders; production collects them.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Citizen login: GSIS TAXISnet OAuth2 (keplive/integrations/gsis) ---------------------
# The local GSIS stand-in (this app serves it under /oauth2server/) is on everywhere but in
# production; the start-up check refuses it there.
KEPLIVE_GSIS_STANDIN = env.flag("KEPLIVE_GSIS_STANDIN", default=ENVIRONMENT != "production")
# The GSIS host: https://www1.gsis.gr (production) or https://test.gsis.gr (GSIS's test host).
# With the stand-in, this app's own address: `make run` serves on 127.0.0.1:$PORT (8000).
_GSIS_OWN_HOST = env.text("HOST", "127.0.0.1")
if _GSIS_OWN_HOST in {"0.0.0.0", "::", ""}:  # noqa: S104 - serving on every address
    _GSIS_OWN_HOST = "127.0.0.1"
KEPLIVE_GSIS_BASE_URL = env.text(
    "KEPLIVE_GSIS_BASE_URL",
    f"http://{_GSIS_OWN_HOST}:{env.integer('PORT', default=8000)}"
    if KEPLIVE_GSIS_STANDIN
    else "https://www1.gsis.gr",
)
# The site's public base URL, without a trailing slash: the links in emails (manage, join, book)
# start with it. `make run` serves on 127.0.0.1:$PORT; set it to https://… in production.
KEPLIVE_PUBLIC_URL = env.text(
    "KEPLIVE_PUBLIC_URL", f"http://{_GSIS_OWN_HOST}:{env.integer('PORT', default=8000)}"
).rstrip("/")
# Issued by GSIS on registration; read from the environment only, never logged. The defaults
# are the stand-in's development credentials.
KEPLIVE_GSIS_CLIENT_ID = env.text(
    "KEPLIVE_GSIS_CLIENT_ID", "keplive-local" if KEPLIVE_GSIS_STANDIN else ""
)
KEPLIVE_GSIS_CLIENT_SECRET = env.text(
    "KEPLIVE_GSIS_CLIENT_SECRET",
    "keplive-local-not-secret" if KEPLIVE_GSIS_STANDIN else "",
)
# The callback address registered with GSIS; empty: built from the request (/login/callback/).
KEPLIVE_GSIS_REDIRECT_URI = env.text("KEPLIVE_GSIS_REDIRECT_URI", "")
# Seconds to wait for each server-to-server call to GSIS (token, userinfo).
KEPLIVE_GSIS_TIMEOUT_SECONDS = env.integer("KEPLIVE_GSIS_TIMEOUT_SECONDS", default=10)

# --- Content-Security-Policy (django-csp; keplive/config/security_headers.py, ADR 0014) -------
# No inline script or style anywhere ('unsafe-inline' never): scripts and styles are static
# files; an inline <script> or <style> needs nonce="{{ request.csp_nonce }}" (docs/ui.md). The
# call's WebSocket origin is added per request. Forms post to this site only, and to GSIS:
# the citizen's logout is a POST answered by a redirect to TAXISnet's logout, and browsers
# apply form-action to that redirect.
_GSIS_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(KEPLIVE_GSIS_BASE_URL))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # data: for the design system's and Swagger UI's small SVG icons in their CSS.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The call's video and sound are MediaStreams set as srcObject, which CSP does not govern.
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF, _GSIS_ORIGIN],
    }
}

# --- Notifications: outbox, email, SMS (keplive/notifications) ---------------------------
# Mail leaves only through the outbox (keplive/notifications), delivered by the worker. By default
# it goes to the local SMTP stand-in (`manage.py run_mail_standin`, started by `make run`), which
# keeps each message in KEPLIVE_MAIL_DIR; set EMAIL_HOST and friends for real delivery. The
# production check refuses the stand-in and the console/file/memory backends.
EMAIL_BACKEND = env.text("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.text("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env.integer("EMAIL_PORT", default=8025)
EMAIL_HOST_USER = env.text("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.text("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.flag("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.flag("EMAIL_USE_SSL", default=False)
# Seconds per SMTP operation; keep it well below KEPLIVE_OUTBOX_SENDING_TIMEOUT_MINUTES.
EMAIL_TIMEOUT = env.integer("EMAIL_TIMEOUT", default=30)
DEVELOPMENT_FROM_EMAIL = "myKEPlive <no-reply@keplive.localhost>"
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", DEVELOPMENT_FROM_EMAIL)
SERVER_EMAIL = env.text("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Where the local SMTP stand-in writes each message (.eml) and its index.txt.
KEPLIVE_MAIL_DIR = env.path("KEPLIVE_MAIL_DIR", VAR_DIR / "mail")
# /dev/mail/: read in the browser what the stand-in received. Never in production (checked).
KEPLIVE_MAIL_VIEWER = env.flag("KEPLIVE_MAIL_VIEWER", default=ENVIRONMENT != "production")
# Delivery: tries before a message is given up as failed, backoff 1, 2, 4… minutes up to the cap,
# messages per worker run, and the lease: how long a message may stay "sending" (minutes, decimals
# allowed) before its worker is taken for dead and the message is due again — sent again with the
# same Message-ID (at least once, ADR 0013). Keep it well above one send (EMAIL_TIMEOUT per SMTP
# step) so a live worker never loses its lease mid-send.
KEPLIVE_OUTBOX_MAX_ATTEMPTS = env.integer("KEPLIVE_OUTBOX_MAX_ATTEMPTS", default=8)
KEPLIVE_OUTBOX_BACKOFF_CAP_MINUTES = env.number("KEPLIVE_OUTBOX_BACKOFF_CAP_MINUTES", default=60)
KEPLIVE_OUTBOX_BATCH_SIZE = env.integer("KEPLIVE_OUTBOX_BATCH_SIZE", default=100)
KEPLIVE_OUTBOX_SENDING_TIMEOUT_MINUTES = env.number(
    "KEPLIVE_OUTBOX_SENDING_TIMEOUT_MINUTES", default=5
)
# After a commit that queued mail, ask the worker to deliver at once instead of at the next minute.
KEPLIVE_OUTBOX_DELIVER_ON_COMMIT = env.flag("KEPLIVE_OUTBOX_DELIVER_ON_COMMIT", default=True)

# --- Video calls: police registry (keplive/integrations/police) and ICE/TURN (calls/ice.py) --
# The identity check (E6): "local" is the stand-in (numbers ending 00 are not found, 99 makes the
# registry unavailable), the default everywhere but production, where the start-up check refuses
# it; "live" asks KED (the request shape is an assumption: see the package's README).
KEPLIVE_POLICE_REGISTRY = env.text(
    "KEPLIVE_POLICE_REGISTRY", "live" if ENVIRONMENT == "production" else "local"
)
KEPLIVE_POLICE_REGISTRY_URL = env.text("KEPLIVE_POLICE_REGISTRY_URL", "")
# Issued by KED; read from the environment only, never logged.
KEPLIVE_POLICE_REGISTRY_CLIENT_ID = env.text("KEPLIVE_POLICE_REGISTRY_CLIENT_ID", "")
KEPLIVE_POLICE_REGISTRY_CLIENT_SECRET = env.text("KEPLIVE_POLICE_REGISTRY_CLIENT_SECRET", "")
# Optional TLS client certificate and key (PEM file paths), if KED asks for mutual TLS.
KEPLIVE_POLICE_REGISTRY_CLIENT_CERT = env.text("KEPLIVE_POLICE_REGISTRY_CLIENT_CERT", "")
KEPLIVE_POLICE_REGISTRY_CLIENT_KEY = env.text("KEPLIVE_POLICE_REGISTRY_CLIENT_KEY", "")
KEPLIVE_POLICE_REGISTRY_TIMEOUT_SECONDS = env.integer(
    "KEPLIVE_POLICE_REGISTRY_TIMEOUT_SECONDS", default=10
)
# ICE servers each participant's browser gets (docs/calls.md, ADR 0009,
# deploy/coturn/turnserver.conf).
# Comma-separated. Empty by default: on loopback, browsers connect on host candidates and need
# neither STUN nor TURN. Production: e.g. stun:turn.example.gr:3478 and
# turn:turn.example.gr:3478?transport=udp,turns:turn.example.gr:443?transport=tcp.
KEPLIVE_STUN_URLS = env.words("KEPLIVE_STUN_URLS")
KEPLIVE_TURN_URLS = env.words("KEPLIVE_TURN_URLS")
# coturn's static-auth-secret: TURN credentials are minted from it, per participant. Never logged.
KEPLIVE_TURN_SECRET = env.text("KEPLIVE_TURN_SECRET", "")
KEPLIVE_TURN_TTL_SECONDS = env.integer("KEPLIVE_TURN_TTL_SECONDS", default=3600)

# --- Staff alerts (keplive/alerts, docs/alerts.md) -------------------------------------------
# The employee's reminder email goes this many minutes before each appointment (E3).
KEPLIVE_EMPLOYEE_REMINDER_MINUTES = env.integer("KEPLIVE_EMPLOYEE_REMINDER_MINUTES", default=15)
# The interpreter digest (E12): each day at this Greek time (HH:MM, before 19:00), the next day's
# interpreter requests in one email to this address (configurable: the address the National
# Institute for the Deaf gives for interpretation requests).
KEPLIVE_INTERPRETER_DIGEST_TIME = env.text("KEPLIVE_INTERPRETER_DIGEST_TIME", "18:00")
KEPLIVE_INTERPRETER_DIGEST_TO = env.text(
    "KEPLIVE_INTERPRETER_DIGEST_TO", "dierminia@idrimakofon.gr"
)
# Nobody left waiting (A7): minutes after the start with the call still unopened before the KEP's
# supervisors and the administrators are alerted.
KEPLIVE_WAITING_ALERT_MINUTES = env.integer("KEPLIVE_WAITING_ALERT_MINUTES", default=3)

# --- Outcomes: e-KEP registration (keplive/integrations/ekep, keplive/outcomes) ---------------
# Each completed outcome is registered with e-KEP by the worker after it commits, retried with
# backoff (1, 2, 4… minutes up to the cap) until e-KEP answers. "local" is the stand-in (one JSON
# line per case in KEPLIVE_EKEP_LOCAL_FILE), refused in production by a start-up check; "live"
# posts to KEPLIVE_EKEP_URL (the request shape is an assumption: see the package's README).
KEPLIVE_EKEP = env.text("KEPLIVE_EKEP", "live" if ENVIRONMENT == "production" else "local")
KEPLIVE_EKEP_URL = env.text("KEPLIVE_EKEP_URL", "")
# Issued by e-KEP; read from the environment only, never logged.
KEPLIVE_EKEP_TOKEN = env.text("KEPLIVE_EKEP_TOKEN", "")
KEPLIVE_EKEP_TIMEOUT_SECONDS = env.integer("KEPLIVE_EKEP_TIMEOUT_SECONDS", default=10)
KEPLIVE_EKEP_LOCAL_FILE = env.path("KEPLIVE_EKEP_LOCAL_FILE", VAR_DIR / "ekep" / "cases.jsonl")
KEPLIVE_EKEP_BACKOFF_CAP_MINUTES = env.integer("KEPLIVE_EKEP_BACKOFF_CAP_MINUTES", default=60)

# --- SMS to citizens (keplive/integrations/sms, keplive/notifications/sms.py; docs/sms.md) ---
# "local" writes each SMS to KEPLIVE_SMS_DIR (readable at /dev/sms/ in development); "http"
# posts it to the operator's gateway. Production refuses the stand-in (start-up check).
KEPLIVE_SMS_BACKEND = env.text(
    "KEPLIVE_SMS_BACKEND", "http" if ENVIRONMENT == "production" else "local"
)
KEPLIVE_SMS_DIR = env.path("KEPLIVE_SMS_DIR", VAR_DIR / "sms")
KEPLIVE_SMS_VIEWER = env.flag("KEPLIVE_SMS_VIEWER", default=ENVIRONMENT != "production")
KEPLIVE_SMS_GATEWAY_URL = env.text("KEPLIVE_SMS_GATEWAY_URL", "")
# Read from the environment only, never logged.
KEPLIVE_SMS_GATEWAY_API_KEY = env.text("KEPLIVE_SMS_GATEWAY_API_KEY", "")
KEPLIVE_SMS_GATEWAY_TIMEOUT_SECONDS = env.integer("KEPLIVE_SMS_GATEWAY_TIMEOUT_SECONDS", default=10)
KEPLIVE_SMS_SENDER = env.text("KEPLIVE_SMS_SENDER", "myKEPlive")
# Tries before an SMS is given up as failed; backoff as for email (capped at
# KEPLIVE_OUTBOX_BACKOFF_CAP_MINUTES).
KEPLIVE_SMS_MAX_ATTEMPTS = env.integer("KEPLIVE_SMS_MAX_ATTEMPTS", default=10)
KEPLIVE_SMS_DELIVER_ON_COMMIT = env.flag("KEPLIVE_SMS_DELIVER_ON_COMMIT", default=True)

# --- Production: the topology, health and metrics (deploy/, ADR 0017, ADR 0018) -------------
# Redis may be split by use: the cache (evictable) apart from the worker's queue and the call
# signalling (never evicted). Each defaults to REDIS_URL.
_CACHE_REDIS_URL = env.text("KEPLIVE_CACHE_REDIS_URL", "")
if _CACHE_REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _CACHE_REDIS_URL,
    }
_HUEY_REDIS_URL = env.text("KEPLIVE_HUEY_REDIS_URL", "")
if _HUEY_REDIS_URL:
    HUEY.pop("filename", None)
    HUEY |= {"huey_class": "huey.RedisHuey", "url": _HUEY_REDIS_URL}
_CHANNELS_REDIS_URL = env.text("KEPLIVE_CHANNELS_REDIS_URL", "")
if _CHANNELS_REDIS_URL:
    CHANNEL_LAYERS["default"] = {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [
                {"address": _CHANNELS_REDIS_URL, "socket_timeout": CHANNELS_REDIS_SOCKET_TIMEOUT}
            ]
        },
    }
if ENVIRONMENT == "production":
    # Hashed, compressed file names: nginx serves them with a year's cache (deploy/nginx).
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
# Probes reach a web process directly over HTTP on loopback: never redirected to https.
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz|metrics)$"]
# /metrics answers only a request carrying "Authorization: Bearer <this token>"; empty: nobody.
KEPLIVE_METRICS_TOKEN = env.text("KEPLIVE_METRICS_TOKEN", "")
# /readyz turns red when the worker's last heartbeat or the oldest due unsent message (email or
# SMS) is older than this (the worker beats and delivers every minute).
KEPLIVE_READY_MAX_HEARTBEAT_AGE_SECONDS = env.integer(
    "KEPLIVE_READY_MAX_HEARTBEAT_AGE_SECONDS", default=180
)
KEPLIVE_READY_MAX_OUTBOX_LAG_SECONDS = env.integer(
    "KEPLIVE_READY_MAX_OUTBOX_LAG_SECONDS", default=300
)
# A staging on one machine (`make prod`): production settings with the local stand-ins of the
# outside systems (GSIS, SMTP, SMS, e-KEP, police registry), a loopback public address and the
# demo data allowed; keplive.W002 says so at every start. Never on a service to citizens.
KEPLIVE_ALLOW_STANDINS = env.flag("KEPLIVE_ALLOW_STANDINS", default=False)
if KEPLIVE_ALLOW_STANDINS and ENVIRONMENT == "production":
    SILENCED_SYSTEM_CHECKS += [
        "keplive.E004",  # a loopback public address
        "keplive.gsis.E001",  # the GSIS stand-in
        "keplive.police.E001",  # the police registry stand-in
        "keplive.ekep.E002",  # the e-KEP stand-in
        "keplive.notifications.E002",  # the SMTP stand-in
        "keplive.notifications.E011",  # the SMS stand-in
    ]
