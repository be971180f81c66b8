"""Registration with e-KEP (E11): after the outcome commits, by the worker; failures retried
with backoff and nothing lost; exactly once; the adapters (stand-in and live)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.checks import Error
from django.utils import timezone

from keplive.integrations.ekep import LiveCaseRegistry, LocalCaseRegistry, case_registry
from keplive.integrations.ekep.base import CaseRegistration, Receipt, RegistrationFailed
from keplive.integrations.ekep.checks import ekep_is_configured
from keplive.outcomes import services
from keplive.outcomes.models import Outcome
from keplive.outcomes.services import Delivery

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def completed(employee, make_appointment, served):
    appointment = make_appointment()
    served(appointment)
    return services.record_outcome(
        employee=employee,
        reference=appointment.reference,
        result="completed",
        delivery=Delivery(method="pickup"),
        now=NOW,
    )


@pytest.mark.django_db
def test_the_worker_registers_a_completed_outcome_once(completed, ekep_stand_in):
    assert services.register_due_outcomes(now=NOW) == 1
    assert services.register_due_outcomes(now=NOW + dt.timedelta(minutes=5)) == 0
    assert services.register_with_ekep(outcome_id=completed.pk, now=NOW) is False
    completed.refresh_from_db()
    assert completed.ekep_reference.startswith("EKEP-LOCAL-")
    assert completed.ekep_registered_at is not None
    assert completed.ekep_attempts == 1
    (case,) = LocalCaseRegistry(path=ekep_stand_in).registered()
    assert case["protocol_number"] == completed.protocol_number
    assert case["reference"] == completed.ekep_reference
    # No personal data goes to e-KEP: no name, no address.
    assert "Μαρία" not in json.dumps(case, ensure_ascii=False)


class Flaky:
    """An e-KEP that fails ``failures`` times, then answers."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def register(self, case: CaseRegistration) -> Receipt:
        self.calls += 1
        if self.calls <= self.failures:
            raise RegistrationFailed("http_503")
        return Receipt(reference="EK-42", registered_at=NOW)


@pytest.mark.django_db
def test_a_failure_is_kept_and_retried_with_backoff(completed, monkeypatch):
    flaky = Flaky(failures=2)
    monkeypatch.setattr(services, "case_registry", lambda: flaky)
    assert services.register_due_outcomes(now=NOW) == 0
    completed.refresh_from_db()
    assert (completed.ekep_attempts, completed.ekep_last_error) == (1, "http_503")
    assert completed.ekep_next_attempt_at == NOW + dt.timedelta(minutes=1)
    # Not due yet: not tried.
    assert services.register_due_outcomes(now=NOW + dt.timedelta(seconds=30)) == 0
    assert flaky.calls == 1
    assert services.register_due_outcomes(now=NOW + dt.timedelta(minutes=1)) == 0
    completed.refresh_from_db()
    assert completed.ekep_next_attempt_at == NOW + dt.timedelta(minutes=3)  # then 2 minutes
    assert services.register_due_outcomes(now=NOW + dt.timedelta(minutes=3)) == 1
    completed.refresh_from_db()
    assert completed.ekep_reference == "EK-42"
    assert completed.ekep_attempts == 3
    assert completed.ekep_last_error == ""
    assert completed.ekep_next_attempt_at is None
    assert not completed.ekep_pending


def test_backoff_is_capped(settings):
    settings.KEPLIVE_EKEP_BACKOFF_CAP_MINUTES = 60
    assert [services.ekep_backoff(n).total_seconds() / 60 for n in (1, 2, 3, 7, 8, 30)] == [
        1,
        2,
        4,
        60,
        60,
        60,
    ]


@pytest.mark.django_db
def test_only_completed_outcomes_are_registered(employee, make_appointment):
    appointment = make_appointment(starts_in=dt.timedelta(minutes=-30))
    services.record_outcome(
        employee=employee, reference=appointment.reference, result="no_show", now=timezone.now()
    )
    assert services.register_due_outcomes(now=timezone.now() + dt.timedelta(days=1)) == 0
    assert Outcome.objects.get().ekep_next_attempt_at is None


