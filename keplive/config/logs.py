"""No token, personal datum or secret in any log line (issue 11 finding 6, P7).

Django calls ``configure`` (``LOGGING_CONFIG``) in every process — web, worker, management
commands. It applies ``LOGGING`` and installs a log-record factory that rewrites every record, of
every logger, before any handler sees it: signed links' tokens (``?link=…``, ``/manage/<token>/``,
``/call/<token>/``, ``/interpret/<token>/``, ``/offers/<token>/``), OAuth codes and states,
session cookies, email
addresses, phone numbers and tax numbers become placeholders. A factory rather than a handler
filter, because libraries (Huey, uvicorn) install handlers of their own.

This is the net under the rule, not the rule: code never logs such things on purpose.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import logging.config
import re
from typing import Any

# (pattern, replacement), applied in order.
_REDACTIONS: list[tuple[re.Pattern[str], str]] = [
    # Query parameters that carry secrets: signed links, OAuth2 codes and states, tokens.
    (
        re.compile(
            r"(?i)([?&](?:link|code|state|token|access_token|refresh_token|id_token|"
            r"client_secret|password|sessionid|csrfmiddlewaretoken)=)[^&\s\"'#]*"
        ),
        r"\1[redacted]",
    ),
    # Signed-link paths: the token is the path segment after the prefix.
    (re.compile(r"(/(?:manage|call|interpret|offers)/)(?!cancelled/)[^/\s\"'?#]+"), r"\1[token]"),
    # Cookies and authorisation headers.
    (re.compile(r"(?i)(sessionid|csrftoken)=[^;\s\"']+"), r"\1=[redacted]"),
    (re.compile(r"(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 [redacted]"),
    # Personal data: email addresses, phone numbers, tax numbers (ΑΦΜ: nine digits).
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?<![\w-])\+?\d[\d ]{7,}\d(?![\w-])"), "[number]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


_base_factory = logging.getLogRecordFactory()


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # a malformed call: keep the template only
        message = str(record.msg)
    record.msg, record.args = redact(message), ()
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


def install() -> None:
    """Every record of this process passes through ``redact``."""
    if logging.getLogRecordFactory() is not _redacting_factory:
        logging.setLogRecordFactory(_redacting_factory)


def configure(config: dict[str, Any]) -> None:
    """``LOGGING_CONFIG``: the project's logging, with the redacting factory."""
    install()
    if config:
        logging.config.dictConfig(config)


# --- Structured lines (ADR 0018) ----------------------------------------------------------------

# The id of the request (or WebSocket connection) this code runs for, set by
# ``keplive.config.observability.RequestIdMiddleware``; "" outside any request (the worker).
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("keplive_request_id", default="")

# LogRecord attributes that are not "extra" fields a caller passed.
# (uvicorn's ``color_message`` is its message again, with terminal colour codes.)
_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()
    | {"message", "asctime", "color_message"}
)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the request id, the
    exception (redacted), and the simple ``extra`` fields a caller passed. The record reaching
    it has already passed the redacting factory above, so it formats what is left; extra fields
    are redacted here as well."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = request_id.get()
        if current:
            line["request_id"] = current
        for key, value in vars(record).items():
            if key in _STANDARD_ATTRIBUTES or key.startswith("_") or key in line:
                continue
            if isinstance(value, bool | int | float) or value is None:
                line[key] = value
            elif isinstance(value, str):
                line[key] = redact(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self.formatException(record.exc_info))
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = redact(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)
