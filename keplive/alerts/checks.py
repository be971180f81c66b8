"""Start-up checks of the alerts' settings: a misconfigured digest fails at start, not at 18:00."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


@register()
def check_alert_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    raw = settings.KEPLIVE_INTERPRETER_DIGEST_TIME
    try:
        valid_time = len(raw) == 5 and dt.time.fromisoformat(raw) < dt.time(19, 0)
    except (TypeError, ValueError):
        valid_time = False
    if not valid_time:
        errors.append(
            Error(
                "KEPLIVE_INTERPRETER_DIGEST_TIME must be a Greek time HH:MM before 19:00.",
                id="keplive.alerts.E001",
            )
        )
    try:
        validate_email(settings.KEPLIVE_INTERPRETER_DIGEST_TO)
    except ValidationError:
        errors.append(
            Error(
                "KEPLIVE_INTERPRETER_DIGEST_TO must be one email address.",
                id="keplive.alerts.E002",
            )
        )
    for name in ("KEPLIVE_EMPLOYEE_REMINDER_MINUTES", "KEPLIVE_WAITING_ALERT_MINUTES"):
        if getattr(settings, name) < 1:
            errors.append(Error(f"{name} must be at least 1.", id="keplive.alerts.E003"))
    return errors
