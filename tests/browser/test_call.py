"""The video call in Chromium with fake camera and microphone (issue 4, "Proof").

The employee signs in at /workspace/login/ (demo.employee of KEP 0071) and opens the call; the
citizen opens the join link; the interpreter their own link. Media flows peer to peer on
loopback: the tests read RTCPeerConnection.getStats() through the page's test hook
(``window.keplive.peers``) and check that inbound RTP bytes grow — or stop growing.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.browser.conftest import (
    axe_violations,
    run_in_server,
    screenshot,
    sign_in_staff,
    wait_until,
)

pytestmark = pytest.mark.browser


# An appointment starting in two minutes at demo.employee's KEP, in the server's own database.
SETUP = """
import datetime as dt, json
from django.utils import timezone
from keplive.booking.links import interpreter_token, join_token
from keplive.booking.models import Appointment, AppointmentDetails, Status
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Employee

me = Employee.objects.get(user__username="demo.employee")
colleague = new_colleague(me.kep, "call")
citizen = new_citizen("ΕΛΕΝΗ", "ΚΑΡΑΓΙΑΝΝΗ")
category = Category.objects.get(number=CATEGORY)
service = Service.objects.filter(categories=category, remote_servable=True).order_by("code")[0]
start = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=2)
appointment = Appointment.objects.create(
    status=Status.BOOKED, citizen=citizen, kep=me.kep, employee=colleague, category=category,
    service=service, starts_at=start, ends_at=start + dt.timedelta(minutes=30),
    blocked_until=start + dt.timedelta(minutes=40),
)
AppointmentDetails.objects.create(
    appointment=appointment, full_name="Ελένη Καραγιάννη", email="eleni@example.gr",
    mobile_phone="+306912345678", postal_address="Ερμού 1, 10563 Αθήνα", document_kind="id_card",
    id_card_number="ΑΒ123456", subject="Πιστοποιητικό", delivery_method="email",
    interpreter=INTERPRETER, consent_at=timezone.now(),
)
print(json.dumps({
    "reference": str(appointment.reference),
    "join": join_token(appointment),
    "interpreter": interpreter_token(appointment),
}))
"""


def create_appointment(
    stack: dict[str, object], *, category: int = 1, interpreter: str = ""
) -> dict[str, str]:
    script = SETUP.replace("CATEGORY", str(category)).replace("INTERPRETER", repr(interpreter))
    result: dict[str, str] = run_in_server(stack, script)
    return result


def employee_page(open_page: Any, server: str, reference: str) -> Any:
    page = open_page()
    sign_in_staff(page, server, "demo.employee")
    page.goto(f"{server}/workspace/calls/{reference}/")
    return page


def inbound_bytes(page: Any, remote: str, kind: str = "video") -> int:
    return int(
        page.evaluate(
            """async ([remote, kind]) => {
                const pc = window.keplive.peers.get(remote);
                if (!pc) return 0;
                let bytes = 0;
                (await pc.getStats()).forEach((r) => {
                    if (r.type === "inbound-rtp" && r.kind === kind) bytes += r.bytesReceived;
                });
                return bytes;
            }""",
            [remote, kind],
        )
    )


def media_flows(page: Any, remote: str, kind: str = "video", *, timeout: float = 20) -> None:
    """Inbound RTP bytes from ``remote`` are growing."""
    first = inbound_bytes(page, remote, kind)
    wait_until(
        lambda: inbound_bytes(page, remote, kind) > first + 2000,
        timeout=timeout,
        what=f"{kind} from the {remote}",
    )


def media_stopped(page: Any, remote: str, kind: str = "video", *, settle: float = 2) -> None:
    """Inbound RTP bytes from ``remote`` no longer grow (after a moment to settle)."""
    time.sleep(settle)
    first = inbound_bytes(page, remote, kind)
    time.sleep(2)
    assert inbound_bytes(page, remote, kind) - first < 1500, f"{kind} from the {remote} still flows"


def admit(employee: Any, role: str) -> None:
    button = employee.locator(f"[data-admit={role}]")
    button.wait_for(state="visible", timeout=20_000)
    button.click()


def open_chat(page: Any) -> None:
    """The chat is in the side panel; on a phone the citizen's is folded away until "Chat"."""
    page.locator("#call-toggle-chat").wait_for(state="visible")
    if not page.locator("#call-chat").is_visible():
        page.locator("#call-toggle-chat").click()
    page.locator("#call-chat").wait_for(state="visible")


def knock_and_admit(server: str, open_page: Any, data: dict[str, str]) -> tuple[Any, Any]:
    employee = employee_page(open_page, server, data["reference"])
    citizen = open_page(width=390, height=844)
    citizen.goto(f"{server}/call/{data['join']}/")
    admit(employee, "citizen")
    citizen.locator("#call-stage").wait_for(state="visible")
    return employee, citizen


