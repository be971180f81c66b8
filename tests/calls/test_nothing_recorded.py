"""P6: nothing of a call is recorded or stored. The server has no way to receive media (only a
text-only WebSocket of small JSON messages), and no code anywhere records a stream. The chat
and signalling are proven unstored in test_consumers.py; the media path in the browser tests
(the selected ICE pair joins the two browsers directly)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from keplive.calls.consumers import MAX_MESSAGE_BYTES, CallConsumer
from keplive.calls.exceptions import CallError
from keplive.calls.routing import websocket_urlpatterns

ROOT = Path(__file__).resolve().parents[2] / "keplive"
RECORDING_APIS = re.compile(
    r"MediaRecorder|captureStream|\.ondataavailable|RTCRtpReceiver\.getCapabilities\(.*record"
)


def test_no_code_records_a_stream():
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*")
        if path.suffix in {".js", ".py", ".html"} and RECORDING_APIS.search(path.read_text())
    ]
    assert offenders == []


def test_the_only_real_time_endpoint_is_the_signalling_socket():
    assert [str(pattern.pattern) for pattern in websocket_urlpatterns] == [
        "ws/calls/<str:reference>/"
    ]
    assert MAX_MESSAGE_BYTES == 16 * 1024  # signalling only: no room for media


def test_binary_frames_are_refused():
    with pytest.raises(CallError, match="JSON"):
        CallConsumer()._parse(None, b"\x00\x01 media?")