def test_the_stand_in_is_idempotent_and_can_be_made_to_fail(tmp_path):
    registry = LocalCaseRegistry(path=tmp_path / "cases.jsonl")
    case = CaseRegistration(
        protocol_number="KEPLIVE-2026-000001",
        kep_code="0071",
        service_code="birth",
        employee_id="7",
        served_at=NOW,
        delivery_method="post",
    )
    assert registry.register(case).reference == registry.register(case).reference
    failing = CaseRegistration(
        **{**case.as_json(), "served_at": NOW} | {"protocol_number": "X-FAIL"}
    )
    with pytest.raises(RegistrationFailed):
        registry.register(failing)


def test_the_configured_adapter(settings, tmp_path):
    settings.KEPLIVE_EKEP = "local"
    settings.KEPLIVE_EKEP_LOCAL_FILE = tmp_path / "x.jsonl"
    assert isinstance(case_registry(), LocalCaseRegistry)
    settings.KEPLIVE_EKEP = "live"
    settings.KEPLIVE_EKEP_URL = "https://ekep.example.gr/cases"
    assert isinstance(case_registry(), LiveCaseRegistry)


def test_production_refuses_the_stand_in(settings):
    settings.ENVIRONMENT = "production"
    settings.KEPLIVE_EKEP = "local"
    assert [e.id for e in ekep_is_configured()] == ["keplive.ekep.E002"]
    settings.KEPLIVE_EKEP = "live"
    settings.KEPLIVE_EKEP_URL = "http://ekep.example.gr"
    settings.KEPLIVE_EKEP_TOKEN = ""
    errors = ekep_is_configured()
    assert all(isinstance(e, Error) for e in errors)
    assert {e.id for e in errors} == {"keplive.ekep.E003", "keplive.ekep.E004"}


# --- The live adapter, against a local HTTP server on loopback -------------------------------


class FakeEkep(BaseHTTPRequestHandler):
    status = 201
    body = b'{"reference": "EK-2026-77"}'
    delay = 0.0
    seen: list[dict[str, object]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        FakeEkep.seen.append(
            {
                "body": json.loads(self.rfile.read(length)),
                "key": self.headers["Idempotency-Key"],
                "auth": self.headers["Authorization"],
            }
        )
        if self.delay:
            threading.Event().wait(self.delay)
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_ekep():
    FakeEkep.status, FakeEkep.body, FakeEkep.delay = 201, b'{"reference": "EK-2026-77"}', 0.0
    FakeEkep.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeEkep)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cases"
    server.shutdown()
    server.server_close()


CASE = CaseRegistration(
    protocol_number="KEPLIVE-2026-000009",
    kep_code="0071",
    service_code="birth",
    employee_id="7",
    served_at=NOW,
    delivery_method="email",
)


def test_live_adapter_registers_with_an_idempotency_key(fake_ekep):
    receipt = LiveCaseRegistry(url=fake_ekep, token="s3cret", clock=lambda: NOW).register(CASE)
    assert receipt == Receipt(reference="EK-2026-77", registered_at=NOW)
    (seen,) = FakeEkep.seen
    assert seen["key"] == "KEPLIVE-2026-000009"
    assert seen["auth"] == "Bearer s3cret"
    assert seen["body"]["protocol_number"] == "KEPLIVE-2026-000009"


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (503, b"{}", "http_503"),
        (400, b'{"error": "bad"}', "http_400"),
        (201, b"not json", "malformed_reply"),
        (201, b'{"reference": 7}', "malformed_reply"),
        (201, b'{"reference": "<script>"}', "malformed_reference"),
    ],
)
def test_live_adapter_maps_errors(fake_ekep, status, body, reason):
    FakeEkep.status, FakeEkep.body = status, body
    with pytest.raises(RegistrationFailed) as failed:
        LiveCaseRegistry(url=fake_ekep, token="t").register(CASE)
    assert failed.value.reason == reason


def test_live_adapter_times_out(fake_ekep):
    FakeEkep.delay = 1.0
    with pytest.raises(RegistrationFailed) as failed:
        LiveCaseRegistry(url=fake_ekep, token="t", timeout=0.2).register(CASE)
    assert failed.value.reason == "timeout"


def test_live_adapter_unreachable():
    with pytest.raises(RegistrationFailed) as failed:
        LiveCaseRegistry(url="http://127.0.0.1:9/cases", token="t", timeout=1).register(CASE)
    assert failed.value.reason in ("unreachable", "connection_failed")


def test_the_token_is_not_in_the_adapters_repr():
    assert "s3cret" not in repr(LiveCaseRegistry(url="https://e", token="s3cret"))
