"""The outbox is tested against a real SMTP server: the local stand-in on a free port."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from huey.contrib.djhuey import HUEY

from keplive.integrations.smtp.local import LocalSmtpServer, read_index

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def point_email_at(settings, port: int) -> None:
    # pytest-django swaps in the in-memory backend; these tests speak real SMTP.
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


class Mailbox:
    """What the stand-in received, read back from its folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def files(self) -> list[Path]:
        return sorted(self.directory.glob("*.eml"))

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in self.files()
        ]

    def index(self):
        return read_index(self.directory)


@pytest.fixture(autouse=True)
def outbox_settings(settings) -> None:
    """Delivery happens when a test asks for it, unless the test turns this back on."""
    settings.KEPLIVE_OUTBOX_DELIVER_ON_COMMIT = False
    settings.KEPLIVE_OUTBOX_MAX_ATTEMPTS = 8
    settings.KEPLIVE_OUTBOX_BACKOFF_CAP_MINUTES = 60
    settings.KEPLIVE_OUTBOX_SENDING_TIMEOUT_MINUTES = 15
    settings.DEFAULT_FROM_EMAIL = "KEPlive <no-reply@keplive.test>"


@pytest.fixture
def mail_standin(tmp_path, settings) -> Iterator[Mailbox]:
    port = free_port()
    server = LocalSmtpServer(directory=tmp_path / "mail", port=port)
    server.start()
    point_email_at(settings, port)
    try:
        yield Mailbox(server.directory)
    finally:
        server.stop()


@pytest.fixture
def smtp_down(settings) -> None:
    """Email settings that point at a port where nothing listens."""
    point_email_at(settings, free_port())


@pytest.fixture
def huey_immediate() -> Iterator[None]:
    """Huey runs tasks inline, in memory, instead of queueing them in the worker's store."""
    previous = HUEY.immediate
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = previous