def test_knock_admit_identity_audio_only_chat_and_end(server, stack, open_page):
    data = create_appointment(stack)
    employee = employee_page(open_page, server, data["reference"])
    citizen = open_page(width=390, height=844)
    citizen.goto(f"{server}/call/{data['join']}/")
    citizen.locator("#call-waiting").wait_for(state="visible")
    assert "δεν καταγράφεται" in citizen.content() or "not recorded" in citizen.content()
    employee.locator("[data-admit=citizen]").wait_for(state="visible", timeout=20_000)
    screenshot(citizen, "call-citizen-waiting")
    screenshot(employee, "call-employee-lobby")
    assert axe_violations(citizen) == []
    assert axe_violations(employee) == []

    employee.locator("[data-admit=citizen]").click()
    citizen.locator("#call-stage").wait_for(state="visible")
    media_flows(employee, "citizen")
    media_flows(citizen, "employee")
    media_flows(employee, "citizen", "audio")
    # P6: the media goes straight between the two browsers, never through the server.
    pair = employee.evaluate(
        """async () => {
            const stats = await window.keplive.peers.get("citizen").getStats();
            let pair = null;
            stats.forEach((r) => {
                if (r.type === "transport" && r.selectedCandidatePairId)
                    pair = stats.get(r.selectedCandidatePairId);
            });
            const local = pair && stats.get(pair.localCandidateId);
            const remote = pair && stats.get(pair.remoteCandidateId);
            if (!local || !remote) return null;
            return [local.candidateType, remote.candidateType, remote.port];
        }"""
    )
    assert pair is not None
    assert pair[0] == "host"
    assert pair[1] in ("host", "prflx")
    assert f":{pair[2]}" not in server  # not the web server's port
    assert employee.locator("#call-identity-number").inner_text() == "••••••56"
    wait_until(
        lambda: (
            "×" in employee.locator("#call-citizen-resolution").inner_text()
            or "x" in employee.locator("#call-citizen-resolution").inner_text()
        ),
        what="the citizen's camera resolution",
    )
    employee.locator("#call-registry-check").click()
    wait_until(
        lambda: (
            employee.locator("#call-registry-outcome").inner_text()
            not in ("", "Δεν έχει ελεγχθεί ακόμη", "Not checked yet")
        ),
        what="the registry outcome",
    )
    employee.locator("#call-identity-yes").click()
    screenshot(employee, "call-employee-in-call")
    screenshot(citizen, "call-citizen-in-call")
    assert axe_violations(employee) == []
    assert axe_violations(citizen) == []

    open_chat(citizen)
    citizen.fill("#call-chat-input", "Καλημέρα, σας ακούω.")
    citizen.locator("#call-chat-send").click()
    employee.locator("#call-chat-list", has_text="Καλημέρα, σας ακούω.").wait_for()

    employee.locator("#call-audio-only").click()
    citizen.locator("#call-audio-only-note").wait_for(state="visible")
    media_stopped(employee, "citizen")
    media_stopped(citizen, "employee")
    media_flows(employee, "citizen", "audio")

    employee.locator("#call-end").click()
    employee.locator("#call-end-yes").click()
    citizen.locator("#call-over").wait_for(state="visible")
    employee.locator("#call-over").wait_for(state="visible")
    wait_until(
        lambda: citizen.evaluate(
            "[...window.keplive.peers.values()].every((pc) => pc.connectionState === 'closed')"
        ),
        what="the citizen's peer connections to close",
    )
    screenshot(citizen, "call-citizen-ended")


def test_the_employee_turns_the_citizen_away(server, stack, open_page):
    data = create_appointment(stack)
    employee = employee_page(open_page, server, data["reference"])
    citizen = open_page()
    citizen.goto(f"{server}/call/{data['join']}/")
    employee.locator("[data-turn-away=citizen]").wait_for(state="visible", timeout=20_000)
    employee.locator("[data-turn-away=citizen]").click()
    citizen.locator("#call-over").wait_for(state="visible")
    assert citizen.locator("#call-stage").is_hidden()
    screenshot(citizen, "call-citizen-turned-away")


def test_camera_off_stops_the_citizen_video_at_the_employee(server, stack, open_page):
    employee, citizen = knock_and_admit(server, open_page, create_appointment(stack))
    media_flows(employee, "citizen")
    employee.locator("#call-citizen-camera").click()
    citizen.locator("#call-camera-blocked-note").wait_for(state="visible")
    media_stopped(employee, "citizen")
    # The citizen's page cannot force video back on: the employee no longer receives any.
    citizen.evaluate(
        """() => {
            const pc = window.keplive.peers.get("employee");
            for (const t of pc.getTransceivers()) {
                if (t.receiver.track && t.receiver.track.kind === "video") t.direction = "sendrecv";
            }
        }"""
    )
    media_stopped(employee, "citizen")
    employee.locator("#call-citizen-camera").click()
    media_flows(employee, "citizen")


