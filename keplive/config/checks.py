"""Start-up checks: a misconfigured production deployment refuses to start."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from keplive.audit import signing as audit_signing


@register(Tags.security, deploy=False)
def production_is_configured(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.ENVIRONMENT != "production":
        return []
    errors = []
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY or len(settings.SECRET_KEY) < 50:
        errors.append(
            Error(
                "KEPLIVE_SECRET_KEY must be set to a long random value in production.",
                id="keplive.E001",
            )
        )
    if settings.DEBUG:
        errors.append(Error("KEPLIVE_DEBUG must be off in production.", id="keplive.E002"))
    if settings.DATABASES["default"]["ENGINE"] not in POSTGRESQL_ENGINES:
        errors.append(
            Error(
                "Production runs on PostgreSQL: set DATABASE_URL=postgres://…",
                hint="The booking guard's full strength and real concurrency need PostgreSQL.",
                id="keplive.E003",
            )
        )
    if not settings.KEPLIVE_AUDIT_SIGNING_KEY:
        errors.append(
            Error(
                "KEPLIVE_AUDIT_SIGNING_KEY must be set in production.",
                hint="The audit log's checkpoints are signed with it; without it the key is "
                "derived from SECRET_KEY. Make one with `manage.py audit_signing_key`.",
                id="keplive.E005",
            )
        )
    else:
        try:
            audit_signing.signing_key()
            audit_signing.verify_keys()
        except ImproperlyConfigured as error:
            errors.append(Error(str(error), id="keplive.E006"))
    public = urlsplit(settings.KEPLIVE_PUBLIC_URL)
    if public.scheme != "https" or public.hostname in (None, "localhost", "127.0.0.1", "::1"):
        errors.append(
            Error(
                "KEPLIVE_PUBLIC_URL must be the site's public https address in production.",
                hint="Every link in the citizens' emails (manage, join, book) starts with it.",
                id="keplive.E004",
            )
        )
    return errors


@register(Tags.security, deploy=False)
def production_has_turn(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Without a TURN server, calls fail for citizens behind strict NATs (many mobile networks)."""
    if settings.ENVIRONMENT != "production":
        return []
    if settings.KEPLIVE_TURN_URLS and settings.KEPLIVE_TURN_SECRET:
        return []
    return [
        Warning(
            "No TURN server is configured: calls will fail for citizens behind strict NATs.",
            hint="Set KEPLIVE_TURN_URLS and KEPLIVE_TURN_SECRET (deploy/coturn/turnserver.conf).",
            id="keplive.W001",
        )
    ]


@register(Tags.security, deploy=False)
def standins_allowed(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """A staging on one machine (`make prod`) says so at every start, loudly (ADR 0017)."""
    if settings.ENVIRONMENT != "production" or not settings.KEPLIVE_ALLOW_STANDINS:
        return []
    return [
        Warning(
            "KEPLIVE_ALLOW_STANDINS is on: this is a staging on one machine, not a service to "
            "citizens. The local stand-ins of GSIS, SMTP, SMS, e-KEP and the police registry, a "
            "loopback public address and the demo logins are allowed.",
            hint="Unset it, and configure the real systems (deploy/env.template).",
            id="keplive.W002",
        )
    ]


POSTGRESQL = "django.db.backends.postgresql"
# Django's, and the project's subclass of it (its pool's check: keplive/config/postgresql).
POSTGRESQL_ENGINES = frozenset({POSTGRESQL, "keplive.config.postgresql"})


@register()
def database_connections_are_pooled(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """PostgreSQL connections come from Django's psycopg pool, never persistent per thread.

    Under ASGI a process runs views on many threads; persistent connections (``CONN_MAX_AGE``)
    are kept per thread, so after a database restart the processes opened connections until
    PostgreSQL refused more ("too many clients", issue 11). The ASGI entry point runs this check
    too, so a server refuses to start with it."""
    return connection_errors(
        dict(settings.DATABASES["default"]), conn_max_age=settings.KEPLIVE_DB_CONN_MAX_AGE
    )


def connection_errors(database: Mapping[str, Any], *, conn_max_age: str) -> list[Error]:
    errors = []
    if conn_max_age:
        errors.append(
            Error(
                "KEPLIVE_DB_CONN_MAX_AGE is not supported: persistent connections exhaust "
                "PostgreSQL under ASGI.",
                hint="Unset it. PostgreSQL connections come from a pool: size it with "
                "KEPLIVE_DB_POOL_MIN_SIZE and KEPLIVE_DB_POOL_MAX_SIZE.",
                id="keplive.E010",
            )
        )
    if database["ENGINE"] not in POSTGRESQL_ENGINES:
        return errors
    pool = database.get("OPTIONS", {}).get("pool")
    if not isinstance(pool, dict) or database.get("CONN_MAX_AGE", 0) != 0:
        errors.append(
            Error(
                "PostgreSQL connections must come from the pool (OPTIONS['pool'], "
                "CONN_MAX_AGE = 0).",
                id="keplive.E011",
            )
        )
        return errors
    min_size = int(pool.get("min_size") or 0) if "min_size" in pool else 4  # psycopg's default
    max_size = int(pool.get("max_size") or 0) if "max_size" in pool else min_size
    if max_size < 1 or not 0 <= min_size <= max_size:
        errors.append(
            Error(
                "KEPLIVE_DB_POOL_MAX_SIZE must be at least 1, and KEPLIVE_DB_POOL_MIN_SIZE "
                "between 0 and it.",
                id="keplive.E012",
            )
        )
    return errors
