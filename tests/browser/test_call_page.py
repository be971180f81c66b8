"""The call page as a video workspace (issue 15, items 1, 2, 4, 7 and 8), in Chromium with fake
camera and microphone, on both sides, at 1280 px and on a 360 px phone.

Screenshots of each side at both widths go to ``artifacts/screenshots/call/`` (CI keeps
``artifacts/``): look at them after a change to the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, axe_violations, run_in_server, wait_until
from tests.browser.test_call import admit, create_appointment, employee_page, media_flows

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "call"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


def shot(page: Any, name: str) -> Path:
    """What the person sees: the viewport (the page does not scroll at 1280 px); on a phone
    also the whole page, ``<name>-page.png`` (the panel is stacked under the videos)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    if page.viewport_size["width"] < 900:
        page.screenshot(path=str(SHOTS / f"{name}-page.png"), full_page=True)
    return path


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).bounding_box()
    assert found is not None, f"{selector} is not shown"
    return dict(found)


def no_sideways_scroll(page: Any) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def video_transform(page: Any, role: str) -> str:
    return str(page.locator(f"video[data-remote={role}]").evaluate("(v) => v.style.transform"))


def call_row(stack: dict[str, object], reference: str) -> dict[str, Any]:
    """The call's stored confirmations and its audit events, read in the server's database."""
    result: dict[str, Any] = run_in_server(
        stack,
        "import json\n"
        "from keplive.audit.models import AuditEvent\n"
        "from keplive.calls.models import Call\n"
        f"call = Call.objects.get(appointment__reference={reference!r})\n"
        "events = AuditEvent.objects.filter(object_type='appointment', "
        f"object_id={reference!r}, action__in=['call.opening_told', 'call.delivery_confirmed'])\n"
        "print(json.dumps({'opening_told': call.opening_told_at is not None, "
        "'delivery': [call.delivery_method, call.delivery_email, call.delivery_address], "
        "'events': [[e.action, e.details] for e in events.order_by('pk')]}))\n",
    )
    return result


