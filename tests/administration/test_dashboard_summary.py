"""The dashboard from the per-KEP-day summary (issue 13 goal 5; ADR 0029): every table equals,
to the last appointment, the live computation of ``statistics`` — for several filters, with
summarised, dirty and live days — and the worker's runs are bounded and idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import F

from keplive.administration import statistics, summary
from keplive.administration.models import DaySummary, DirtyMark, SummarisedDay
from keplive.administration.statistics import DashboardFilter
from keplive.audit.services import record_event
from keplive.booking.models import Appointment, AppointmentChange, ChangeKind, Status
from keplive.calls.models import Call, CallState
from keplive.directory.models import Absence, OpeningException
from tests.administration.test_dashboard import END, NOW, START, WEEK, data  # noqa: F401
from tests.conftest import athens

pytestmark = pytest.mark.django_db

SINCE = dt.date(2025, 3, 1)


def filters(d) -> list[DashboardFilter]:
    return [
        WEEK,
        DashboardFilter(start=SINCE, end=END),  # events before the week, a future day
        DashboardFilter(start=START, end=dt.date(2025, 3, 12)),  # summarised days only
        DashboardFilter(start=dt.date(2025, 3, 11), end=dt.date(2025, 3, 13)),
        DashboardFilter(start=SINCE, end=END, kep_id=d.a.pk),
        DashboardFilter(start=SINCE, end=END, municipality_id=d.m2.pk),
        DashboardFilter(start=SINCE, end=END, category=1),
        DashboardFilter(start=SINCE, end=END, category=3),
        DashboardFilter(start=START, end=END, kep_id=d.a.pk, category=1),
        DashboardFilter(start=dt.date(2025, 3, 14), end=END),  # nothing summarised
    ]


def assert_same(d) -> None:
    for f in filters(d):
        assert summary.dashboard(f, now=NOW) == statistics.dashboard(f, now=NOW), f


def test_every_table_from_the_summary_equals_the_live_figures(data):  # noqa: F811
    done = summary.summarise_days(now=NOW, since=SINCE, limit=31)
    # Every day before "today" (13 March), none after.
    assert sorted(done) == [SINCE + dt.timedelta(days=n) for n in range(12)]
    assert set(SummarisedDay.objects.values_list("day", flat=True)) == set(done)
    assert_same(data)
    # The figures really come from the summary: a stored count shows.
    DaySummary.objects.filter(day=START, kep=data.a, category=0).update(booked=F("booked") + 100)
    assert summary.dashboard(WEEK, now=NOW).summary.booked == (
        statistics.dashboard(WEEK, now=NOW).summary.booked + 100
    )


def test_changes_to_summarised_days_mark_them_dirty_until_summarised_again(data):  # noqa: F811
    summary.summarise_days(now=NOW, since=SINCE, limit=31)
    assert not DirtyMark.objects.exists()
    # A late outcome (a queryset update: no signal), a status corrected, a cross-KEP move of an
    # appointment whose citizen rescheduled on a summarised day, a retroactive absence, an
    # exception, a change the KEP recorded late, a reschedule logged late.
    Call.objects.filter(appointment=data.took_place).update(
        state=CallState.NO_SHOW, no_show_at=athens(2025, 3, 10, 9, 10)
    )
    Appointment.objects.filter(pk=data.at_b.pk).update(
        status=Status.CANCELLED, cancelled_at=athens(2025, 3, 9, 18)
    )
    Appointment.objects.filter(pk=data.next_week.pk).update(kep=data.d)
    Absence.objects.create(
        employee=data.b1, starts_at=athens(2025, 3, 7, 8), ends_at=athens(2025, 3, 10, 12)
    )
    OpeningException.objects.create(kep=data.d, date=dt.date(2025, 3, 6))
    AppointmentChange.objects.create(
        appointment=data.no_call,
        kind=ChangeKind.MOVED,
        from_starts_at=data.no_call.starts_at,
        reason="Βλάβη",
        created_at=athens(2025, 3, 4, 9),
    )
    record_event(
        action="appointment.rescheduled",
        object_type="appointment",
        object_id=data.upcoming.reference,
        occurred_at=athens(2025, 3, 3, 9),
    )
    dirty = summary.dirty_days()
    assert {dt.date(2025, 3, n) for n in (3, 4, 6, 7, 8, 9, 10, 12)} <= dirty
    assert_same(data)  # dirty days are computed live
    summary.summarise_days(now=NOW, since=SINCE, limit=31)
    assert not DirtyMark.objects.exists()
    assert_same(data)


def test_a_run_is_bounded_and_a_second_run_does_nothing(data):  # noqa: F811
    first = summary.summarise_days(now=NOW, since=SINCE, limit=5)
    assert first == [dt.date(2025, 3, 12) - dt.timedelta(days=n) for n in range(5)]
    assert_same(data)  # partly summarised
    while summary.summarise_days(now=NOW, since=SINCE, limit=5):
        pass
    assert SummarisedDay.objects.count() == 12
    rows = DaySummary.objects.count()
    assert summary.summarise_days(now=NOW, since=SINCE) == []
    assert DaySummary.objects.count() == rows


def test_a_day_with_a_call_still_running_waits(data):  # noqa: F811
    late = athens(2025, 3, 12, 23, 50)
    Appointment.objects.create(
        status=Status.BOOKED,
        citizen=data.took_place.citizen,
        kep=data.b,
        employee=data.b1,
        category=data.took_place.category,
        service=data.took_place.service,
        starts_at=late,
        ends_at=late + dt.timedelta(minutes=30),
        blocked_until=late + dt.timedelta(minutes=40),
    )
    just_after_midnight = athens(2025, 3, 13, 0, 5)
    done = summary.summarise_days(now=just_after_midnight, since=SINCE, limit=31)
    assert dt.date(2025, 3, 12) not in done
    assert dt.date(2025, 3, 11) in done


def test_the_summary_dashboard_takes_a_fixed_number_of_queries(
    data,  # noqa: F811
    django_assert_max_num_queries,
):
    summary.summarise_days(now=NOW, since=SINCE, limit=31)
    f = DashboardFilter(start=SINCE, end=END)
    with django_assert_max_num_queries(22):  # the live days' offered minutes computed
        summary.dashboard(f, now=NOW)
    with django_assert_max_num_queries(14):  # … and then read from the cache
        summary.dashboard(f, now=NOW)


def test_the_command_backfills_from_a_date(data, capsys):  # noqa: F811
    call_command("summarise_days", "--since", "2025-03-08", "--now", NOW.isoformat())
    assert sorted(SummarisedDay.objects.values_list("day", flat=True)) == [
        dt.date(2025, 3, n) for n in range(8, 13)
    ]
    assert "5 days" in capsys.readouterr().out


def test_the_worker_summarises_finished_days_and_leaves_today_live(db):
    from django.utils import timezone

    from keplive.administration.tasks import summarise_days_task
    from keplive.booking.schedule_inputs import local_date
    from keplive.catalogue.models import Category
    from tests.factories import CitizenFactory, EmployeeFactory, ServiceFactory

    # The service has a history: its first appointment a month ago.
    employee = EmployeeFactory()
    began = timezone.now() - dt.timedelta(days=30)
    Appointment.objects.create(
        status=Status.BOOKED,
        citizen=CitizenFactory(),
        kep=employee.kep,
        employee=employee,
        category=Category.objects.get(number=1),
        service=ServiceFactory(),
        starts_at=began,
        ends_at=began + dt.timedelta(minutes=30),
        blocked_until=began + dt.timedelta(minutes=40),
    )
    assert summarise_days_task.call_local() == summary.DAYS_PER_RUN
    today = local_date(timezone.now())
    assert sorted(SummarisedDay.objects.values_list("day", flat=True)) == [
        today - dt.timedelta(days=n) for n in range(summary.DAYS_PER_RUN, 0, -1)
    ]


def test_without_a_date_the_backfill_starts_at_the_first_appointment(data):  # noqa: F811
    """A new service has no history: the default backfill goes back a year, but not before the
    first appointment (a fresh `make run` summarised 366 empty days in two minutes)."""
    first = summary.local_date(Appointment.objects.order_by("starts_at").first().starts_at)
    while summary.summarise_days(now=NOW, limit=400):
        pass
    days = sorted(SummarisedDay.objects.values_list("day", flat=True))
    assert days[0] == first
    assert days[-1] == NOW.date() - dt.timedelta(days=1)
    assert_same(data)  # the days before it are computed live, with the same figures


def test_nothing_booked_yet_nothing_to_summarise(db):
    assert summary.summarise_days(now=NOW, limit=400) == []
    assert not SummarisedDay.objects.exists()
