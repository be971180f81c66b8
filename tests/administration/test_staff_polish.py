"""Staff pages polished (issue 15, item 13): whole chart labels, one logout in the
administration, no name or staff link in the header before the second factor, genitive dates."""

from __future__ import annotations

import pytest

from keplive.accounts.models import Role
from keplive.administration.templatetags.administration import bar_chart
from tests.factories import EmployeeFactory, UserFactory
from tests.staff import login_staff, totp_device

LONG = "ΚΕΠ Δήμου Λυκόβρυσης-Πεύκης, Γραφείο Εξυπηρέτησης Πολιτών Μεταμόρφωσης"


def test_a_long_chart_label_wraps_whole_instead_of_being_cut():
    chart = bar_chart(
        [
            {"label": LONG, "share": 1.0, "shown": "12"},
            {"label": "Σύντομο", "share": 0.5, "shown": "6"},
        ],
        "chart",
        "Τίτλος",
    )
    first, second = chart["rows"]
    assert " ".join(line["text"] for line in first["lines"]) == LONG
    assert len(first["lines"]) > 1
    assert all(len(line["text"]) <= 34 for line in first["lines"])
    assert [line["text"] for line in second["lines"]] == ["Σύντομο"]
    # The second bar starts below the first's taller row; the SVG is as tall as both.
    assert second["y"] >= len(first["lines"]) * 17
    assert chart["height"] > second["y"]


@pytest.mark.django_db
def test_the_administration_has_one_logout(client):
    admin = UserFactory(role=Role.ADMINISTRATOR, is_staff=True)
    login_staff(client, admin)
    body = client.get("/administration/").content.decode()
    assert body.count('action="/administration/logout/"') == 1


@pytest.mark.django_db
@pytest.mark.parametrize("door", ["workspace", "administration"])
def test_before_the_second_factor_the_header_shows_no_name_or_staff_link(client, door):
    if door == "workspace":
        user = EmployeeFactory().user
    else:
        user = UserFactory(role=Role.ADMINISTRATOR, is_staff=True)
    user.first_name, user.last_name = "Ονομαστή", "Κεφαλίδα"
    user.save(update_fields=["first_name", "last_name"])
    totp_device(user)
    client.force_login(user)  # password given, second factor not yet
    body = client.get(f"/{door}/login/verify/").content.decode()
    header = body.split("</header>")[0]
    assert "Ονομαστή" not in header
    assert 'href="/workspace/"' not in header
    assert 'href="/administration/"' not in header
    assert f'action="/{door}/logout/"' in header
    # With it: the name and the way in.
    login_staff(client, user)
    header = client.get(f"/{door}/").content.decode().split("</header>")[0]
    assert "Ονομαστή" in header
