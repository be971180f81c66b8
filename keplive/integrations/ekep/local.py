"""The local e-KEP stand-in (KEPLIVE_EKEP=local, the default outside production): it records
each case as one JSON line in ``KEPLIVE_EKEP_LOCAL_FILE`` and answers with a reference derived
from the protocol number, so registering the same case again gives the same receipt, as e-KEP's
idempotency promises. A protocol number ending in ``-FAIL`` is refused (for trying out retries).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable
from pathlib import Path

from keplive.integrations.ekep.base import CaseRegistration, Receipt, RegistrationFailed

_lock = threading.Lock()


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def local_reference(protocol_number: str) -> str:
    digest = hashlib.sha256(protocol_number.encode()).hexdigest()[:10].upper()
    return f"EKEP-LOCAL-{digest}"


class LocalCaseRegistry:
    def __init__(self, *, path: Path, clock: Callable[[], dt.datetime] = _utc_now) -> None:
        self.path = Path(path)
        self._clock = clock

    def register(self, case: CaseRegistration) -> Receipt:
        if case.protocol_number.endswith("-FAIL"):
            raise RegistrationFailed("stand_in_refused")
        receipt = Receipt(
            reference=local_reference(case.protocol_number), registered_at=self._clock()
        )
        line = json.dumps(
            case.as_json() | {"reference": receipt.reference}, ensure_ascii=False, sort_keys=True
        )
        try:
            with _lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as stream:
                    stream.write(line + "\n")
        except OSError:
            raise RegistrationFailed("stand_in_unwritable") from None
        return receipt

    def registered(self) -> list[dict[str, str]]:
        """Every case recorded so far, oldest first (for tests and the curious)."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as stream:
            return [json.loads(line) for line in stream if line.strip()]
