"""Strings from files, users and links are data: shown as typed, never as Markdown (an image from an outside
host would load in every viewer's browser), never as HTML, never a formula in a download.

A department's file whose name, headers, county names, dataset, department and note all carry Markdown, HTML
and formulas is uploaded and imported through the real widgets; every page is then opened on the store, and
every element Streamlit renders as Markdown is read back: no link or image syntax survives unescaped."""

from __future__ import annotations

import re

import pytest
import streamlit as st
from apptest_helpers import navigation_server
from streamlit.testing.v1 import AppTest

from analytics.i18n import t
from analytics.store import Store

pytestmark = pytest.mark.apptest

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
IMAGE = "![x](http://evil.example/i.png)"
EVIL = f'{IMAGE}<img src="http://evil.example/j.png">**b**=HYPERLINK("http://evil.example","x")'
LIVE_LINK = re.compile(r"(?<!\\)\]\((?:https?:)?//")  # "](http" not escaped: Markdown would make a link


@pytest.fixture(autouse=True)
def _own_store(tmp_path, monkeypatch):
    monkeypatch.setenv("PREVENTION_ATLAS_DB", str(tmp_path / "atlas.sqlite"))
    monkeypatch.setenv("PREVENTION_ATLAS_SCENARIOS", str(tmp_path / "scenarios.json"))
    st.cache_resource.clear()
    with navigation_server():
        yield
    st.cache_resource.clear()


def rendered(at: AppTest) -> list[str]:
    """Every text Streamlit renders as Markdown on the page."""
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader")
    return [e.value for kind in kinds for e in getattr(at, kind)]


def live_links(at: AppTest) -> list[str]:
    return [v for v in rendered(at) if LIVE_LINK.search(v)]


def evil_file(county: str = "伊通县") -> tuple[str, bytes, str]:
    """A GBK CSV named with Markdown: a good row, and an extra column whose header is Markdown; with `county`,
    a row whose county name is Markdown too (an error: the file cannot be imported)."""
    text = f"地区,年份,指标,分子,分母,{EVIL}\n伊通县,2024,婚前医学检查率,50,100,x\n"
    if county != "伊通县":
        text += f"{county},2024,婚前医学检查率,5,10,y\n"
    return (f"{IMAGE}.csv", text.encode("gb18030"), "text/csv")


def field(at: AppTest, label: str):
    return next(w for w in at.text_input if w.label == label)


def test_an_uploaded_file_s_strings_stay_text_on_every_page(tmp_path):
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="upload").set_value(evil_file(county=EVIL)).run()  # refused: an unknown county
    assert not at.exception, [e.value for e in at.exception]
    assert not live_links(at), live_links(at)
    shown = " ".join(rendered(at))
    assert "http://evil.example" in shown.replace("\\", "")  # the strings are there, as text
    at.file_uploader(key="upload").set_value(evil_file()).run()  # importable, with a Markdown header
    assert not at.exception and not live_links(at), live_links(at)
    for word in ("dataset", "department", "note"):
        field(at, t(word)).set_value(EVIL).run()
    next(b for b in at.button if b.label == "确认导入").click().run()
    assert not at.exception, [e.value for e in at.exception]
    versions = Store(tmp_path / "atlas.sqlite").versions()
    assert versions["department"].tolist() == [EVIL]  # stored as typed
    assert not live_links(at), live_links(at)
    at.selectbox(key="source").set_value("store").run()
    for page in PAGES:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not live_links(at), (page, live_links(at))
        for frame in at.dataframe:  # the grid's own CSV download: no cell runs as a formula
            cells = [c for c in frame.value.to_numpy().ravel() if isinstance(c, str)]
            assert not [c for c in cells if c.startswith(("=", "@"))], page
