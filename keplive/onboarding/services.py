"""Onboarding commands (A5): a municipality applies; an administrator approves or rejects.

Each command owns its transaction, writes an audit event and queues its email in it: a decision
that fails leaves nothing half-changed and sends nothing. Approval creates or updates the
municipality (participating from the day of approval), its KEPs (open Monday to Friday
07:30–15:00 until an administrator sets their hours) and its services in category 4, and marks
the directory changed so the booking wizard sees them at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from keplive.audit.services import Origin, record_event
from keplive.catalogue.models import Category, CategoryKind, Service
from keplive.directory.models import Kep, Municipality, OpeningHours
from keplive.directory.versioning import mark_directory_changed
from keplive.onboarding.emails import EmailKind, queue_application_email
from keplive.onboarding.exceptions import (
    AlreadyParticipating,
    AlreadyReviewed,
    ApplicationNotFound,
    ApplicationPending,
    ReasonRequired,
)
from keplive.onboarding.models import (
    ApplicationKep,
    ApplicationService,
    ApplicationStatus,
    MunicipalityApplication,
)
from keplive.onboarding.naming import name_key, slug_code, stored_municipality_name, without_accents

DEFAULT_HOURS = (dt.time(7, 30), dt.time(15, 0))
WORKING_WEEK = range(5)
REASON_MAX = 2000


@dataclass(frozen=True, slots=True)
class KepInput:
    name: str
    address: str
    postal_code: str
    city: str
    email: str
    phone: str = ""


@dataclass(frozen=True, slots=True)
class ServiceInput:
    title_el: str
    title_en: str = ""
    remote_servable: bool = True
    alternative: str = ""


@dataclass(frozen=True, slots=True)
class ApplicationInput:
    municipality_name: str
    municipality_name_en: str
    region: str
    contact_name: str
    contact_email: str
    contact_phone: str
    protocol_email: str
    keps: Sequence[KepInput] = ()
    services: Sequence[ServiceInput] = ()


def municipality_by_name(raw: str) -> Municipality | None:
    """The directory's municipality of that name, however it was typed."""
    key = name_key(raw)
    for municipality in Municipality.objects.only("pk", "name_el"):
        if name_key(municipality.name_el) == key:
            return Municipality.objects.get(pk=municipality.pk)
    return None


def check_not_duplicate(raw_name: str) -> None:
    """Raise if the municipality already participates or already has an application pending."""
    existing = municipality_by_name(raw_name)
    if existing is not None and existing.is_participating:
        raise AlreadyParticipating()
    if MunicipalityApplication.objects.filter(
        name_key=name_key(raw_name), status=ApplicationStatus.SUBMITTED
    ).exists():
        raise ApplicationPending()


def submit_application(
    *, data: ApplicationInput, language: str, now: dt.datetime, origin: Origin
) -> MunicipalityApplication:
    """Record a municipality's application and send the contact a confirmation."""
    check_not_duplicate(data.municipality_name)
    try:
        with transaction.atomic():
            application = MunicipalityApplication.objects.create(
                municipality_name=stored_municipality_name(data.municipality_name),
                municipality_name_en=data.municipality_name_en.strip(),
                name_key=name_key(data.municipality_name),
                region=data.region.strip(),
                contact_name=data.contact_name.strip(),
                contact_email=data.contact_email.strip(),
                contact_phone=data.contact_phone.strip(),
                protocol_email=data.protocol_email.strip(),
                language=language if language in {"el", "en"} else "el",
                submitted_at=now,
            )
            ApplicationKep.objects.bulk_create(
                ApplicationKep(application=application, position=i, **_kep_fields(kep))
                for i, kep in enumerate(data.keps)
            )
            ApplicationService.objects.bulk_create(
                ApplicationService(
                    application=application,
                    position=i,
                    title_el=service.title_el.strip(),
                    title_en=service.title_en.strip(),
                    remote_servable=service.remote_servable,
                    alternative=service.alternative.strip() if not service.remote_servable else "",
                )
                for i, service in enumerate(data.services)
            )
            record_event(
                action="onboarding.application_submitted",
                origin=origin,
                object_type="onboarding.application",
                object_id=application.pk,
                details={
                    "municipality": application.municipality_name,
                    "keps": len(data.keps),
                    "services": len(data.services),
                },
                occurred_at=now,
            )
            queue_application_email(application, EmailKind.RECEIVED)
    except IntegrityError:
        # Another application of the same municipality was submitted at the same moment.
        raise ApplicationPending() from None
    return application


def _kep_fields(kep: KepInput) -> dict[str, Any]:
    return {
        "name": kep.name.strip(),
        "address": kep.address.strip(),
        "postal_code": kep.postal_code.replace(" ", ""),
        "city": kep.city.strip(),
        "phone": kep.phone.strip(),
        "email": kep.email.strip(),
    }