def test_the_interpreter_joins_as_a_third_peer(server, stack, open_page):
    data = create_appointment(stack, category=3, interpreter="sign_language")
    employee, citizen = knock_and_admit(server, open_page, data)
    interpreter = open_page()
    interpreter.goto(f"{server}/interpret/{data['interpreter']}/")
    admit(employee, "interpreter")
    interpreter.locator("#call-stage").wait_for(state="visible")
    media_flows(interpreter, "employee")
    media_flows(interpreter, "citizen")
    media_flows(citizen, "interpreter")
    media_flows(employee, "interpreter")
    # Circular 002: while the interpreter is in, the citizen's camera stays on, and the
    # employee's page says why its buttons cannot turn it off.
    camera_off = employee.locator("#call-citizen-camera")
    wait_until(camera_off.is_disabled, what="the citizen-camera button to be disabled")
    assert employee.locator("#call-audio-only").is_disabled()
    reason = employee.locator("#call-interpreter-camera-reason")
    assert reason.is_visible()
    assert camera_off.get_attribute("aria-describedby") == "call-interpreter-camera-reason"
    assert "κάμερα" in reason.inner_text()
    screenshot(interpreter, "call-interpreter")
    assert axe_violations(interpreter) == []


def test_a_dropped_connection_reconnects_and_media_resumes(server, stack, open_page):
    data = create_appointment(stack)
    employee = employee_page(open_page, server, data["reference"])
    citizen = open_page()
    # The citizen's signalling goes through a route the test can cut, as a lost network would.
    routes: list[Any] = []

    def through(route: Any) -> None:
        route.connect_to_server()
        routes.append(route)

    citizen.route_web_socket("**/ws/calls/**", through)
    citizen.goto(f"{server}/call/{data['join']}/")
    admit(employee, "citizen")
    citizen.locator("#call-stage").wait_for(state="visible")
    media_flows(employee, "citizen")
    connections = len(routes)
    citizen.context.set_offline(True)
    routes[-1].close(code=4000, reason="network lost")
    wait_until(
        lambda: citizen.evaluate("window.keplive.state.connection") == "reconnecting",
        what="the citizen page to notice the drop",
    )
    citizen.locator("#call-reconnecting").wait_for(state="visible")
    time.sleep(3)
    citizen.context.set_offline(False)
    wait_until(
        lambda: citizen.evaluate("window.keplive.state.connection") == "connected",
        timeout=30,
        what="the citizen page to reconnect",
    )
    assert len(routes) > connections
    assert citizen.evaluate("window.keplive.state.admitted")
    media_flows(employee, "citizen")
    media_flows(citizen, "employee")


# Records every value an element's attribute (or its text) takes, as the page shows it.
WATCH = """([name, selector, attribute]) => {
    window.__seen = window.__seen || {};
    const el = document.querySelector(selector);
    const read = () => attribute === "text" ? el.textContent.trim() : el.getAttribute(attribute);
    const seen = (window.__seen[name] = [read()]);
    new MutationObserver(() => {
        const value = read();
        if (value !== seen[seen.length - 1]) seen.push(value);
    }).observe(el, { attributes: true, childList: true, characterData: true, subtree: true });
}"""


def seen(page: Any, name: str) -> list[Any]:
    return list(page.evaluate("(name) => window.__seen[name]", name))


def pressed(page: Any, selector: str) -> bool:
    return page.locator(selector).get_attribute("aria-pressed") == "true"


