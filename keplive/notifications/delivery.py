"""Handing one outbox message to Django's email backend, and what the answer means.

The outcome decides what the outbox does next:

- ``DELIVERED``: the server accepted the message (``250`` after ``DATA``).
- ``NOT_ACCEPTED``: certainly not delivered — the connection, TLS or login failed before the
  message was offered, or the server answered with a refusal code. Tried again.
- ``UNCERTAIN``: the conversation broke after the message was offered (disconnect, timeout,
  network error); the server may have taken it. Tried again all the same (at least once,
  ADR 0013): the Message-ID is the same, so a receiver recognises a repeat.
- ``UNSENDABLE``: the message cannot be built (a malformed attachment); retrying cannot help.
"""

from __future__ import annotations

import base64
import contextlib
import enum
import smtplib
from dataclasses import dataclass
from email.utils import parseaddr
from types import TracebackType
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from keplive.notifications.models import OutboxMessage


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    NOT_ACCEPTED = "not_accepted"
    UNCERTAIN = "uncertain"
    UNSENDABLE = "unsendable"


@dataclass(frozen=True, slots=True)
class Result:
    outcome: Outcome
    error: str = ""


def describe_error(exc: BaseException) -> str:
    """The error class and, when the server answered, its SMTP code. Never the message text:
    servers echo addresses in it."""
    name = type(exc).__name__
    code: object = None
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
    elif isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code = next(iter(exc.recipients.values()))[0]
    return f"{name} {code}" if code is not None else name


def message_id_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "keplive.localhost"


def build_email(message: OutboxMessage) -> EmailMultiAlternatives:
    """The email of one outbox row. Its Message-ID derives from the row's public id, so it is the
    same on every attempt and receivers can recognise a duplicate."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={
            "Message-ID": f"<{message.public_id}@{message_id_domain()}>",
            "Content-Language": message.language,
            "Auto-Submitted": "auto-generated",
        },
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    for attachment in message.attachments:
        email.attach(
            attachment["filename"],
            base64.b64decode(attachment["content"], validate=True),
            attachment["content_type"],
        )
    return email


class Mailer:
    """One connection to the email backend, opened on first use and reused for a run of
    messages; dropped after any error so the next message starts on a clean connection."""

    def __init__(self) -> None:
        self._connection: Any = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._drop()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            # Closing a broken connection can fail too; there is nothing left to do then.
            with contextlib.suppress(Exception):
                connection.close()

    def _ensure_connection(self) -> None:
        """An open connection, checked with NOOP when reused, so that a connection the server
        closed while idle fails here, before the message is offered, rather than mid-send."""
        if self._connection is not None:
            smtp = getattr(self._connection, "connection", None)
            if isinstance(smtp, smtplib.SMTP):
                try:
                    alive = smtp.noop()[0] == 250
                except (smtplib.SMTPException, OSError):
                    alive = False
                if not alive:
                    self._drop()
        if self._connection is None:
            self._connection = get_connection(fail_silently=False)
            self._connection.open()

    def send(self, message: OutboxMessage) -> Result:
        try:
            email = build_email(message)
            email.message()  # builds the MIME message: malformed content fails here, unsent
        except Exception as exc:
            return Result(Outcome.UNSENDABLE, describe_error(exc))
        try:
            self._ensure_connection()
        except Exception as exc:
            # Connecting, TLS or login failed: the message was never offered.
            self._drop()
            return Result(Outcome.NOT_ACCEPTED, describe_error(exc))
        try:
            sent = self._connection.send_messages([email])
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
            # The server answered with a refusal code: it did not take the message.
            self._drop()
            return Result(Outcome.NOT_ACCEPTED, describe_error(exc))
        except Exception as exc:
            # Broken off mid-conversation: the server may or may not have taken it.
            self._drop()
            return Result(Outcome.UNCERTAIN, describe_error(exc))
        if sent != 1:
            return Result(Outcome.NOT_ACCEPTED, "NotSent")
        return Result(Outcome.DELIVERED)
