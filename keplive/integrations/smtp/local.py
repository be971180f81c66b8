"""The local SMTP stand-in: a real SMTP server on the loopback interface that keeps every message
it accepts as an ``.eml`` file and lists it in ``index.txt``, so a person can read the mail a
development run sends. Any mail client opens the ``.eml`` files.

It speaks plain SMTP (no TLS, no authentication) and accepts any sender. Recipients in the
``refused.invalid`` domain are refused with ``550`` at ``RCPT``, so a refusal can be tried by hand
and in tests.

Only the standard library and aiosmtpd: ``keplive.integrations`` is the bottom layer.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path
from types import TracebackType
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from keplive.integrations.smtp import REFUSING_DOMAIN, STANDIN_HOST, STANDIN_PORT

INDEX_NAME = "index.txt"
INDEX_HEADER = "# received (Europe/Athens) | to | subject | file\n"
# Bigger than any booking email with its ICS file; the stand-in refuses more (552).
MAX_MESSAGE_BYTES = 10 * 1024 * 1024
_ATHENS = ZoneInfo("Europe/Athens")


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One line of ``index.txt``."""

    received_at: str
    to: str
    subject: str
    filename: str


def _one_line(value: str) -> str:
    return " ".join(value.replace("|", "/").split())


class MailDrop:
    """An aiosmtpd handler: each accepted message becomes ``<utc time>-<random>.eml`` in
    ``directory``, with a line appended to ``index.txt``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower().endswith("@" + REFUSING_DOMAIN):
            return "550 5.1.1 Mailbox unavailable (stand-in refusal)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        self.store(content=content, recipients=list(envelope.rcpt_tos))
        return "250 2.0.0 OK: stored"

    def store(
        self, *, content: bytes, recipients: list[str], received_at: dt.datetime | None = None
    ) -> Path:
        """Write one message and index it; the file appears whole or not at all."""
        received_at = received_at or dt.datetime.now(dt.UTC)
        filename = f"{received_at:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.eml"
        subject = str(message_from_bytes(content, policy=policy.default).get("Subject", ""))
        line = " | ".join(
            (
                received_at.astimezone(_ATHENS).isoformat(timespec="seconds"),
                _one_line(", ".join(recipients)),
                _one_line(subject),
                filename,
            )
        )
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / filename
            partial = path.with_suffix(".part")
            partial.write_bytes(content)
            partial.replace(path)
            index = self.directory / INDEX_NAME
            with index.open("a", encoding="utf-8") as handle:
                if handle.tell() == 0:
                    handle.write(INDEX_HEADER)
                handle.write(line + "\n")
        return path


def read_index(directory: Path) -> list[IndexEntry]:
    """The messages the stand-in has kept in ``directory``, oldest first."""
    index = directory / INDEX_NAME
    if not index.exists():
        return []
    entries = []
    for line in index.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        received_at, to, subject, filename = line.split(" | ", 3)
        entries.append(
            IndexEntry(received_at=received_at, to=to, subject=subject, filename=filename)
        )
    return entries


class LocalSmtpServer:
    """The stand-in, run on a background thread: ``with LocalSmtpServer(directory=…) as server``,
    or ``start()`` and ``stop()``."""

    def __init__(
        self, *, directory: Path, host: str = STANDIN_HOST, port: int = STANDIN_PORT
    ) -> None:
        self.directory = directory
        self.host = host
        self.port = port
        self.handler = MailDrop(directory)
        # aiosmtpd logs every sender and recipient at INFO: keep addresses out of the logs.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self._controller = Controller(
            self.handler,
            hostname=host,
            port=port,
            server_hostname="keplive-mail-standin",
            data_size_limit=MAX_MESSAGE_BYTES,
        )

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> LocalSmtpServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
