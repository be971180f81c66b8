"""``{% waiting_alerts_badge %}``: the count of the KEP's open waiting alerts, linking to the
alerts page, for any workspace page (``workspace/alerts/_badge.html``). Nothing for anyone who
is not an active KEP employee, and nothing when no alert is open."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from keplive.alerts.selectors import open_waiting_alert_count
from keplive.directory.selectors import active_employee

register = template.Library()


@register.inclusion_tag("workspace/alerts/_badge.html", takes_context=True)
def waiting_alerts_badge(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    employee = active_employee(getattr(request, "user", None)) if request is not None else None
    if employee is None:
        return {"count": 0, "url": ""}
    return {
        "count": open_waiting_alert_count(now=timezone.now(), kep=employee.kep_id),
        "url": reverse("workspace:alerts"),
    }
