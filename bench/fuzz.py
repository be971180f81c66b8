"""The API against its OpenAPI document, at length: the figure for docs/RELIABILITY.md.

    DATABASE_URL=postgres://keplive:keplive@127.0.0.1:5432/keplive .venv/bin/python bench/fuzz.py

The same schemathesis run as ``tests/api/test_contract.py`` (``tests/api/contract.py``: every
operation, every phase — examples, coverage, fuzzing, stateful — and every check, against the
real ASGI application in this process), with more generated cases per operation
(``--max-examples``, 225 by default against the test's 10: about 9,500 requests), once
anonymously and once as a logged-in citizen. It prints the requests the application answered
(checks' own follow-up requests included) by status, the server errors (5xx) and the
contract failures (distinct: operation, check, kind), and writes them to var/bench-fuzz.json.

DATABASE_URL names the server; the run uses a sibling database, ``keplive_fuzz``, dropped and
created afresh each time (migrated, then one KEP, service and citizen: ``build_directory``).
Exit status 1 on any server error, contract failure or schemathesis error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import database  # noqa: E402  (needs the path above)

DEFAULT_URL = "postgres://keplive:keplive@127.0.0.1:5432/keplive"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--max-examples", type=int, default=225, help="per operation and phase")
    parser.add_argument("--seed", type=int, default=None, help="default: the test suite's")
    parser.add_argument("--fuzz-db", default="keplive_fuzz")
    parser.add_argument("--output", default=str(ROOT / "var" / "bench-fuzz.json"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    admin_url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not database.is_postgres(admin_url):
        print("The fuzz run needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    if database.database_name(admin_url) == args.fuzz_db:
        print("DATABASE_URL must name another database than the fuzz database.", file=sys.stderr)
        return 2
    database.recreate(admin_url, args.fuzz_db)
    os.environ["DATABASE_URL"] = database.with_database(admin_url, args.fuzz_db)
    os.environ["KEPLIVE_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keplive.config.settings")
    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.utils import timezone

    from tests.api import contract

    # Every 4xx is a WARNING from django.request; thousands of them say nothing here.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    seed = contract.SEED if args.seed is None else args.seed
    load_before = os.getloadavg()
    call_command("migrate", verbosity=0, interactive=False)
    directory = contract.build_directory(now=timezone.now())
    results: dict[str, Any] = {
        "seed": seed,
        "max_examples": args.max_examples,
        "load_average_before": load_before,
        "runs": {},
    }
    started = time.monotonic()
    total_failures = total_errors = total_server_errors = total_requests = 0
    for role, cookies in (
        ("anonymous", None),
        ("citizen", contract.log_in(directory.citizen)),
    ):
        print(f"{role}: running (seed {seed}, {args.max_examples} examples) …", flush=True)
        outcome = contract.run(
            seed=seed, max_examples=args.max_examples, hints=directory.hints, cookies=cookies
        )
        print(f"{role}: {outcome.report()}", flush=True)
        total_requests += outcome.requests
        total_server_errors += outcome.server_errors
        total_failures += len(outcome.failures)
        total_errors += len(outcome.errors)
        results["runs"][role] = {
            "requests": outcome.requests,
            "seconds": round(outcome.seconds, 1),
            "server_errors": outcome.server_errors,
            "contract_failures": len(outcome.failures),
            "errors": outcome.errors,
            "statuses": {str(status): n for status, n in sorted(outcome.statuses.items())},
            "test_cases": dict(outcome.cases),
            "operations_answering_2xx": f"{len(outcome.succeeded)}/{len(outcome.operations)}",
            "links_followed_to_2xx": dict(outcome.links.most_common()),
            "failures": [
                {"operation": op, "check": check, "title": title, "detail": detail}
                for (op, check, title), detail in sorted(outcome.failures.items())
            ],
        }
    results.update(
        requests=total_requests,
        server_errors=total_server_errors,
        contract_failures=total_failures,
        errors=total_errors,
        seconds=round(time.monotonic() - started, 1),
        load_average_after=os.getloadavg(),
    )
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(
        f"\n{total_requests:,} requests in {results['seconds']:.0f} s: {total_server_errors} "
        f"server errors, {total_failures} contract failures, {total_errors} errors "
        f"(seed {seed}; load average {load_before[0]:.1f} before, "
        f"{results['load_average_after'][0]:.1f} after). Written to {args.output}."
    )
    return 1 if total_server_errors or total_failures or total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
