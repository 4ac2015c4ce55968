"""The pages in streamlit's AppTest (in process, no browser, no server): every page renders, and moving the
real widgets (sidebar and page) changes what the pages show. Chart contents are read from the Vega-Lite
elements AppTest records (`at.get("vega_lite_chart")`: the spec JSON plus its datasets as Arrow).

AppTest and the pages/ folder: AppTest resets `PagesManager.uses_pages_directory` before every run, so with a
pages/ folder every run after the first executes the page script alone (Streamlit's older multipage mode):
no app.py, no sidebar, a stale Context. A real server is in that mode only until the first st.navigation
call (ui.url_state.current() handles that cold start). `_navigation_server` below makes every AppTest run
behave like the server after that first call; `test_deep_link_reopens_the_view` runs the cold start too.
Map clicks cannot be made in AppTest: they are injected as the chart's selection state (DESIGN.md).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import known_answers as ka
import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from apptest_helpers import navigation_server
from spec_helpers import row_values
from streamlit import dataframe_util
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from analytics import figures
from analytics.catalog import load_catalog
from analytics.i18n import t
from analytics.regions import load_regions
from ui import render

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
BANNER = "示例数据（模拟，非真实统计）"
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))  # every page, also ones added later
NO_DEMO_NUMBERS = {
    "catalog",
    "profiles",
}  # definitions and targets only: every other page must carry the demo banner
YITONG = ("220323", "伊通满族自治县")  # a county of 四平市 (220300)

pytestmark = pytest.mark.apptest


@pytest.fixture(scope="module", autouse=True)
def _navigation_server():
    with navigation_server():
        yield


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def regions():
    return load_regions()


# --- helpers ----------------------------------------------------------------------------------------
def check(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_app(page: str | None = None, *, query: dict | None = None, timeout: float = 60) -> AppTest:
    """A fresh session: the URL's query parameters, a first run (the default page), then `page`."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params.update(query or {})
    check(at.run())
    if page:
        check(at.switch_page(f"pages/{page}.py").run())
        assert len(at.sidebar.children), "the page ran without app.py's sidebar"
    return at


def title(at: AppTest) -> str:
    return at.title[0].value


def headline(at: AppTest) -> tuple[int, int]:
    """(met, total) from the overview's first metric, e.g. "7 / 25 项指标达标"."""
    match = re.match(r"\s*(\d+)\s*/\s*(\d+)", at.metric[0].value)
    assert match, at.metric[0].value
    return int(match.group(1)), int(match.group(2))


def chart(at: AppTest, key: str):
    found = [el for el in at.get("vega_lite_chart") if el.key == key]
    assert found, f"no chart {key!r}: {[el.key for el in at.get('vega_lite_chart')]}"
    return found[0]


def chart_data(element) -> tuple[dict, dict[str, pd.DataFrame]]:
    """The spec of a rendered Altair chart and its named datasets as data frames."""
    spec = json.loads(element.proto.spec)
    frames = {
        d.name: dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in element.proto.datasets
    }
    return spec, frames


def county_layer(spec: dict) -> tuple[dict, str]:
    """The map layer that fills counties (a geoshape joined to the TopoJSON's `counties`) and its dataset's
    name (its own data, or inherited from the enclosing layer / concat, as Altair hoists shared data)."""

    def walk(node, data):
        if isinstance(node, dict):
            data = node.get("data", {}).get("name", data) if isinstance(node.get("data"), dict) else data
            yield node, data
            for v in node.values():
                yield from walk(v, data)
        elif isinstance(node, list):
            for v in node:
                yield from walk(v, data)

    for node, data in walk(spec, None):
        lookups = [s for s in node.get("transform", []) if "lookup" in s]
        if lookups and lookups[0]["from"]["data"]["format"]["feature"] == "counties":
            return node, data
    raise AssertionError("no county layer in the map spec")


def map_rows(at: AppTest, key: str) -> pd.DataFrame:
    spec, frames = chart_data(chart(at, key))
    return frames[county_layer(spec)[1]]


