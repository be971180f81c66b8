"""The local SMTP stand-in: a real SMTP server on the loopback interface that keeps every message
it accepts as an ``.eml`` file and lists it in ``index.txt``, so a person can read the mail a
development run sends. Any mail client opens the ``.eml`` files.

It speaks plain SMTP (no TLS, no authentication) and accepts any sender. Recipients in the
``refused.invalid`` domain are refused with ``550`` at ``RCPT``, so a refusal can be tried by hand
and in tests.

Like a real relay it keeps a message sent twice twice; ``index.txt`` records each one's
Message-ID, so ``duplicate_message_ids`` can count the repeats an at-least-once sender made (the
outbox sends a message again with the same Message-ID after a worker died mid-send). ``delay``
makes it answer each message late — half before keeping it, half after — so that a worker can be
killed mid-send on purpose (tests/notifications/test_crash.py, bench/outbox_crash.py).

Only the standard library and aiosmtpd: ``keplive.integrations`` is the bottom layer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
import threading
from collections import Counter
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path
from types import TracebackType
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from keplive.integrations.smtp import REFUSING_DOMAIN, STANDIN_HOST, STANDIN_PORT

INDEX_NAME = "index.txt"
INDEX_HEADER = "# received (Europe/Athens) | to | subject | file | Message-ID\n"
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
    message_id: str = ""


def _one_line(value: str) -> str:
    return " ".join(value.replace("|", "/").split())


class MailDrop:
    """An aiosmtpd handler: each accepted message becomes ``<utc time>-<random>.eml`` in
    ``directory``, with a line appended to ``index.txt``. ``delay`` seconds pass before the
    ``250`` to each message (half before it is kept, half after)."""

    def __init__(self, directory: Path, *, delay: float = 0.0) -> None:
        self.directory = directory
        self.delay = max(delay, 0.0)
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
        if self.delay:
            await asyncio.sleep(self.delay / 2)
        self.store(content=content, recipients=list(envelope.rcpt_tos))
        if self.delay:
            await asyncio.sleep(self.delay / 2)
        return "250 2.0.0 OK: stored"

    def store(
        self, *, content: bytes, recipients: list[str], received_at: dt.datetime | None = None
    ) -> Path:
        """Write one message and index it; the file appears whole or not at all."""
        received_at = received_at or dt.datetime.now(dt.UTC)
        filename = f"{received_at:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.eml"
        parsed = message_from_bytes(content, policy=policy.default)
        subject = str(parsed.get("Subject", ""))
        line = " | ".join(
            (
                received_at.astimezone(_ATHENS).isoformat(timespec="seconds"),
                _one_line(", ".join(recipients)),
                _one_line(subject),
                filename,
                _one_line(str(parsed.get("Message-ID", ""))),
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
        # Lines written before the Message-ID column have four fields.
        received_at, to, subject, filename, *rest = line.split(" | ", 4)
        entries.append(
            IndexEntry(
                received_at=received_at,
                to=to,
                subject=subject,
                filename=filename,
                message_id=rest[0] if rest else "",
            )
        )
    return entries


def duplicate_message_ids(directory: Path) -> dict[str, int]:
    """Message-IDs the stand-in received more than once, with how many times."""
    received = Counter(entry.message_id for entry in read_index(directory) if entry.message_id)
    return {message_id: count for message_id, count in received.items() if count > 1}


class LocalSmtpServer:
    """The stand-in, run on a background thread: ``with LocalSmtpServer(directory=…) as server``,
    or ``start()`` and ``stop()``."""

    def __init__(
        self,
        *,
        directory: Path,
        host: str = STANDIN_HOST,
        port: int = STANDIN_PORT,
        delay: float = 0.0,
    ) -> None:
        self.directory = directory
        self.host = host
        self.port = port
        self.handler = MailDrop(directory, delay=delay)
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
