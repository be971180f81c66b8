"""The national peak, with Locust, against the production topology (issue 12 item 5).

    make bench-peak                      (the stack of var/prod-peak up, this, the stack down)
    .venv/bin/python bench/peak.py [--scale 1.0] [--measure 180] [--spawn-rate 100]

Against the running stack of ``--dir`` (var/prod-peak: `make bench-peak` starts it with
`scripts/prod up` on its own database, keplive_prod_peak, so the demo staging of `make prod`
stays as it is), over HTTPS through nginx on 127.0.0.1 only:

1. bench/peak_seed.py, with the stack's environment: the national data set (built once),
   signed-in sessions for ``scale`` × (5,000 employees, 20 administrators, 2,000 citizens) and
   ``scale`` × 500 calls in progress;
2. Locust, headless, with bench/peak_locustfile.py: every user spawned at ``--spawn-rate``,
   then ``--measure`` seconds measured (stats reset when the last user is spawned), then stop;
   the whole run bounded (``--run-time``, and a hard timeout on the process);
3. the table: requests/s, p50/p95/p99 and failures per page and WebSocket message, bookings/s,
   the CPU of each of the stack's processes (cores busy) and per request — written to
   var/peak-results.json with ``uptime`` before and after, and the commands.

``--scale`` scales every population (1.0: the national peak of docs/CAPACITY.md); a 2-core
machine shared with other work cannot serve 1.0 — run it anyway to see what saturates first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
LOCUST = str(ROOT / ".venv" / "bin" / "locust")
SETTLE = 30  # seconds between the last user spawned and the measured window (the locustfile)


def stack_environment(directory: Path) -> dict[str, str]:
    values = {}
    for line in (directory / "keplive.env").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            name, value = line.split("=", 1)
            values[name] = value.strip('"')
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("KEPLIVE_", "DJANGO_"))}
    keep.pop("DATABASE_URL", None)
    keep.pop("REDIS_URL", None)
    return keep | values | {"DJANGO_SETTINGS_MODULE": "keplive.config.settings"}


def uptime() -> str:
    return subprocess.run(
        ["uptime"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()


def users_for(scale: float) -> int:
    def scaled(count: int) -> int:
        return max(1, round(count * scale))

    return sum(scaled(n) for n in (5000, 20, 50, 160, 500))


def run(options: argparse.Namespace) -> dict[str, Any]:
    directory = Path(options.dir).resolve()
    url = json.loads((directory / "stack.json").read_text())["url"]
    seed = directory / "peak-seed.json"
    locust_out = directory / "peak-locust.json"
    locust_out.unlink(missing_ok=True)
    load_before = uptime()
    print(f"stack {url}; {load_before}", flush=True)

    seed_command = [PYTHON, "bench/peak_seed.py", "--scale", str(options.scale), "--out", str(seed)]
    began = time.perf_counter()
    subprocess.run(  # noqa: S603
        seed_command, cwd=ROOT, env=stack_environment(directory), check=True, timeout=1800
    )
    seed_seconds = time.perf_counter() - began

    users = users_for(options.scale)
    spawn_seconds = users / options.spawn_rate
    run_time = int(spawn_seconds + SETTLE + 10 + options.measure)
    locust_command = [
        LOCUST,
        "-f",
        "bench/peak_locustfile.py",
        "--headless",
        "--host",
        url,
        "-u",
        str(users),
        "-r",
        str(options.spawn_rate),
        "--run-time",
        f"{run_time}s",
        "--stop-timeout",
        "5",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = dict(os.environ) | {
        "PEAK_SEED": str(seed),
        "PEAK_STACK_DIR": str(directory),
        "PEAK_RESULTS": str(locust_out),
        "PEAK_SETTLE": str(SETTLE),
        "PEAK_LATEST_START": str(int(spawn_seconds + SETTLE + 10)),  # spawning may lag a little
    }
    print(f"locust: {users} users at {options.spawn_rate}/s, run time {run_time} s", flush=True)
    done = subprocess.run(  # noqa: S603
        locust_command, cwd=ROOT, env=env, check=False, timeout=run_time + 180
    )
    if not locust_out.exists():
        raise SystemExit(f"locust wrote no results (exit {done.returncode})")
    measured = json.loads(locust_out.read_text())
    if "error" in measured:
        raise SystemExit(measured["error"])
    return {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip(),
        "uptime_before": load_before,
        "uptime_after": uptime(),
        "scale": options.scale,
        "users_planned": users,
        "spawn_rate": options.spawn_rate,
        "seed_seconds": round(seed_seconds, 1),
        "commands": {
            "seed": " ".join(seed_command),
            "locust": " ".join(locust_command).replace(str(ROOT) + "/", ""),
        },
        **measured,
        "summary": summarise(measured),
    }


def summarise(measured: dict[str, Any]) -> dict[str, Any]:
    rows = measured["by_name"]
    seconds = measured["measured_seconds"]
    http = {n: r for n, r in rows.items() if r["type"] != "WS"}
    ws = {n: r for n, r in rows.items() if r["type"] == "WS"}
    http_requests = sum(r["requests"] for r in http.values())
    ws_messages = sum(r["requests"] for r in ws.values())
    cpu = measured["cpu"]
    stack = {n: c for n, c in cpu.items() if not n.startswith("locust")}
    web = sum(c["seconds"] for n, c in stack.items() if n.startswith("web"))
    total = sum(c["seconds"] for c in stack.values())
    confirmed = rows.get("book: confirm", {})
    return {
        "http_requests_per_second": round(http_requests / seconds, 1),
        "ws_messages_per_second": round(ws_messages / seconds, 1),
        "failures": sum(r["failures"] for r in rows.values()),
        "bookings_per_second": round(
            (confirmed.get("requests", 0) - confirmed.get("failures", 0)) / seconds, 2
        ),
        "web_cpu_ms_per_http_request": round(web * 1000 / max(1, http_requests), 1),
        "stack_cpu_ms_per_request": round(total * 1000 / max(1, http_requests + ws_messages), 1),
        "stack_cores_busy": round(total / seconds, 2),
        "busiest": max(stack, key=lambda n: stack[n]["cores_busy"]) if stack else "",
    }


def print_table(result: dict[str, Any]) -> None:
    print(f"\n{result['uptime_before']}\n  → {result['uptime_after']}")
    spawned = "NOT ALL spawned in time: " if result.get("spawning_unfinished") else ""
    print(
        f"scale {result['scale']}: {spawned}{result['users']} users of {result['users_planned']},"
        f" measured {result['measured_seconds']} s"
    )
    print(f"\n{'request':44} {'n':>7} {'/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'fail':>5}")
    for name, row in sorted(result["by_name"].items(), key=lambda item: -item[1]["requests"]):
        print(
            f"{name:44} {row['requests']:7} {row['per_second']:7.1f} {row['p50_ms']:6.0f}"
            f" {row['p95_ms']:6.0f} {row['p99_ms']:6.0f} {row['failures']:5}"
        )
    print(f"\n{'process':36} {'CPU s':>8} {'cores busy':>11}")
    for name, row in sorted(result["cpu"].items(), key=lambda item: -item[1]["seconds"]):
        print(f"{name:36} {row['seconds']:8.1f} {row['cores_busy']:11.2f}")
    print()
    for key, value in result["summary"].items():
        print(f"  {key}: {value}")
    for error in result["errors"][:10]:
        print(f"  error: {error['count']} × {error['method']} {error['name']}: {error['error']}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--dir", default=os.environ.get("KEPLIVE_PROD_DIR", str(ROOT / "var" / "prod-peak"))
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--measure", type=float, default=180, help="seconds, at most 900")
    parser.add_argument("--spawn-rate", type=float, default=100, help="users a second")
    parser.add_argument("--out", default=str(ROOT / "var" / "peak-results.json"))
    options = parser.parse_args()
    options.measure = min(options.measure, 900)
    result = run(options)
    out = Path(options.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print_table(result)
    print(f"\nwritten: {out}")
    return 0 if result["summary"]["failures"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