def first_table(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


# --- smoke --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shared_app() -> AppTest:
    return open_app()


@pytest.mark.parametrize("page", PAGES)
def test_page_renders(shared_app, page):
    at = check(shared_app.switch_page(f"pages/{page}.py").run())
    assert at.title, "no title"
    assert [w.key for w in at.sidebar.selectbox] == ["source", "province", "prefecture", "profile"]
    banners = [w.value for w in at.warning if BANNER in w.value]
    if page in NO_DEMO_NUMBERS:
        assert not banners
    else:
        assert banners, f"no demo banner on {page}"


# --- sidebar and page widgets -------------------------------------------------------------------------
def test_year_changes_the_headline(catalog, jilin):
    at = open_app()
    latest = ka.latest_year()
    met_latest, total = headline(at)
    assert str(latest) in title(at)
    check(at.select_slider(key="year").set_value(2020).run())
    met_2020, total_2020 = headline(at)
    assert total == total_2020 == 25
    assert (met_2020, met_latest) == (
        ka.province_met(catalog, jilin, 2020),
        ka.province_met(catalog, jilin, latest),
    )
    assert "2020" in title(at)
    assert at.metric[1].value == str(met_2020)  # the ✓ metric agrees with the headline
    assert at.query_params["year"] == "2020"  # a copied link reopens 2020


def test_indicator_changes_title_and_map_data(catalog):
    at = open_app("indicator_map")
    first = catalog.ids[0]
    assert at.selectbox(key="w_indicator").value == first
    assert catalog[first].name("zh") in title(at)
    before_spec, _ = chart_data(chart(at, "indicator_map"))
    before = map_rows(at, "indicator_map")

    check(at.selectbox(key="w_indicator").set_value("premarital_exam").run())
    assert title(at).startswith(catalog["premarital_exam"].name("zh"))
    after_spec, _ = chart_data(chart(at, "indicator_map"))
    after = map_rows(at, "indicator_map")
    assert set(after["region_code"]) == set(before["region_code"])
    assert len(after) == 60
    for rows, indicator_id in ((before, first), (after, "premarital_exam")):  # the demo file's values
        expected = {c: float(v) for c, v in ka.county_values(catalog[indicator_id], ka.latest_year()).items()}
        assert dict(zip(rows["region_code"], rows["value"], strict=True)) == pytest.approx(expected)
    # the map shows the same numbers as the page's table, and its heading names the new indicator and target
    assert set(after["value_text"]) == set(first_table(at)[t("value")])
    _, frames = chart_data(chart(at, "indicator_map"))
    heading = frames[figures.VIEW_DATASET]["heading"][0]
    assert catalog["premarital_exam"].name("zh") in heading and "＞70%" in heading
    # the same spec, new data: the browser updates the map in place (analytics.figures.steady)
    assert after_spec == before_spec
    assert at.query_params["ind"] == "premarital_exam"


def test_prefecture_restricts_the_map_page(regions):
    at = open_app("indicator_map")
    assert len(first_table(at)) == 60
    check(at.selectbox(key="prefecture").set_value("222400").run())
    name = regions.name("222400")
    counties = set(regions.counties("222400")["code"])
    table = first_table(at)
    assert len(table) == len(counties) == 8
    assert set(table[t("prefecture")]) == {name}
    assert set(table[t("county")]) == {regions.name(c) for c in counties}
    assert set(map_rows(at, "indicator_map")["region_code"]) == counties
    assert name in title(at)

    back = [b for b in at.button if b.label == t("back_to_province")]
    assert back, "no way back to the whole province"
    check(back[0].click().run())
    assert at.session_state["prefecture"] == ""
    assert len(first_table(at)) == 60


def test_english(catalog):
    at = open_app()
    check(at.radio(key="lang").set_value("en").run())
    assert title(at).startswith("Overview:")
    assert "indicators met" in at.metric[0].value
    assert any(BANNER in w.value for w in at.warning)  # the demo label stays, in Chinese too
    check(at.switch_page("pages/indicator_map.py").run())
    assert title(at).startswith(catalog[catalog.ids[0]].name("en"))
    check(at.switch_page("pages/catalog.py").run())
    assert title(at) == "Indicator catalog"


def test_profile_shows_the_chosen_county():
    at = open_app("county_profile")
    code, name = YITONG
    assert name not in title(at)
    check(at.selectbox(key="w_county").set_value(code).run())
    assert title(at) == t("profile_title", county=name)
    assert at.metric[0].label == name
    assert at.query_params["county"] == code


def test_under_the_profile_only_the_open_tab_is_built():
    """The peers first (two tables); the trends' 25 small charts only once their tab is opened, and it stays
    open for the next county."""
    at = open_app("county_profile")
    charts_before = len(at.get("vega_lite_chart"))
    assert len(at.dataframe) == 3  # the bullets' table, the peers, their comparison
    at.session_state["w_profile_view"] = t("profile_view_trends")
    check(at.run())
    assert len(at.get("vega_lite_chart")) == charts_before + 1  # the trends
    assert len(at.dataframe) == 2  # the bullets' table, the trends' table
    check(at.selectbox(key="w_county").set_value(YITONG[0]).run())
    assert len(at.get("vega_lite_chart")) == charts_before + 1 and len(at.dataframe) == 2


def clicked_on(chart_key: str, name: str, event: dict) -> None:
    """A chart's click callback (render.profile_click) run as Streamlit runs it, before the script; the whole app's
    rerun it asks for (the chart may sit in a page's fragment) is recorded, not made."""
    from unittest import mock

    import streamlit as st

    from ui import render

    st.session_state[chart_key] = event
    reruns = []
    with mock.patch.object(render, "rerun_app", lambda: reruns.append("app")):
        render.profile_click(chart_key, name)()
    st.write(st.session_state.get(render.PENDING_PROFILE, "nothing"))
    st.write(",".join(reruns) or "no rerun")


@pytest.mark.parametrize(
    ("event", "left"),
    [
        ({"selection": {"bar": [{"region_code": "220581"}]}}, "220581"),
        ({"selection": {"bar": {"region_code": ["220581"]}}}, "220581"),
        ({"selection": {"bar": []}}, "nothing"),  # a click beside the bars clears the selection
        ({"selection": {"other": [{"region_code": "220581"}]}}, "nothing"),
    ],
)
def test_a_click_on_a_bar_leaves_its_county_to_open(event, left):
    at = AppTest.from_function(clicked_on, args=("indicator_bars", "bar", event)).run()
    assert not at.exception
    assert at.markdown[0].value == left
    assert at.markdown[1].value == ("no rerun" if left == "nothing" else "app")


@pytest.mark.parametrize("page", ["indicator_map", "overview"])
def test_click_on_a_county_opens_its_profile(page):
    """A county left by a click (render.map_click, render.profile_click) opens before the sidebar is drawn. AppTest
    runs no selection callback: they are driven in tests/test_browser.py."""
    at = open_app(page)
    code, name = YITONG
    at.session_state[render.PENDING_PROFILE] = code
    check(at.run())
    assert title(at) == t("profile_title", county=name)
    assert at.session_state["county"] == code
    assert at.query_params["county"] == code


@pytest.mark.parametrize("page", ["overview", "indicator_map"])
def test_the_map_says_what_a_click_does_at_its_level(page):
    """On a province a click zooms to the prefecture; on a prefecture it opens the county's profile."""
    at = open_app(page)
    captions = [c.value for c in at.caption]
    assert t("map_click_hint_province") in captions and t("map_click_hint_prefecture") not in captions
    at.session_state["prefecture"] = "220500"
    check(at.run())
    captions = [c.value for c in at.caption]
    assert t("map_click_hint_prefecture") in captions and t("map_click_hint_province") not in captions


def ringed(element) -> list[str]:
    """The counties a map rings in black (3 px): its ring layer's rows (one layer, empty until a pick)."""
    spec, frames = chart_data(element)
    (ring,) = [
        layer
        for layer in spec["layer"]
        if layer["mark"]["type"] == "geoshape" and layer["mark"].get("strokeWidth") == 3
    ]
    return frames[ring["data"]["name"]]["region_code"].tolist()


def test_a_county_picked_beside_the_map_is_marked_in_map_bars_and_table():
    """Linked views without a mouse: the picker rings the county on the map, outlines its bar, highlights its
    table row, and a button opens its profile (a click on a table row: tests/test_browser.py)."""
    at = open_app("indicator_map")
    code, name = YITONG
    assert ringed(chart(at, "indicator_map")) == []
    check(at.selectbox(key="w_map_pick").set_value(code).run())
    assert ringed(chart(at, "indicator_map")) == [code]
    bars, frames = chart_data(chart(at, "indicator_bars"))
    (outline,) = [
        c["test"]
        for layer in bars["layer"]
        for c in [layer.get("encoding", {}).get("stroke", {}).get("condition", {})]
        if c
    ]
    assert outline.startswith('datum["region_code"] === ') and row_values(
        frames[figures.VIEW_DATASET].iloc[0], outline
    ) == [code]
    table = at.dataframe[0]
    assert "background-color" in table.proto.arrow_data.styler.styles  # the picked row, styled
    opener = [b for b in at.button if b.label == t("open_profile_of", county=f"四平市 · {name}")]
    check(opener[0].click().run())
    assert title(at) == t("profile_title", county=name)


def test_the_overview_map_has_a_county_picker_too():
    at = open_app("overview")
    code, name = YITONG
    check(at.selectbox(key="w_overview_pick").set_value(code).run())
    assert ringed(chart(at, "overview_map")) == [code]
    check(at.button(key="w_overview_pick_open").click().run())
    assert title(at) == t("profile_title", county=name)


def test_prefecture_bars_select_a_region_on_click():
    """The click itself runs a callback (the browser test clicks a bar and sees the page zoom)."""
    at = open_app("overview")
    spec, _ = chart_data(chart(at, "sub_bars"))
    params = spec.get("params", []) + [p for layer in spec["layer"] for p in layer.get("params", [])]
    region = [p for p in params if p["name"] == "region"]
    assert (
        region and region[0]["select"]["fields"] == ["region_code"] and region[0]["select"]["on"] == "click"
    )


def a_view_in_english_2021() -> AppTest:
    """A session that moved the sidebar away from every default (language, year, prefecture, profile)."""
    at = open_app()
    at.radio(key="lang").set_value("en")
    at.select_slider(key="year").set_value(2021)
    at.selectbox(key="prefecture").set_value("220300")
    at.selectbox(key="profile").set_value("national-2021-2025")
    return check(at.run())


def sidebar_view(at: AppTest) -> dict:
    return {k: at.session_state[k] for k in ("lang", "year", "prefecture", "profile")}


VIEW = {"lang": "en", "year": 2021, "prefecture": "220300", "profile": "national-2021-2025"}


def test_click_on_a_county_keeps_the_sidebar_view():
    """st.switch_page reruns without widget states, so Streamlit drops them on the page change; the sidebar
    must come back as it was (it once fell back to zh / 2024 / all prefectures / the Jilin profile)."""
    at = a_view_in_english_2021()
    check(at.switch_page("pages/indicator_map.py").run())
    code, name = YITONG
    at.session_state[render.PENDING_PROFILE] = code  # as a click on a prefecture map leaves it
    check(at.run())
    assert at.session_state["county"] == code
    assert sidebar_view(at) == VIEW
    assert title(at) == t("profile_title", "en", county=name)


def test_breadcrumb_keeps_the_sidebar_view():
    at = a_view_in_english_2021()
    check(at.switch_page("pages/county_profile.py").run())
    crumb = [b for b in at.button if b.label.startswith("四平市")]
    assert crumb, [b.label for b in at.button]
    check(crumb[0].click().run())
    assert sidebar_view(at) == VIEW
    assert title(at) == t("overview_title", "en", region="四平市", year=2021)


# --- URL ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cold_start", [False, True], ids=["running-server", "first-session"])
def test_deep_link_reopens_the_view(monkeypatch, catalog, cold_start):
    if cold_start:  # the first session after the server starts: pages/ mode until st.navigation runs
        monkeypatch.setattr(app_test_module, "PagesManager", PagesManager)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(
        {"year": "2022", "prov": "220000", "pref": "220300", "ind": "premarital_exam", "show": "status"}
    )
    check(at.switch_page("pages/indicator_map.py").run())
    assert at.select_slider(key="year").value == 2022
    assert at.selectbox(key="province").value == "220000"
    assert at.selectbox(key="prefecture").value == "220300"
    assert at.selectbox(key="w_indicator").value == "premarital_exam"
    assert at.selectbox(key="w_map_show").value == "status"
    assert title(at) == f"{catalog['premarital_exam'].name('zh')} · 四平市 2022"
    for name, value in {"year": "2022", "pref": "220300", "ind": "premarital_exam"}.items():
        assert at.query_params[name] == value


def test_unknown_url_values_fall_back_to_defaults():
    at = open_app("indicator_map", query={"year": "1999", "prov": "999999", "ind": "nope", "lang": "xx"})
    assert at.select_slider(key="year").value == ka.latest_year()
    assert at.selectbox(key="province").value == "220000"
    assert at.selectbox(key="w_indicator").value == load_catalog().ids[0]
    assert at.radio(key="lang").value == "zh"


# --- the whole country --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def national_app() -> AppTest:
    """Synthetic data for every province (a few seconds the first time; cached for the process)."""
    return open_app(query={"prov": "100000"}, timeout=180)


@pytest.fixture(scope="module")
def national_rows(national_app) -> tuple[dict[str, str], ...]:
    """The generated demo data of all China the national session shows (from the app's cache), as csv rows."""
    from ui.loaders import NATIONAL, observations

    return ka.rows_of(observations("demo", NATIONAL), years=(2020, ka.latest_year()))


@pytest.mark.national
def test_national_overview(national_app, national_rows, catalog, jilin):
    at = check(national_app.switch_page("pages/overview.py").run())
    assert t("whole_country") in title(at)
    met, total = headline(at)
    assert (met, total) == (ka.province_met(catalog, jilin, ka.latest_year(), national_rows), 25)
    assert at.selectbox(key="prefecture").proto.disabled


@pytest.mark.national
def test_national_map(national_app, regions):
    at = check(national_app.switch_page("pages/indicator_map.py").run())
    assert t("whole_country") in title(at)
    spec, _ = chart_data(chart(at, "indicator_map"))
    assert len(spec["hconcat"]) == 2  # mainland + the 南海诸岛 inset
    rows = map_rows(at, "indicator_map")
    assert len(rows) == len(regions.counties())  # every county of China, with data or not
    assert len(first_table(at)) == len(rows)


def test_the_indicator_table_shows_each_interval_and_certainty():
    at = open_app("indicator_map")
    check(at.selectbox(key="w_indicator").set_value("rehab_physicians").run())
    table = next(d.value for d in at.dataframe if t("certainty") in d.value.columns)
    assert t("interval") in table.columns
    assert set(table[t("certainty")]) <= {t("certainty_clear"), t("certainty_unclear")}
    assert (table[t("certainty")] == t("certainty_unclear")).any()
    assert table[t("interval")].str.contains("–").all()


def test_under_the_indicator_map_only_the_open_view_is_built():
    """The table, the spread of the counties and the funnel plot are tabs under the map, the table open first;
    only the open one is built and sent (an indicator change repaints the map sooner)."""
    at = open_app("indicator_map")
    assert [tab.label for tab in at.tabs] == [t(f"map_view_{v}") for v in ("table", "distribution", "funnel")]

    def shown() -> set[str]:
        """The open views: the table, or a chart (known by its download menu) beside the map and bars."""
        menus = {b.key for b in at.button} & {"dl_distribution_make", "dl_funnel_make"}
        charts = {m.removeprefix("dl_").removesuffix("_make") for m in menus}
        assert len(at.main.get("vega_lite_chart")) == 2 + len(charts)  # the map, the bars and the open one
        return charts | ({"table"} if any(d.key == "indicator_table" for d in at.dataframe) else set())

    assert shown() == {"table"}
    at.session_state["w_map_view"] = t("map_view_distribution")
    check(at.run())
    assert shown() == {"distribution"}
    at.session_state["w_map_view"] = t("map_view_funnel")
    check(at.run())
    assert shown() == {"funnel"}
    check(
        at.selectbox(key="w_indicator").set_value("endemic_disease_control").run()
    )  # a county's yes/no status
    assert shown() == set() and t("funnel.not_applicable") in [c.value for c in at.caption]
    check(at.selectbox(key="w_indicator").set_value("premarital_exam").run())
    assert shown() == {"funnel"}  # the open tab stays open across indicators


def test_the_disparities_page_shows_the_groups_of_the_chosen_indicator():
    """差异分析: the table is analytics.disparities for the indicator chosen (by sums, with intervals)."""
    from analytics import disparities, sources
    from analytics.catalog import load_profile

    at = open_app("disparities")
    check(at.selectbox(key="w_indicator").set_value("rehab_physicians").run())
    table = next(d.value for d in at.dataframe if t("disparities.col_difference") in d.value.columns)
    catalog, regions = load_catalog(), load_regions()
    obs = sources.observations("demo", "220000", catalog=catalog, regions=regions)
    frame = disparities.disparities(
        obs, regions, catalog, load_profile("jilin-2022-2025"), "220000", ka.latest_year(), "rehab_physicians"
    )
    expected = disparities.display_rows(frame, ka.latest_year(), catalog, "zh")
    assert list(table[t("disparities.col_value")]) == list(expected["value_a"])
    assert list(table[t("disparities.col_difference")]) == list(expected["difference"])
    assert len(table) == 2 and "[" in table[t("disparities.col_ratio")].iloc[0]
    check(at.selectbox(key="w_indicator").set_value("premarital_exam").run())
    again = next(d.value for d in at.dataframe if t("disparities.col_difference") in d.value.columns)
    assert list(again[t("disparities.col_value")]) != list(table[t("disparities.col_value")])


def test_the_overview_lists_the_25_values_of_the_province_and_each_prefecture():
    at = open_app("overview")
    own = next(d.value for d in at.dataframe if t("coverage_column") in d.value.columns)
    assert len(own) == 25 and (own[t("coverage_column")] == "60/60 县").sum() >= 20
    wide = next(
        d.value for d in at.dataframe if t("region") in d.value.columns and len(d.value.columns) == 26
    )
    assert len(wide) == 9 and wide.iloc[:, 1:].apply(lambda c: c.str.contains("✓|✗")).all().all()


def test_the_catalog_explains_intervals_in_plain_words():
    at = open_app("catalog")
    shown = " ".join(m.value for m in at.markdown)
    assert t("method.certainty") in shown and t("method.funnel") in shown
    for method in ("wilson", "garwood", "clopper_pearson", "none"):  # each indicator's own method
        assert t(f"method.interval_{method}") in shown, method


def test_the_followup_list_groups_by_department_and_filters():
    """督办清单: a summary per lead department, each department's lines; choosing one shows only its list."""
    at = open_app("followup")
    summary = next(d.value for d in at.dataframe if t("followup.col_department") in d.value.columns)
    departments = list(summary[t("followup.col_department")])
    assert len(departments) >= 3
    assert [h.value for h in at.subheader] == departments  # every department's list, in order
    check(at.selectbox(key="w_followup_department").set_value(departments[1]).run())
    assert [h.value for h in at.subheader] == [departments[1]]


def test_the_final_evaluation_counts_met_at_baseline_and_end_and_shows_each_area(catalog, jilin):
    """终期评估: the target year (2025), the province's met counts at 2020 and at the end equal the demo file's
    known answers; choosing a prefecture shows its 25 indicators; a paragraph per prefecture."""
    at = open_app("final")
    assert title(at) == t("final.page_title", region="吉林省", year=jilin.target_year)
    summary = next(d.value for d in at.dataframe if t("final.col_met_baseline") in d.value.columns)
    region = summary.iloc[0]
    assert region[t("final.col_region")] == "吉林省"
    assert (region[t("final.col_met_baseline")], region[t("final.col_met")]) == (
        ka.province_met(catalog, jilin, 2020),
        ka.province_met(catalog, jilin, jilin.target_year),
    )
    assert len(summary) == 1 + 9  # the province and its nine prefectures
    assert (
        summary[t("final.col_met")] + summary[t("final.col_not_met")] + summary[t("final.col_no_data")] == 25
    ).all()
    paragraphs = [m.value for m in at.markdown if "：2025年25项主要指标中达标" in m.value]
    assert len(paragraphs) == 10 and paragraphs[0].startswith("吉林省：")

    def indicator_table():
        return next(d.value for d in at.dataframe if t("final.col_baseline") in d.value.columns)

    assert len(indicator_table()) == 25 and at.subheader[0].value.startswith("吉林省")
    check(at.selectbox(key="w_final_unit").set_value("220700").run())
    assert at.subheader[0].value.startswith("松原市") and len(indicator_table()) == 25
    assert set(indicator_table()[t("status")]) <= {t("status_met"), t("status_not_met"), t("status_no_data")}


def test_target_drafting_probability_falls_as_the_candidate_rises():
    at = open_app("outlook")
    check(at.selectbox(key="w_indicator").set_value("premarital_exam").run())
    slider = at.slider[0]
    low, high = slider.min, slider.max

    def probability() -> float:
        metric = next(m for m in at.metric if m.label.startswith("吉林省达到候选目标"))
        return float(metric.value.rstrip("%"))

    check(slider.set_value(round(low + (high - low) * 0.3, 1)).run())
    lower = probability()
    check(at.slider[0].set_value(round(low + (high - low) * 0.7, 1)).run())
    higher = probability()
    assert lower > higher, (lower, higher)
    proposed = [m.value for m in at.metric if m.label in (t("outlook.p50"), t("outlook.p80"))]
    assert len(proposed) == 2 and all(p.endswith("%") for p in proposed)


@pytest.mark.national
@pytest.mark.parametrize("page", ["disparities", "outlook", "followup", "final"])
def test_the_new_pages_run_on_the_whole_country(page):
    """差异分析 across provinces, 目标测算 for the country, 督办清单 per province: no exception, a title."""
    at = open_app(page, query={"prov": "100000"}, timeout=300)
    assert "全国" in title(at)


def test_every_page_loads_the_chart_library_early_from_a_hidden_empty_chart(shared_app):
    """app.py's first element after the navigation: an empty chart (no data, so nothing to import or send) in a
    container app.css hides, so the browser fetches Vega while the script still imports (benchmarks/RESULTS.md)."""
    warm = list(shared_app.sidebar.get("vega_lite_chart"))
    assert len(warm) == 1
    assert json.loads(warm[0].proto.spec)["mark"] == "point" and not warm[0].proto.datasets
    css = (Path(APP).parent / "ui" / "app.css").read_text(encoding="utf-8")
    assert re.search(r"\.st-key-chart_warmup \{ display: none; \}", css)
    assert shared_app.main.get("vega_lite_chart"), "the page's own charts are in the main area"
