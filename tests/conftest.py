"""Shared fixtures. Tests that need PostgreSQL carry the ``postgres`` marker and fail — never
skip — when the database under test is not PostgreSQL."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from hypothesis import settings as hypothesis_settings

ATHENS = ZoneInfo("Europe/Athens")

hypothesis_settings.register_profile("ci", max_examples=60, deadline=None)
hypothesis_settings.load_profile("ci")


BOOKING_DIRECTORIES = (
    "/tests/booking/",
    "/tests/api/",
    "/tests/portal/",
    "/tests/calls/",
    # The staff's changes, outcomes, alerts and the worklist book, move and lock too.
    "/tests/workspace/",
    "/tests/outcomes/",
    "/tests/alerts/",
    "/tests/worklist/",
    "/tests/administration/",
    # The audit log's append-only triggers and its sealer differ between the two databases.
    "/tests/audit/",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = str(item.path)
        # Everything that books runs again on PostgreSQL (its exclusion constraint, its locks).
        if any(part in path for part in BOOKING_DIRECTORIES):
            item.add_marker(pytest.mark.booking)


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts with an empty cache, so no cached directory data leaks between tests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def admin_client(client, admin_user):  # type: ignore[no-untyped-def]
    """pytest-django's admin client, with the second factor the admin now asks for."""
    from tests.staff import login_staff

    return login_staff(client, admin_user)


@pytest.fixture
def require_postgres(db: None) -> None:
    assert connection.vendor == "postgresql", (
        "This test needs PostgreSQL: run it with DATABASE_URL=postgres://… (make test-postgres)."
    )


def athens(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=ATHENS)


def working_day(after_days: int = 2) -> dt.date:
    """A weekday without a national holiday, ``after_days`` or more from today (real clock)."""
    from django.utils import timezone

    from keplive.directory.selectors import national_holidays

    day = timezone.localdate() + dt.timedelta(days=after_days)
    while day.weekday() >= 5 or day in national_holidays(day.year):
        day += dt.timedelta(days=1)
    return day
