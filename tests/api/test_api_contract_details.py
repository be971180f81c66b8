"""What the OpenAPI document promises, one promise at a time (issue 11); the fuzzing of the whole
contract is ``test_contract.py``."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory

pytestmark = pytest.mark.django_db
API = "/api/v1"
UNSAFE = {"post", "put", "patch", "delete"}


@pytest.fixture
def document(client):
    return client.get(f"{API}/openapi.json").json()


def test_every_operation_documents_each_error_status_it_can_answer(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            # A NUL character anywhere in a request, or a body that is not JSON.
            expected = {"400"}
            if operation.get("security"):
                expected.add("401")
                if method in UNSAFE:
                    expected.add("403")  # the CSRF token
            assert expected <= statuses, f"{method.upper()} {path}: {sorted(statuses)}"
            for status in statuses - {"200", "201", "204"}:
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Problem"}, (
                    f"{method.upper()} {path} {status}"
                )


def test_no_field_claims_the_rfc3339_time_format_it_does_not_have(document):
    """`format: time` is RFC 3339's full-time, with an offset; Greek wall-clock times have
    none (the offset changes with summer time)."""
    assert '"format": "time"' not in str(document).replace("'", '"')


def test_the_citizen_window_is_hh_mm_as_the_schema_says(client, document):
    category = client.get(f"{API}/categories").json()[0]
    schema = document["components"]["schemas"]["CategoryOut"]["properties"]["window_start"]
    assert (category["window_start"], category["window_end"]) == ("08:00", "14:30")
    assert re.fullmatch(schema["pattern"], category["window_start"])


def test_a_body_that_is_not_json_is_a_400_problem(client):
    citizen = CitizenFactory()
    client.force_login(citizen.user)
    response = client.post(f"{API}/holds", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert response.json()["message"] == "Το σώμα του αιτήματος δεν είναι έγκυρο JSON."


def _slot(kep, service):
    return {"kep": kep.code, "service": service.code, "category": 1, "starts_at": "x"}


def test_a_citizens_change_without_the_csrf_token_is_a_403_problem():
    kep, service = KepFactory(), ServiceFactory()
    EmployeeFactory(kep=kep)
    browser = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(CitizenFactory().user)

    refused = browser.post(f"{API}/holds", _slot(kep, service), content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert "X-CSRFToken" in refused.json()["message"]

    token = "t" * 32
    browser.cookies["csrftoken"] = token
    with_token = browser.post(
        f"{API}/holds",
        _slot(kep, service),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert with_token.status_code == 422  # past the CSRF check, to the request's own fault


def test_who_is_not_logged_in_hears_401_before_any_csrf_check():
    kep, service = KepFactory(), ServiceFactory()
    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.post(f"{API}/holds", _slot(kep, service), content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "login_required"


def test_an_api_address_that_names_no_operation_is_a_json_404(client):
    # A KEP code with a "/" in it (%2F) no longer matches the route: still the API's 404.
    for address in (f"{API}/keps/a%2Fb/free-days", f"{API}/no-such-thing"):
        response = client.get(address)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "not_found"
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
