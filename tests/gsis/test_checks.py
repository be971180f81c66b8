"""Start-up check: production refuses the stand-in, missing credentials and plain HTTP."""

from __future__ import annotations

from django.core.checks import run_checks

from keplive.integrations.gsis.checks import gsis_login_is_configured


def _production(settings):  # type: ignore[no-untyped-def]
    settings.ENVIRONMENT = "production"
    settings.KEPLIVE_GSIS_STANDIN = False
    settings.KEPLIVE_GSIS_BASE_URL = "https://www1.gsis.gr"
    settings.KEPLIVE_GSIS_CLIENT_ID = "keplive"
    settings.KEPLIVE_GSIS_CLIENT_SECRET = "s3cr3t-from-the-environment"


def _ids(settings) -> set[str]:  # type: ignore[no-untyped-def]
    return {error.id for error in gsis_login_is_configured() if error.id}


def test_production_refuses_the_standin(settings):
    _production(settings)
    settings.KEPLIVE_GSIS_STANDIN = True
    assert _ids(settings) == {"keplive.gsis.E001"}
    # Registered with Django's checks once imported (config's AppConfig.ready imports it).
    assert "keplive.gsis.E001" in {error.id for error in run_checks()}


def test_production_refuses_missing_credentials_and_plain_http(settings):
    _production(settings)
    settings.KEPLIVE_GSIS_CLIENT_ID = ""
    settings.KEPLIVE_GSIS_CLIENT_SECRET = ""
    settings.KEPLIVE_GSIS_BASE_URL = "http://www1.gsis.gr"
    assert _ids(settings) == {"keplive.gsis.E002", "keplive.gsis.E003", "keplive.gsis.E004"}


def test_a_configured_production_passes(settings):
    _production(settings)
    assert _ids(settings) == set()


def test_the_secret_never_appears_in_a_check_message(settings):
    _production(settings)
    settings.KEPLIVE_GSIS_BASE_URL = "http://www1.gsis.gr"
    assert "s3cr3t" not in str(gsis_login_is_configured())


def test_development_allows_the_standin(settings):
    settings.ENVIRONMENT = "development"
    settings.KEPLIVE_GSIS_STANDIN = True
    assert _ids(settings) == set()