def test_the_call_fills_the_screen_with_the_video_on_both_sides(server, stack, open_page):
    """Item 1: at 1280×900 the citizen's video is large on the first screen, the own view small,
    one control bar, the panel folds away, banners float over the video; zoom, pan and full
    screen on the video; Ctrl+D and Ctrl+E; on a 360 px phone the same, stacked."""
    data = create_appointment(stack)
    employee = employee_page(open_page, server, data["reference"])
    citizen = open_page(**PHONE)
    citizen.goto(f"{server}/call/{data['join']}/")
    admit(employee, "citizen")
    citizen.locator("#call-stage").wait_for(state="visible")
    media_flows(employee, "citizen")
    media_flows(citizen, "employee")

    # The employee at 1280×900: the citizen's video fills the first screen beside the panel.
    tile = box(employee, '[data-tile="citizen"]')
    assert tile["y"] < 100, tile
    assert tile["y"] + tile["height"] <= DESKTOP["height"], tile
    assert tile["width"] >= 700, tile
    assert tile["height"] >= 550, tile
    own = box(employee, "#call-self")
    assert own["width"] * own["height"] < tile["width"] * tile["height"] / 8
    assert employee.evaluate("document.documentElement.scrollHeight") <= DESKTOP["height"]
    bar = [
        "#call-toggle-mic",
        "#call-toggle-camera",
        "#call-audio-only",
        "#call-citizen-camera",
        "#call-toggle-chat",
        "#call-end",
    ]
    for selector in bar:
        control = box(employee, selector)
        assert control["y"] + control["height"] <= DESKTOP["height"], selector
        assert control["height"] >= 44, selector
    assert box(employee, "#call-side")["x"] >= tile["x"] + tile["width"]
    shot(employee, "employee-1280")
    assert axe_violations(employee) == []

    # A banner floats over the video: the video does not move.
    employee.evaluate(
        """() => {
            document.getElementById("call-error-text").textContent = "Δοκιμαστικό μήνυμα";
            document.getElementById("call-error").hidden = false;
        }"""
    )
    assert box(employee, '[data-tile="citizen"]') == tile
    employee.locator("#call-error-close").click()

    # The panel folds away and the video takes the room; it comes back.
    employee.locator("#call-toggle-panel").click()
    assert employee.locator("#call-side").is_hidden()
    assert employee.locator("#call-toggle-panel").get_attribute("aria-expanded") == "false"
    wait_until(
        lambda: box(employee, '[data-tile="citizen"]')["width"] >= 1200,
        what="the video to take the panel's room",
    )
    employee.locator("#call-toggle-panel").click()
    employee.locator("#call-side").wait_for(state="visible")

    # Zoom and pan to read a document; "Fit" shows the whole picture again.
    employee.locator('[data-zoom-in="citizen"]').click()
    employee.locator('[data-zoom-in="citizen"]').click()
    assert "scale(2)" in video_transform(employee, "citizen")
    assert "2" in employee.locator('[data-zoom-level="citizen"]').inner_text()
    employee.locator('[data-viewport="citizen"]').focus()
    employee.keyboard.press("ArrowLeft")
    employee.keyboard.press("ArrowUp")
    assert "translate(40px, 40px)" in video_transform(employee, "citizen")
    employee.locator('[data-zoom-reset="citizen"]').click()
    assert video_transform(employee, "citizen") == ""

    # Full screen on the citizen's video, and back.
    employee.locator('[data-fullscreen="citizen"]').click()
    wait_until(
        lambda: employee.evaluate("document.fullscreenElement?.dataset.tile") == "citizen",
        what="the citizen's video in full screen",
    )
    # The button follows the fullscreenchange event, which may come a moment after.
    wait_until(
        lambda: (
            employee.locator('[data-fullscreen="citizen"]').get_attribute("aria-pressed") == "true"
        ),
        what="the full-screen button pressed",
    )
    employee.locator('[data-fullscreen="citizen"]').click()
    wait_until(
        lambda: employee.evaluate("document.fullscreenElement === null"),
        what="full screen to end",
    )

    # Keyboard shortcuts, said to screen readers (aria-keyshortcuts) and announced when used.
    mic = employee.locator("#call-toggle-mic")
    assert "Control+D" in str(mic.get_attribute("aria-keyshortcuts"))
    assert "Control+E" in str(
        employee.locator("#call-toggle-camera").get_attribute("aria-keyshortcuts")
    )
    employee.locator("body").press("Control+d")
    wait_until(lambda: mic.get_attribute("aria-pressed") == "true", what="Ctrl+D to mute")
    wait_until(
        lambda: "σίγαση" in employee.locator("#call-announce-polite").inner_text(),
        what="the muted microphone announced",
    )
    employee.locator("body").press("Control+e")
    wait_until(
        lambda: employee.locator("#call-toggle-camera").get_attribute("aria-pressed") == "true",
        what="Ctrl+E to turn the camera off",
    )
    employee.locator("body").press("Control+d")
    employee.locator("body").press("Control+e")
    wait_until(lambda: mic.get_attribute("aria-pressed") == "false", what="Ctrl+D to unmute")

    # The citizen on a 360 px phone: the employee's video first, the controls big and at hand.
    tile = box(citizen, '[data-tile="employee"]')
    assert tile["width"] >= 340, tile
    assert tile["y"] < 120, tile
    for selector in ("#call-toggle-mic", "#call-toggle-camera", "#call-switch-camera"):
        control = box(citizen, selector)
        assert control["y"] + control["height"] <= PHONE["height"], selector
        assert control["height"] >= 56, selector
    assert no_sideways_scroll(citizen)
    shot(citizen, "citizen-360")
    assert axe_violations(citizen) == []

    # And the other way round: the employee on a phone, the citizen on a wide screen.
    employee.set_viewport_size(PHONE)
    citizen.set_viewport_size(DESKTOP)
    wait_until(
        lambda: box(employee, '[data-tile="citizen"]')["width"] >= 340,
        what="the employee's phone layout",
    )
    assert no_sideways_scroll(employee)
    shot(employee, "employee-360")
    wait_until(
        lambda: box(citizen, '[data-tile="employee"]')["width"] >= 700,
        what="the citizen's wide layout",
    )
    assert citizen.evaluate("document.documentElement.scrollHeight") <= DESKTOP["height"]
    shot(citizen, "citizen-1280")
    assert axe_violations(employee) == []


# The mean brightness (0–255) of the frame the waiting citizen's preview shows now.
PREVIEW_BRIGHTNESS = """() => {
    const video = document.querySelector("#call-device-check video[data-local]");
    if (!video || !video.videoWidth || video.paused) return -1;
    const canvas = document.createElement("canvas");
    canvas.width = 64;
    canvas.height = 48;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(video, 0, 0, 64, 48);
    const pixels = ctx.getImageData(0, 0, 64, 48).data;
    let sum = 0;
    for (let i = 0; i < pixels.length; i += 4) {
        sum += (pixels[i] + pixels[i + 1] + pixels[i + 2]) / 3;
    }
    return sum / (pixels.length / 4);
}"""


def test_the_waiting_citizen_sees_their_own_camera(server, stack, open_page):
    """Item 2: before admission the citizen's own preview shows the camera, not a black box."""
    data = create_appointment(stack)
    citizen = open_page(**PHONE)
    citizen.goto(f"{server}/call/{data['join']}/")
    citizen.locator("#call-waiting").wait_for(state="visible")
    preview = citizen.locator("#call-device-check video[data-local]")
    assert preview.is_visible()
    wait_until(
        lambda: citizen.evaluate(PREVIEW_BRIGHTNESS) > 20,
        what="the camera's picture in the waiting citizen's preview",
    )
    assert citizen.locator("#call-device-check [data-local-off]").is_hidden()
    preview_box = box(citizen, "#call-device-check video[data-local]")
    assert preview_box["width"] >= 300
    assert no_sideways_scroll(citizen)
    shot(citizen, "citizen-waiting-360")
    citizen.set_viewport_size(DESKTOP)
    shot(citizen, "citizen-waiting-1280")
    assert axe_violations(citizen) == []


