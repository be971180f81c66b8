"""The emails to a municipality's contact person: application received, approved, rejected.

Written in the language the application was filled in, queued in the caller's transaction with
the outbox key ``onboarding-<kind>:<application>`` (queueing twice gives one message).
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from keplive.notifications.models import OutboxMessage
from keplive.notifications.services import queue_email
from keplive.onboarding.models import MunicipalityApplication


class EmailKind(StrEnum):
    RECEIVED = "received"
    APPROVED = "approved"
    REJECTED = "rejected"


def _subject(kind: EmailKind, name: str) -> str:
    if kind is EmailKind.RECEIVED:
        return _("myKEPlive: your application to join was received (%(name)s)") % {"name": name}
    if kind is EmailKind.APPROVED:
        return _("myKEPlive: %(name)s joins the programme") % {"name": name}
    return _("myKEPlive: the application of %(name)s was not approved") % {"name": name}


def queue_application_email(application: MunicipalityApplication, kind: EmailKind) -> OutboxMessage:
    kind = EmailKind(kind)
    with translation.override(application.language):
        subject = _subject(kind, application.municipality_name)
        municipality_code = application.municipality.code if application.municipality else ""
        text = render_to_string(
            "onboarding/emails/application.txt",
            {
                "kind": kind.value,
                "application": application,
                "keps": list(application.keps.all()),
                "services": list(application.services.all()),
                "services_url": f"{settings.KEPLIVE_PUBLIC_URL}/services/?category=4"
                + (f"&municipality={municipality_code}" if municipality_code else ""),
            },
        )
    return queue_email(
        key=f"onboarding-{kind}:{application.pk}",
        to=application.contact_email,
        subject=subject,
        text=text.strip() + "\n",
        language=application.language,
        cause=application,
    )
