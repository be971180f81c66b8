"""The goals of issue 13 in one table: PASS or FAIL each, from the run of `make bench` that
just ended.

    .venv/bin/python bench/goals.py --expect http national calls call_media

Every bench script that checks goals writes ``var/bench-goals/<name>.json`` (``<name>`` is the
script's name): a JSON list of objects ``{"goal": "…", "figure": "…", "target": "…", "pass":
true/false}``. `make bench` deletes the directory before its first script (``--clean``), so a
file here was written by this run. This prints one table of every goal found and exits 1 when a
goal failed or a script named with ``--expect`` wrote no file (it stopped before its figures, or
never ran), 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def goals_dir() -> Path:
    return Path(os.environ.get("KEPLIVE_VAR_DIR") or ROOT / "var") / "bench-goals"


def write_goals(name: str, goals: list[dict[str, Any]]) -> Path:
    """What each goal-checking script calls at its end: ``var/bench-goals/<name>.json``."""
    for goal in goals:
        if set(goal) != {"goal", "figure", "target", "pass"} or not isinstance(goal["pass"], bool):
            raise ValueError(f"a goal needs goal, figure, target and a boolean pass: {goal}")
    folder = goals_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(goals, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_goals(folder: Path) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """Every goal of every file (with the file's name), and the files that could not be read."""
    found: list[tuple[str, dict[str, Any]]] = []
    broken: list[str] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            goals = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(goals, list):
                raise ValueError("not a list")
            for goal in goals:
                if not isinstance(goal, dict) or not isinstance(goal.get("pass"), bool):
                    raise ValueError(f"not a goal: {goal!r}")
                found.append((path.stem, goal))
        except ValueError as error:
            broken.append(f"{path.name}: {error}")
    return found, broken


def _goal_key(goal: str) -> int:
    """By the goal's number; a stable sort keeps each file's own order within a number."""
    number = goal.split(".", 1)[0]
    return int(number) if number.isdigit() else 10**6


def render(rows: list[list[str]]) -> str:
    headers = ["goal", "figure", "target", "result", "from"]
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    line = "-+-".join("-" * w for w in widths)
    out = [" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)), line]
    out += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--expect", nargs="*", default=[], help="names whose var/bench-goals/<name>.json must exist"
    )
    parser.add_argument(
        "--clean", action="store_true", help="delete var/bench-goals/ (start of `make bench`)"
    )
    args = parser.parse_args(argv)
    folder = goals_dir()
    if args.clean:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        return 0

    found, broken = read_goals(folder)
    rows = [
        [
            str(goal.get("goal", "?")),
            str(goal.get("figure", "")),
            str(goal.get("target", "")),
            "PASS" if goal["pass"] else "FAIL",
            name,
        ]
        for name, goal in sorted(found, key=lambda item: _goal_key(str(item[1].get("goal", ""))))
    ]
    missing = [name for name in args.expect if not (folder / f"{name}.json").exists()]
    for name in missing:
        rows.append([f"({name}: no figures)", "the script wrote no goals file", "-", "FAIL", name])
    print("\nIssue 13's goals, this run of `make bench`:\n")
    print(render(rows) if rows else "(no goals file found)")
    failed = [r for r in rows if r[3] == "FAIL"]
    for problem in broken:
        print(f"unreadable goals file: {problem}", file=sys.stderr)
    print(
        f"\n{len(rows) - len(failed)} PASS, {len(failed)} FAIL"
        + (f", {len(broken)} unreadable file(s)" if broken else "")
    )
    return 1 if failed or broken or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
