"""``/appointments/<reference>/form.pdf``: the citizen downloads the successful-submission form
of one of their own completed appointments (E11). Anyone else's appointment, or one without a
completed outcome, is "not found"; every download and refusal is audited."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import translation
from django.views.decorators.http import require_GET

from keplive.accounts.models import User
from keplive.audit.origin import request_origin
from keplive.outcomes.documents import submission_form
from keplive.outcomes.exceptions import AppointmentNotFound
from keplive.outcomes.selectors import completed_outcome_for_citizen
from keplive.portal.appointments import _render, citizen_required


@citizen_required
@require_GET
def form_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - checked by citizen_required
    try:
        outcome, details = completed_outcome_for_citizen(
            citizen=user.citizen, reference=reference, origin=request_origin(request, channel="web")
        )
    except AppointmentNotFound:
        return _render(request, "portal/appointments/not_found.html", status=404)
    pdf = submission_form(outcome, details, language=(translation.get_language() or "el")[:2])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{outcome.protocol_number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("appointments/<str:reference>/form.pdf", form_pdf, name="outcome_form"),
]
