"""Time from the employee's "Admit" to the first video frame, on loopback (issue 4, "Speed").

    .venv/bin/python bench/call_media.py [--calls 10]

Builds the same throw-away database as bench/calls.py (one appointment per call), starts one
uvicorn process on 127.0.0.1, and for each call opens the employee's page (session cookie)
and the citizen's join link in Debian's Chromium with a fake camera and microphone. When the
citizen is waiting, the page itself clicks "Admit" and measures (performance.now) until the
employee's video of the citizen has rendered a frame, and separately until the citizen's video
of the employee has. Prints p50/p95/max and writes var/bench-call-media.json.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.calls import build, free_port, serve_command, summary  # noqa: E402

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


def main(argv: list[str] | None = None) -> int:
    import argparse

    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=10)
    args = parser.parse_args(argv)
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
    to_employee: list[float] = []
    to_citizen: list[float] = []
    try:
        for _ in range(100):  # bounded wait for the server
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for reference, token in data["tokens"][: args.calls]:
                employee_context = browser.new_context(permissions=["camera", "microphone"])
                employee_context.add_cookies(
                    [{"name": "sessionid", "value": data["employee_session"], "url": base}]
                )
                citizen_context = browser.new_context(permissions=["camera", "microphone"])
                employee = employee_context.new_page()
                citizen = citizen_context.new_page()
                employee.goto(f"{base}/workspace/calls/{reference}/")
                citizen.goto(f"{base}/call/{token}/")
                employee.locator('[data-admit="citizen"]').wait_for(state="visible", timeout=20_000)
                since = int(citizen.evaluate("Date.now()"))
                citizen.evaluate(FIRST_FRAME_SINCE, since)  # starts watching, returns at once
                to_employee.append(float(employee.evaluate(ADMIT_AND_TIME)) / 1000)
                citizen.wait_for_function("window.__firstFrame !== null", timeout=35_000)
                to_citizen.append(float(citizen.evaluate("window.__firstFrame")) / 1000)
                print(
                    f"call {reference[:8]}: employee {to_employee[-1]:.3f} s, "
                    f"citizen {to_citizen[-1]:.3f} s"
                )
                employee_context.close()
                citizen_context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    failed = sum(1 for value in to_employee + to_citizen if value < 0)
    result = {
        "calls": args.calls,
        "failed": failed,
        "admit_to_first_frame_at_employee_ms": summary([v for v in to_employee if v >= 0] or [0]),
        "admit_to_first_frame_at_citizen_ms": summary([v for v in to_citizen if v >= 0] or [0]),
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    for name in ("admit_to_first_frame_at_employee_ms", "admit_to_first_frame_at_citizen_ms"):
        figures = result[name]
        print(
            f"{name}: n={figures['n']} p50={figures['p50']} "
            f"p95={figures['p95']} max={figures['max']}"
        )
    print(f"calls without a frame within 30 s: {failed}")
    out = ROOT / "var" / "bench-call-media.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
