"""An employee of one KEP reaches nothing of another's through any workspace page (issue 5,
"Proof"). Every probed path of tests/test_url_access.py's EMPLOYEE_PAGES is tried with the
real identifiers of another KEP's appointment, phone-call task, waiting alert and support
thread: each answers 404 — exactly what a missing one gets — and every list page leaves them
out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keplive.alerts.models import WaitingAlert
from keplive.audit.services import SYSTEM
from keplive.booking.models import CitizenCallTask
from keplive.booking.staff_changes import move_appointment
from keplive.support.services import open_thread
from tests.staff import login_staff
from tests.test_url_access import EMPLOYEE_PAGES, REFERENCE
from tests.workspace.conftest import DAY, at

pytestmark = pytest.mark.django_db

CITIZEN = "Ξενοφών Ζαχαρίου"  # a name no factory gives anyone

NEXT_DAY = DAY + dt.timedelta(days=1)
while NEXT_DAY.weekday() >= 5:
    NEXT_DAY += dt.timedelta(days=1)


@pytest.fixture
def theirs(book, employee):  # type: ignore[no-untyped-def]
    """Everything of the first KEP an employee can own: an appointment (moved, so it has a
    phone-call task), another appointment with a waiting alert, a support thread."""
    now = timezone.now()
    moved = book(9, full_name=CITIZEN)
    move_appointment(
        reference=moved.reference,
        starts_at=at(11, day=NEXT_DAY),
        reason="Διακοπή ρεύματος",
        actor=employee.user,
        origin=SYSTEM,
        now=now,
    )
    waiting = book(10, full_name=CITIZEN)
    alert = WaitingAlert.objects.create(
        appointment=waiting,
        kep=waiting.kep,
        employee=waiting.employee,
        starts_at=waiting.starts_at,
        raised_at=now,
    )
    thread = open_thread(
        employee=employee, subject="Πρόβλημα κάμερας", body="Δεν ανοίγει.", now=now, origin=SYSTEM
    )
    return {
        "reference": str(moved.reference),
        "task": CitizenCallTask.objects.get(appointment=moved).pk,
        "alert": alert.pk,
        "thread": thread.pk,
        "names": [CITIZEN, "Πρόβλημα κάμερας"],
    }


def _with_their_ids(path: str, theirs: dict) -> str | None:  # type: ignore[type-arg]
    if REFERENCE in path:
        return path.replace(REFERENCE, theirs["reference"])
    for prefix, key in (
        ("/workspace/tasks/", "task"),
        ("/workspace/alerts/", "alert"),
        ("/workspace/support/", "thread"),
    ):
        if path.startswith(prefix + "1/"):
            return path.replace(prefix + "1/", f"{prefix}{theirs[key]}/")
    return None


ADDRESSED = [
    (m, p)
    for m, p in EMPLOYEE_PAGES
    if _with_their_ids(p, {"reference": "x", "task": 1, "alert": 1, "thread": 1})
]
LISTS = [p for m, p in EMPLOYEE_PAGES if m == "get" and p not in {q for _, q in ADDRESSED}]


def test_every_probe_with_an_identifier_is_covered():
    assert len(ADDRESSED) >= 15
    assert "/workspace/" in LISTS


@pytest.mark.parametrize(("method", "path"), ADDRESSED)
def test_another_keps_things_are_not_found(client, theirs, other_employee, method, path):
    login_staff(client, other_employee.user)
    target = _with_their_ids(path, theirs)
    response = getattr(client, method)(target)
    assert response.status_code == 404, target


@pytest.mark.parametrize("path", LISTS)
def test_another_keps_things_are_left_out_of_every_list(client, theirs, other_employee, path):
    login_staff(client, other_employee.user)
    for query in ("", "?scope=kep", f"?day={DAY.isoformat()}&scope=kep"):
        response = client.get(path + query)
        assert response.status_code in (200, 304), path
        body = response.content.decode("utf-8", errors="replace")
        assert theirs["reference"] not in body, path
        for name in theirs["names"]:
            assert name not in body, (path, name)


def test_and_the_same_pages_do_show_them_to_their_own_kep(client, theirs, employee):
    # The probe is honest: the first KEP's own employee does see these things.
    login_staff(client, employee.user)
    assert client.get(f"/workspace/appointments/{theirs['reference']}/").status_code == 200
    assert client.get(f"/workspace/support/{theirs['thread']}/").status_code == 200
    assert "Πρόβλημα κάμερας" in client.get("/workspace/support/").content.decode()
    assert (
        theirs["reference"]
        in client.get(f"/workspace/?day={NEXT_DAY.isoformat()}").content.decode()
    )
