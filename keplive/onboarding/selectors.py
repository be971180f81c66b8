"""Reading applications (administrators only; the views check the role).

The contact person's name, email and phone are personal data: reading one application's
details writes an audit event (``onboarding.application_viewed``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from keplive.audit.services import Origin, record_event
from keplive.onboarding.models import ApplicationStatus, MunicipalityApplication


def applications(*, status: str = "") -> QuerySet[MunicipalityApplication]:
    """Applications, pending first, newest first, with their counts of KEPs and services."""
    found = MunicipalityApplication.objects.annotate(
        kep_count=Count("keps", distinct=True), service_count=Count("services", distinct=True)
    )
    if status in ApplicationStatus.values:
        found = found.filter(status=status)
    return found.order_by("-status", "-submitted_at", "-id")  # "submitted" sorts after the rest


def pending_count() -> int:
    return MunicipalityApplication.objects.filter(status=ApplicationStatus.SUBMITTED).count()


def application_for_review(
    *, application_id: int, actor: Any, origin: Origin
) -> MunicipalityApplication | None:
    """One application with its KEPs and services; the read is audited."""
    application = (
        MunicipalityApplication.objects.select_related("reviewed_by", "municipality")
        .prefetch_related("keps", "services")
        .filter(pk=application_id)
        .first()
    )
    if application is not None:
        record_event(
            action="onboarding.application_viewed",
            actor=actor,
            origin=origin,
            object_type="onboarding.application",
            object_id=application.pk,
        )
    return application
