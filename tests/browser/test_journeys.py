"""The citizen's whole journey in Chromium (issue 3, "Proof"): log in through the GSIS stand-in,
book in each of the four categories, read the confirmation email the worker delivered to the
SMTP stand-in (text, HTML and the ICS file), follow its manage link to reschedule and cancel,
the same in English on a 360 px phone, and bad input kept and explained beside the fields.

Each category books as a different stand-in citizen (at most 3 active bookings each, and the
browser database is shared by the whole session); the manage-link journey cancels what it books.
"""

from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.browser.conftest import axe_violations, screenshot, wait_for_mail

pytestmark = pytest.mark.browser

MAIL_WAIT_SECONDS = 30

# A stand-in citizen per category, so no one reaches the limit of 3 active bookings.
CITIZEN = {
    1: "ΕΛΕΝΗ ΚΑΡΑΓΙΑΝΝΗ",
    2: "ΓΕΩΡΓΙΟΣ ΝΙΚΟΛΑΟΥ",
    3: "ANNA KOWALSKA",
    4: "ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ",
}

# The subjects, in Greek (el) and English (en); the Greek catalogue may still lag behind.
SUBJECTS = {
    "confirmed": (
        "Το ραντεβού σας στο myKEPlive κλείστηκε: ",
        "Your myKEPlive appointment is booked: ",
    ),
    "updated": (
        "Το ραντεβού σας στο myKEPlive άλλαξε: ",
        "Your myKEPlive appointment has changed: ",
    ),
    "cancelled": (
        "Το ραντεβού σας στο myKEPlive ακυρώθηκε: ",
        "Your myKEPlive appointment was cancelled: ",
    ),
}
LINK_GONE = ("Αυτός ο σύνδεσμος δεν λειτουργεί πια", "This link no longer works")


def _details(journey: object) -> dict[str, str]:
    """What the citizen types on the details page (a distinct address per journey)."""
    return {
        "email": f"journey-{journey}@example.gr",
        "mobile_phone": "6912345678",
        "postal_address": "Ερμού 10, 10563 Αθήνα",
        "id_card_number": "ΑΒ123456",
        "subject": "Πιστοποιητικό οικογενειακής κατάστασης",
    }


# --- Pages ----------------------------------------------------------------------------------


# Each booking's readable code (what pages and emails show), by its UUID (what URLs carry).
CODES: dict[str, str] = {}


def _go(page, locator) -> None:  # type: ignore[no-untyped-def]
    """Activate a link or button by keyboard and wait for the next page."""
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _check(page, name: str, *, phone: bool = False) -> None:  # type: ignore[no-untyped-def]
    """A titled page that axe-core finds nothing on (and, on a phone, no sideways scroll)."""
    assert page.title(), name
    if phone:
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(  # what sticks out, to name it when the check fails
            "[...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > 360)"
            ".map(e => `${e.tagName}.${e.className} ${e.getBoundingClientRect().right}`)"
        )
        assert width <= 360, (name, width, wide[:10])
    violations = axe_violations(page)
    assert violations == [], (name, [(v["id"], v["nodes"][0]["target"]) for v in violations])


def _log_in(page, server: str, citizen: str, category: int) -> None:  # type: ignore[no-untyped-def]
    """The gov.gr deep link → the GSIS stand-in → back on the wizard's service step."""
    page.goto(f"{server}/login/?category={category}")
    _go(page, page.get_by_role("button", name=citizen))
    assert page.url.endswith(f"/book/{category}/"), page.url


def _choose_time(page, check) -> str:  # type: ignore[no-untyped-def]
    """On a calendar: the first free day that has times, then its first time. Returns the
    chosen time as posted (ISO, Athens offset)."""
    if not page.locator(".kl-time").count():
        days = page.locator(".kl-calendar a.kl-calendar__free")
        if not days.count():
            _go(page, page.locator(".kl-calendar__next"))
            days = page.locator(".kl-calendar a.kl-calendar__free")
        assert days.count(), "no free day in the calendar"
        for index in range(days.count()):
            _go(page, days.nth(index))
            if page.locator(".kl-time").count():
                break
    check("day")
    button = page.locator(".kl-time").first
    label = button.get_attribute("aria-label") or ""
    assert label.endswith(button.inner_text().strip()), label
    assert len(label) > 10, label
    value = button.get_attribute("value") or ""
    _go(page, button)
    return value


