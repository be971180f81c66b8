"""Signing staff in from tests: a password login plus a verified second factor, as the real
login leaves the session. ``force_login`` alone leaves staff unverified, and every staff page
refuses an unverified session."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device(user: Any) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def login_staff(client: Client, user: Any) -> Client:
    """Log ``user`` in on ``client`` with the second factor verified; returns the client."""
    device = totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


AUDIT_TRIGGERS = {
    "audit_auditevent": "audit_event_append_only",
    "audit_auditcheckpoint": "audit_checkpoint_append_only",
}


def allow_audit_tampering() -> None:
    """For tests that prove verification catches a changed, deleted or moved event or
    checkpoint, as an attacker with the database's rights would make them: lift the database's
    append-only guards for the rest of the test's transaction (rolled back after)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of rows the test inserted must run before an ALTER.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, trigger in AUDIT_TRIGGERS.items():
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        else:
            for trigger in AUDIT_TRIGGERS.values():
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
