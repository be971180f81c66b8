"""The call's state machine (docs/calls.md): who may do what, from which state, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keplive.audit.models import AuditEvent
from keplive.calls import services
from keplive.calls.exceptions import CallEnded, InvalidDelivery, InvalidTransition, NotAllowed
from keplive.calls.models import Call, CallState, Role
from keplive.calls.selectors import call_for_appointment, snapshot
from keplive.integrations.police.local import LocalRegistry
from tests.calls.conftest import make_appointment
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def now() -> dt.datetime:
    return timezone.now()


def admitted_call(call: Call, employee) -> Call:  # type: ignore[no-untyped-def]
    call = services.open_call(call=call, employee=employee, now=now())
    call = services.knock(call=call, role=Role.CITIZEN, now=now())
    return services.admit(call=call, employee=employee, role=Role.CITIZEN, now=now())


def test_the_whole_call_from_opening_to_the_end(call, employee):
    call = services.open_call(call=call, employee=employee, now=now())
    assert call.state == CallState.OPEN
    call = services.knock(call=call, role=Role.CITIZEN, now=now())
    assert call.state == CallState.KNOCKING
    call = services.admit(call=call, employee=employee, role=Role.CITIZEN, now=now())
    assert call.state == CallState.IDENTITY_CHECK
    call = services.confirm_identity(call=call, employee=employee, verified=True, now=now())
    assert call.state == CallState.IN_CALL
    call = services.set_audio_only(call=call, employee=employee, on=True, now=now())
    assert call.audio_only
    call = services.end_call(call=call, employee=employee, now=now())
    assert call.state == CallState.ENDED
    actions = list(
        AuditEvent.objects.filter(action__startswith="call.").values_list("action", flat=True)
    )
    assert actions == [
        "call.opened",
        "call.knocked",
        "call.admitted",
        "call.identity_confirmed",
        "call.audio_only",
        "call.ended",
    ]
    assert call.version == 6


def test_an_employee_of_another_kep_can_do_nothing(call, employee):
    stranger = EmployeeFactory(availability=False)
    for change in (
        lambda: services.open_call(call=call, employee=stranger, now=now()),
        lambda: services.end_call(call=call, employee=stranger, now=now()),
        lambda: services.set_citizen_camera_blocked(
            call=call, employee=stranger, blocked=True, now=now()
        ),
    ):
        with pytest.raises(NotAllowed):
            change()
    assert Call.objects.get(pk=call.pk).state == CallState.SCHEDULED


def test_admitting_nobody_and_changes_after_the_end_are_refused(call, employee):
    with pytest.raises(InvalidTransition):
        services.admit(call=call, employee=employee, role=Role.CITIZEN, now=now())
    with pytest.raises(InvalidTransition):
        services.confirm_identity(call=call, employee=employee, verified=True, now=now())
    services.end_call(call=call, employee=employee, now=now())
    with pytest.raises(CallEnded):
        services.knock(call=call, role=Role.CITIZEN, now=now())


def test_audio_only_waits_for_identification_and_never_with_an_interpreter(call, employee):
    call = admitted_call(call, employee)
    with pytest.raises(InvalidTransition):
        services.set_audio_only(call=call, employee=employee, on=True, now=now())
    call = services.confirm_identity(call=call, employee=employee, verified=True, now=now())
    call = services.set_audio_only(call=call, employee=employee, on=True, now=now())
    call = services.knock(call=call, role=Role.INTERPRETER, now=now())
    call = services.admit(call=call, employee=employee, role=Role.INTERPRETER, now=now())
    assert call.interpreter_admitted
    assert not call.audio_only
    with pytest.raises(InvalidTransition):
        services.set_audio_only(call=call, employee=employee, on=True, now=now())


def test_the_citizen_camera_stays_on_while_an_interpreter_takes_part(call, employee):
    # Circular 002: a deaf citizen signs to the interpreter, so the camera cannot be turned off.
    call = admitted_call(call, employee)
    call = services.set_citizen_camera_blocked(
        call=call, employee=employee, blocked=True, now=now()
    )
    call = services.knock(call=call, role=Role.INTERPRETER, now=now())
    call = services.admit(call=call, employee=employee, role=Role.INTERPRETER, now=now())
    assert not call.citizen_camera_blocked  # admitting the interpreter turns it back on
    with pytest.raises(InvalidTransition):
        services.set_citizen_camera_blocked(call=call, employee=employee, blocked=True, now=now())
    call.refresh_from_db()
    assert not call.citizen_camera_blocked


def test_turning_away_sends_the_citizen_back_to_the_door(call, employee):
    call = services.open_call(call=call, employee=employee, now=now())
    call = services.knock(call=call, role=Role.CITIZEN, now=now())
    call = services.turn_away(call=call, employee=employee, role=Role.CITIZEN, now=now())
    assert call.state == CallState.OPEN
    assert services.knock(call=call, role=Role.CITIZEN, now=now()).state == CallState.KNOCKING


def test_a_re_join_keeps_an_admitted_citizen_admitted(call, employee):
    call = admitted_call(call, employee)
    again = services.knock(call=call, role=Role.CITIZEN, now=now())
    assert again.state == CallState.IDENTITY_CHECK
    assert again.version == call.version


def test_the_registry_check_keeps_only_the_outcome(call, employee):
    call = admitted_call(call, employee)
    call = services.check_identity_with_registry(
        call=call, employee=employee, now=now(), registry=LocalRegistry()
    )
    assert call.registry_verified is True
    assert call.registry_reference
    event = AuditEvent.objects.get(action="call.registry_checked")
    assert "ΑΒ123456" not in str(event.details)


def test_before_admission_a_citizen_learns_nothing_of_the_call(call, employee):
    services.open_call(call=call, employee=employee, now=now())
    call = services.knock(call=call, role=Role.CITIZEN, now=now())
    waiting = snapshot(call, role=Role.CITIZEN)
    assert waiting["you"] == {"role": "citizen", "admitted": False}
    assert waiting["participants"] == []
    assert "identity" not in waiting
    employee_view = snapshot(call, role=Role.EMPLOYEE)
    assert employee_view["identity"]["declared"]["numbers"] == ["••••••56"]


def test_no_show_is_recorded_ten_minutes_after_the_start_once(db):
    late = make_appointment(starts_in=-dt.timedelta(minutes=11))
    early = make_appointment(starts_in=-dt.timedelta(minutes=9))
    knocked = make_appointment(starts_in=-dt.timedelta(minutes=15))
    services.knock(call=call_for_appointment(knocked), role=Role.CITIZEN, now=now())
    assert services.mark_no_shows(now=now()) == 1
    assert services.mark_no_shows(now=now()) == 0
    assert Call.objects.get(appointment=late).state == CallState.NO_SHOW
    assert not Call.objects.filter(appointment=early).exclude(state=CallState.SCHEDULED).exists()
    assert Call.objects.get(appointment=knocked).state == CallState.KNOCKING


def test_a_late_citizen_can_still_be_admitted_after_a_no_show(db):
    appointment = make_appointment(starts_in=-dt.timedelta(minutes=12))
    services.mark_no_shows(now=now())
    call = services.knock(call=call_for_appointment(appointment), role=Role.CITIZEN, now=now())
    assert call.state == CallState.KNOCKING
    call = services.admit(call=call, employee=appointment.employee, role=Role.CITIZEN, now=now())
    assert call.state == CallState.IDENTITY_CHECK


# --- Circular 002: the opening words and the delivery, confirmed during the call (issue 15) ----


def test_the_opening_words_are_ticked_once_audited_and_shown_to_the_employee(call, employee):
    with pytest.raises(InvalidTransition):  # not before the citizen is in the call
        services.confirm_opening_told(call=call, employee=employee, now=now())
    call = admitted_call(call, employee)
    assert snapshot(call, role=Role.EMPLOYEE)["identity"]["opening_told_at"] is None
    told = services.confirm_opening_told(call=call, employee=employee, now=now())
    again = services.confirm_opening_told(call=told, employee=employee, now=now())
    assert again.version == told.version
    assert snapshot(told, role=Role.EMPLOYEE)["identity"]["opening_told_at"] is not None
    assert "identity" not in snapshot(told, role=Role.CITIZEN)
    events = AuditEvent.objects.filter(action="call.opening_told")
    assert [(e.actor_id, e.object_id) for e in events] == [
        (employee.user_id, str(call.appointment.reference))
    ]


def test_the_delivery_is_confirmed_checked_and_audited_without_the_address(call, employee):
    with pytest.raises(InvalidTransition):
        services.confirm_delivery(call=call, employee=employee, method="pickup", now=now())
    call = admitted_call(call, employee)
    delivery = snapshot(call, role=Role.EMPLOYEE)["delivery"]
    assert delivery["declared"]["method"] == "email"
    assert delivery["confirmed"] is None
    for method, email, address, field in (
        ("fax", "", "", "method"),
        ("email", "", "", "email"),
        ("email", "not-an-address", "", "email"),
        ("email", "a" * 250 + "@example.gr", "", "email"),
        ("post", "", "   ", "address"),
        ("post", "", "x" * 301, "address"),
    ):
        with pytest.raises(InvalidDelivery) as refused:
            services.confirm_delivery(
                call=call,
                employee=employee,
                method=method,
                email=email,
                address=address,
                now=now(),
            )
        assert refused.value.field == field
    assert Call.objects.get(pk=call.pk).delivery_confirmed_at is None
    call = services.confirm_delivery(
        call=call,
        employee=employee,
        method="post",
        email="ignored@example.gr",
        address="  Σταδίου 5,\n 10562   Αθήνα ",
        now=now(),
    )
    stored = Call.objects.get(pk=call.pk)
    assert (stored.delivery_method, stored.delivery_email, stored.delivery_address) == (
        "post",
        "",
        "Σταδίου 5, 10562 Αθήνα",
    )
    confirmed = snapshot(stored, role=Role.EMPLOYEE)["delivery"]["confirmed"]
    assert confirmed["method"] == "post"
    assert confirmed["address"] == "Σταδίου 5, 10562 Αθήνα"
    services.confirm_delivery(
        call=call, employee=employee, method="email", email="giorgos@example.gr", now=now()
    )
    events = list(AuditEvent.objects.filter(action="call.delivery_confirmed").order_by("pk"))
    assert [e.details for e in events] == [
        {"method": "post", "as_declared": False},
        {"method": "email", "as_declared": True},
    ]
    # The address is personal data: never in the audit log.
    assert all("Σταδίου" not in str(e.details) for e in events)


def test_an_employee_of_another_kep_confirms_nothing(call, employee):
    call = admitted_call(call, employee)
    stranger = EmployeeFactory(availability=False)
    with pytest.raises(NotAllowed):
        services.confirm_opening_told(call=call, employee=stranger, now=now())
    with pytest.raises(NotAllowed):
        services.confirm_delivery(call=call, employee=stranger, method="pickup", now=now())
    stored = Call.objects.get(pk=call.pk)
    assert stored.opening_told_at is None
    assert stored.delivery_confirmed_at is None