def test_every_button_pressed_as_fast_as_possible_shows_on_both_sides(server, stack, open_page):
    """Issue 15, item 3: no state change is lost, however fast the employee presses."""
    data = create_appointment(stack)
    employee = employee_page(open_page, server, data["reference"])
    citizen = open_page(width=390, height=844)
    citizen.goto(f"{server}/call/{data['join']}/")
    employee.evaluate(WATCH, ["audio", "#call-audio-only", "aria-pressed"])
    employee.evaluate(WATCH, ["camera", "#call-citizen-camera", "aria-pressed"])
    # The registry check within a second of admitting (the 1-in-8 failure of the issue).
    admit(employee, "citizen")
    employee.locator("#call-registry-check").click()
    wait_until(
        lambda: (
            employee.locator("#call-registry-outcome").get_attribute("data-outcome")
            in ("ok", "bad")
        ),
        timeout=10,
        what="the registry outcome at the employee",
    )
    citizen.locator("#call-stage").wait_for(state="visible")

    # Every other button, each pressed the moment the page lets it be pressed.
    presses = [
        "#call-identity-yes",
        "#call-audio-only",
        "#call-citizen-camera",
        "#call-audio-only",
        "#call-citizen-camera",
        "#call-citizen-camera",
        "#call-audio-only",
    ]
    for selector in presses:
        employee.locator(selector).click()
    loop_presses = [
        "#call-audio-only",
        "#call-citizen-camera",
        "#call-citizen-camera",
        "#call-audio-only",
        "#call-audio-only",
        "#call-citizen-camera",
    ]
    for loop in range(5):
        for selector in loop_presses:
            employee.locator(selector).click()
        presses += loop_presses
        audio = presses.count("#call-audio-only") % 2 == 1
        camera = presses.count("#call-citizen-camera") % 2 == 1

        def both_sides_show(audio: bool = audio, camera: bool = camera) -> bool:
            return (
                pressed(employee, "#call-audio-only") == audio
                and pressed(employee, "#call-citizen-camera") == camera
                and employee.locator("#call-audio-only-note").is_visible() == audio
                and citizen.locator("#call-audio-only-note").is_visible() == audio
                and citizen.locator("#call-camera-blocked-note").is_visible() == camera
            )

        wait_until(both_sides_show, timeout=10, what=f"both sides to show loop {loop + 1}")

    assert employee.locator("#call-state").inner_text() in ("Σε κλήση", "In call")
    assert pressed(employee, "#call-identity-yes")
    assert employee.locator("#call-identity-confirmed").inner_text() != ""
    # Each press's result showed at the employee, in order: none was swallowed.
    for name, selector in (("audio", "#call-audio-only"), ("camera", "#call-citizen-camera")):
        expected = [["false", "true"][i % 2] for i in range(presses.count(selector) + 1)]
        assert seen(employee, name) == expected


def test_the_employee_sees_only_the_employee_controls(server, stack, open_page):
    """Issue 15, item 2: the rear camera is for the citizen's document, not for the employee."""
    employee, citizen = knock_and_admit(server, open_page, create_appointment(stack))
    employee.locator("#call-stage").wait_for(state="visible")
    assert employee.locator("#call-toggle-mic").is_visible()
    assert employee.locator("#call-switch-camera").count() == 0
    assert "Πίσω κάμερα" not in employee.locator("#call").inner_text()
    assert "rear camera" not in employee.locator("#call").inner_text()
    assert citizen.locator("#call-switch-camera").is_visible()


def test_the_chat_marks_delivery_says_its_limit_and_uses_24_hour_times(server, stack, open_page):
    """Issue 15, item 5."""
    employee, citizen = knock_and_admit(server, open_page, create_appointment(stack))
    for page in (employee, citizen):
        open_chat(page)
        # An empty chat says so in words; the list is no box that looks like a field.
        assert page.locator("#call-chat-empty").is_visible()
        assert page.locator("#call-chat-list").evaluate(
            "(el) => getComputedStyle(el).borderTopStyle"
        ) in ("none", "hidden")
        limit = page.locator("#call-chat-limit")
        assert "1000" in limit.inner_text()
        assert page.locator("#call-chat-input").get_attribute("aria-describedby") == (
            "call-chat-limit"
        )
    citizen.fill("#call-chat-input", "Καλησπέρα, σας ακούω.")
    assert "979" in citizen.locator("#call-chat-limit").inner_text()
    citizen.locator("#call-chat-send").click()
    employee.locator("#call-chat-list", has_text="Καλησπέρα, σας ακούω.").wait_for()
    # Delivered: the citizen's own message loses its pending mark.
    wait_until(
        lambda: citizen.locator(".kl-chat__item--pending").count() == 0,
        timeout=10,
        what="the citizen's message to lose its pending mark",
    )
    employee.fill("#call-chat-input", "Καλησπέρα σας.")
    employee.locator("#call-chat-send").click()
    citizen.locator("#call-chat-list", has_text="Καλησπέρα σας.").wait_for()
    wait_until(
        lambda: employee.locator(".kl-chat__item--pending").count() == 0,
        timeout=10,
        what="the employee's message to lose its pending mark",
    )
    for page in (employee, citizen):
        assert page.locator("#call-chat-empty").is_hidden()
        stamps = page.locator(".kl-chat__who").all_inner_texts()
        assert len(stamps) == 2
        for stamp in stamps:
            assert re.search(r"· ([01]\d|2[0-3]):[0-5]\d$", stamp), stamp
    screenshot(citizen, "call-citizen-chat")
