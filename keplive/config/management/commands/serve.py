"""Serve KEPlive: the one way the web server is started — by `make run`, the browser tests, the
production units — so that what the tests prove is what runs.

    .venv/bin/python manage.py serve --host 127.0.0.1 --port 8000 [--workers N]

uvicorn runs the ASGI application with:
- no forwarding headers applied by the server (``proxy_headers=False``: uvicorn would otherwise
  believe X-Forwarded-For from loopback); the application applies them from
  ``KEPLIVE_TRUSTED_PROXIES`` only (keplive/config/proxies.py, ADR 0016);
- no ``server`` banner;
- no access log (request lines carry signed links and OAuth codes) and the project's logging
  configuration, whose filter removes tokens and personal data from every line
  (keplive/config/logs.py);
- no lifespan protocol (Django has none); WebSocket frames of at most 64 KiB, uncompressed:
  signalling messages are small JSON, and permessage-deflate kept a zlib compressor and
  decompressor per held connection (docs/PERFORMANCE.md, issue 13 goal 3);
- uvicorn's sans-I/O WebSocket protocol (its default with ``websockets`` installed), less the
  parsed handshake request and response it keeps for the connection's whole life once the
  handshake is done (``LeanWebSocketProtocol``, ADR 0032).
"""

from __future__ import annotations

from typing import Any

import uvicorn
from django.core.management.base import BaseCommand
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol, which keeps the handshake's parsed request and response
    (every header, twice, as ``websockets`` objects: ~3 KiB) after the handshake, when it no
    longer reads them: the ASGI scope has the request's headers. Dropped once the connection is
    accepted (or refused), they are memory 5,000 held connections do not keep (issue 13,
    goal 3). Checked against the uvicorn pinned in requirements.txt by
    tests/calls/test_serve_websocket.py."""

    async def send(self, message: Any) -> None:
        await super().send(message)
        if self.handshake_complete and self.request is not None:
            # websockets' parser keeps the request in its generator's frame for the connection's
            # life as well: its headers are emptied, not only forgotten here.
            self.request.headers.clear()
            self.request = None  # type: ignore[assignment]
            self.response = None  # type: ignore[assignment]


class Command(BaseCommand):
    help = "Serve KEPlive over HTTP and WebSocket with uvicorn (ASGI)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="processes (default 1)")
        parser.add_argument(
            "--log-level",
            default=None,
            choices=["critical", "error", "warning", "info", "debug"],
            help="uvicorn's own log level (default: the project's logging settings)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        uvicorn.run(
            "keplive.config.asgi:application",
            host=options["host"],
            port=options["port"],
            workers=options["workers"] if options["workers"] > 1 else None,
            proxy_headers=False,
            forwarded_allow_ips="",
            server_header=False,
            access_log=False,
            log_config=None,
            log_level=options["log_level"],
            lifespan="off",
            timeout_graceful_shutdown=10,
            # Signalling messages are at most 16 KiB (calls.consumers); refuse giants at the door.
            ws_max_size=64 * 1024,
            # No permessage-deflate: its zlib state per connection was most of its memory.
            ws_per_message_deflate=False,
            ws=LeanWebSocketProtocol,
        )
