"""Time from the employee's "Admit" to the first video frame, on loopback (issue 4, "Speed").

    .venv/bin/python bench/call_media.py [--calls 200]

Builds the same throw-away database as bench/calls.py (one appointment per call), starts one
uvicorn process on 127.0.0.1, and for each call opens the employee's page (session cookie)
and the citizen's join link in Debian's Chromium with a fake camera and microphone. When the
citizen is waiting, the page itself clicks "Admit" and measures (performance.now) until the
employee's video of the citizen has rendered a frame, and separately until the citizen's video
of the employee has. Prints p50/p95/max and writes var/bench-call-media.json, and the goal of
issue 13 (4: every call connects; admit → first frame p95 ≤ 800 ms at both ends) to
var/bench-goals/call_media.json.

A call that fails (the knock never shows, no frame within 30 s) is counted and the run goes on;
its reason, the employee's last snapshot and the pages' console errors are kept in the JSON.
The pages run under the site's strict CSP (no ``eval``), so the bench only ever passes
functions to the page (``evaluate``), never strings (``wait_for_function("…")`` is an eval).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.calls import (  # noqa: E402
    build,
    free_port,
    serve_command,
    summary,
    wait_for_server,
)
from bench.goals import write_goals  # noqa: E402

MAX_CALLS = 1000
GOAL_CALLS = 200  # issue 13, goal 4
TARGET_MS = 800

CHROMIUM = os.environ.get("KEPLIVE_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]

# Runs in the employee's page: click Admit, resolve with the ms until the first video frame
# from the citizen is decoded (getStats framesDecoded: independent of autoplay rules).
ADMIT_AND_TIME = """async () => {
  const start = performance.now();
  document.querySelector('[data-admit="citizen"]').click();
  while (performance.now() - start < 30000) {
    const pc = window.keplive.peers.get("citizen");
    if (pc) {
      let frames = 0;
      (await pc.getStats()).forEach((r) => {
        if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0;
      });
      if (frames > 0) return performance.now() - start;
    }
    await new Promise((done) => setTimeout(done, 5));
  }
  return -1;
}"""

# Runs in the citizen's page: ms from ``since`` until the first frame from the employee.
FIRST_FRAME_SINCE = """(since) => { window.__firstFrame = null; (async () => {
  while (Date.now() - since < 30000) {
    const pc = window.keplive.peers.get("employee");
    if (pc) {
      let frames = 0;
      (await pc.getStats()).forEach((r) => {
        if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0;
      });
      if (frames > 0) { window.__firstFrame = Date.now() - since; return; }
    }
    await new Promise((done) => setTimeout(done, 5));
  }
  window.__firstFrame = -1;
})(); }"""


def _wait_for_frame(page: object, timeout: float) -> float:
    """The citizen page's ``window.__firstFrame`` (ms, -1 for none), polled with ``evaluate``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate("() => window.__firstFrame")  # type: ignore[attr-defined]
        if value is not None:
            return float(value)
        time.sleep(0.02)
    return -1.0


EMPLOYEE_STATE = """() => ({
  connection: window.keplive.state.connection,
  snapshot: window.keplive.state.snapshot,
})"""


def one_call(browser: object, base: str, session: str, reference: str, token: str) -> dict:
    """One call: both pages, Admit, the first frame at each end. Never raises for a call that
    does not connect: returns its reason instead."""
    from playwright.sync_api import Error as PlaywrightError

    console: list[str] = []
    employee_context = browser.new_context(permissions=["camera", "microphone"])  # type: ignore[attr-defined]
    employee_context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    citizen_context = browser.new_context(permissions=["camera", "microphone"])  # type: ignore[attr-defined]
    outcome: dict = {"reference": reference[:8], "employee": -1.0, "citizen": -1.0, "reason": ""}
    try:
        employee = employee_context.new_page()
        citizen = citizen_context.new_page()
        for name, page in (("employee", employee), ("citizen", citizen)):
            page.on(
                "console",
                lambda m, n=name: (
                    console.append(f"{n} {m.type}: {m.text}"[:300])
                    if m.type in ("error", "warning")
                    else None
                ),
            )
            page.on("pageerror", lambda e, n=name: console.append(f"{n} pageerror: {e}"[:300]))
        began = time.perf_counter()
        employee.goto(f"{base}/workspace/calls/{reference}/")
        citizen.goto(f"{base}/call/{token}/")
        try:
            employee.locator('[data-admit="citizen"]').wait_for(state="visible", timeout=20_000)
        except PlaywrightError:
            outcome["reason"] = "the knock never showed on the employee's page within 20 s"
            outcome["employee_state"] = employee.evaluate(EMPLOYEE_STATE)
            return outcome
        outcome["pages_to_knock_ms"] = round((time.perf_counter() - began) * 1000, 1)
        since = int(citizen.evaluate("() => Date.now()"))
        citizen.evaluate(FIRST_FRAME_SINCE, since)  # starts watching, returns at once
        outcome["employee"] = float(employee.evaluate(ADMIT_AND_TIME))
        outcome["citizen"] = _wait_for_frame(citizen, 35)
        if outcome["employee"] < 0 or outcome["citizen"] < 0:
            outcome["reason"] = "no video frame within 30 s of Admit"
            outcome["employee_state"] = employee.evaluate(EMPLOYEE_STATE)
    except PlaywrightError as error:
        outcome["reason"] = f"browser error: {str(error).splitlines()[0][:200]}"
    finally:
        outcome["console"] = console[-20:]
        employee_context.close()
        citizen_context.close()
    return outcome


