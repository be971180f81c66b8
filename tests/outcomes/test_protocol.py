"""Protocol numbers: one sequence per year, never the same number twice, even when many
outcomes are recorded at the same instant (PostgreSQL, real threads and connections)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections, transaction

from keplive.outcomes.protocol import format_protocol_number, next_protocol_number

ATHENS_NEW_YEAR = dt.datetime(2026, 12, 31, 22, 30, tzinfo=dt.UTC)  # 00:30 on 1 Jan in Athens


def test_the_format():
    assert format_protocol_number(2026, 123) == "KEPLIVE-2026-000123"


@pytest.mark.django_db
def test_each_year_has_its_own_sequence_in_athens_time():
    before = ATHENS_NEW_YEAR - dt.timedelta(hours=1)
    assert next_protocol_number(now=before) == "KEPLIVE-2026-000001"
    assert next_protocol_number(now=before) == "KEPLIVE-2026-000002"
    assert next_protocol_number(now=ATHENS_NEW_YEAR) == "KEPLIVE-2027-000001"
    assert next_protocol_number(now=before) == "KEPLIVE-2026-000003"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_outcomes_never_share_a_number(require_postgres):
    workers, per_worker = 12, 10
    barrier = threading.Barrier(workers)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(per_worker):
                with transaction.atomic():
                    number = next_protocol_number(now=ATHENS_NEW_YEAR)
                with lock:
                    numbers.append(number)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(numbers) == workers * per_worker
    assert sorted(numbers) == [
        format_protocol_number(2027, n) for n in range(1, workers * per_worker + 1)
    ]
