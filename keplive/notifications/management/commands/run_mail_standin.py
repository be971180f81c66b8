"""Run the local SMTP stand-in: every message sent to it lands in KEPLIVE_MAIL_DIR as an .eml
file, listed in index.txt. `make run` starts it beside the worker."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from keplive.integrations.smtp import STANDIN_HOST, STANDIN_PORT
from keplive.integrations.smtp.local import INDEX_NAME, LocalSmtpServer


class Command(BaseCommand):
    help = "Run the local SMTP stand-in that keeps each message as a file (development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=STANDIN_HOST)
        parser.add_argument("--port", type=int, default=STANDIN_PORT)
        parser.add_argument("--directory", type=Path, default=None)
        parser.add_argument(
            "--delay",
            type=float,
            default=0.0,
            help="Seconds to wait before answering each message (to try a worker killed mid-send).",
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        directory: Path | None,
        delay: float,
        **options: Any,
    ) -> None:
        directory = directory or Path(settings.KEPLIVE_MAIL_DIR)
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        with LocalSmtpServer(directory=directory, host=host, port=port, delay=delay):
            self.stdout.write(
                f"SMTP stand-in on {host}:{port}; mail lands in {directory} "
                f"(list: {directory / INDEX_NAME}). Stop with Ctrl-C."
            )
            self.stdout.flush()
            stop.wait()
        self.stdout.write("SMTP stand-in stopped.")
