"""The factory chooses by KEPLIVE_POLICE_REGISTRY; production refuses the stand-in."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from keplive.integrations.police import registry
from keplive.integrations.police.checks import police_registry_is_configured
from keplive.integrations.police.live import LiveRegistry
from keplive.integrations.police.local import LocalRegistry


def _production(settings):  # type: ignore[no-untyped-def]
    settings.ENVIRONMENT = "production"
    settings.KEPLIVE_POLICE_REGISTRY = "live"
    settings.KEPLIVE_POLICE_REGISTRY_URL = "https://ked.example.gr/police/identity-check"
    settings.KEPLIVE_POLICE_REGISTRY_CLIENT_ID = "keplive"
    settings.KEPLIVE_POLICE_REGISTRY_CLIENT_SECRET = "s3cr3t-from-the-environment"
    settings.KEPLIVE_POLICE_REGISTRY_CLIENT_CERT = ""
    settings.KEPLIVE_POLICE_REGISTRY_CLIENT_KEY = ""


def _ids() -> set[str]:
    return {error.id for error in police_registry_is_configured() if error.id}


def test_the_stand_in_is_the_default_outside_production(settings):
    assert settings.KEPLIVE_POLICE_REGISTRY == "local"
    assert isinstance(registry(), LocalRegistry)


def test_live_builds_the_ked_adapter_from_the_settings(settings):
    _production(settings)
    adapter = registry()
    assert isinstance(adapter, LiveRegistry)
    assert adapter.url == settings.KEPLIVE_POLICE_REGISTRY_URL
    assert adapter.timeout == settings.KEPLIVE_POLICE_REGISTRY_TIMEOUT_SECONDS
    assert "s3cr3t" not in repr(adapter)


def test_an_unknown_choice_is_refused_by_the_factory_and_the_check(settings):
    settings.KEPLIVE_POLICE_REGISTRY = "ked"
    with pytest.raises(ImproperlyConfigured):
        registry()
    assert _ids() == {"keplive.police.E005"}


def test_production_refuses_the_stand_in(settings):
    _production(settings)
    settings.KEPLIVE_POLICE_REGISTRY = "local"
    assert _ids() == {"keplive.police.E001"}
    # Registered with Django's checks (config's AppConfig.ready imports the module).
    assert "keplive.police.E001" in {error.id for error in run_checks()}


def test_production_refuses_missing_credentials_plain_http_and_missing_certificate(settings):
    _production(settings)
    settings.KEPLIVE_POLICE_REGISTRY_URL = "http://ked.example.gr/police"
    settings.KEPLIVE_POLICE_REGISTRY_CLIENT_ID = ""
    settings.KEPLIVE_POLICE_REGISTRY_CLIENT_SECRET = ""
    settings.KEPLIVE_POLICE_REGISTRY_CLIENT_CERT = "/nonexistent/keplive-client.pem"
    assert _ids() == {
        "keplive.police.E002",
        "keplive.police.E003",
        "keplive.police.E004",
        "keplive.police.E006",
    }


def test_a_configured_production_passes_and_no_message_carries_the_secret(settings):
    _production(settings)
    assert _ids() == set()
    settings.KEPLIVE_POLICE_REGISTRY_URL = "http://ked.example.gr/police"
    assert "s3cr3t" not in str(police_registry_is_configured())


def test_development_allows_the_stand_in(settings):
    settings.ENVIRONMENT = "development"
    settings.KEPLIVE_POLICE_REGISTRY = "local"
    assert _ids() == set()
