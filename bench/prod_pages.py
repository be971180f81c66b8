"""What each kind of request costs through the production topology (`make prod`), and how many a
second two web processes answer: the figures of docs/CAPACITY.md.

    make prod
    .venv/bin/python bench/prod_pages.py [--requests 40] [--seconds 30] [--threads 16]

Against the running stack of `var/prod/` (KEPLIVE_PROD_DIR), over HTTPS through nginx, loopback
only. Two parts, bounded in count and time:

1. **Cost per request**, one kind at a time, sequentially: latency (p50, p95) and the CPU the web
   processes spent per request (utime + stime of their /proc entries, before and after), nginx's
   workers' too. Kinds: the citizen's pages (home, catalogue, a KEP's month, a day's free times),
   the API's earliest free time, the employee's poll (`/workspace/upcoming.json` answered 304)
   and day, the administration's dashboard, and a whole booking (hold, then confirm with the
   details, then cancel, so the data set stays as it was).
2. **A peak-hour mix** for ``--seconds`` from ``--threads`` threads: the kinds in the
   proportions of docs/CAPACITY.md's national peak (employees' polls dominate), as fast as the
   stack answers: requests/s, latency per kind, errors, and the cores the web processes and
   nginx kept busy.

PostgreSQL's CPU is not counted here (its backends live one request each and the cluster is
shared); docs/PERFORMANCE.md has the database's share of the expensive queries.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


class Stack:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        known = json.loads((directory / "stack.json").read_text())
        self.url: str = known["url"]
        self.cert = str(directory / "tls" / "cert.pem")
        self.web_pids = [
            int(json.loads(path.read_text())["pid"])
            for path in sorted((directory / "run").glob("web*.pid"))
        ]
        nginx = int(json.loads((directory / "run" / "nginx.pid").read_text())["pid"])
        self.nginx_pids = [nginx, *_children(nginx)]

    def session(self) -> requests.Session:
        http = requests.Session()
        http.trust_env = False  # REQUESTS_CA_BUNDLE would win over verify
        http.verify = self.cert
        http.headers["Origin"] = self.url
        http.headers["Referer"] = self.url + "/"
        return http


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def csrf(http: requests.Session, html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


# --- Signing in -----------------------------------------------------------------------------------


def citizen(stack: Stack, identity: str = "anna") -> requests.Session:
    """Through the GSIS stand-in, as a browser would (ANNA KOWALSKA: no demo bookings)."""
    http = stack.session()
    page = http.get(f"{stack.url}/login/?category=1")
    assert "oauth2server" in page.url, page.url
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    fields = {name: value.replace("&amp;", "&") for name, value in fields.items()}
    done = http.post(page.url, data={**fields, "choice": identity})
    assert done.url.endswith("/book/1/"), done.url
    return http


def staff(stack: Stack, username: str, door: str) -> requests.Session:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keplive.config.settings")
    from django_otp.oath import TOTP

    from keplive.directory.demo_data import DEMO_TOTP_KEYS

    http = stack.session()
    page = http.get(f"{stack.url}/{door}/login/")
    verify = http.post(
        page.url,
        data={"csrfmiddlewaretoken": csrf(http, page.text), "username": username,
              "password": "keplive-demo"},
    )  # fmt: skip
    assert "/verify/" in verify.url, verify.url
    code = f"{TOTP(bytes.fromhex(DEMO_TOTP_KEYS[username])).token():06d}"
    done = http.post(
        verify.url, data={"csrfmiddlewaretoken": csrf(http, verify.text), "token": code}
    )
    assert "/verify/" not in done.url, (
        "the second factor was refused (wait 30 s: a code works once)"
    )
    return http


# --- The kinds of request -------------------------------------------------------------------------


class Kinds:
    """Each kind: a function doing one request (or one booking) and raising on a wrong answer."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.citizen = citizen(stack)
        self.employee = staff(stack, "demo.employee", "workspace")
        self.admin = staff(stack, "demo.admin", "administration")
        self.anonymous = stack.session()
        services = self.citizen.get(f"{stack.url}/book/1/").text
        self.service_path = re.findall(r'href="(/book/1/\d+/)"', services)[0]
        month = self.citizen.get(f"{stack.url}{self.service_path}0071/").text
        self.day_paths = [
            p.replace("&amp;", "&") for p in re.findall(r'href="([^"]*day=[^"]+)"', month)
        ]
        assert self.day_paths, "no free day at KEP 0071"
        self.service_code = self.citizen.get(f"{stack.url}/api/v1/services?category=1").json()[0][
            "code"
        ]
        poll = self.employee.get(f"{stack.url}/workspace/upcoming.json")
        self.etag = poll.headers["ETag"]
        self.lock = threading.Lock()

    def get(self, http: requests.Session, path: str, expect: int = 200, **headers: str) -> None:
        response = http.get(f"{self.stack.url}{path}", headers=headers, allow_redirects=False)
        if response.status_code != expect:
            raise RuntimeError(f"{path}: {response.status_code}")

    def table(self) -> dict[str, Callable[[], None]]:
        return {
            "home": lambda: self.get(self.anonymous, "/"),
            "services": lambda: self.get(self.anonymous, "/services/"),
            "KEP's month": lambda: self.get(self.citizen, f"{self.service_path}0071/"),
            "day's free times": lambda: self.get(self.citizen, random.choice(self.day_paths)),
            "API earliest": lambda: self.get(
                self.anonymous, f"/api/v1/earliest?category=1&service={self.service_code}&limit=5"
            ),
            "employee poll (304)": lambda: self.get(
                self.employee, "/workspace/upcoming.json", 304, **{"If-None-Match": self.etag}
            ),
            "employee day": lambda: self.get(self.employee, "/workspace/"),
            "admin dashboard": lambda: self.get(self.admin, "/administration/dashboard/"),
            "booking (hold, confirm, cancel)": self.book,
        }

    def book(self) -> None:
        """Hold a free time, confirm it with the details, then cancel it (one citizen, serially)."""
        with self.lock:
            http, url = self.citizen, self.stack.url
            day = http.get(url + random.choice(self.day_paths))
            times = re.findall(r'name="starts_at" value="([^"]+)"', day.text)
            if not times:
                raise RuntimeError("no free time")
            held = http.post(
                day.url,
                data={
                    "csrfmiddlewaretoken": csrf(http, day.text),
                    "starts_at": random.choice(times),
                },
            )
            if "/book/details/" not in held.url:
                raise RuntimeError(f"hold refused: {held.url}")
            form = {
                "csrfmiddlewaretoken": csrf(http, held.text), "full_name": "Anna Kowalska",
                "email": "anna.bench@example.gr", "mobile_phone": "6912345678",
                "postal_address": "Ερμού 10, 10563 Αθήνα", "id_card_number": "ΑΒ123456",
                "subject": "Πιστοποιητικό", "consent": "on", "document_kind": "id_card",
                "delivery_method": "email", "language": "el",
            }  # fmt: skip
            done = http.post(held.url, data=form)
            match = re.search(r"/book/done/([0-9a-f-]{36})/", done.url)
            if not match:
                raise RuntimeError(f"confirm refused: {done.url}")
            page = http.get(f"{url}/appointments/{match.group(1)}/cancel/")
            cancelled = http.post(page.url, data={"csrfmiddlewaretoken": csrf(http, page.text)})
            if cancelled.status_code != 200:
                raise RuntimeError(f"cancel: {cancelled.status_code}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def cost_per_request(stack: Stack, kinds: Kinds, count: int) -> list[dict[str, Any]]:
    rows = []
    for name, call in kinds.table().items():
        n = max(5, count // 4) if name.startswith(("admin", "booking")) else count
        for _ in range(3):
            call()  # warm: caches, connections
        web0, nginx0 = cpu_seconds(stack.web_pids), cpu_seconds(stack.nginx_pids)
        latencies = []
        for _ in range(n):
            started = time.perf_counter()
            call()
            latencies.append((time.perf_counter() - started) * 1000)
        web, nginx = cpu_seconds(stack.web_pids) - web0, cpu_seconds(stack.nginx_pids) - nginx0
        rows.append(
            {
                "kind": name,
                "n": n,
                "p50_ms": round(statistics.median(latencies), 1),
                "p95_ms": round(percentile(latencies, 0.95), 1),
                "web_cpu_ms": round(web * 1000 / n, 1),
                "nginx_cpu_ms": round(nginx * 1000 / n, 2),
            }
        )
        row = rows[-1]
        print(
            f"  {name:34} n={n:3}  p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms"
            f"  web CPU {row['web_cpu_ms']:6.1f} ms/request",
            flush=True,
        )
    return rows


# At the national peak (docs/CAPACITY.md): per second, 250 employee polls, ~5 other staff
# pages, ~60 citizen pages and API calls, ~1.8 bookings, ~0.3 dashboard views.
MIX = {
    "employee poll (304)": 250,
    "employee day": 5,
    "home": 10,
    "services": 10,
    "KEP's month": 15,
    "day's free times": 15,
    "API earliest": 10,
    "booking (hold, confirm, cancel)": 1.8,
    "admin dashboard": 0.3,
}


def peak_mix(stack: Stack, kinds: Kinds, seconds: float, threads: int) -> dict[str, Any]:
    table = kinds.table()
    names, weights = list(MIX), list(MIX.values())
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    deadline = time.monotonic() + seconds
    web0, nginx0 = cpu_seconds(stack.web_pids), cpu_seconds(stack.nginx_pids)

    def worker() -> None:
        while time.monotonic() < deadline:
            name = random.choices(names, weights)[0]
            started = time.perf_counter()
            try:
                table[name]()
            except Exception:  # counted and reported
                errors[name] += 1
                continue
            latencies[name].append((time.perf_counter() - started) * 1000)

    started = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    wall = time.monotonic() - started
    web, nginx = cpu_seconds(stack.web_pids) - web0, cpu_seconds(stack.nginx_pids) - nginx0
    total = sum(len(values) for values in latencies.values())
    result = {
        "seconds": round(wall, 1),
        "threads": threads,
        "requests": total,
        "requests_per_second": round(total / wall, 1),
        "errors": dict(errors),
        "web_cores_busy": round(web / wall, 2),
        "nginx_cores_busy": round(nginx / wall, 3),
        "web_cpu_ms_per_request": round(web * 1000 / max(1, total), 2),
        "bookings_per_second": round(len(latencies["booking (hold, confirm, cancel)"]) / wall, 2),
        "by_kind": {
            name: {
                "n": len(values),
                "p50_ms": round(percentile(values, 0.5), 1),
                "p95_ms": round(percentile(values, 0.95), 1),
                "p99_ms": round(percentile(values, 0.99), 1),
            }
            for name, values in latencies.items()
            if values
        },
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--dir", default=os.environ.get("KEPLIVE_PROD_DIR", str(ROOT / "var" / "prod"))
    )
    parser.add_argument("--requests", type=int, default=40, help="per kind, sequentially")
    parser.add_argument("--seconds", type=float, default=30, help="of the peak mix (at most 300)")
    parser.add_argument("--threads", type=int, default=16)
    options = parser.parse_args()
    stack = Stack(Path(options.dir))
    load = os.getloadavg()
    print(
        f"stack {stack.url}, web processes {stack.web_pids};"
        f" load average {load[0]:.2f} {load[1]:.2f}"
    )
    kinds = Kinds(stack)
    print("1. cost per request (sequential)")
    rows = cost_per_request(stack, kinds, options.requests)
    print(f"2. peak mix: {options.threads} threads for {options.seconds:.0f} s")
    mix = peak_mix(stack, kinds, min(options.seconds, 300), options.threads)
    print(json.dumps(mix, ensure_ascii=False, indent=1))
    results = {"load_average": load, "per_request": rows, "peak_mix": mix,
               "load_average_after": os.getloadavg()}  # fmt: skip
    out = Path(options.dir) / "bench-prod-pages.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
