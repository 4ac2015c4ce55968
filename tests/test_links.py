"""Crafted links: every value decoded from the URL is checked like a CLI argument. A page opened with garbage,
Markdown, huge or impossible values shows the default view (or a clear message) and never an exception; a
scenario link that cannot be used says why and leaves the steps empty."""

from __future__ import annotations

import base64
import json
import re

import pytest
from apptest_helpers import navigation_server
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.apptest

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
EVIL = "![x](http://evil.example/i.png)<b>x</b>"
LIVE_LINK = re.compile(r"(?<!\\)\]\((?:https?:)?//")

GARBAGE = {
    "lang": "xx",
    "prov": "../../etc/passwd",
    "pref": EVIL,
    "year": "1e309",
    "targets": "/etc/passwd",
    "src": "store@" + "z" * 500,
    "ind": "<script>alert(1)</script>",
    "county": "999999",
    "show": EVIL,
    "slide": "-1",
    "sc": "x" * 5000,
    "scenario": "%%%not base64%%%",
}


@pytest.fixture(autouse=True)
def _server(tmp_path, monkeypatch):
    monkeypatch.setenv("PREVENTION_ATLAS_SCENARIOS", str(tmp_path / "scenarios.json"))
    with navigation_server():
        yield


def rendered(at: AppTest) -> list[str]:
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader")
    return [e.value for kind in kinds for e in getattr(at, kind)]


def open_with(query: dict, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query)
    at.run()
    if page:
        at.switch_page(f"pages/{page}.py").run()
    return at


@pytest.mark.parametrize("page", PAGES)
def test_garbage_in_every_parameter_opens_the_default_view(page):
    at = open_with(GARBAGE, page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="province").value == "220000" and at.radio(key="lang").value == "zh"
    assert at.selectbox(key="profile").value == "jilin-2022-2025"
    assert not [v for v in rendered(at) if LIVE_LINK.search(v)]


def token(adjustments: list[dict], name: str = "x") -> str:
    text = json.dumps({"name": name, "adjustments": adjustments})
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


STEP = {"indicator_id": "rehab_physicians", "operation": "add_units", "amount": 10}
CRAFTED = {
    "unknown indicator": [{**STEP, "indicator_id": "nope"}],
    "NaN target": [{**STEP, "operation": "set_target", "amount": float("nan")}],
    "Infinity target": [{**STEP, "operation": "set_target", "amount": float("inf")}],
    "text amount": [{**STEP, "amount": "ten"}],
    "huge amount": [{**STEP, "amount": 1e300}],
    "unknown scope": [{**STEP, "scope": "999999"}],
    "Markdown scope": [{**STEP, "scope": EVIL}],
    "unknown field": [{**STEP, "colour": "red"}],
    "not a list": {"a": 1},
    "many steps": [STEP] * 200,
}


@pytest.mark.parametrize("case", list(CRAFTED))
def test_a_crafted_scenario_link_says_why_and_shows_the_default_view(case):
    at = open_with({"scenario": token(CRAFTED[case])}, "scenarios")
    assert not at.exception, (case, [e.value for e in at.exception])
    assert not [v for v in rendered(at) if LIVE_LINK.search(v)]
    if case != "huge amount":
        assert at.error, case  # said on the page
