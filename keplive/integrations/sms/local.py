"""The local SMS stand-in (the default outside production): each message becomes a file in
``KEPLIVE_SMS_DIR`` (``var/sms/``) instead of reaching a phone, readable at ``/dev/sms/`` in
development. Numbers ending in ``999999`` make the stand-in answer "unavailable" and numbers
ending in ``999998`` are rejected, so the outbox's retries and failures can be tried by hand.

Like a gateway that honours idempotency keys, it sends a message once however often it is given
the same ``message_id`` (the outbox's id, the ``Idempotency-Key`` of the live adapter): a repeat
answers with the first receipt and writes nothing. It remembers each id as a file under
``ids/`` (named by the id's SHA-256), created only after the message is kept, so a crash in
between can leave a repeat but never a lost message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from keplive.integrations.sms.base import (
    SmsGatewayUnavailable,
    SmsReceipt,
    SmsRejected,
    validate_message,
)

_ATHENS = ZoneInfo("Europe/Athens")
# Only names the stand-in writes: "<UTC time>-<8 hex>.json".
FILENAME = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{8}\.json$")
_lock = threading.Lock()
IDS_DIRECTORY = "ids"
UNAVAILABLE_SUFFIX = "999999"
REJECTED_SUFFIX = "999998"


@dataclass(frozen=True, slots=True)
class StoredSms:
    """One message the stand-in kept."""

    filename: str
    received_at: str
    to: str
    text: str
    message_id: str


class LocalSmsGateway:
    """KEPLIVE_SMS_BACKEND=local."""

    def __init__(self, *, directory: Path) -> None:
        self.directory = Path(directory)

    def send(self, *, to: str, text: str, message_id: str) -> SmsReceipt:
        validate_message(to=to, text=text)
        if to.endswith(UNAVAILABLE_SUFFIX):
            raise SmsGatewayUnavailable("standin_unavailable")
        if to.endswith(REJECTED_SUFFIX):
            raise SmsRejected("standin_rejected")
        seen = self._seen(message_id)
        if seen is not None:
            return seen
        now = dt.datetime.now(dt.UTC)
        name = f"{now:%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(4)}.json"
        gateway_id = name.removesuffix(".json")
        record = {
            "received_at": now.astimezone(_ATHENS).isoformat(timespec="seconds"),
            "to": to,
            "text": text,
            "message_id": message_id,
        }
        ids = self.directory / IDS_DIRECTORY
        with _lock:
            ids.mkdir(parents=True, exist_ok=True)
            file = self.directory / name
            partial = file.with_suffix(".part")
            partial.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
            partial.replace(file)
            # Remember the id; os.link fails if another process sent the same id meanwhile,
            # and then its message stands and this one is taken back.
            claim = ids / f"{secrets.token_hex(8)}.part"
            claim.write_text(gateway_id, encoding="ascii")
            try:
                os.link(claim, self._id_file(message_id))
            except FileExistsError:
                file.unlink()
                return self._seen(message_id) or SmsReceipt()
            finally:
                claim.unlink()
        return SmsReceipt(gateway_id=gateway_id)

    def _id_file(self, message_id: str) -> Path:
        digest = hashlib.sha256(message_id.encode("utf-8")).hexdigest()
        return self.directory / IDS_DIRECTORY / digest

    def _seen(self, message_id: str) -> SmsReceipt | None:
        """The receipt of the message first sent with this id, or None."""
        try:
            return SmsReceipt(gateway_id=self._id_file(message_id).read_text(encoding="ascii"))
        except FileNotFoundError:
            return None


def read_message(directory: Path, filename: str) -> StoredSms | None:
    """One stored message by its file name; None for a name the stand-in never writes."""
    if not FILENAME.match(filename):
        return None
    file = Path(directory) / filename
    if not file.is_file():
        return None
    try:
        record = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return StoredSms(
        filename=filename,
        received_at=str(record.get("received_at", "")),
        to=str(record.get("to", "")),
        text=str(record.get("text", "")),
        message_id=str(record.get("message_id", "")),
    )


def read_messages(directory: Path) -> list[StoredSms]:
    """Every stored message, newest first."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    names = sorted((p.name for p in directory.iterdir() if FILENAME.match(p.name)), reverse=True)
    return [sms for name in names if (sms := read_message(directory, name)) is not None]
