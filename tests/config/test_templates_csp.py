"""No template of a page holds what the Content-Security-Policy refuses (ADR 0014, docs/ui.md):
an inline <script> or <style> without the request's nonce, an event-handler attribute
(onclick=…), a style="…" attribute or a javascript: URL. Emails are not pages (mail clients need
inline styles) and are left out; the development mailbox shows them under a policy of their own.
"""

from __future__ import annotations

import re
from pathlib import Path

KEPLIVE = Path(__file__).resolve().parents[2] / "keplive"
NONCE = 'nonce="{{ request.csp_nonce }}"'

_COMMENTS = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}|<!--.*?-->", re.S)
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\b((?:[^>{]|{[^}]*})*)>", re.S)
_DATA_BLOCK = re.compile(r"""\btype\s*=\s*["']application/(?:ld\+)?json["']""")


def page_templates() -> list[Path]:
    return sorted(
        path
        for path in KEPLIVE.glob("**/templates/**/*.html")
        if "emails" not in path.relative_to(KEPLIVE).parts
    )


def problems_in(text: str) -> list[str]:
    text = _COMMENTS.sub("", text)
    found = []
    for match in _TAG.finditer(text):
        name, attributes = match.group(1).lower(), match.group(2)
        tag = match.group(0)
        if re.search(r"\son[a-z]+\s*=", attributes, re.I):
            found.append(f"event-handler attribute: {tag}")
        if re.search(r"\sstyle\s*=", attributes, re.I):
            found.append(f"style attribute: {tag}")
        if re.search(r"""=\s*["']?\s*javascript:""", attributes, re.I):
            found.append(f"javascript: URL: {tag}")
        inline_script = "src=" not in attributes and not _DATA_BLOCK.search(attributes)
        if name == "script" and inline_script and NONCE not in attributes:
            found.append(f"inline script without the nonce: {tag}")
        if name == "style" and NONCE not in attributes:
            found.append(f"<style> without the nonce: {tag}")
    return found


def test_the_scan_finds_what_the_policy_refuses():
    assert problems_in('<p onclick="go()">x</p>')
    assert problems_in('<div class="a" style="width: 3px">x</div>')
    assert problems_in('<a href="javascript:void(0)">x</a>')
    assert problems_in("<script>document.body.focus();</script>")
    assert problems_in("<style>p { color: red }</style>")
    assert problems_in('<svg><rect style="fill:red"/></svg>')
    assert problems_in('<p {% if x %}class="a"{% endif %} onload="x()">')
    assert not problems_in('<script src="/static/js/call.js" type="module"></script>')
    assert not problems_in(f"<script {NONCE}>window.x = 1;</script>")
    assert not problems_in(f"<style {NONCE}>p {{ color: red }}</style>")
    assert not problems_in('<script type="application/json" id="data">{"a": 1}</script>')
    assert not problems_in('{# <script>x()</script> #}<p class="online">once=1</p>')
    assert not problems_in('<button type="button" data-on-click="x">ok</button>')


def test_no_page_template_holds_inline_script_style_or_handlers():
    templates = page_templates()
    assert len(templates) > 80
    found = {
        str(path.relative_to(KEPLIVE)): problems
        for path in templates
        if (problems := problems_in(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_scripts_need_no_eval():
    for script in (KEPLIVE / "static" / "js").glob("*.js"):
        code = script.read_text(encoding="utf-8")
        assert not re.search(r"\beval\(|new Function\(|set(?:Timeout|Interval)\(\s*[\"'`]", code)
        assert not re.search(r"""setAttribute\(\s*["'](?:style|on[a-z]+)["']""", code), script
