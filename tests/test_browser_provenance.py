"""A link with the data source in a real browser: `src=store@<revision>` opens the imported data (not the demo),
survives a reload, and names each county's data version and department in the map's tooltip; a link to a
version this store does not have says so. Runs the app and Debian's chromium as tests/test_browser.py does.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlparse

import pytest
from browser_helpers import (
    BROWSER_MARKS,
    VIEWPORT,
    AppServer,
    assert_no_exception,
    body_text,
    county_point,
    goto,
    hover_tooltip,
    retry_if_server_stopped,
    screenshot,
    wait_for_map,
)

from analytics.catalog import load_catalog
from analytics.store import Store, load_demo

pytestmark = BROWSER_MARKS

JILIN_COUNTIES = 60


@pytest.fixture(scope="module")
def app():
    server = AppServer("provenance")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    yield context.new_page()
    context.close()


def src_of(url: str) -> str:
    return parse_qs(urlparse(url).query).get("src", [""])[0]


@retry_if_server_stopped
def test_a_store_link_survives_a_reload_and_names_versions(page, app):
    app.ensure()
    store = Store(os.environ["PREVENTION_ATLAS_DB"])  # the server's store (tests/conftest.py)
    demo = load_demo(load_catalog())
    version = store.import_observations(
        demo[demo["year"] == 2024],
        dataset="卫健委2024",
        source_name="卫健委2024.xlsx",
        sha256="b" * 64,
        department="省卫生健康委",
    )
    token = f"store@{store.revision()}"
    goto(page, f"{app.url}/indicator_map?src={token}&prov=220000&year=2024&ind=premarital_exam")
    wait_for_map(page, "indicator_map", JILIN_COUNTIES)
    assert_no_exception(page)
    assert src_of(page.url) == token
    assert f"截至版本 {version}" in body_text(page)  # the sidebar says which data this is
    assert "示例数据（模拟，非真实统计）" not in body_text(page)  # not the demo banner

    page.reload(wait_until="domcontentloaded")  # a reload is a fresh session: it must keep the source
    wait_for_map(page, "indicator_map", JILIN_COUNTIES)
    assert src_of(page.url) == token
    assert f"截至版本 {version}" in body_text(page) and "链接发出后" not in body_text(page)
    point = county_point(page, "indicator_map", ())
    assert point and point["name"]
    tip = hover_tooltip(page, point)
    assert "数据版本" in tip and f"{version} · 卫健委2024.xlsx" in tip and "省卫生健康委" in tip, tip
    screenshot(page, "store_link_tooltip")


@retry_if_server_stopped
def test_a_link_to_a_version_this_store_lacks_says_so(page, app):
    app.ensure()
    store = Store(os.environ["PREVENTION_ATLAS_DB"])
    if store.versions().empty:  # run alone: the store needs a version for "not this one" to apply
        demo = load_demo(load_catalog())
        store.import_observations(
            demo[demo["year"] == 2024], dataset="x", source_name="x.csv", sha256="c" * 64
        )
    goto(page, f"{app.url}/overview?src=store@v999999&prov=220000")
    assert_no_exception(page)
    assert "链接指向数据版本 999999，但它不在这个数据库" in body_text(page)
