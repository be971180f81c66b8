"""The KED adapter against a loopback HTTP server speaking the assumed KED shape: outcomes,
every failure as RegistryUnavailable, and nothing of the reply or the citizen in the logs."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import time

import pytest

from keplive.integrations.police import RegistryUnavailable
from keplive.integrations.police.base import PURPOSE
from keplive.integrations.police.live import LiveRegistry
from tests.police.fake_registry import FakeRegistry, Reply, fake_registry

NOW = dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)
NUMBER = "ΑΒ 987654"
NAME = "ΓΕΩΡΓΙΟΣ ΝΙΚΟΛΑΟΥ"
SECRET = "s3cr3t-ked-secret"
REFERENCE = "KED-2026-000123"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback only: an HTTP(S)_PROXY in the environment must not divert the test server."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake():
    with fake_registry() as server:
        yield server


def _adapter(fake: FakeRegistry, *, timeout: float = 2.0) -> LiveRegistry:
    return LiveRegistry(
        url=fake.url,
        client_id="keplive",
        client_secret=SECRET,
        timeout=timeout,
        clock=lambda: NOW,
    )


def _check(fake: FakeRegistry, *, timeout: float = 2.0):  # type: ignore[no-untyped-def]
    return _adapter(fake, timeout=timeout).check(
        document_kind="id_card",
        document_number=NUMBER,
        full_name=NAME,
        requested_by="employee-17",
    )


def test_found_is_verified_with_the_registrys_reference(fake):
    outcome = _check(fake)
    assert outcome.verified is True
    assert outcome.reference == REFERENCE
    assert outcome.checked_at == NOW


def test_not_found_is_not_verified(fake):
    fake.reply = Reply(body=b'{"found": false, "reference": "KED-2026-000124"}')
    outcome = _check(fake)
    assert outcome.verified is False
    assert outcome.reference == "KED-2026-000124"


def test_the_request_carries_credentials_the_document_and_the_audit_record(fake):
    _check(fake)
    (seen,) = fake.seen
    assert seen.method == "POST"
    assert seen.path == "/ked/police/identity-check"
    assert seen.headers["Authorization"] == (
        "Basic " + base64.b64encode(f"keplive:{SECRET}".encode()).decode()
    )
    assert seen.json["document_kind"] == "id_card"
    assert seen.json["document_number"] == "ΑΒ987654"
    assert seen.json["full_name"] == NAME
    audit = seen.json["audit"]
    assert audit["requested_by"] == "employee-17"
    assert audit["purpose"] == PURPOSE == "myKEPlive identity check"
    assert len(audit["transaction_id"]) == 32
    assert audit["requested_at"] == NOW.isoformat()


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(status=500, body=b'{"error": "internal"}'), "http_500"),
        (Reply(status=401, body=b""), "http_401"),
        (Reply(status=302, body=b""), "http_302"),
        (Reply(body=b'{"found": tru'), "malformed_reply"),
        (Reply(body=b"<html>maintenance</html>"), "malformed_reply"),
        (Reply(body=b'["found", true]'), "malformed_reply"),
        (Reply(body=b'{"found": "yes", "reference": "KED-1"}'), "malformed_reply"),
        (Reply(body=b'{"found": true}'), "malformed_reply"),
        (Reply(body=b'{"found": true, "reference": ""}'), "malformed_reference"),
        (Reply(body=b'{"found": true, "reference": "' + b"K" * 65 + b'"}'), "malformed_reference"),
        (Reply(body=b'{"found": true, "reference": "<script>"}'), "malformed_reference"),
        (Reply(body=b'{"found": true, "pad": "' + b"x" * 20_000 + b'"}'), "reply_too_large"),
    ],
)
def test_anything_but_the_agreed_reply_is_unavailable(fake, reply, reason):
    fake.reply = reply
    with pytest.raises(RegistryUnavailable) as caught:
        _check(fake)
    assert caught.value.reason == reason
    assert caught.value.message


def test_a_registry_slower_than_the_timeout_is_unavailable(fake):
    fake.reply = Reply(delay=1.5)
    started = time.monotonic()
    with pytest.raises(RegistryUnavailable) as caught:
        _check(fake, timeout=0.5)
    assert caught.value.reason == "timeout"
    assert time.monotonic() - started < 1.4


def test_an_unreachable_registry_is_unavailable(fake):
    adapter = _adapter(fake)
    adapter.url = "http://127.0.0.1:9/closed"  # discard port: nothing listens on loopback
    with pytest.raises(RegistryUnavailable) as caught:
        adapter.check(
            document_kind="id_card", document_number=NUMBER, full_name=NAME, requested_by="e-17"
        )
    assert caught.value.reason in {"unreachable", "connection_failed"}


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=b'{"found": true, "reference": "KED-2026-000123", "surname": "NIKOLAOU"}'),
        Reply(status=500, body=b'{"error": "KED-2026-000123 NIKOLAOU"}'),
        Reply(body=b'{"found": true, "reference": "KED-2026-000123", "x": "NIKOLAOU'),
    ],
)
def test_nothing_of_the_reply_the_document_the_name_or_the_secret_is_logged(fake, reply, caplog):
    fake.reply = reply
    caplog.set_level(logging.DEBUG)
    failure: RegistryUnavailable | None = None
    try:
        _check(fake)
    except RegistryUnavailable as exc:
        failure = exc
    if failure is not None:
        assert REFERENCE not in str(failure)
        assert failure.__cause__ is None
    assert caplog.records  # the adapter does log: outcome codes and timings
    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    )
    for secret in ("NIKOLAOU", REFERENCE, "987654", NAME, SECRET, "keplive:"):
        assert secret not in logged
