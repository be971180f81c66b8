import datetime as dt

import pytest
from django.utils import timezone

from keplive.booking import services
from keplive.booking.models import Appointment, Status
from keplive.booking.tasks import release_expired_holds_task
from tests.conftest import athens, working_day

pytestmark = pytest.mark.django_db


def test_the_periodic_task_releases_expired_holds(kep, employee, service, information, citizen):
    long_ago = timezone.now() - dt.timedelta(hours=1)  # held an hour ago: expired by now
    day = working_day()
    services.hold_slot(
        citizen=citizen,
        kep=kep,
        service=service,
        category=information,
        starts_at=athens(day.year, day.month, day.day, 9),
        now=long_ago,
    )
    released = release_expired_holds_task.call_local()
    assert released == 1
    assert Appointment.objects.get().status == Status.RELEASED