def test_opening_words_and_delivery_are_confirmed_and_the_citizen_ends_on_one_calm_panel(
    server, stack, open_page
):
    """Items 8, 7 and 4: the employee ticks the opening words (circular 002), confirms the
    delivery before "End" (which reminds them), the outcome form shows what was confirmed —
    and the citizen ends on one calm panel: what happens next, no error box, no list."""
    data = create_appointment(stack)
    employee = employee_page(open_page, server, data["reference"])
    citizen = open_page(**PHONE)
    citizen.goto(f"{server}/call/{data['join']}/")
    citizen.locator("#call-waiting").wait_for(state="visible")
    documents = citizen.locator("#call-documents")
    assert documents.is_visible()  # before the call: what to have ready
    told = employee.locator("#call-opening-told")
    assert told.is_disabled()  # nobody to tell yet
    admit(employee, "citizen")
    citizen.locator("#call-stage").wait_for(state="visible")

    # 8. What the employee says at the start: not recorded, and the declared document.
    script = employee.locator("#call-opening").inner_text()
    assert "δεν καταγράφεται" in script
    wait_until(
        lambda: (
            employee.locator("#call-opening-document").inner_text()
            == employee.locator("#call-identity-kind").inner_text()
            != "—"
        ),
        what="the declared document in the opening words",
    )
    wait_until(told.is_enabled, what="the opening words to be tickable")
    told.check()
    wait_until(
        lambda: employee.locator("#call-opening-done").inner_text() != "",
        what="the opening words recorded",
    )
    assert told.is_checked()
    assert told.is_disabled()

    # 7. "End" before the delivery is confirmed: the employee is reminded and taken there.
    employee.locator("#call-end").click()
    assert employee.locator("#call-end-delivery-warning").is_visible()
    employee.locator("#call-end-delivery").click()
    assert employee.locator("#call-end-confirm").is_hidden()
    assert employee.evaluate("document.activeElement.name") == "method"
    assert employee.locator("#call-delivery-email-method").is_checked()  # as declared
    assert employee.locator("#call-delivery-email").input_value() == "eleni@example.gr"
    employee.locator("#call-delivery-email").fill("όχι-διεύθυνση")
    employee.locator("#call-delivery-confirm").click()
    error = employee.locator("#call-delivery-email-error")
    error.wait_for(state="visible")
    assert "email" in error.inner_text()
    assert employee.locator("#call-delivery-email").get_attribute("aria-invalid") == "true"
    employee.locator("#call-delivery-post-method").check()
    assert employee.locator("#call-delivery-email").is_hidden()
    employee.locator("#call-delivery-address").fill("Σταδίου 5, 10562 Αθήνα")
    employee.locator("#call-delivery-confirm").click()
    employee.locator("#call-delivery-confirmed", has_text="Σταδίου 5, 10562 Αθήνα").wait_for()
    assert error.is_hidden()
    employee.set_viewport_size({"width": 1280, "height": 1400})
    shot(employee, "employee-steps-done-1280")
    employee.set_viewport_size(DESKTOP)
    assert axe_violations(employee) == []
    stored = call_row(stack, data["reference"])
    assert stored["opening_told"]
    assert stored["delivery"] == ["post", "", "Σταδίου 5, 10562 Αθήνα"]
    assert stored["events"] == [
        ["call.opening_told", {}],
        ["call.delivery_confirmed", {"method": "post", "as_declared": False}],
    ]

    employee.locator("#call-end").click()
    assert employee.locator("#call-end-delivery-warning").is_hidden()
    employee.locator("#call-end-yes").click()

    # 4. The citizen: one calm panel — what happens next — and nothing else.
    over = citizen.locator("#call-over")
    over.wait_for(state="visible")
    assert citizen.locator("#call-over-next").is_visible()
    assert "email" in citizen.locator("#call-over-next").inner_text()
    for gone in ("#call-error", "#call-documents", "#call-stage", "#call-controls", "#call-side"):
        assert citizen.locator(gone).is_hidden(), gone
    assert citizen.locator("[role=alert]:visible, .govgr-error-summary:visible").count() == 0
    assert "govgr-panel--confirmation" not in str(over.get_attribute("class"))
    shot(citizen, "citizen-ended-360")
    assert axe_violations(citizen) == []

    # The outcome form shows what was confirmed in the call, and starts from it.
    employee.locator("#call-over a").click()
    confirmed = employee.locator("#delivery-confirmed-in-call")
    assert "Σταδίου 5, 10562 Αθήνα" in confirmed.inner_text()
    assert employee.locator("input[name=delivery_method][value=post]").is_checked()
    assert employee.locator("[name=delivery_address]").input_value() == "Σταδίου 5, 10562 Αθήνα"
