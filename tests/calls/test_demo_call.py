"""`manage.py demo_call`: a call to try at once after `make run`."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from keplive.booking.links import appointment_for_join_token
from keplive.booking.models import Appointment
from keplive.calls.selectors import call_for_employee
from keplive.directory.models import Employee

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    call_command("load_demo", "--with-demo-logins", stdout=StringIO())


def test_it_prints_working_links_for_the_employee_and_the_citizen(demo, settings):
    out = StringIO()
    call_command("demo_call", "--interpreter", stdout=out)
    text = out.getvalue()
    reference = re.search(r"/workspace/calls/([0-9a-f-]+)/", text).group(1)
    token = re.search(r"/call/([^/\s]+)/", text).group(1)
    appointment = Appointment.objects.get(reference=reference)
    assert appointment.category.number == 3
    assert appointment.details.interpreter == "sign_language"
    assert appointment_for_join_token(token, now=appointment.starts_at).pk == appointment.pk
    employee = Employee.objects.get(user__username="demo.employee")
    assert call_for_employee(employee=employee, reference=reference).appointment == appointment
    assert "/interpret/" in text
    # A second one at the same time goes to a colleague rather than failing.
    call_command("demo_call", stdout=StringIO())
    assert Appointment.objects.count() == 2


def test_it_refuses_to_run_in_production(demo, settings):
    settings.ENVIRONMENT = "production"
    with pytest.raises(CommandError):
        call_command("demo_call", stdout=StringIO())


def test_demo_day_books_a_day_to_try_once(demo):
    out = StringIO()
    call_command("demo_day", stdout=out)
    employee = Employee.objects.get(user__username="demo.employee")
    booked = list(Appointment.objects.filter(kep=employee.kep).order_by("starts_at"))
    assert len(booked) == 4, out.getvalue()
    soonest, later, interpreter, municipal = booked
    assert soonest.employee == employee
    assert later.details.delivery_method == "post"
    assert interpreter.details.interpreter == "sign_language"
    assert interpreter.category.number == 3
    assert municipal.category.number == 4
    assert municipal.service.municipality == employee.kep.municipality
    # Run again (make run again): nothing more is booked.
    call_command("demo_day", stdout=StringIO())
    assert Appointment.objects.filter(kep=employee.kep).count() == 4
    # The demo staff sign in with a second factor whose code the dev page shows.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert (
        TOTPDevice.objects.filter(
            user__username__in=["demo.employee", "demo.supervisor", "demo.admin", "demo.auditor"],
            confirmed=True,
        ).count()
        == 4
    )


def test_demo_day_leaves_maria_room_to_book_as_the_readme_invites(demo, settings):
    """Issue 14, item 1: the README's "try it" identity stays under the booking limit."""
    from keplive.accounts.models import Citizen
    from keplive.calls.demo import TAX_ID, upcoming_bookings

    call_command("demo_day", stdout=StringIO())
    maria = Citizen.objects.get(tax_id=TAX_ID)
    assert upcoming_bookings(maria) < settings.KEPLIVE_MAX_ACTIVE_BOOKINGS
    assert Appointment.objects.filter(citizen__tax_id="135792468").count() == 3


def test_demo_call_refuses_a_citizen_at_the_booking_limit(demo, settings):
    settings.KEPLIVE_MAX_ACTIVE_BOOKINGS = 1
    call_command("demo_call", stdout=StringIO())
    with pytest.raises(CommandError, match="limit"):
        call_command("demo_call", "--minutes", "40", stdout=StringIO())
    assert Appointment.objects.count() == 1