def _type(page, field_id: str, value: str) -> None:  # type: ignore[no-untyped-def]
    field = page.locator(f"#{field_id}")
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)


def _confirm_button(page):  # type: ignore[no-untyped-def]
    return page.locator("#details-form > button[type=submit]")


def _book(page, category: int, check, journey: object, extra=None) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """From the service step to the confirmation page, typing the details of ``journey``.
    Returns (reference, chosen time)."""
    if category == 4:  # a municipality first
        check("municipality")
        # The first option is the "choose a municipality" prompt (issue 14, item 10).
        page.select_option("#id_municipality", index=1)
        _go(page, page.locator("form:has(#id_municipality) button[type=submit]"))
        assert "municipality=" in page.url
    check("service")
    _go(page, page.locator(".kl-services a").first)
    check("kep")
    if category == 2:  # KEP-EKE only, no earliest times across KEPs
        assert page.locator(".kl-earliest").count() == 0
    _go(page, page.locator(".kl-keps a").first)
    check("calendar")
    assert page.locator(".kl-calendar").count() == 1
    chosen = _choose_time(page, check)
    assert "/book/details/" in page.url, page.url
    check("details")
    for name, value in _details(journey).items():
        _type(page, f"id_{name}", value)
    if extra:
        extra(page)
    page.locator("#id_consent").check()
    _go(page, _confirm_button(page))
    assert "/book/done/" in page.url, (
        page.url,
        page.locator(".govgr-error-summary").all_inner_texts(),
    )
    assert page.locator(".govgr-panel--confirmation").count() == 1
    # The page shows the code a person reads out (issue 14, item 9); the URL keeps the UUID.
    code = page.locator(".govgr-panel--confirmation strong").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", code), code
    reference = page.url.rstrip("/").rsplit("/", 1)[-1]
    CODES[reference] = code
    check("done")
    return reference, chosen


# --- Mail -----------------------------------------------------------------------------------


def _calendar(message: EmailMessage) -> Calendar:
    files = [
        part for part in message.iter_attachments() if part.get_filename() == "appointment.ics"
    ]
    assert len(files) == 1, [part.get_filename() for part in message.iter_attachments()]
    assert files[0].get_content_type() == "text/calendar"
    content = files[0].get_content()
    return Calendar.from_ical(content.encode() if isinstance(content, str) else content)


def _event(calendar: Calendar):  # type: ignore[no-untyped-def]
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def _wait_for_email(mail_dir: Path, reference: str, method: str, sequence: int) -> EmailMessage:
    """The email whose calendar file is this appointment at this SEQUENCE and METHOD, once the
    worker has delivered it to the SMTP stand-in (polled, at most MAIL_WAIT_SECONDS)."""

    def is_it(message: EmailMessage) -> bool:
        try:
            calendar = _calendar(message)
        except AssertionError:
            return False
        event = _event(calendar)
        return (
            str(event["UID"]) == f"{reference}@keplive"
            and int(event["SEQUENCE"]) == sequence
            and str(calendar["METHOD"]) == method
        )

    return wait_for_mail(
        mail_dir,
        match=is_it,
        timeout=MAIL_WAIT_SECONDS,
        what=f"{method} email (SEQUENCE {sequence}) for {reference}",
    )


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def _manage_link(text: str, server: str) -> str:
    links = re.findall(r"https?://[^\s<>\"]+/manage/[^\s<>\"/]+/", text)
    assert links, text
    assert all(link == links[0] for link in links)
    assert links[0].startswith(f"{server}/manage/"), links[0]
    return links[0]


def _check_email(  # type: ignore[no-untyped-def]
    message: EmailMessage,
    *,
    kind: str,
    to: str,
    reference: str,
    starts_at: str,
    language: str = "el",
):
    """The parts every appointment email has; returns (text, html, event)."""
    # Python folds a long encoded Subject right after the colon; unfolding leaves a space.
    subject = str(message["Subject"]).strip()
    prefixes = SUBJECTS[kind] if language == "el" else SUBJECTS[kind][1:]
    assert subject.startswith(prefixes), subject
    chosen = dt.datetime.fromisoformat(starts_at)
    assert f"{chosen:%H:%M}" in subject, (subject, starts_at)
    assert str(message["To"]) == to
    text, html = _parts(message)
    assert CODES[reference] in text
    assert f'lang="{language}"' in html
    calendar = _calendar(message)
    event = _event(calendar)
    assert event.decoded("DTSTART") == chosen.astimezone(dt.UTC)
    if kind == "cancelled":
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED"
        assert not event.walk("VALARM")
    else:
        assert str(calendar["METHOD"]) == "REQUEST"
        assert len(event.walk("VALARM")) == 1
    return text, html, event


