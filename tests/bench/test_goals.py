"""bench/goals.py: the table `make bench` ends with (issue 13). Every goal-checking script writes
var/bench-goals/<name>.json; a failed goal or a missing file fails the run."""

from __future__ import annotations

import json

import pytest

from bench import goals


@pytest.fixture
def var(tmp_path, monkeypatch):
    monkeypatch.setenv("KEPLIVE_VAR_DIR", str(tmp_path))
    return tmp_path


def goal(text: str, passed: bool) -> dict[str, object]:
    return {"goal": text, "figure": "1 ms", "target": "≤ 5 ms", "pass": passed}


def test_all_passing_and_present_exits_zero_and_prints_each_goal(var, capsys):
    goals.write_goals("front_door", [goal("1. free times", True), goal("2. bookings/s", True)])
    goals.write_goals("calls", [goal("3. 5,000 WebSocket connections", True)])
    assert goals.main(["--expect", "front_door", "calls"]) == 0
    out = capsys.readouterr().out
    assert out.index("1. free times") < out.index("2. bookings/s") < out.index("3. 5,000")
    assert "3 PASS, 0 FAIL" in out


def test_a_failed_goal_or_a_missing_file_fails(var, capsys):
    goals.write_goals("front_door", [goal("1. free times", True)])
    assert goals.main(["--expect", "front_door", "call_media"]) == 1
    assert "(call_media: no figures)" in capsys.readouterr().out
    goals.write_goals("front_door", [goal("1. free times", False)])
    assert goals.main(["--expect", "front_door"]) == 1


def test_clean_removes_the_last_runs_files_and_a_broken_file_fails(var):
    (var / "bench-goals").mkdir()
    (var / "bench-goals" / "old.json").write_text(json.dumps([goal("1. x", True)]))
    assert goals.main(["--clean"]) == 0
    assert list((var / "bench-goals").iterdir()) == []
    (var / "bench-goals" / "calls.json").write_text('[{"goal": "3. x", "pass": "yes"}]')
    assert goals.main([]) == 1


def test_a_goal_without_its_fields_is_refused_when_written(var):
    with pytest.raises(ValueError, match="boolean pass"):
        goals.write_goals("x", [{"goal": "1. x", "figure": "", "target": "", "pass": 1}])
