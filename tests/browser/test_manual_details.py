"""What the manual (seed 001) promises on the details step, in Chromium: the «ειδικές απαιτήσεις»
field in every category and a phone number that may be a landline (issue 14, item 5), and the
manual's consent text, whole, at the size of every other label (item 6). axe-core finds nothing
on any page, and each page is kept as a screenshot."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations, release_booking, screenshot

pytestmark = pytest.mark.browser

# ΕΛΕΝΗ ΚΑΡΑΓΙΑΝΝΗ: a stand-in citizen the other journeys leave alone; every booking made here
# is given back.
CITIZEN = "ΕΛΕΝΗ ΚΑΡΑΓΙΑΝΝΗ"
CONFIRM = "Επιβεβαίωση του ραντεβού"

# The manual's consent paragraph (seed 001), in the pieces the page must show whole.
CONSENT_PIECES = (
    "Ενημερώθηκα ότι σύμφωνα με την απόφαση",
    "του Υπουργού Ψηφιακής Διακυβέρνησης, η διαδικασία επαλήθευσης της ταυτότητάς σας καθώς "
    "και η εξυπηρέτησή σας μέσω της υπηρεσίας",
    "από υπάλληλο του ΚΕΠ, μπορεί να γίνει μέσω βιντεοκλήσης ζωντανής ροής (live streaming), "
    "η οποία δεν αποθηκεύεται αλλά διαγράφεται αυτόματα (auto-deletion). Η συνομιλία μου με "
    "τον υπάλληλο του ΚΕΠ για τη διεκπεραίωση της υποθέσεώς μου θα γίνει μέσω live-stream "
    "βιντεοκλήσης.",
    "Κάνοντας κλικ παρακάτω συμφωνείτε με τους όρους και τις πολιτικές που περιγράφονται στην "
    "ενότητα",
)


def _go(page, locator) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        locator.click()


def _check(page, name: str) -> None:  # type: ignore[no-untyped-def]
    screenshot(page, f"manual-details-{name}")
    assert axe_violations(page) == [], name


def _to_details(page, server: str, category: int) -> None:  # type: ignore[no-untyped-def]
    """Log in, choose the first service, the earliest free time and hold it."""
    page.goto(f"{server}/login/?next=/book/{category}/")
    _go(page, page.get_by_role("button", name=CITIZEN))
    assert page.url.endswith(f"/book/{category}/"), page.url
    if category == 4:  # the municipality first, after the prompt option
        page.select_option("#id_municipality", index=1)
        _go(page, page.get_by_role("button", name="Συνέχεια"))
    _go(page, page.locator(".kl-services a").first)
    if page.locator(".kl-earliest a").count():
        _go(page, page.locator(".kl-earliest a").first)
    else:
        _go(page, page.locator(".kl-keps a").first)
        days = page.locator(".kl-calendar a.kl-calendar__free")
        for index in range(days.count()):
            _go(page, days.nth(index))
            if page.locator(".kl-time").count():
                break
    _go(page, page.locator(".kl-time").first)
    assert "/book/details/" in page.url


@pytest.mark.parametrize("category", [1, 2, 4])
def test_special_requirements_and_a_landline_in_every_category(page, server, stack, category):
    _to_details(page, server, category)
    # The manual's words, and the field, outside category 3 as well.
    assert "Ενημερώστε μας αν έχετε ειδικές απαιτήσεις. Σας ευχαριστούμε." in page.content()
    requirements = page.get_by_label("Ειδικές απαιτήσεις (προαιρετικά)")
    assert requirements.count() == 1
    phone = page.get_by_label("Αριθμός τηλεφώνου")
    assert phone.count() == 1
    assert "κινητό" in (page.locator("#id_mobile_phone-hint").inner_text())
    _check(page, f"{category}-form")
    if category != 1:
        return

    page.locator("#id_email").fill("eleni@example.gr")
    phone.fill("210 123 4567")  # a landline
    page.locator("#id_postal_address").fill("Ερμού 10, 10563 Αθήνα")
    page.locator("#id_id_card_number").fill("ΑΒ123456")
    page.locator("#id_subject").fill("Πιστοποιητικό οικογενειακής κατάστασης")
    requirements.fill("Χρειάζομαι περισσότερο χρόνο· με βοηθά η κόρη μου.")
    page.locator("#id_consent").check()
    _go(page, page.get_by_role("button", name=CONFIRM))
    assert "/book/done/" in page.url, page.url
    reference = re.search(r"/book/done/([0-9a-f-]{36})/", page.url)
    assert reference is not None
    try:
        page.goto(f"{server}/appointments/{reference.group(1)}/")
        content = page.content()
        assert "Χρειάζομαι περισσότερο χρόνο· με βοηθά η κόρη μου." in content
        assert "+302101234567" in content
        _check(page, "1-appointment")
    finally:
        release_booking(stack, reference.group(1))


def test_the_consent_is_the_manuals_text_at_the_size_of_the_other_labels(page, server):
    _to_details(page, server, 1)
    consent = page.locator("label[for=id_consent]")
    text = " ".join(consent.inner_text().split())
    hint = " ".join(page.locator("#id_consent-hint").inner_text().split())
    for piece in CONSENT_PIECES[:3]:
        assert piece in text, piece
    assert "απόφαση 20530 ΕΞ 2020 (ΦΕΚ 3030/Β΄/2020) του Υπουργού" in text  # seed 002
    assert CONSENT_PIECES[3] in hint
    assert "Πολιτικές προστασίας προσωπικών δεδομένων" in hint

    def size(selector: str) -> str:
        return str(
            page.evaluate(f"getComputedStyle(document.querySelector('{selector}')).fontSize")
        )

    for width in (1280, 360):  # the labels grow on a wide screen: the consent with them
        page.set_viewport_size({"width": width, "height": 900})
        assert size("label[for=id_consent]") == size("label[for=id_full_name]"), width
        assert size("#id_consent-hint") == size("#id_full_name-hint"), width
        _check(page, f"consent-{width}")