# --- 1. Booking in each category -------------------------------------------------------------


def _interpreter(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("input[name=interpreter][value=sign_language]").check()


def _business(page) -> None:  # type: ignore[no-untyped-def]
    _type(page, "id_business_name", "Παπαδόπουλος Α.Ε.")
    _type(page, "id_business_tax_id", "094019245")


def _pickup(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("input[name=delivery_method][value=pickup]").check()


EXTRA = {1: None, 2: _business, 3: _interpreter, 4: _pickup}


@pytest.mark.parametrize("category", [1, 2, 3, 4])
def test_booking_in_each_category_sends_the_email_with_its_calendar_file(
    page, server, mail_dir, category
):
    def check(name: str) -> None:
        _check(page, f"{category}-{name}")

    _log_in(page, server, CITIZEN[category], category)
    reference, starts_at = _book(page, category, check, category, EXTRA[category])
    screenshot(page, f"journey-{category}-done")
    assert page.locator("body").inner_text().count(CODES[reference]) >= 1

    to = _details(category)["email"]
    message = _wait_for_email(mail_dir, reference, "REQUEST", 0)
    text, html, event = _check_email(
        message, kind="confirmed", to=to, reference=reference, starts_at=starts_at
    )
    manage = _manage_link(text, server)
    assert manage in html
    assert manage in str(event["DESCRIPTION"])
    if category == 2:
        assert "Παπαδόπουλος Α.Ε." in text
    if category == 3:
        assert "Νοηματικ" in text or "Sign Language" in text  # the interpreter, declared
    # The declared document number is masked everywhere in the email.
    assert "ΑΒ123456" not in text
    assert "ΑΒ123456" not in html


# --- 2. The manage link: reschedule, old link gone, cancel ----------------------------------


def test_the_manage_link_reschedules_and_cancels_without_logging_in(
    page, browser, server, mail_dir
):
    _log_in(page, server, CITIZEN[1], 1)
    reference, starts_at = _book(page, 1, lambda name: None, "manage")
    to = _details("manage")["email"]
    text, _html, event = _check_email(
        _wait_for_email(mail_dir, reference, "REQUEST", 0),
        kind="confirmed",
        to=to,
        reference=reference,
        starts_at=starts_at,
    )
    first_link = _manage_link(text, server)
    sequence = int(event["SEQUENCE"])

    # A fresh browser: no session, only the link.
    context = browser.new_context(locale="el-GR", viewport={"width": 1280, "height": 900})
    try:
        other = context.new_page()
        other.set_default_timeout(10_000)
        response = other.goto(first_link)
        assert response is not None
        assert response.status == 200
        assert CODES[reference] in other.content()
        _check(other, "manage-page")
        _go(other, other.locator('a[href$="/reschedule/"]').first)
        _check(other, "manage-reschedule")
        days = other.locator(".kl-calendar a.kl-calendar__free")
        new_time = ""
        for index in range(days.count()):
            _go(other, days.nth(index))
            values = [
                value
                for value in other.locator(".kl-time").evaluate_all("els => els.map(e => e.value)")
                if value != starts_at
            ]
            if values:
                new_time = values[-1]
                break
        assert new_time, "no other free time to move to"
        _go(other, other.locator(f'.kl-time[value="{new_time}"]'))
        _check(other, "manage-reschedule-confirm")
        _go(other, other.locator("form button[type=submit].govgr-btn-primary"))
        assert "done=rescheduled" in other.url, (
            other.url,
            other.locator("body").inner_text()[:600],
        )
        assert "/manage/" in other.url
        assert other.url.split("?")[0] != first_link
        _check(other, "manage-rescheduled")
        screenshot(other, "journey-manage-rescheduled")

        text, _html, moved = _check_email(
            _wait_for_email(mail_dir, reference, "REQUEST", sequence + 1),
            kind="updated",
            to=to,
            reference=reference,
            starts_at=new_time,
        )
        assert str(moved["UID"]) == str(event["UID"])
        second_link = _manage_link(text, server)
        assert second_link != first_link

        # The old link stopped working with the change.
        response = other.goto(first_link)
        assert response is not None
        assert response.status == 410
        assert other.get_by_role("heading", level=1).inner_text().strip() in LINK_GONE
        _check(other, "manage-link-gone")
        screenshot(other, "journey-manage-link-gone")

        # The newest link cancels.
        response = other.goto(second_link)
        assert response is not None
        assert response.status == 200
        _go(other, other.locator('a[href$="/cancel/"]').first)
        _check(other, "manage-cancel")
        _go(other, other.locator("form button[type=submit].govgr-btn-warning"))
        assert other.url.endswith("/manage/cancelled/"), other.url
        _check(other, "manage-cancelled")
        _check_email(
            _wait_for_email(mail_dir, reference, "CANCEL", sequence + 2),
            kind="cancelled",
            to=to,
            reference=reference,
            starts_at=new_time,
        )
        response = other.goto(second_link)
        assert response is not None
        assert response.status == 410
    finally:
        context.close()


# --- 3. In English on a phone ----------------------------------------------------------------


def _passport(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("input[name=document_kind][value=passport]").check()
    # The identity card's fields are hidden once the passport is chosen (issue 14, item 11).
    assert not page.locator("#id_id_card_number").is_visible()
    _type(page, "id_passport_number", "EA1234567")
    _type(page, "id_residence_permit_number", "ATH123456")
    _type(page, "id_mobile_phone", "+48601234567")


def test_booking_in_english_on_a_phone(phone, server, mail_dir):
    page = phone
    page.goto(server + "/")
    _go(page, page.get_by_role("button", name="English"))
    assert page.locator("html").get_attribute("lang") == "en"

    def check(name: str) -> None:
        assert page.locator("html").get_attribute("lang") == "en", name
        screenshot(page, f"journey-en-phone-{name}")
        _check(page, f"en-phone-{name}", phone=True)

    _log_in(page, server, CITIZEN[3], 1)
    reference, starts_at = _book(page, 1, check, "en", _passport)
    assert "Your appointment is booked" in page.content()

    message = _wait_for_email(mail_dir, reference, "REQUEST", 0)
    text, html, _event = _check_email(
        message,
        kind="confirmed",
        to=_details("en")["email"],
        reference=reference,
        starts_at=starts_at,
        language="en",
    )
    assert "Your appointment is booked" in html
    _manage_link(text, server)


# --- 4. Bad input on the details page -------------------------------------------------------


def test_wrong_email_and_phone_are_explained_beside_the_fields_and_kept(page, server):
    _log_in(page, server, CITIZEN[4], 1)
    _go(page, page.locator(".kl-services a").first)
    _go(page, page.locator(".kl-keps a").first)
    _choose_time(page, lambda name: None)
    assert "/book/details/" in page.url

    typed = _details("errors") | {"email": "maria-at-example", "mobile_phone": "12345"}
    for name, value in typed.items():
        _type(page, f"id_{name}", value)
    _type(page, "id_notes", "Θα συνδεθώ από το κινητό.")
    page.locator("#id_consent").check()
    _go(page, _confirm_button(page))

    assert "/book/details/" in page.url
    assert page.evaluate("document.activeElement.id") == "error-summary"
    summary = page.locator("#error-summary")
    assert summary.locator('a[href="#id_email"]').count() == 1
    assert summary.locator('a[href="#id_mobile_phone"]').count() == 1
    for name in ("email", "mobile_phone"):
        field = page.locator(f".govgr-field:has(#id_{name})")
        assert field.locator(f"#id_{name}-error").inner_text().strip(), name
        assert f"id_{name}-error" in (
            page.locator(f"#id_{name}").get_attribute("aria-describedby") or ""
        )
        assert page.locator(f"#id_{name}").get_attribute("aria-invalid") == "true"
    # Only the two wrong fields are in error.
    assert page.locator(".govgr-error-message").count() == 2
    for name, value in typed.items():
        assert page.locator(f"#id_{name}").input_value() == value, name
    assert page.locator("#id_notes").input_value() == "Θα συνδεθώ από το κινητό."
    assert page.locator("#id_consent").is_checked()
    _check(page, "details-errors")
    screenshot(page, "journey-details-errors")

    # The link in the summary takes the focus to the field.
    summary.locator('a[href="#id_email"]').click()
    assert page.evaluate("document.activeElement.id") == "id_email"
