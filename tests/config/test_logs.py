"""No token, personal datum or secret reaches a log line, whichever logger writes it (issue 11
finding 6): the record factory installed by ``LOGGING_CONFIG`` rewrites every record."""

from __future__ import annotations

import io
import logging

import pytest

from keplive.config.logs import redact

TOKEN = "eyJhcHBvaW50bWVudCI6IjEyMyJ9:1tWq3x:Zk0aV9cTQ2Hn1-3sBq"


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f'127.0.0.1:5555 - "WebSocket /ws/calls/5b8f3d5e/?link={TOKEN}" [accepted]', TOKEN),
        (f"Gone: /manage/{TOKEN}/reschedule/", TOKEN),
        (f"Not Found: /call/{TOKEN}/", TOKEN),
        (f"Gone: /interpret/{TOKEN}/", TOKEN),
        (f"GET /offers/{TOKEN}/ 200", TOKEN),
        ("GET /login/callback/?code=abc123secret&state=xyz789state", "abc123secret"),
        ("GET /login/callback/?code=abc123secret&state=xyz789state", "xyz789state"),
        ("Cookie: sessionid=k3yk3yk3yk3y; csrftoken=t0k3n", "k3yk3yk3yk3y"),
        ("Authorization: Bearer a1b2c3d4e5f6g7h8", "a1b2c3d4e5f6g7h8"),
        ("sent to maria@example.gr", "maria@example.gr"),
        ("SMS to +306912345678 queued", "6912345678"),
        ("citizen 123456783 logged in", "123456783"),
    ],
)
def test_redact_removes_each_kind_of_secret(line, secret):
    assert secret not in redact(line)


def test_references_and_times_are_kept():
    line = "appointment 5b8f3d5e-1d8a-4d0e-9a53-8f1d2d3c4b5a at 2026-12-07 09:30 moved"
    assert redact(line) == line
    assert redact("/manage/cancelled/") == "/manage/cancelled/"


@pytest.mark.parametrize("name", ["uvicorn.error", "django.request", "huey", "keplive.calls"])
def test_every_logger_is_redacted_even_with_its_own_handler(name):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        logger.info('%s - "WebSocket %s" [accepted]', "127.0.0.1:1", f"/ws/calls/x/?link={TOKEN}")
        try:
            raise ValueError(f"/manage/{TOKEN}/")
        except ValueError:
            logger.exception("failed for maria@example.gr")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    written = stream.getvalue()
    assert "WebSocket" in written
    assert "ValueError" in written
    assert TOKEN not in written
    assert "maria@example.gr" not in written
