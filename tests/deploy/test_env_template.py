"""deploy/env.template names every setting, and with its secrets filled in it is a production
configuration `manage.py check --deploy` accepts; a staging (`make prod`) is allowed its
stand-ins only through KEPLIVE_ALLOW_STANDINS, and says so (ADR 0017)."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "env.template"
SETTINGS = ROOT / "keplive" / "config" / "settings.py"
# Nothing: `check --deploy` is clean under the template's settings.
HSTS_DECISIONS: set[str] = set()


def template_values() -> dict[str, str]:
    values = {}
    for line in TEMPLATE.read_text().splitlines():
        if line.startswith("#") or "=" not in line:
            continue
        name, value = line.split("=", 1)
        value = value.strip('"')
        if value == "CHANGE-ME":
            value = secrets.token_urlsafe(48)
        elif value == "CHANGE-ME-BASE64-32-BYTES":
            value = base64.b64encode(secrets.token_bytes(32)).decode()
        values[name] = value.replace(":CHANGE-ME@", f":{secrets.token_hex(8)}@")
    return values


def check_deploy(values: dict[str, str], tmp_path: Path) -> tuple[int, set[str], str]:
    """`manage.py check --deploy` with exactly ``values`` as the environment (and a PATH)."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        **values,
        "KEPLIVE_VAR_DIR": str(tmp_path),
    }
    # One process: no shared metrics directory (the template's is the host's /run/keplive).
    env.pop("PROMETHEUS_MULTIPROC_DIR")
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    output = done.stdout + done.stderr
    return done.returncode, set(re.findall(r"\(([a-z_.]+\.[EW]\d{3})\)", output)), output


def test_the_template_names_every_setting():
    read = set(
        re.findall(
            r"env\.(?:text|flag|integer|words|path)\(\s*[\"']([A-Z0-9_]+)[\"']",
            SETTINGS.read_text(),
        )
    )
    named = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", TEMPLATE.read_text(), re.MULTILINE))
    assert read, "no setting found in settings.py"
    assert sorted(read - named) == []


def test_the_template_is_a_production_configuration_the_checks_accept(tmp_path):
    code, ids, output = check_deploy(template_values(), tmp_path)
    assert code == 0, output
    assert ids <= HSTS_DECISIONS, output


def test_a_staging_is_allowed_its_stand_ins_only_by_name_and_says_so(tmp_path):
    staging = template_values() | {
        "KEPLIVE_PUBLIC_URL": "https://127.0.0.1:8443",
        "KEPLIVE_GSIS_STANDIN": "1",
        "KEPLIVE_GSIS_BASE_URL": "https://127.0.0.1:8443",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": "8025",
        "KEPLIVE_SMS_BACKEND": "local",
        "KEPLIVE_POLICE_REGISTRY": "local",
        "KEPLIVE_EKEP": "local",
    }
    code, ids, output = check_deploy(staging, tmp_path)
    assert code != 0  # refused without the allowance
    assert {
        "keplive.E004",
        "keplive.gsis.E001",
        "keplive.police.E001",
        "keplive.ekep.E002",
        "keplive.notifications.E002",
        "keplive.notifications.E011",
    } <= ids, output
    code, ids, output = check_deploy(staging | {"KEPLIVE_ALLOW_STANDINS": "1"}, tmp_path)
    assert code == 0, output
    assert ids <= HSTS_DECISIONS | {"keplive.W002"}, output
    assert "keplive.W002" in ids
    # The allowance covers the stand-ins, not what makes production production.
    _code, ids, output = check_deploy(
        staging | {"KEPLIVE_ALLOW_STANDINS": "1", "KEPLIVE_DEBUG": "1", "KEPLIVE_MAIL_VIEWER": "1"},
        tmp_path,
    )
    assert {"keplive.E002", "keplive.notifications.E004"} <= ids, output
