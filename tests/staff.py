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


def allow_audit_tampering() -> None:
    """For tests that prove the hash chain catches a changed or deleted event: lift the
    database's append-only guard for the rest of the test's transaction (rolled back after)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of rows the test inserted must run before an ALTER.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_append_only")
