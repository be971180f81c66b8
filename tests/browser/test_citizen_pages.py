"""Every citizen page, seen and heard (issue 14, items 9, 10, 14 and 15).

One journey as ANNA KOWALSKA, from the home page to the call page, checks on each page what a
screen reader meets — one h1, the banner, main and footer landmarks with names, no axe-core
violation — and compares the page's accessibility tree with the one kept in
``tests/browser/snapshots/<page>.txt``: a name or a landmark the stored tree has and the page
lost fails the test (set ``KEPLIVE_UPDATE_SNAPSHOTS=1`` to store the trees again after a change
you meant). Each page is written as a screenshot at 1280 px and at 360 px under
``var/screenshots/citizen/`` (the CI artefact; see tests/browser/README.md).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ROOT, assert_accessible, release_booking, run_in_server

pytestmark = pytest.mark.browser

SNAPSHOTS = Path(__file__).parent / "snapshots"
SCREENSHOTS = ROOT / "var" / "screenshots" / "citizen"
UPDATE = os.environ.get("KEPLIVE_UPDATE_SNAPSHOTS") == "1"
CODE = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\b")

# What changes from one run to the next is masked: the day and month names, numbers, codes.
_DAYS = (
    "Δευτέρα|Τρίτη|Τετάρτη|Πέμπτη|Παρασκευή|Σάββατο|Κυριακή|"
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
)
_MONTHS = (
    "Ιανουαρίου|Φεβρουαρίου|Μαρτίου|Απριλίου|Μαΐου|Ιουνίου|Ιουλίου|Αυγούστου|Σεπτεμβρίου|"
    "Οκτωβρίου|Νοεμβρίου|Δεκεμβρίου|Ιανουάριος|Φεβρουάριος|Μάρτιος|Απρίλιος|Μάιος|Ιούνιος|"
    "Ιούλιος|Αύγουστος|Σεπτέμβριος|Οκτώβριος|Νοέμβριος|Δεκέμβριος|January|February|March|"
    "April|May|June|July|August|September|October|November|December"
)
# The roles whose names a listener navigates by: landmarks, headings, form controls, live regions.
_KEPT = re.compile(
    r"^\s*- (banner|navigation|main|contentinfo|region|form|search|complementary|heading|"
    r"textbox|combobox|radio|checkbox|button|status|alert|group)\b(.*)$"
)


def _masked(text: str) -> str:
    text = CODE.sub("<code>", text)
    text = re.sub(_DAYS, "<day>", text)
    text = re.sub(_MONTHS, "<month>", text)
    return re.sub(r"\d+", "#", text)


def accessibility_tree(page: Any) -> list[str]:
    """The page's landmarks, headings, controls and live regions with their names (masked),
    each once, in the order met."""
    lines: list[str] = []
    for line in page.locator("body").aria_snapshot().splitlines():
        match = _KEPT.match(line)
        if match is None:
            continue
        role, rest = match.groups()
        name = re.match(r'\s*"((?:[^"\\]|\\.)*)"', rest)
        level = re.search(r"\[level=(\d)\]", rest)
        entry = role + (f" level={level.group(1)}" if level else "")
        entry += f' "{_masked(name.group(1))}"' if name else ""
        if entry not in lines:
            lines.append(entry)
    return lines


def check_tree(page: Any, name: str) -> None:
    tree = accessibility_tree(page)
    stored = SNAPSHOTS / f"{name}.txt"
    if UPDATE or not stored.exists():
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        stored.write_text("\n".join(tree) + "\n", encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"no stored accessibility tree for {name}: written, check it in")
        return
    kept = [line for line in stored.read_text(encoding="utf-8").splitlines() if line]
    lost = [line for line in kept if line not in tree]
    assert lost == [], f"{name} lost from its accessibility tree: {lost}"


def heard(page: Any, name: str, *, site_frame: bool = True) -> None:
    """What a screen reader needs on every citizen page, then the tree and a screenshot.
    The call page is a video application filling the screen (docs/call-page.md): its own top
    bar inside main, without the site's banner and footer (``site_frame=False``)."""
    assert page.locator("h1").count() == 1, name
    frame = 1 if site_frame else 0
    assert page.get_by_role("banner", name="myKEPlive").count() == frame, name
    assert page.get_by_role("main").count() == 1, name
    assert page.get_by_role("contentinfo").count() == frame, name
    assert page.title().endswith("myKEPlive"), name
    assert_accessible(page)
    check_tree(page, name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-1280.png"), full_page=True, timeout=60_000)


# On failure: the deepest elements that stick out of a 360 px screen, to say what to fix.
WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > 361 && ![...e.children].some(
    (c) => c.getBoundingClientRect().right > 361))
  .slice(0, 5)
  .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${
    Math.round(e.getBoundingClientRect().right)}px`)"""


def on_phone(browser: Any, desktop: Any, url: str, name: str) -> None:
    """The same page at 360 px in the same session: it fits the screen, and is kept."""
    context = browser.new_context(
        locale="el-GR",
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        storage_state=desktop.context.storage_state(),
        permissions=["camera", "microphone"],
    )
    try:
        phone = context.new_page()
        phone.set_default_timeout(30_000)
        phone.goto(url)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (name, width, phone.evaluate(WIDER_THAN_THE_SCREEN))
        phone.screenshot(path=str(SCREENSHOTS / f"{name}-360.png"), full_page=True, timeout=60_000)
    finally:
        context.close()


def visit(browser: Any, page: Any, name: str, *, site_frame: bool = True) -> None:
    heard(page, name, site_frame=site_frame)
    on_phone(browser, page, page.url, name)


@pytest.fixture
def desktop(browser: Any) -> Any:
    context = browser.new_context(
        locale="el-GR",
        viewport={"width": 1280, "height": 900},
        permissions=["camera", "microphone"],
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def log_in_as_anna(page: Any, server: str) -> None:
    page.goto(f"{server}/login/?category=1")
    with page.expect_navigation():
        page.get_by_role("button", name="ANNA KOWALSKA").click()
    assert page.url.endswith("/book/1/")


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/", "home"),
        ("/services/", "services"),
        ("/manual/", "manual"),
        ("/privacy/", "privacy"),
    ],
)
def test_each_public_page_is_heard_in_order(browser, desktop, server, path, name):
    desktop.goto(server + path)
    visit(browser, desktop, name)
    if name == "home":
        # Item 12: the first "book" button within the phone's first screen.
        context = browser.new_context(locale="el-GR", viewport={"width": 360, "height": 740})
        try:
            phone = context.new_page()
            phone.goto(server + path)
            box = phone.locator("main .govgr-btn-primary").first.bounding_box()
            assert box is not None
            assert box["y"] + box["height"] <= 740
        finally:
            context.close()


def test_the_booking_steps_are_heard_in_order(browser, desktop, server, stack):
    page = desktop
    reference = ""
    try:
        log_in_as_anna(page, server)
        visit(browser, page, "book-1-service")
        # Item 10: services in Greek alphabetical order, accents ignored.
        from keplive.directory.ordering import collation_key

        titles = [t.strip() for t in page.locator(".kl-services h2").all_inner_texts()]
        assert titles == sorted(titles, key=collation_key)

        page.goto(f"{server}/book/")
        visit(browser, page, "book-category")

        # Item 10: category 4 asks for the municipality with a prompt, in Greek order.
        page.goto(f"{server}/book/4/")
        options = page.locator("#id_municipality option")
        assert options.first.get_attribute("value") == ""
        names = options.all_inner_texts()[1:]
        assert names == sorted(names, key=collation_key)
        visit(browser, page, "book-4-municipality")
        with page.expect_navigation():
            page.get_by_role("button", name="Συνέχεια").click()
        assert page.locator("#id_municipality[aria-invalid=true]").count() == 1
        assert_accessible(page)

        page.goto(f"{server}/book/1/")
        with page.expect_navigation():
            page.locator(".kl-services a").first.click()
        # Item 14: each KEP with its first free time; the earliest tiles without dashes.
        assert page.locator(".kl-keps__first").count() >= 1
        assert " — " not in page.locator(".kl-earliest").inner_text()
        visit(browser, page, "book-kep")

        with page.expect_navigation():
            page.locator(".kl-earliest a").first.click()
        # Item 14: a day without times says why, to the eye (legend) and the ear.
        assert page.locator(".kl-calendar__legend li").count() == 4
        reasons = page.locator(".kl-calendar__none .govgr-visually-hidden").all_inner_texts()
        assert any("Το ΚΕΠ είναι κλειστό" in text for text in reasons), reasons
        visit(browser, page, "book-calendar")

        with page.expect_navigation():
            page.locator(".kl-time").first.click()
        assert "/book/details/" in page.url
        # Item 15: the time held is said in a live region.
        assert page.get_by_role("status").filter(has_text="κρατάμε").count() == 1
        visit(browser, page, "book-details")
        # Item 11: only the chosen document's fields, by the radio, with CSS alone.
        id_card = page.locator("input[name=document_kind][value=id_card]")
        passport = page.locator("input[name=document_kind][value=passport]")
        passport.check()
        assert page.locator("#id_passport_number").is_visible()
        assert page.locator("#id_residence_permit_number").is_visible()
        assert page.locator("#id_id_card_number").is_hidden()
        id_card.check()
        assert page.locator("#id_id_card_number").is_visible()
        assert page.locator("#id_passport_number").is_hidden()
        assert_accessible(page)

        for field_id, value in {
            "id_email": "anna@example.gr",
            "id_mobile_phone": "6912345670",
            "id_postal_address": "Ερμού 10, 10563 Αθήνα",
            "id_id_card_number": "ΑΒ123457",
            "id_subject": "Βεβαίωση μόνιμης κατοικίας",
        }.items():
            page.fill(f"#{field_id}", value)
        page.check("#id_consent")
        with page.expect_navigation():
            page.get_by_role("button", name="Επιβεβαίωση του ραντεβού").click()
        assert "/book/done/" in page.url, page.url
        reference = page.url.rstrip("/").rsplit("/", 1)[1]
        # Item 9: the code to read out on the phone, not the UUID.
        shown = page.locator(".govgr-panel--confirmation .kl-code").inner_text()
        assert CODE.fullmatch(shown), shown
        assert reference not in page.locator("main").inner_text()
        visit(browser, page, "book-done")
    finally:
        if reference:
            release_booking(stack, reference)


BOOK_FOR_ANNA = """
import datetime as dt, json
from django.utils import timezone
from keplive.accounts.models import Citizen
from keplive.booking import services
from keplive.booking.declarations import Declaration
from keplive.booking.links import join_token, manage_token
from keplive.booking.selectors import free_times_on
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Kep
anna = Citizen.objects.get(tax_id="147258367")
category = Category.objects.get(number=1)
service = Service.objects.filter(categories=category, municipality=None, is_active=True).first()
kep = Kep.objects.filter(is_active=True).order_by("code").first()
now = timezone.now()
slot = None
for days in range(2, 30):
    times = free_times_on(kep=kep, service=service, category=category,
                          day=timezone.localdate() + dt.timedelta(days=days), now=now)
    if times:
        slot = times[-1]
        break
a = services.book_appointment(
    citizen=anna, kep=kep, service=service, category=category, starts_at=slot.start, now=now,
    declaration=Declaration(full_name="ANNA KOWALSKA", email="anna@example.gr",
        mobile_phone="6912345670", postal_address="Ερμού 10, 10563 Αθήνα",
        document_kind="id_card", id_card_number="ΑΒ123457", subject="Βεβαίωση",
        delivery_method="email", language="el"),
)
print(json.dumps({"reference": str(a.reference), "code": a.display_code,
                  "join": join_token(a), "manage": manage_token(a)}))
"""


def test_the_pages_of_a_booking_are_heard_in_order(browser, desktop, server, stack):
    page = desktop
    log_in_as_anna(page, server)
    booked = run_in_server(stack, BOOK_FOR_ANNA)
    reference = booked["reference"]
    try:
        page.goto(f"{server}/appointments/")
        assert booked["code"] in page.locator("main").inner_text()
        visit(browser, page, "appointments")
        page.goto(f"{server}/appointments/{reference}/")
        visit(browser, page, "appointment")
        for action in ("reschedule", "cancel"):
            page.goto(f"{server}/appointments/{reference}/{action}/")
            visit(browser, page, f"appointment-{action}")
        page.goto(f"{server}/manage/{booked['manage']}/")
        visit(browser, page, "manage-link")

        # Items 10 and 14 on the call page: the genitive month, and when the employee comes.
        page.goto(f"{server}/call/{booked['join']}/")
        early = page.locator("#call-early")
        assert "Ο υπάλληλος θα είναι εδώ" in early.inner_text()
        assert re.search(_MONTHS.split("|Ιανουάριος")[0], early.inner_text())
        assert page.locator("#call-waiting[role=status]").count() == 1
        visit(browser, page, "call", site_frame=False)
    finally:
        release_booking(stack, reference)
