"""/workspace/: the appointments of the employee's own KEP on one day."""

from __future__ import annotations

import pytest
from django.utils import timezone

from keplive.audit.models import AuditEvent
from keplive.calls.models import Call, CallState
from tests.workspace.conftest import DAY

pytestmark = pytest.mark.django_db


def day_page(client, day=DAY):  # type: ignore[no-untyped-def]
    return client.get(f"/workspace/?day={day.isoformat()}")


def test_today_by_default(employee_client):
    response = employee_client.get("/workspace/")
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()
    assert response.context["is_today"] is True
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )


def test_the_day_lists_only_the_own_kep(employee_client, book, other_employee):
    ours = [book(11), book(9)]
    theirs = book(10, at_kep=other_employee.kep)
    response = day_page(employee_client)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["appointment"].pk for row in rows] == [ours[1].pk, ours[0].pk]
    content = response.content.decode()
    assert f"/workspace/calls/{ours[0].reference}/" in content
    assert str(theirs.reference) not in content
    # A time grid: a real table with the times as row headers (issue 15, item 12).
    assert 'id="kl-day-grid"' in content
    assert '<th class="kl-grid__time" scope="row">09:00</th>' in content
    assert AuditEvent.objects.filter(action="appointments.listed", channel="workspace").exists()


def test_a_row_shows_time_service_category_interpreter_and_call_state(employee_client, book):
    plain = book(9)
    with_interpreter = book(10, interpreter="sign_language")
    Call.objects.create(appointment=with_interpreter, state=CallState.KNOCKING)
    response = day_page(employee_client)
    rows = {row["appointment"].pk: row for row in response.context["rows"]}
    assert rows[plain.pk]["interpreter"] is False
    assert rows[plain.pk]["call_state"] == CallState.SCHEDULED
    assert rows[with_interpreter.pk]["interpreter"] is True
    assert rows[with_interpreter.pk]["call_state"] == CallState.KNOCKING
    content = response.content.decode()
    assert "09:00" in content
    assert str(plain.service) in content
    assert str(plain.category) in content
    assert str(CallState.KNOCKING.label) in content


def test_another_day_without_appointments(employee_client, book):
    book()
    response = employee_client.get("/workspace/?day=2020-01-06")
    assert response.status_code == 200
    assert response.context["rows"] == []


@pytest.mark.parametrize("raw", ["tomorrow", "2026-02-30", "2026-1-5", "", "20260105", "9" * 40])
def test_a_bad_day_shows_a_message_and_today(employee_client, raw):
    response = employee_client.get("/workspace/", {"day": raw})
    assert response.status_code == 200
    assert response.context["error"]
    assert response.context["day"] == timezone.localdate()
    assert "govgr-error-summary" in response.content.decode()


def test_a_cancelled_appointment_is_not_listed(employee_client, book, citizen):
    from keplive.booking import services

    appointment = book()
    services.cancel_appointment(
        reference=appointment.reference, citizen=citizen, now=timezone.now()
    )
    assert day_page(employee_client).context["rows"] == []


# --- The day as a time grid (issue 15, item 12) ------------------------------------------------


def test_the_grid_puts_each_appointment_in_its_employees_column_spanning_its_rows(
    employee_client, book, employee, kep
):
    from keplive.workspace.calendar_data import day_grid, rows_for
    from tests.factories import EmployeeFactory

    first, second = book(9), book(11)
    colleague = EmployeeFactory(kep=kep)
    rows = rows_for([first, second], employee=colleague)
    grid = day_grid(rows, employee=colleague, columns=[employee, colleague])
    # The viewer's own column first; then the others.
    assert [column.employee_id for column in grid.columns] == [colleague.pk, employee.pk]
    length = int((first.ends_at - first.starts_at).total_seconds() // 60)
    assert 60 % grid.step == 0
    assert length % grid.step == 0
    times = [line.time for line in grid.rows]
    assert times[0] == "08:00"
    assert (15 * 60 - 8 * 60) // grid.step == len(grid.rows)  # 08:00 to 15:00
    start = times.index("09:00")
    block = grid.rows[start].cells[1]
    assert block.row is not None
    assert block.row["reference"] == str(first.reference)
    assert block.rowspan == length // grid.step
    # The rows it spans have no cell in its column: one cell fewer than columns.
    for line in grid.rows[start + 1 : start + block.rowspan]:
        assert len(line.cells) == 1
    # Elsewhere every column has an empty cell.
    assert all(cell.row is None for cell in grid.rows[0].cells)
    assert len(grid.rows[0].cells) == 2


def test_the_grid_stretches_to_an_appointment_outside_the_citizens_window(employee, book):
    import datetime as dt

    from keplive.booking.models import Appointment
    from keplive.workspace.calendar_data import day_grid, initials, rows_for

    late = book(9)
    start = timezone.localtime(late.starts_at).replace(hour=18, minute=10)
    Appointment.objects.filter(pk=late.pk).update(
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=25),
        blocked_until=start + dt.timedelta(minutes=30),
    )
    late.refresh_from_db()
    grid = day_grid(rows_for([late], employee=employee), employee=employee, columns=[employee])
    assert grid.step == 5
    assert grid.rows[-1].time == "18:55"
    assert initials("Νίκος Αντωνίου") == "Ν.Α."
    assert initials("") == ""