def goals(result: dict) -> list[dict]:
    employee, citizen = (
        result["admit_to_first_frame_at_employee_ms"],
        result["admit_to_first_frame_at_citizen_ms"],
    )
    # The goal is met only by a run of the goal's size (as `make bench` runs it).
    complete = result["failed"] == 0 and result["calls"] >= GOAL_CALLS
    return [
        {
            "goal": "4. Every call connects",
            "figure": f"{result['failed']} of {result['calls']} calls without video",
            "target": f"0 of {GOAL_CALLS} calls without video",
            "pass": complete,
        },
        {
            "goal": "4. Admit → first frame at the employee, p95",
            "figure": f"{employee['p95']:.0f} ms (n={employee['n']})",
            "target": f"≤ {TARGET_MS} ms",
            "pass": complete and employee["p95"] <= TARGET_MS,
        },
        {
            "goal": "4. Admit → first frame at the citizen, p95",
            "figure": f"{citizen['p95']:.0f} ms (n={citizen['n']})",
            "target": f"≤ {TARGET_MS} ms",
            "pass": complete and citizen["p95"] <= TARGET_MS,
        },
    ]


def main(argv: list[str] | None = None) -> int:
    import argparse

    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200, help=f"1…{MAX_CALLS} (default 200)")
    args = parser.parse_args(argv)
    if not 1 <= args.calls <= MAX_CALLS:
        parser.error(f"--calls must be between 1 and {MAX_CALLS}")
    work = Path(tempfile.mkdtemp(prefix="keplive-bench-media-"))
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(
        DATABASE_URL=f"sqlite:///{work / 'bench.sqlite3'}",
        KEPLIVE_VAR_DIR=str(work),
        KEPLIVE_DEBUG="0",
        KEPLIVE_SECRET_KEY="bench-" + "x" * 60,
        DJANGO_SETTINGS_MODULE="keplive.config.settings",
        PYTHONPATH=str(ROOT),
    )
    data = build(env, args.calls)
    port = free_port()
    env["KEPLIVE_PUBLIC_URL"] = f"http://127.0.0.1:{port}"  # the origin its pages have
    server = subprocess.Popen(  # noqa: S603  (our own interpreter)
        serve_command(port),
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    outcomes: list[dict] = []
    try:
        wait_for_server(port)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for reference, token in data["tokens"][: args.calls]:
                outcome = one_call(browser, base, data["employee_session"], reference, token)
                outcomes.append(outcome)
                print(
                    f"call {len(outcomes)} {outcome['reference']}: "
                    f"employee {outcome['employee'] / 1000:.3f} s, "
                    f"citizen {outcome['citizen'] / 1000:.3f} s"
                    + (f"  FAILED: {outcome['reason']}" if outcome["reason"] else ""),
                    flush=True,
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    to_employee = [o["employee"] / 1000 for o in outcomes if o["employee"] >= 0]
    to_citizen = [o["citizen"] / 1000 for o in outcomes if o["citizen"] >= 0]
    failures = [o for o in outcomes if o["reason"]]
    result = {
        "calls": args.calls,
        "failed": len(failures),
        "admit_to_first_frame_at_employee_ms": summary(to_employee or [0]),
        "admit_to_first_frame_at_citizen_ms": summary(to_citizen or [0]),
        "failures": failures,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    for name in ("admit_to_first_frame_at_employee_ms", "admit_to_first_frame_at_citizen_ms"):
        figures = result[name]
        print(
            f"{name}: n={figures['n']} p50={figures['p50']} "
            f"p95={figures['p95']} max={figures['max']}"
        )
    print(f"calls without video: {len(failures)} of {args.calls}")
    out = ROOT / "var" / "bench-call-media.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    write_goals("call_media", goals(result))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
