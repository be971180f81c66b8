"""``manage.py load_demo``: counts, demo logins, and refusal in production."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from keplive.accounts.models import Role, User
from keplive.audit.models import AuditEvent
from keplive.directory import demo_data
from keplive.directory.models import Employee, Municipality

# Each test here loads into its own empty database; test_load_demo.py shares one load.


@pytest.mark.django_db
def test_demo_logins_are_refused_in_production_and_nothing_is_written(settings):
    settings.ENVIRONMENT = "production"

    with pytest.raises(CommandError, match="Refusing to create demo logins"):
        call_command("load_demo", "--with-demo-logins", stdout=io.StringIO())

    assert Municipality.objects.count() == 0
    assert not User.objects.filter(username__startswith="demo.").exists()


@pytest.mark.django_db
def test_debug_in_production_does_not_smuggle_demo_logins_in(settings):
    settings.ENVIRONMENT = "production"
    settings.DEBUG = True

    with pytest.raises(CommandError):
        call_command("load_demo", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_command_reports_counts_and_the_demo_logins(settings):
    settings.DEBUG = False
    out = io.StringIO()

    call_command("load_demo", "--with-demo-logins", stdout=out)

    output = out.getvalue()
    assert "municipalities: 112" in output
    assert "KEP-EKE: 9" in output
    assert "employees: 872" in output
    assert "demo.employee" in output
    assert "demo.admin" in output
    assert "ΚΕΠ Δήμου Αθηναίων – Κεντρικό" in output
    employee = User.objects.get(username="demo.employee")
    assert employee.check_password(demo_data.DEMO_PASSWORD)
    assert employee.employee.kep.municipality.code == "athinaion"
    assert employee.employee.availability.count() == 5
    supervisor = User.objects.get(username="demo.supervisor")
    assert supervisor.role == Role.SUPERVISOR
    assert supervisor.employee.kep == employee.employee.kep
    admin = User.objects.get(username="demo.admin")
    assert admin.role == Role.ADMINISTRATOR
    assert admin.is_staff
    assert admin.is_superuser
    assert admin.check_password(demo_data.DEMO_PASSWORD)
    event = AuditEvent.objects.get(action="demo.loaded")
    assert event.details["demo_logins"] == [
        "demo.employee",
        "demo.supervisor",
        "demo.admin",
        "demo.auditor",
    ]

    again = io.StringIO()
    call_command("load_demo", "--with-demo-logins", stdout=again)
    assert "Nothing to change" in again.getvalue()


@pytest.mark.django_db
def test_without_debug_or_the_flag_there_are_no_demo_logins(settings):
    settings.DEBUG = False
    out = io.StringIO()

    call_command("load_demo", stdout=out)

    assert "No demo logins" in out.getvalue()
    assert not User.objects.filter(username__in=["demo.employee", "demo.admin"]).exists()
    assert Employee.objects.count() == 870
