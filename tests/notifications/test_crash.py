"""The real worker killed mid-delivery loses no mail; the SMTP server down for a while loses none
and sends none twice.

The Huey worker (``manage.py run_huey``, as scripts/run-dev starts it) and the SMTP stand-in
(``manage.py run_mail_standin``) run as child processes on 127.0.0.1, on this test's PostgreSQL
database and on Redis (bench/outbox_crash.py's ``CrashRig``; its figure is the long version of
this test). The stand-in answers each message late, so that a SIGKILL lands mid-send. The
worker's once-a-minute clock is replaced by the rig enqueueing the same delivery task every half
second, and the lease is a few seconds, so each test takes well under a minute.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.db import connection

from bench.outbox_crash import CrashRig

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

LEASE_MINUTES = 0.1  # six seconds: over twenty times one send here
DELAY = 0.25  # seconds the stand-in takes per message


def database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def rig(require_postgres, tmp_path, settings) -> Iterator[CrashRig]:
    assert django_settings.REDIS_URL, "run with REDIS_URL=redis://… (make test-postgres sets it)"
    crash_rig = CrashRig(
        workdir=tmp_path,
        database_url=database_url(),
        redis_url=django_settings.REDIS_URL,
        lease_minutes=LEASE_MINUTES,
        delay=DELAY,
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
    try:
        yield crash_rig
    finally:
        crash_rig.close()  # every child killed, even when the test failed


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killing_the_worker_mid_send_loses_nothing_and_duplicates_only_the_interrupted(rig):
    figure = rig.crash_run(count=24, kills=3, timeout=55, rng=random.Random(5))
    report = figure.summary()
    assert figure.kills == 3, report
    # The kills landed mid-send: they left messages "sending" (each kill nearly always does;
    # one landing between two messages is possible, so the test asks for some, not all).
    assert any(figure.interrupted_by_kill), report
    # 0 lost: every message arrived and is recorded as sent.
    assert (figure.delivered, figure.lost) == (24, 0), report
    assert figure.statuses == {"sent": 24}, report
    # Duplicates only for messages a kill interrupted (and the outbox took back after the
    # lease), one extra copy per interruption at most.
    assert figure.unexplained_duplicates == [], report
    interruptions = [m for kill in figure.interrupted_by_kill for m in kill]
    for message, copies in figure.duplicates.items():
        assert copies <= 1 + interruptions.count(message), report
    # Every message the outbox took back was one a kill left sending: no live worker lost its
    # lease. (The kills' list can hold one more, if the dying worker's last "sent" landed.)
    assert set(figure.recorded_interrupted) <= set(interruptions), report
    assert 1 <= figure.interruptions_recorded <= len(interruptions), report


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_mail_queued_while_the_smtp_server_is_down_arrives_once_when_it_is_back(rig):
    figure = rig.outage_run(count=20, outage_seconds=2, timeout=40)
    report = figure.summary()
    assert (figure.delivered, figure.lost, figure.received) == (20, 0, 20), report
    assert figure.duplicates == {}, report
    assert figure.statuses == {"sent": 20}, report
    # Each was refused at least once while the server was down, then sent on a later attempt.
    assert min(figure.attempts) >= 2, report
    assert figure.interruptions_recorded == 0, report
