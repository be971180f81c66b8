"""A user name tried from many addresses is slowed, never locked (issue 11 finding 2)."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import override_settings

from keplive.accounts.staff_login import account_wait_seconds

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def _failures(username: str, count: int, *, last: dt.datetime) -> None:
    """``count`` failures, one from each of ``count`` addresses, the last at ``last``."""
    for n in range(count):
        attempt = AccessAttempt.objects.create(
            username=username,
            ip_address=f"198.51.100.{n + 1}",
            user_agent="probe",
            get_data="",
            post_data="",
            http_accept="*/*",
            path_info="/workspace/login/",
            failures_since_start=1,
        )
        # auto_now_add: set the time afterwards.
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=last)


@pytest.mark.django_db
@override_settings(KEPLIVE_ACCOUNT_FAILURE_LIMIT=10, KEPLIVE_ACCOUNT_MAX_DELAY_SECONDS=60)
@pytest.mark.parametrize(
    ("failures", "seconds_since_last", "wait"),
    [
        (9, 0, 0),  # under the limit: no wait
        (10, 0, 1),  # at the limit: one second after the last failure
        (12, 0, 4),  # then 2, 4, 8 … seconds
        (12, 3, 1),
        (12, 5, 0),  # waited long enough
        (30, 0, 60),  # capped: slowed, never locked
        (30, 61, 0),
    ],
)
def test_the_wait_grows_with_failures_from_every_address(failures, seconds_since_last, wait):
    _failures("target", failures, last=NOW - dt.timedelta(seconds=seconds_since_last))
    assert account_wait_seconds("target", now=NOW) == wait
    # Another name is not slowed by them.
    assert account_wait_seconds("someone.else", now=NOW) == 0


@pytest.mark.django_db
def test_failures_older_than_the_cool_off_do_not_count(settings):
    _failures("target", 30, last=NOW - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1))
    assert account_wait_seconds("target", now=NOW) == 0
