from django.core.checks import run_checks


def test_production_refuses_development_secret_debug_and_sqlite(settings):
    settings.ENVIRONMENT = "production"
    settings.DEBUG = True
    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    ids = {error.id for error in run_checks()}
    assert {"keplive.E001", "keplive.E002", "keplive.E003", "keplive.E004"} <= ids


def test_production_needs_a_public_https_address_for_the_links_in_emails(settings):
    settings.ENVIRONMENT = "production"
    settings.KEPLIVE_PUBLIC_URL = "http://127.0.0.1:8000"
    assert "keplive.E004" in {error.id for error in run_checks()}
    settings.KEPLIVE_PUBLIC_URL = "https://mykeplive.gov.gr"
    assert "keplive.E004" not in {error.id for error in run_checks()}


def test_development_passes_the_checks(settings):
    settings.ENVIRONMENT = "development"
    assert not [e for e in run_checks() if e.id.startswith("keplive.")]


def test_production_warns_without_a_turn_server(settings):
    settings.ENVIRONMENT = "production"
    settings.KEPLIVE_TURN_URLS, settings.KEPLIVE_TURN_SECRET = [], ""
    assert "keplive.W001" in {error.id for error in run_checks()}
    settings.KEPLIVE_TURN_URLS = ["turn:turn.keplive.gov.gr:3478?transport=udp"]
    settings.KEPLIVE_TURN_SECRET = "x" * 40
    assert "keplive.W001" not in {error.id for error in run_checks()}


def test_production_refuses_the_development_audit_signing_key(settings):
    from keplive.audit.signing import new_signing_key

    settings.ENVIRONMENT = "production"
    settings.KEPLIVE_AUDIT_SIGNING_KEY = ""
    assert "keplive.E005" in {error.id for error in run_checks()}
    settings.KEPLIVE_AUDIT_SIGNING_KEY = "not base64 of 32 bytes"
    ids = {error.id for error in run_checks()}
    assert "keplive.E006" in ids
    assert "keplive.E005" not in ids
    settings.KEPLIVE_AUDIT_SIGNING_KEY = new_signing_key()
    settings.KEPLIVE_AUDIT_VERIFY_KEYS = ["short"]
    assert "keplive.E006" in {error.id for error in run_checks()}
    settings.KEPLIVE_AUDIT_VERIFY_KEYS = []
    ids = {error.id for error in run_checks()}
    assert "keplive.E005" not in ids
    assert "keplive.E006" not in ids


# --- Database connections (issue 11, finding 9) --------------------------------------------


def _ids(errors):  # type: ignore[no-untyped-def]
    return {error.id for error in errors}


def test_persistent_connections_are_refused(settings):
    settings.KEPLIVE_DB_CONN_MAX_AGE = "60"
    assert "keplive.E010" in _ids(run_checks())


def test_postgresql_connections_must_come_from_a_sound_pool():
    from keplive.config.checks import connection_errors

    postgresql = {
        "ENGINE": "django.db.backends.postgresql",
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"pool": {"min_size": 2, "max_size": 10}},
    }
    assert connection_errors(postgresql, conn_max_age="") == []
    persistent = {**postgresql, "OPTIONS": {}, "CONN_MAX_AGE": 60}
    assert _ids(connection_errors(persistent, conn_max_age="")) == {"keplive.E011"}
    inverted = {**postgresql, "OPTIONS": {"pool": {"min_size": 5, "max_size": 2}}}
    assert _ids(connection_errors(inverted, conn_max_age="")) == {"keplive.E012"}
    sqlite = {"ENGINE": "django.db.backends.sqlite3"}
    assert _ids(connection_errors(sqlite, conn_max_age="60")) == {"keplive.E010"}


def test_the_server_refuses_to_start_with_persistent_connections(tmp_path):
    """uvicorn imports the ASGI module first: it stops there, before serving anything."""
    import os
    import subprocess
    import sys

    env = dict(os.environ)
    env.update(
        KEPLIVE_DB_CONN_MAX_AGE="60",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        KEPLIVE_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="keplive.config.settings",
    )
    env.pop("REDIS_URL", None)
    started = subprocess.run(
        [sys.executable, "-c", "import keplive.config.asgi"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode != 0
    assert "keplive.E010" in started.stderr
