"""Greek order, the municipality prompt, the call page's dates and the calendar that explains
itself (issue 14, items 10 and 14), through Django's test client."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation

from keplive.booking.earliest import refresh_earliest_free_times
from keplive.booking.links import join_token
from keplive.booking.selectors import closed_days_in_month
from keplive.catalogue.models import Category
from keplive.directory.models import LocalHoliday
from keplive.directory.ordering import alphabetical, collation_key
from tests.conftest import working_day
from tests.factories import (
    CitizenFactory,
    EmployeeFactory,
    KepFactory,
    MunicipalityFactory,
    ServiceFactory,
)
from tests.portal.test_wizard import DETAILS, at, calendar_url, hold

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen_client(client):
    client.force_login(CitizenFactory().user)
    return client


def test_greek_names_sort_ignoring_accents_and_final_sigma():
    names = ["Έδεσσας", "Αθηναίων", "Δράμας", "Ζωγράφου", "Άργους", "Βόλου"]
    assert alphabetical(names, name=str) == [
        "Αθηναίων",
        "Άργους",
        "Βόλου",
        "Δράμας",
        "Έδεσσας",
        "Ζωγράφου",
    ]
    assert collation_key("Δήμος")[0] == collation_key("ΔΗΜΟΣ")[0]


def test_municipalities_are_offered_in_greek_order_after_a_prompt(citizen_client):
    for name_el, name_en in [
        ("Δήμος Έδεσσας", "Edessa"),
        ("Δήμος Αθηναίων", "Athens"),
        ("Δήμος Δράμας", "Drama"),
        ("Δήμος Ζωγράφου", "Zografou"),
    ]:
        KepFactory(municipality=MunicipalityFactory(name_el=name_el, name_en=name_en))
    page = citizen_client.get("/book/4/").content.decode()
    options = re.findall(r"<option value=\"([^\"]*)\"[^>]*>([^<]*)</option>", page)
    assert options[0][0] == ""  # "choose a municipality", not a preselected first one
    greek = [label for value, label in options[1:] if label.startswith("Δήμος ")]
    ours = [n for n in greek if n.split()[1] in {"Έδεσσας", "Αθηναίων", "Δράμας", "Ζωγράφου"}]
    assert ours == ["Δήμος Αθηναίων", "Δήμος Δράμας", "Δήμος Έδεσσας", "Δήμος Ζωγράφου"]

    with translation.override("en"):
        citizen_client.cookies["django_language"] = "en"
        page = citizen_client.get("/book/4/").content.decode()
    english = [
        label for _v, label in re.findall(r"<option value=\"([^\"]+)\"[^>]*>([^<]*)</option>", page)
    ]
    ours = [n for n in english if n in {"Edessa", "Athens", "Drama", "Zografou"}]
    assert ours == ["Athens", "Drama", "Edessa", "Zografou"]


def test_submitting_the_prompt_asks_again_with_an_error(citizen_client):
    response = citizen_client.get("/book/4/", {"municipality": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in page
    assert "Επιλέξτε τον δήμο" in page


def test_services_are_listed_in_greek_order(citizen_client):
    for title in ["Έκδοση άδειας", "Αίτηση βεβαίωσης", "Δήλωση γέννησης"]:
        ServiceFactory(title_el=title)
    page = citizen_client.get("/book/1/").content.decode()
    found = list(re.findall(r">([^<>]+)</a></h2>", page))
    ours = [t for t in found if t in {"Έκδοση άδειας", "Αίτηση βεβαίωσης", "Δήλωση γέννησης"}]
    assert ours == ["Αίτηση βεβαίωσης", "Δήλωση γέννησης", "Έκδοση άδειας"]


# --- The calendar explains itself --------------------------------------------------------------


@pytest.fixture
def kep():
    kep = KepFactory()
    EmployeeFactory(kep=kep)
    return kep


def test_each_closed_day_has_its_reason(kep):
    category = Category.objects.get(number=1)
    day = working_day(5)
    LocalHoliday.objects.create(municipality=kep.municipality, date=day, name="Πολιούχος")
    now = timezone.now()
    reasons = closed_days_in_month(
        kep=kep, category=category, year=day.year, month=day.month, free=[], now=now
    )
    assert reasons[day].reason == "holiday"
    assert reasons[day].name == "Πολιούχος"
    soon = timezone.localdate() + dt.timedelta(2)
    weekend = [d for d in reasons if d.weekday() == 6 and d > soon]
    in_horizon = [d for d in weekend if reasons[d].reason not in {"past", "later"}]
    assert in_horizon
    assert all(reasons[d].reason == "closed" for d in in_horizon)
    weekdays = [
        d
        for d, why in reasons.items()
        if d.weekday() < 5 and d != day and why.reason not in {"past", "later", "holiday"}
    ]
    assert weekdays
    assert all(reasons[d].reason == "full" for d in weekdays)


def test_the_calendar_page_names_the_holiday_and_says_why_a_day_is_closed(citizen_client, kep):
    service = ServiceFactory()
    day = working_day(5)
    LocalHoliday.objects.create(municipality=kep.municipality, date=day, name="Πολιούχος")
    url = f"{calendar_url(kep, service)}?month={day:%Y-%m}&day={day.isoformat()}"
    page = citizen_client.get(url).content.decode()
    assert "kl-calendar__none--holiday" in page
    assert "Αργία: Πολιούχος" in page
    assert "kl-calendar__legend" in page
    closed = page.split('id="day-closed"', 1)[1].split("</p>", 1)[0]
    assert "Αργία: Πολιούχος" in closed


def test_the_kep_list_shows_each_keps_first_free_time(citizen_client, kep):
    service = ServiceFactory()
    refresh_earliest_free_times(keps=[kep], now=timezone.now())
    page = citizen_client.get(f"/book/1/{service.pk}/").content.decode()
    listing = page.split('class="govgr-list kl-keps"', 1)[1]
    assert "Πρώτη ελεύθερη ώρα:" in listing
    assert " — " not in page.split('class="kl-earliest"', 1)[1].split("</ul>", 1)[0]


def test_the_call_page_says_when_the_employee_will_be_there_in_the_genitive(client, kep):
    service = ServiceFactory()
    citizen_client = client
    citizen_client.force_login(CitizenFactory().user)
    day = working_day(3)
    reference = hold(citizen_client, kep, service, at(day, 10))
    response = citizen_client.post(f"/book/details/{reference}/", DETAILS)
    assert response.status_code == 302
    from keplive.booking.models import Appointment

    appointment = Appointment.objects.get(reference=reference)
    page = client.get(f"/call/{join_token(appointment)}/").content.decode()
    months = [
        "Ιανουαρίου",
        "Φεβρουαρίου",
        "Μαρτίου",
        "Απριλίου",
        "Μαΐου",
        "Ιουνίου",
        "Ιουλίου",
        "Αυγούστου",
        "Σεπτεμβρίου",
        "Οκτωβρίου",
        "Νοεμβρίου",
        "Δεκεμβρίου",
    ]
    genitive = f"{day.day} {months[day.month - 1]}"
    early = page.split('id="call-early"', 1)[1].split("</p>", 1)[0]
    assert "Ο υπάλληλος θα είναι εδώ" in early
    assert genitive in early
    assert "10:00" in early
    assert f"{genitive}, 10:00" in page  # the top bar's date, genitive too
    assert "Αναμονή" not in early


def test_what_to_prepare_lists_each_item_once():
    service = ServiceFactory(
        documents_el="Δελτίο ταυτότητας\nΑΜΚΑ\n  δελτίο  ταυτοτητας \nΑΜΚΑ\nΕκκαθαριστικό"
    )
    with translation.override("el"):
        assert service.documents == ["Δελτίο ταυτότητας", "ΑΜΚΑ", "Εκκαθαριστικό"]
