from django.core.checks import run_checks


def test_production_refuses_development_secret_debug_and_sqlite(settings):
    settings.ENVIRONMENT = "production"
    settings.DEBUG = True
    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    ids = {error.id for error in run_checks()}
    assert {"keplive.E001", "keplive.E002", "keplive.E003"} <= ids


def test_development_passes_the_checks(settings):
    settings.ENVIRONMENT = "development"
    assert not [e for e in run_checks() if e.id.startswith("keplive.")]
