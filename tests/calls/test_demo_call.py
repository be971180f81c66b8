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
