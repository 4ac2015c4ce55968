"""汇报模式 (pages/present.py) in AppTest: the slides of the view, moved by the real buttons and the picker; the
demo label and footer on every slide; the slide number in the URL; the deck and workbook downloads offered."""

from __future__ import annotations

from pathlib import Path

import known_answers as ka
import pytest
from apptest_helpers import navigation_server
from streamlit.testing.v1 import AppTest

from analytics import slides as meeting_slides
from analytics import sources
from analytics.catalog import load_catalog, load_profile
from analytics.meeting import Meeting
from analytics.regions import load_regions

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.apptest


@pytest.fixture(scope="module")
def engine_titles():
    """The slide titles the engine gives for the demo view the page opens on (Jilin, the demo's latest year, Jilin profile)."""
    cat, regs = load_catalog(), load_regions()
    obs = sources.observations(sources.DEMO, "220000", catalog=cat, regions=regs)
    meeting = Meeting.from_observations(
        obs,
        catalog=cat,
        regions=regs,
        profile=load_profile("jilin-2022-2025"),
        region_code="220000",
        year=ka.latest_year(),
        lang="zh",
        source_text="",
        synthetic=True,
    )
    return [s.title for s in meeting_slides.build_slides(meeting)]


@pytest.fixture(scope="module")
def at():
    with navigation_server():
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
        app.run()
        app.switch_page("pages/present.py").run()
        yield app


def buttons(at, label: str):
    return [b for b in at.button if b.label == label]


def test_opens_on_the_headline_with_the_demo_label(at, engine_titles):
    assert not at.exception
    assert [t.value for t in at.title] == [engine_titles[0]]
    assert at.title[0].value.startswith(f"吉林省 {ka.latest_year()}年：") and "/ 25" in at.title[0].value
    assert any("示例数据（模拟，非真实统计）" in w.value for w in at.warning)
    assert at.query_params["slide"] == "1"
    assert buttons(at, "◀ 上一页")[0].disabled


def test_next_and_picker_move_through_every_slide(at, engine_titles):
    buttons(at, "下一页 ▶")[0].click().run()
    assert [t.value for t in at.title] == [engine_titles[1]] and at.query_params["slide"] == "2"
    buttons(at, "◀ 上一页")[0].click().run()
    assert [t.value for t in at.title] == [engine_titles[0]]
    picker = at.selectbox(key="w_slide")
    for n, title in enumerate(engine_titles, start=1):
        picker.set_value(str(n)).run()
        assert not at.exception, n
        assert [t.value for t in at.title] == [title]
        assert any("示例数据（模拟，非真实统计）" in w.value for w in at.warning), n
        assert any("数据：内置示例数据" in c.value for c in at.caption), n  # the footer
    assert buttons(at, "下一页 ▶")[0].disabled  # the last slide


def test_the_deck_and_the_workbook_are_offered(at):
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载汇报演示文稿" in labels and "下载数据表（Excel）" in labels
