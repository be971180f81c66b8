"""The JSON API end to end through Django's test client: answers, errors, and who may do what."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from keplive.booking.models import Appointment, Status
from tests.conftest import ATHENS, working_day
from tests.factories import (
    CitizenFactory,
    EmployeeFactory,
    KepFactory,
    MunicipalityFactory,
    ServiceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
API = "/api/v1"


def local(day: dt.date, hour: int, minute: int = 0) -> str:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ATHENS).isoformat()


@pytest.fixture
def kep():
    kep = KepFactory()
    EmployeeFactory(kep=kep)
    return kep


@pytest.fixture
def service():
    return ServiceFactory()


@pytest.fixture
def citizen_client(client):
    citizen = CitizenFactory()
    client.force_login(citizen.user)
    client.citizen = citizen
    return client


def slot_body(kep, service, starts_at, category=1):
    return {"kep": kep.code, "service": service.code, "category": category, "starts_at": starts_at}


def test_openapi_schema_is_served_and_lists_the_endpoints(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/categories",
        "/api/v1/services",
        "/api/v1/keps/{code}/free-days",
        "/api/v1/keps/{code}/free-times",
        "/api/v1/earliest",
        "/api/v1/holds",
        "/api/v1/bookings",
        "/api/v1/bookings/{reference}/reschedule",
        "/api/v1/bookings/{reference}/cancel",
    ):
        assert path in paths


def test_interactive_docs_load_without_outside_assets(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    assert b"cdn.jsdelivr" not in response.content


def test_categories_in_greek_by_default_and_english_on_request(client):
    greek = client.get(f"{API}/categories").json()
    english = client.get(f"{API}/categories", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [c["number"] for c in greek] == [1, 2, 3, 4]
    assert greek[0]["title"] == "Πληροφόρηση – Αίτηση"
    assert english[0]["title"] == "Administrative information – application"
    assert greek[2]["call_minutes"] > greek[0]["call_minutes"]


def test_service_search_ignores_accents_and_case(client):
    ServiceFactory(title_el="Έκδοση πιστοποιητικού οικογενειακής κατάστασης")
    ServiceFactory(title_el="Αίτηση για επίδομα παιδιού")
    found = client.get(f"{API}/services", {"category": 1, "q": "ΟΙΚΟΓΕΝΕΙΑΚΗΣ πιστοποιητικο"})
    assert [s["title"] for s in found.json()] == ["Έκδοση πιστοποιητικού οικογενειακής κατάστασης"]


def test_free_days_and_free_times(client, kep, service):
    day = working_day()
    days = client.get(
        f"{API}/keps/{kep.code}/free-days",
        {"service": service.code, "category": 1, "month": f"{day:%Y-%m}"},
    )
    assert days.status_code == 200
    assert str(day) in days.json()["days"]

    times = client.get(
        f"{API}/keps/{kep.code}/free-times", {"service": service.code, "category": 1, "date": day}
    )
    assert times.status_code == 200
    labels = [t["local_time"] for t in times.json()["times"]]
    assert labels[0] == "08:00"
    assert labels[-1] == "14:00"  # a 20-minute call must end by 14:30


def test_earliest_free_time_across_keps(client, service):
    near, far = KepFactory(), KepFactory()
    EmployeeFactory(kep=near)
    EmployeeFactory(kep=far, availability=False)  # nobody available: no free time
    response = client.get(f"{API}/earliest", {"service": service.code, "category": 1})
    assert response.status_code == 200
    assert [item["kep"]["code"] for item in response.json()] == [near.code]


def test_earliest_for_business_lists_only_kep_eke(client):
    business = ServiceFactory(categories=[2])
    plain, eke = KepFactory(), KepFactory(kep_eke=True)
    EmployeeFactory(kep=plain)
    EmployeeFactory(kep=eke)
    response = client.get(f"{API}/earliest", {"service": business.code, "category": 2})
    assert [item["kep"]["code"] for item in response.json()] == [eke.code]


def test_hold_book_reschedule_cancel_journey(citizen_client, kep, service):
    day = working_day()
    hold = citizen_client.post(
        f"{API}/holds", slot_body(kep, service, local(day, 9)), content_type="application/json"
    )
    assert hold.status_code == 201, hold.content
    reference = hold.json()["reference"]

    booked = citizen_client.post(
        f"{API}/bookings", {"hold": reference}, content_type="application/json"
    )
    assert booked.status_code == 201
    assert booked.json()["status"] == "booked"
    assert booked.json()["time"]["local_time"] == "09:00"
    # The code people read out, beside the UUID (issue 14, item 9).
    from keplive.booking.models import Appointment

    assert booked.json()["code"] == Appointment.objects.get(reference=reference).display_code

    listed = citizen_client.get(f"{API}/bookings").json()
    assert [b["reference"] for b in listed] == [reference]

    moved = citizen_client.post(
        f"{API}/bookings/{reference}/reschedule",
        {"starts_at": local(day, 11)},
        content_type="application/json",
    )
    assert moved.status_code == 200
    assert moved.json()["time"]["local_time"] == "11:00"
    assert moved.json()["sequence"] == 1

    cancelled = citizen_client.post(f"{API}/bookings/{reference}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"


def test_direct_booking_and_a_taken_time_answers_409_with_alternatives(
    citizen_client, client, kep, service
):
    day = working_day()
    first = citizen_client.post(
        f"{API}/bookings", slot_body(kep, service, local(day, 10)), content_type="application/json"
    )
    assert first.status_code == 201

    client.logout()
    client.force_login(CitizenFactory().user)
    second = client.post(
        f"{API}/bookings", slot_body(kep, service, local(day, 10)), content_type="application/json"
    )
    assert second.status_code == 409
    body = second.json()
    assert body["code"] == "slot_no_longer_free"
    assert "δεν είναι πλέον διαθέσιμη" in body["message"]
    assert {a["local_time"] for a in body["alternatives"]} == {"09:30", "10:30", "09:00"}


def test_not_logged_in_gets_401_with_a_greek_message(client, kep, service):
    response = client.post(
        f"{API}/holds",
        slot_body(kep, service, local(working_day(), 9)),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert "TAXISnet" in response.json()["message"]
    assert client.get(f"{API}/bookings").status_code == 401


def test_staff_cannot_book_as_a_citizen(client, kep, service):
    client.force_login(UserFactory(role="employee"))
    response = client.post(
        f"{API}/bookings",
        slot_body(kep, service, local(working_day(), 9)),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert not Appointment.objects.exists()


def test_a_citizen_can_neither_see_nor_change_anothers_booking(
    citizen_client, client, kep, service
):
    booked = citizen_client.post(
        f"{API}/bookings",
        slot_body(kep, service, local(working_day(), 9)),
        content_type="application/json",
    ).json()
    client.logout()
    client.force_login(CitizenFactory().user)
    reference = booked["reference"]

    assert client.get(f"{API}/bookings").json() == []
    assert client.get(f"{API}/bookings/{reference}").status_code == 404
    assert client.post(f"{API}/bookings/{reference}/cancel").status_code == 404
    assert (
        client.post(
            f"{API}/bookings/{reference}/reschedule",
            {"starts_at": local(working_day(), 12)},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"{API}/bookings", {"hold": reference}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.delete(f"{API}/holds/{reference}").status_code == 404
    assert Appointment.objects.get().status == Status.BOOKED


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        (
            "/keps/0000/free-times",
            {"service": "x", "category": 1, "date": "2030-01-01"},
            404,
            "kep_not_found",
        ),
        (
            "/keps/{kep}/free-times",
            {"service": "nope", "category": 1, "date": "2030-01-01"},
            404,
            "service_not_found",
        ),
        (
            "/keps/{kep}/free-times",
            {"service": "{service}", "category": 9, "date": "2030-01-01"},
            422,
            "invalid_input",
        ),
        (
            "/keps/{kep}/free-times",
            {"service": "{service}", "category": 1, "date": "31-12-2030"},
            422,
            "invalid_input",
        ),
        (
            "/keps/{kep}/free-times",
            {"service": "{service}", "category": 1, "date": "2001-01-01"},
            422,
            "time_not_offered",
        ),
        (
            "/keps/{kep}/free-times",
            {"service": "{service}", "category": 1, "date": "2099-01-01"},
            422,
            "time_not_offered",
        ),
        (
            "/keps/{kep}/free-days",
            {"service": "{service}", "category": 1, "month": "2026-13"},
            422,
            "invalid_input",  # the schema's pattern for a month
        ),
        (
            "/keps/{kep}/free-days",
            {"service": "{service}", "category": 1, "month": "2001-01"},
            422,
            "time_not_offered",
        ),
        ("/keps/{kep}/free-days", {"service": "{service}", "category": 1}, 422, "invalid_input"),
        (
            "/keps/{kep}/free-days",
            {"service": "{service}", "category": 2, "month": "2030-01"},
            422,
            "service_not_offered",
        ),
        ("/services", {"municipality": "atlantis"}, 404, "municipality_not_found"),
        ("/bookings/not-a-uuid", {}, 401, "login_required"),
    ],
)
def test_bad_input_gets_a_clear_4xx(client, kep, service, path, params, status, code):
    path = path.format(kep=kep.code)
    params = {
        k: (v.format(service=service.code) if isinstance(v, str) else v) for k, v in params.items()
    }
    response = client.get(f"{API}{path}", params)
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["message"]


@pytest.mark.parametrize(
    ("body", "code", "status"),
    [
        (
            {
                "kep": "0000",
                "service": "x",
                "category": 1,
                "starts_at": "2030-01-01T09:00:00+02:00",
            },
            "kep_not_found",
            404,
        ),
        (
            {
                "kep": "{kep}",
                "service": "{service}",
                "category": 1,
                "starts_at": "2001-01-02T09:00:00+02:00",
            },
            "time_not_offered",
            422,
        ),
        (
            {
                "kep": "{kep}",
                "service": "{service}",
                "category": 1,
                "starts_at": "2030-01-01T09:00:00",
            },
            "time_not_offered",
            422,
        ),
        (
            {"kep": "{kep}", "service": "{service}", "category": 1, "starts_at": "tomorrow"},
            "invalid_input",
            422,
        ),
        ({"kep": "{kep}", "service": "{service}", "category": 1}, "invalid_input", 422),
        ({"hold": str(uuid.uuid4())}, "appointment_not_found", 404),
        ({"hold": "123"}, "invalid_input", 422),
        ({}, "time_not_offered", 422),
    ],
)
def test_bad_booking_requests_get_a_clear_4xx_and_write_nothing(
    citizen_client, kep, service, body, code, status
):
    body = {
        k: (v.format(kep=kep.code, service=service.code) if isinstance(v, str) else v)
        for k, v in body.items()
    }
    endpoint = "/holds" if "hold" not in body and body else "/bookings"
    response = citizen_client.post(f"{API}{endpoint}", body, content_type="application/json")
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not Appointment.objects.exists()


def test_malformed_json_is_a_clear_4xx(citizen_client):
    response = citizen_client.post(f"{API}/holds", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["message"]


def test_errors_in_english_when_asked(client, kep, service):
    response = client.get(
        f"{API}/keps/{kep.code}/free-times",
        {"service": service.code, "category": 1, "date": "2001-01-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.json()["message"] == "This date has already passed."


def test_not_remote_service_tells_the_alternative(citizen_client, kep):
    in_person = ServiceFactory(in_person_only=True)
    response = citizen_client.post(
        f"{API}/holds",
        slot_body(kep, in_person, local(working_day(), 9)),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "service_not_remote"
    assert response.json()["alternative"] == "Επισκεφθείτε ένα ΚΕΠ με ραντεβού."


def test_municipal_services_filtered_by_municipality(client):
    home = MunicipalityFactory()
    ServiceFactory(categories=[4], municipality=home, title_el="Βεβαίωση μόνιμης κατοικίας")
    ServiceFactory(categories=[4], municipality=MunicipalityFactory())
    response = client.get(f"{API}/services", {"category": 4, "municipality": home.code})
    assert [s["municipality"] for s in response.json()] == [home.code]


def test_reschedule_to_another_kep_and_service_keeps_the_reference(citizen_client, kep, service):
    day = working_day()
    other_kep = KepFactory()
    EmployeeFactory(kep=other_kep)
    other_service = ServiceFactory()
    booked = citizen_client.post(
        f"{API}/bookings", slot_body(kep, service, local(day, 9)), content_type="application/json"
    )
    reference = booked.json()["reference"]
    url = f"{API}/bookings/{reference}/reschedule"

    unknown = citizen_client.post(
        url, {"starts_at": local(day, 9), "kep": "no-such-kep"}, content_type="application/json"
    )
    assert unknown.status_code == 404
    business_only = ServiceFactory(categories=[2])
    refused = citizen_client.post(
        url,
        {"starts_at": local(day, 9), "service": business_only.code},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "service_not_offered"

    moved = citizen_client.post(
        url,
        {"starts_at": local(day, 9), "kep": other_kep.code, "service": other_service.code},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    body = moved.json()
    assert (body["reference"], body["kep"]["code"], body["service"]) == (
        reference,
        other_kep.code,
        other_service.code,
    )
    assert body["sequence"] == 1
