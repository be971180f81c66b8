"""A scriptable GSIS for the replies the stand-in never gives (unsafe XML, bad tax numbers,
outages): a real HTTP server on 127.0.0.1, so KEPlive's client runs unchanged against it."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ACCESS_TOKEN = "fake-access-token-6f1c2d"
GOOD_USERINFO = (
    '<?xml version="1.0" encoding="UTF-8"?><root><userinfo userid="test01" taxid="123456783" '
    'lastname="ΠΑΠΑΔΟΠΟΥΛΟΥ" firstname="ΜΑΡΙΑ" fathername="ΓΕΩΡΓΙΟΣ" mothername="ΕΛΕΝΗ" '
    'birthyear="1985"/></root>'
).encode()


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    form: dict[str, list[str]]


@dataclass
class FakeGsis:
    url: str = ""
    token: Reply = field(
        default_factory=lambda: Reply(
            body=json.dumps(
                {"access_token": ACCESS_TOKEN, "token_type": "bearer", "expires_in": 600}
            ).encode()
        )
    )
    userinfo: Reply = field(
        default_factory=lambda: Reply(body=GOOD_USERINFO, content_type="application/xml")
    )
    seen: list[Seen] = field(default_factory=list)


def start_fake_gsis() -> tuple[FakeGsis, ThreadingHTTPServer]:
    fake = FakeGsis()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            fake.seen.append(
                Seen(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers=dict(self.headers.items()),
                    form=parse_qs(raw),
                )
            )
            if parts.path == "/oauth2server/oauth/token":
                reply = fake.token
            elif parts.path == "/oauth2server/userinfo":
                reply = fake.userinfo
            else:
                reply = Reply(status=404, body=b'{"error": "not_found"}')
            if reply.delay:
                time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    return fake, server