def _locked_submitted(application_id: int) -> MunicipalityApplication:
    application = (
        MunicipalityApplication.objects.select_for_update(no_key=True)
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise ApplicationNotFound()
    if application.status != ApplicationStatus.SUBMITTED:
        raise AlreadyReviewed()
    return application


@dataclass(frozen=True, slots=True)
class ApprovalResult:
    application: MunicipalityApplication
    municipality: Municipality
    keps_created: int
    keps_updated: int
    services_created: int
    services_updated: int


def approve_application(
    *, application_id: int, actor: Any, now: dt.datetime, origin: Origin
) -> ApprovalResult:
    """Approve: the municipality participates from today, with its KEPs and services."""
    with transaction.atomic():
        application = _locked_submitted(application_id)
        municipality = municipality_by_name(application.municipality_name)
        if municipality is not None and municipality.is_participating:
            raise AlreadyParticipating()
        today = timezone.localdate(now)
        if municipality is None:
            municipality = Municipality.objects.create(
                code=_free_municipality_code(application.municipality_name),
                name_el=application.municipality_name,
                name_en=application.municipality_name_en,
                region=application.region,
                is_participating=True,
                joined_on=today,
            )
        else:
            municipality.is_participating = True
            municipality.joined_on = today
            municipality.region = municipality.region or application.region
            municipality.save(update_fields=["is_participating", "joined_on", "region"])
        keps_created, keps_updated = _write_keps(application, municipality)
        services_created, services_updated = _write_services(application, municipality)
        application.status = ApplicationStatus.APPROVED
        application.reviewed_by = actor
        application.reviewed_at = now
        application.municipality = municipality
        application.save(update_fields=["status", "reviewed_by", "reviewed_at", "municipality"])
        record_event(
            action="onboarding.application_approved",
            actor=actor,
            origin=origin,
            object_type="onboarding.application",
            object_id=application.pk,
            details={
                "municipality": municipality.code,
                "keps_created": keps_created,
                "keps_updated": keps_updated,
                "services_created": services_created,
                "services_updated": services_updated,
            },
            occurred_at=now,
        )
        queue_application_email(application, EmailKind.APPROVED)
        mark_directory_changed()
    return ApprovalResult(
        application=application,
        municipality=municipality,
        keps_created=keps_created,
        keps_updated=keps_updated,
        services_created=services_created,
        services_updated=services_updated,
    )


def reject_application(
    *, application_id: int, actor: Any, reason: str, now: dt.datetime, origin: Origin
) -> MunicipalityApplication:
    """Reject with a reason, which the applicant receives by email."""
    reason = reason.strip()[:REASON_MAX]
    if not reason:
        raise ReasonRequired()
    with transaction.atomic():
        application = _locked_submitted(application_id)
        application.status = ApplicationStatus.REJECTED
        application.reason = reason
        application.reviewed_by = actor
        application.reviewed_at = now
        application.save(update_fields=["status", "reason", "reviewed_by", "reviewed_at"])
        record_event(
            action="onboarding.application_rejected",
            actor=actor,
            origin=origin,
            object_type="onboarding.application",
            object_id=application.pk,
            details={"municipality": application.municipality_name},
            occurred_at=now,
        )
        queue_application_email(application, EmailKind.REJECTED)
    return application


def _free_municipality_code(name: str) -> str:
    base = slug_code(name.removeprefix("Δήμος "), max_length=56)
    taken = set(Municipality.objects.filter(code__startswith=base).values_list("code", flat=True))
    return _first_free(base, taken)


def _first_free(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _next_kep_code() -> int:
    numbers = [int(code) for code in Kep.objects.values_list("code", flat=True) if code.isdigit()]
    return max(numbers, default=0) + 1


def _same_text(a: str, b: str) -> bool:
    return without_accents(a).casefold().strip() == without_accents(b).casefold().strip()


def _write_keps(
    application: MunicipalityApplication, municipality: Municipality
) -> tuple[int, int]:
    existing = list(Kep.objects.filter(municipality=municipality))
    created = updated = 0
    next_code = _next_kep_code()
    given = list(application.keps.all())
    for index, row in enumerate(given, start=1):
        match = next((kep for kep in existing if _same_text(kep.name_el, row.name)), None)
        fields = {
            "address": row.address,
            "postal_code": row.postal_code,
            "city": row.city,
            "phone": row.phone,
            "email": row.email,
            "protocol_email": application.protocol_email,
            "is_active": True,
        }
        if match is not None:
            for name, value in fields.items():
                setattr(match, name, value)
            match.save(update_fields=list(fields))
            updated += 1
            continue
        suffix = f" {index}" if len(given) > 1 else ""
        kep = Kep.objects.create(
            code=f"{next_code:04d}",
            municipality=municipality,
            name_el=row.name,
            name_en=f"{application.municipality_name_en} KEP{suffix}"[:200],
            **fields,
        )
        next_code += 1
        OpeningHours.objects.bulk_create(
            OpeningHours(kep=kep, weekday=day, opens=DEFAULT_HOURS[0], closes=DEFAULT_HOURS[1])
            for day in WORKING_WEEK
        )
        created += 1
    return created, updated


def _write_services(
    application: MunicipalityApplication, municipality: Municipality
) -> tuple[int, int]:
    municipal = Category.objects.get(number=CategoryKind.MUNICIPAL)
    existing = list(Service.objects.filter(municipality=municipality))
    taken = set(
        Service.objects.filter(code__startswith=municipality.code).values_list("code", flat=True)
    )
    created = updated = 0
    for row in application.services.all():
        fields = {
            "title_en": row.title_en or row.title_el,
            "remote_servable": row.remote_servable,
            "alternative_el": row.alternative,
            "is_active": True,
        }
        service = next((s for s in existing if _same_text(s.title_el, row.title_el)), None)
        if service is not None:
            for name, value in fields.items():
                setattr(service, name, value)
            service.save(update_fields=list(fields))
            updated += 1
        else:
            code = _first_free(
                f"{municipality.code}-{slug_code(row.title_el, max_length=40)}", taken
            )
            taken.add(code)
            service = Service.objects.create(
                code=code, municipality=municipality, title_el=row.title_el, **fields
            )
            existing.append(service)
            created += 1
        service.categories.set([municipal])
    return created, updated
