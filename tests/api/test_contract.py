"""The API does what its OpenAPI document says (issue 11): a bounded schemathesis run over every
operation, all checks, against the real ASGI application (``tests/api/contract.py`` says what
a run does). No answer may be a server error, and none may break the contract.

Two runs: anonymous, and as a logged-in citizen (session cookie and CSRF token) who has a
booking — without that the citizen's operations would only ever be probed for 401; with it,
requests can hold, book, move and cancel for real. Bounded by count
(``MAX_EXAMPLES`` generated cases per operation and phase; the coverage phase is finite) with
``pytest-timeout`` as the ceiling; reproducible: the seed is fixed (``contract.SEED``), and
``KEPLIVE_CONTRACT_SEED=<n>`` tries another. The longer run for the figures: ``bench/fuzz.py``.

PostgreSQL only: it is what production runs, and where input meets the database for real (the
exclusion constraint, text rules). The ASGI handler runs the views in another thread, with its
own connection, so the data is committed (``transaction=True``).
"""

from __future__ import annotations

import os

import pytest
from django.utils import timezone

from tests.api import contract

SEED = int(os.environ.get("KEPLIVE_CONTRACT_SEED", contract.SEED))
MAX_EXAMPLES = 10

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(150),  # a ceiling far above a run's usual time
]


@pytest.fixture
def directory(require_postgres: None) -> contract.Directory:
    return contract.build_directory(now=timezone.now())


def _assert_kept(outcome: contract.Outcome) -> None:
    assert not outcome.errors, outcome.report()
    assert outcome.server_errors == 0, outcome.report()
    assert not outcome.failures, f"seed {SEED}\n{outcome.report()}"


def test_anonymous_requests_get_what_the_contract_says(directory: contract.Directory) -> None:
    outcome = contract.run(
        seed=SEED, max_examples=MAX_EXAMPLES, hints=directory.hints, cookies=None
    )
    _assert_kept(outcome)
    # Every public operation answered 200 to something: the run reached past the lookups.
    citizens_only = ("/holds", "/bookings", "/waiting-requests")
    public = {op for op in outcome.operations if not any(part in op for part in citizens_only)}
    assert public - outcome.succeeded == set(), outcome.report()


def test_a_citizens_requests_get_what_the_contract_says(directory: contract.Directory) -> None:
    outcome = contract.run(
        seed=SEED,
        max_examples=MAX_EXAMPLES,
        hints=directory.hints,
        cookies=contract.log_in(directory.citizen),
    )
    _assert_kept(outcome)
    # The run reached the booking logic, not only 401, 404 and 422: it held times and read the
    # citizen's bookings. Booking, moving, cancelling and releasing need the right values
    # together, or a chain of calls along the links; ten examples per operation get to most of
    # them, not always all: bench/fuzz.py reports every operation's.
    reached = {"POST /api/v1/holds", "GET /api/v1/bookings", "GET /api/v1/bookings/{reference}"}
    assert reached - outcome.succeeded == set(), outcome.report()
