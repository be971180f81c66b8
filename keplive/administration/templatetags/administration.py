"""Template tags of the administration: the navigation links and the dashboard's charts.

Charts are inline SVG drawn on the server: no script, readable without colour (every bar has
its value written beside it), and each is followed by the table of the same figures.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def admin_nav_link(context: template.Context, name: str, label: str) -> SafeString | str:
    """A navigation item for the URL named ``name``; nothing while that page does not exist
    (each part of the administration adds its URLs on its own schedule)."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    request = context.get("request")
    path = getattr(request, "path", "")
    home = reverse("administration:home")
    current = path == url if url == home else path.startswith(url.removesuffix(".csv"))
    if current:
        return format_html(
            '<li class="kl-admin-nav__item"><a class="govgr-link kl-admin-nav__link" '
            'href="{}" aria-current="page">{}</a></li>',
            url,
            label,
        )
    return format_html(
        '<li class="kl-admin-nav__item"><a class="govgr-link kl-admin-nav__link" href="{}">{}</a>'
        "</li>",
        url,
        label,
    )


# Geometry of a horizontal bar chart, in SVG user units (the SVG scales to its container).
CHART_WIDTH = 720
LABEL_WIDTH = 330
VALUE_ROOM = 90
ROW_HEIGHT = 30
BAR_HEIGHT = 18
LABEL_CHARS = 34
LINE_HEIGHT = 17


def _label_lines(text: str, size: int = LABEL_CHARS) -> list[str]:
    """A label on as many lines as it needs (issue 15, item 13: never cut short with "…")."""
    return textwrap.wrap(text, size, break_long_words=True, break_on_hyphens=False) or [""]


@register.inclusion_tag("administration/dashboard/_bar_chart.html")
def bar_chart(bars: list[dict[str, Any]], chart_id: str, title: str) -> dict[str, Any]:
    """``bars``: dicts of label, share (0–1 of the largest) and the value as shown."""
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_ROOM
    rows = []
    y = 0
    for bar in bars:
        lines = _label_lines(str(bar["label"]))
        height = max(ROW_HEIGHT, len(lines) * LINE_HEIGHT + 12)
        middle = y + height / 2
        width = max(round(bar["share"] * room, 1), 0)
        first_line = middle + 5 - (len(lines) - 1) * LINE_HEIGHT / 2
        rows.append(
            {
                "lines": [
                    {"text": line, "y": first_line + number * LINE_HEIGHT}
                    for number, line in enumerate(lines)
                ],
                "full_label": bar["label"],
                "shown": bar["shown"],
                "y": y,
                "text_y": middle + 5,
                "bar_y": middle - BAR_HEIGHT / 2,
                "width": width,
                "value_x": LABEL_WIDTH + width + 6,
            }
        )
        y += height
    return {
        "rows": rows,
        "chart_id": chart_id,
        "title": title,
        "width": CHART_WIDTH,
        "height": max(y, ROW_HEIGHT),
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "label_x": LABEL_WIDTH - 8,
    }


DAY_CHART_HEIGHT = 160
DAY_AXIS = 28


@register.inclusion_tag("administration/dashboard/_day_chart.html")
def day_chart(days: list[dict[str, Any]], chart_id: str, title: str) -> dict[str, Any]:
    """Columns per day: booked (solid) and cancelled (hatched) stacked, dates under some."""
    count = max(len(days), 1)
    column = CHART_WIDTH / count
    gap = min(2.0, column / 4)
    columns = []
    for index, day in enumerate(days):
        booked = day["booked"] * DAY_CHART_HEIGHT
        cancelled = day["cancelled"] * DAY_CHART_HEIGHT
        x = index * column
        columns.append(
            {
                "x": round(x + gap / 2, 2),
                "width": round(column - gap, 2),
                "booked_y": round(DAY_CHART_HEIGHT - booked, 2),
                "booked_height": round(booked, 2),
                "cancelled_y": round(DAY_CHART_HEIGHT - booked - cancelled, 2),
                "cancelled_height": round(cancelled, 2),
                "label": formats.date_format(day["day"], "j/n") if day["labelled"] else "",
                "label_x": round(x + column / 2, 2),
                "tooltip": f"{formats.date_format(day['day'], 'D j/n')}: {day['total']}",
            }
        )
    return {
        "columns": columns,
        "chart_id": chart_id,
        "title": title,
        "width": CHART_WIDTH,
        "height": DAY_CHART_HEIGHT + DAY_AXIS,
        "plot_height": DAY_CHART_HEIGHT,
        "axis_y": DAY_CHART_HEIGHT + 20,
    }


@register.filter
def percent(value: float | None) -> str:
    """0.4567 → "45,7 %" (in the page's language); no value → a dash."""
    if value is None:
        return "–"
    return f"{formats.number_format(round(value * 100, 1), decimal_pos=1)} %"


@register.filter
def wait(value: dt.timedelta | None) -> str:
    """A wait as days and hours (or hours and minutes under a day)."""
    if value is None:
        return "–"
    hours, minutes = value.seconds // 3600, value.seconds % 3600 // 60
    if value.days:
        return _("%(days)s d %(hours)s h") % {"days": value.days, "hours": hours}
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}


@register.filter
def minutes_as_hours(value: int) -> str:
    """Minutes as hours with one decimal: 90 → "1,5"."""
    return formats.number_format(round(value / 60, 1), decimal_pos=1)


@register.filter
def compact_json(value: object) -> str:
    """An audit event's details as one line of JSON."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
