"""A department's values-only file with its province row, in a real browser: upload -> import -> the overview
counts those indicators with the province figure the department reported (and says so), in a fresh session.
Runs the app on a store of its own and Debian's chromium, as tests/test_browser.py does."""

from __future__ import annotations

import os

import pytest
from browser_helpers import (
    BROWSER_MARKS,
    VIEWPORT,
    AppServer,
    assert_no_exception,
    body_text,
    goto,
    retry_if_server_stopped,
    screenshot,
    wait_for_app,
)
from test_reported import rehab_values_only

from analytics.regions import load_regions

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """A server whose store holds nothing but what this test imports (other browser tests fill theirs)."""
    db = tmp_path_factory.mktemp("reported") / "atlas.sqlite"
    saved = os.environ.get("PREVENTION_ATLAS_DB")
    os.environ["PREVENTION_ATLAS_DB"] = str(db)
    server = AppServer("reported")
    server.start()
    yield server
    server.stop()
    if saved is None:
        os.environ.pop("PREVENTION_ATLAS_DB", None)
    else:
        os.environ["PREVENTION_ATLAS_DB"] = saved


@retry_if_server_stopped
def test_values_only_upload_counts_the_reported_province_figures(app, browser, tmp_path):
    data, _ = rehab_values_only(load_regions())
    upload = tmp_path / "康复指标.xlsx"
    upload.write_bytes(data)
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    goto(page, f"{app.url}/data?prov=220000")
    assert_no_exception(page)
    page.locator("input[type=file]").first.set_input_files(str(upload))
    page.get_by_text("校验通过").first.wait_for(timeout=60_000)
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("已导入为数据版本").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    context.close()
    # a colleague opens the overview of the imported data in a fresh session
    fresh = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = fresh.new_page()
    goto(page, f"{app.url}/?src=store&prov=220000&year=2024")  # the overview is the main page
    page.get_by_text("部门报送").first.wait_for(timeout=60_000)
    wait_for_app(page)  # the whole page drawn (under load the note can come while the rest is redrawn)
    text = body_text(page)
    assert_no_exception(page)
    screenshot(page, "overview_reported")
    # PROVINCE_FIGURES of tests/test_reported.py: 22 met, 23 not met, 24 met -> 2 of 25 met, 22 no data
    assert "2 / 25 项指标达标" in text, text[:600]
    assert "其中 3 项是部门报送的吉林省数" in text
    assert "Page not found" not in text
    fresh.close()
