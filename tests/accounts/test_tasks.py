"""Expired sessions — and the details typed in them — are deleted every night."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from keplive.accounts.tasks import clear_expired_sessions_task

pytestmark = pytest.mark.django_db


def test_only_expired_sessions_are_deleted():
    live = SessionStore()
    live["booking_wizard_typed"] = {"email": "maria@example.gr"}
    live.create()
    expired = SessionStore()
    expired["booking_wizard_typed"] = {"email": "old@example.gr"}
    expired.create()
    Session.objects.filter(pk=expired.session_key).update(
        expire_date=timezone.now() - dt.timedelta(minutes=1)
    )
    assert clear_expired_sessions_task.call_local() == 1
    assert list(Session.objects.values_list("pk", flat=True)) == [live.session_key]
