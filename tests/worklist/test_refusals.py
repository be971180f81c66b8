"""Bad changes are refused as a whole with clear reasons: overlapping or inverted hours, an
opening shorter than a call, a call longer than the window or every opening, removing a KEP
that has appointments. Nothing is half-changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from keplive.audit.models import AuditEvent
from keplive.catalogue.models import Category
from keplive.catalogue.parameters import ParametersRefused
from keplive.directory.admin_services import DirectoryChangeRefused, interval_errors
from keplive.directory.models import Kep, OpeningException, OpeningHours
from keplive.worklist import changes
from keplive.worklist.models import ConflictItem
from tests.factories import EmployeeFactory, KepFactory
from tests.worklist.conftest import NOW, ORIGIN, TUESDAY

T = dt.time


@pytest.fixture
def english():  # type: ignore[no-untyped-def]
    """The messages' wording is checked in English (the msgids); pages show them in Greek."""
    with translation.override("en"):
        yield


def tuesday(kep):  # type: ignore[no-untyped-def]
    return sorted(OpeningHours.objects.filter(kep=kep, weekday=1).values_list("opens", "closes"))


@pytest.mark.parametrize(
    ("intervals", "words"),
    [
        ([(T(8, 0), T(12, 0)), (T(11, 0), T(14, 0))], "overlap"),
        ([(T(8, 0), T(14, 0)), (T(9, 0), T(10, 0)), (T(11, 0), T(12, 0))], "overlap"),
        ([(T(12, 0), T(8, 0))], "open before"),
        ([(T(9, 0), T(9, 0))], "open before"),
        ([(T(8, 0), T(8, 30))], "shorter than a call"),
    ],
)
def test_wrong_intervals_are_refused_and_the_day_is_unchanged(
    english, kep, admin, book, intervals, words
):
    book(10)
    before = tuesday(kep)
    events = AuditEvent.objects.count()

    with pytest.raises(DirectoryChangeRefused) as refused:
        changes.set_weekday_hours(
            kep=kep, weekday=1, intervals=intervals, actor=admin, origin=ORIGIN, now=NOW
        )

    assert any(words in message for message in refused.value.messages)
    assert tuesday(kep) == before
    assert AuditEvent.objects.count() == events
    assert not ConflictItem.objects.exists()


def test_an_opening_must_hold_the_longest_call_of_the_keps_categories():
    # Category 3 calls last 40 minutes: a 30-minute opening holds none.
    assert interval_errors([(T(8, 0), T(8, 40))], shortest_minutes=40) == []
    assert interval_errors([(T(8, 0), T(8, 30))], shortest_minutes=40)


def test_touching_intervals_are_a_valid_split_shift():
    assert interval_errors([(T(8, 0), T(10, 0)), (T(10, 0), T(12, 0))], shortest_minutes=40) == []


def test_an_exception_overlapping_another_of_the_same_date_is_refused(kep, admin):
    kwargs = {"kep": kep, "date": TUESDAY, "reason": "", "actor": admin, "origin": ORIGIN}
    changes.add_opening_exception(
        **kwargs, opens=T(8, 0), closes=T(11, 0), now=NOW, today=NOW.date()
    )

    with pytest.raises(DirectoryChangeRefused):
        changes.add_opening_exception(
            **kwargs, opens=T(10, 0), closes=T(12, 0), now=NOW, today=NOW.date()
        )
    with pytest.raises(DirectoryChangeRefused):
        changes.add_opening_exception(**kwargs, opens=None, closes=None, now=NOW, today=NOW.date())
    with pytest.raises(DirectoryChangeRefused):
        changes.add_opening_exception(
            **kwargs | {"date": TUESDAY - dt.timedelta(days=7)},
            opens=None,
            closes=None,
            now=NOW,
            today=NOW.date(),
        )
    assert OpeningException.objects.count() == 1


def test_removing_a_kep_with_future_appointments_is_refused_and_changes_nothing(
    english, kep, admin, book
):
    book(10)
    events = AuditEvent.objects.count()

    with pytest.raises(DirectoryChangeRefused) as refused:
        changes.remove_kep(kep=kep, actor=admin, origin=ORIGIN, now=NOW)

    assert "Deactivate" in str(refused.value)
    assert Kep.objects.filter(pk=kep.pk, is_active=True).exists()
    assert OpeningHours.objects.filter(kep=kep).count() == 5
    assert AuditEvent.objects.count() == events


def test_removing_a_kep_with_only_past_appointments_is_refused_too(kep, admin, book):
    book(10)

    with pytest.raises(DirectoryChangeRefused):
        changes.remove_kep(kep=kep, actor=admin, origin=ORIGIN, now=NOW + dt.timedelta(days=7))

    assert Kep.objects.filter(pk=kep.pk).exists()


def test_removing_a_kep_with_employees_is_refused(admin):
    kep = KepFactory()
    EmployeeFactory(kep=kep)

    with pytest.raises(DirectoryChangeRefused):
        changes.remove_kep(kep=kep, actor=admin, origin=ORIGIN, now=NOW)

    assert Kep.objects.filter(pk=kep.pk).exists()


def test_a_kep_that_never_had_appointments_is_removed_with_its_hours(admin):
    kep = KepFactory()
    kep_id = kep.pk

    changes.remove_kep(kep=kep, actor=admin, origin=ORIGIN, now=NOW)

    assert not Kep.objects.filter(pk=kep_id).exists()
    assert not OpeningHours.objects.filter(kep_id=kep_id).exists()
    assert AuditEvent.objects.filter(action="kep.removed", object_id=str(kep_id)).exists()


def _parameters(category: Category, **changes_: object) -> dict[str, object]:
    names = (
        "call_minutes",
        "buffer_minutes",
        "step_minutes",
        "min_notice_minutes",
        "horizon_days",
        "window_start",
        "window_end",
    )
    return {name: getattr(category, name) for name in names} | changes_


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"call_minutes": 400}, "call_minutes"),
        ({"buffer_minutes": -1}, "buffer_minutes"),
        ({"horizon_days": 0}, "horizon_days"),
        ({"window_start": T(14, 0), "window_end": T(9, 0)}, "window_end"),
        ({"call_minutes": 120, "window_start": T(8, 0), "window_end": T(9, 0)}, "call_minutes"),
    ],
)
def test_wrong_parameters_are_refused_and_nothing_changes(admin, values, field):
    category = Category.objects.get(number=1)
    before = _parameters(category)

    with pytest.raises(ParametersRefused) as refused:
        changes.update_category_parameters(
            category=category,
            values=_parameters(category, **values),
            actor=admin,
            origin=ORIGIN,
            now=NOW,
        )

    assert field in refused.value.errors
    assert _parameters(Category.objects.get(number=1)) == before


def test_a_call_longer_than_every_opening_of_a_kep_is_refused(admin):
    kep = KepFactory(hours=False)
    OpeningHours.objects.create(kep=kep, weekday=0, opens=T(8, 0), closes=T(9, 0))
    category = Category.objects.get(number=1)

    with pytest.raises(ParametersRefused) as refused:
        changes.update_category_parameters(
            category=category,
            values=_parameters(category, call_minutes=90),
            actor=admin,
            origin=ORIGIN,
            now=NOW,
        )

    assert kep.code in " ".join(refused.value.errors["call_minutes"])
