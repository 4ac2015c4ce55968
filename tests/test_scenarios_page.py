"""情景推演 in AppTest: moving the real controls changes the counts shown; steps, save/load, shared link.

The counts the page shows are compared with known answers from the demo CSV (tests/known_answers.py: the csv
module and fractions, not the engine), for Jilin in the demo's latest year (the year the page opens on) under the Jilin targets.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import known_answers as ka
import pytest
from apptest_helpers import navigation_server
from streamlit.testing.v1 import AppTest

from analytics.catalog import load_catalog, load_profile
from analytics.regions import load_regions
from analytics.scenarios import Adjustment, Scenario, to_param

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")

pytestmark = pytest.mark.apptest

CATALOG, JILIN = load_catalog(), load_profile("jilin-2022-2025")
REHAB, PREMARITAL = CATALOG["rehab_physicians"], CATALOG["premarital_exam"]
YEAR = ka.latest_year()
REGION_MET = ka.province_met(CATALOG, JILIN, YEAR)


def rehab_met(units: int = 0) -> int:
    """Counties meeting the rehab-physician target after `units` more physicians, fewest-first."""
    return ka.fewest_first(REHAB, YEAR, JILIN.targets[REHAB.id], units)


def premarital_plus(points: float, counties: set[str] | None = None) -> dict[str, int]:
    """Numerators after `points` more percentage points in `counties` (all when None), within the denominator."""
    return {
        code: min(den, num + round(points * den / 100))
        for code, (num, den) in ka.counts(PREMARITAL.id, YEAR).items()
        if counties is None or code in counties
    }


@pytest.fixture(autouse=True)
def _server(tmp_path, monkeypatch):
    monkeypatch.setenv("PREVENTION_ATLAS_SCENARIOS", str(tmp_path / "scenarios.json"))
    monkeypatch.setenv("PREVENTION_ATLAS_DB", str(tmp_path / "atlas.sqlite"))  # saved scenarios live here
    from ui.loaders import store

    store.clear()
    with navigation_server():
        yield
    store.clear()


def open_page(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query)
    at.run()
    at.switch_page("pages/scenarios.py").run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label_part: str) -> tuple[int, int]:
    for m in at.metric:
        if label_part in m.label:
            before, after = re.findall(r"(\d+) → (\d+)", m.value)[0]
            return int(before), int(after)
    raise AssertionError(f"no metric {label_part}: {[m.label for m in at.metric]}")


def test_page_renders_with_banner_and_zero_change():
    at = open_page(ind="rehab_physicians")
    assert any("示例数据（模拟，非真实统计）" in w.value for w in at.warning)
    assert "情景推演" in at.title[0].value
    assert metric(at, "达到该指标目标的县数") == (rehab_met(), rehab_met())  # nothing adjusted yet
    assert metric(at, "全区域达标项数") == (REGION_MET, REGION_MET)


def test_adding_units_raises_the_counties_meeting_the_target():
    at = open_page(ind="rehab_physicians")
    at.radio(key="sc_op").set_value("add_units").run()
    at.number_input(key="sc_units").set_value(40).run()
    assert not at.exception
    assert metric(at, "达到该指标目标的县数") == (rehab_met(), rehab_met(40))  # 11 -> 27
    at.number_input(key="sc_units").set_value(400).run()
    assert metric(at, "达到该指标目标的县数") == (rehab_met(), rehab_met(400))  # every county
    assert "scenario" in at.query_params  # the link carries the scenario


def test_points_slider_and_scope():
    target = JILIN.targets[PREMARITAL.id]
    before = ka.counties_meeting(PREMARITAL, YEAR, target)
    at = open_page(ind="premarital_exam")
    at.slider(key="sc_pp").set_value(5.0).run()
    after_all = ka.counties_meeting(PREMARITAL, YEAR, target, premarital_plus(5.0))
    assert metric(at, "达到该指标目标的县数") == (before, after_all)
    at.radio(key="sc_scope").set_value("prefecture").run()
    # 吉林市 only: 3 of its counties pass 70 % (22 -> 25), and the province with them (69.7 % -> 70.4 %)
    at.selectbox(key="sc_scope_code").set_value("220200").run()
    changed = premarital_plus(5.0, set(load_regions().counties("220200")["code"]))
    assert metric(at, "达到该指标目标的县数") == (
        before,
        ka.counties_meeting(PREMARITAL, YEAR, target, changed),
    )
    counts = ka.counts(PREMARITAL.id, YEAR)
    num = sum(changed.get(code, n) for code, (n, _) in counts.items())
    den = sum(d for _, d in counts.values())
    met_then = ka.meets(ka.province_value(PREMARITAL, YEAR), target)
    met_now = ka.meets(Fraction(100 * num, den), target)
    assert metric(at, "全区域达标项数") == (REGION_MET, REGION_MET - met_then + met_now)


def test_target_change_and_committed_steps():
    at = open_page(ind="premarital_exam")
    at.radio(key="sc_op").set_value("set_target").run()
    at.number_input(key="sc_target_premarital_exam").set_value(60.0).run()
    at_60 = sum(v > 60 for v in ka.county_values(PREMARITAL, YEAR).values())
    assert metric(at, "达到该指标目标的县数") == (
        ka.counties_meeting(PREMARITAL, YEAR, JILIN.targets[PREMARITAL.id]),
        at_60,
    )
    at.button[0].click().run()  # 加入情景
    assert any("情景中的调整" in m.value for m in at.markdown)


def test_save_load_and_compare(tmp_path):
    at = open_page(ind="rehab_physicians")
    at.radio(key="sc_op").set_value("add_units").run()
    at.number_input(key="sc_units").set_value(40).run()
    at.text_input(key="sc_name").set_value("四十名康复医师").run()
    save = next(b for b in at.button if "保存" in b.label)
    save.click().run()
    from analytics.scenario_library import load_saved
    from analytics.store import Store

    assert list(load_saved(Store(tmp_path / "atlas.sqlite"))) == ["四十名康复医师"]  # saved in the store
    assert any("四十名康复医师" in s.value for s in at.success)
    at.multiselect(key="sc_compare").set_value(["四十名康复医师"]).run()
    assert not at.exception
    assert any("四十名康复医师" in str(df.value.to_dict()) for df in at.dataframe)


def test_shared_link_reopens_the_scenario():
    token = to_param(Scenario("共享", (Adjustment("rehab_physicians", "add_units", 40),)))
    at = open_page(ind="rehab_physicians", scenario=token)
    assert metric(at, "达到该指标目标的县数") == (rehab_met(), rehab_met(40))
    assert any("情景中的调整" in m.value for m in at.markdown)


def test_bad_shared_link_is_a_message_not_a_crash():
    at = open_page(ind="rehab_physicians", scenario="not-a-scenario")
    assert not at.exception
    assert at.error and "情景" in at.error[0].value


def test_trajectory_maps_today_vs_with_the_adjustment():
    at = open_page(ind="prenatal_screening")
    at.radio(key="sc_maps").set_value("trajectory").run()
    assert not at.exception
    charts_shown = at.main.get("vega_lite_chart")
    assert len(charts_shown) == 2  # today's pace, with the adjustment
    at.slider(key="sc_pp").set_value(10.0).run()
    assert not at.exception
    tables = [df.value for df in at.dataframe if "按期达标趋势" in df.value.columns]
    assert len(tables) == 2


def test_adding_a_step_does_not_count_it_twice():
    at = open_page(ind="rehab_physicians")
    at.radio(key="sc_op").set_value("add_units").run()
    at.number_input(key="sc_units").set_value(40).run()
    _, with_live = metric(at, "达到该指标目标的县数")
    next(b for b in at.button if "加入情景" in b.label).click().run()
    assert not at.exception
    _, committed = metric(at, "达到该指标目标的县数")
    assert (
        committed == with_live == rehab_met(40)
    )  # the step replaces the live value, it does not add 40 more
    assert at.number_input(key="sc_units").value == 0


@pytest.mark.parametrize("source", ["store", "demo"])
def test_a_region_without_rows_shows_no_data_instead_of_crashing(tmp_path, monkeypatch, source):
    """An empty store, or a province the demo has no rows for (香港 810000): every page says no data."""
    from ui.loaders import store

    monkeypatch.setenv("PREVENTION_ATLAS_DB", str(tmp_path / "empty.sqlite"))
    store.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["prov"] = "220000" if source == "store" else "810000"
    at.run()
    at.selectbox(key="source").set_value(source).run()
    for page in ("overview", "indicator_map", "scenarios", "county_profile", "data"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
    store.clear()


# --- chosen counties, units per county, steps in words, values-only data ----------------------------------
def premarital_movers(points: float = 5.0) -> list[str]:
    """Lagging counties that `points` more points bring over the premarital-exam target, in code order."""
    target = JILIN.targets[PREMARITAL.id]
    counts = ka.counts(PREMARITAL.id, YEAR)
    after = premarital_plus(points)
    return sorted(
        code
        for code, value in ka.county_values(PREMARITAL, YEAR).items()
        if not ka.meets(value, target) and ka.meets(Fraction(100 * after[code], counts[code][1]), target)
    )


def counties_met(at: AppTest) -> tuple[int, int]:
    return metric(at, "达到该指标目标的县数")


def test_chosen_counties_from_the_list():
    before = ka.counties_meeting(PREMARITAL, YEAR, JILIN.targets[PREMARITAL.id])
    first, second = premarital_movers()[:2]
    at = open_page(ind="premarital_exam")
    at.slider(key="sc_pp").set_value(5.0).run()
    at.radio(key="sc_scope").set_value("chosen").run()
    assert counties_met(at) == (before, before)  # nothing chosen yet: nothing moves (not "all counties")
    chooser = at.multiselect(key="sc_scope_counties")
    assert chooser.placeholder == "请选择（可多选）"
    assert len(chooser.options) == 60
    chooser.set_value([first, second]).run()
    assert not at.exception
    assert counties_met(at) == (before, before + 2)
    names = load_regions().names([first, second])
    next(b for b in at.button if "加入情景" in b.label).click().run()
    steps = [m.value for m in at.markdown if m.value.startswith("1. ")]
    assert steps == [f"1. {'、'.join(names)}的婚检率提高 5 个百分点"]


def test_clicking_the_before_map_adds_and_removes_a_county():
    before = ka.counties_meeting(PREMARITAL, YEAR, JILIN.targets[PREMARITAL.id])
    code = premarital_movers()[0]
    at = open_page(ind="premarital_exam")
    at.slider(key="sc_pp").set_value(5.0).run()
    at.session_state["scenario_map_before_0"] = {"selection": {"county": [{"region_code": code}]}}
    at.run()
    assert not at.exception
    assert at.session_state["sc_scope"] == "chosen"
    assert at.session_state["sc_scope_counties"] == [code]
    assert counties_met(at) == (before, before + 1)
    # the map starts a new selection after each click: the same county again removes it
    at.session_state["scenario_map_before_1"] = {"selection": {"county": [{"region_code": code}]}}
    at.run()
    assert at.session_state["sc_scope_counties"] == []
    assert counties_met(at) == (before, before)


def test_units_each_county_receives_in_the_table_the_tooltip_and_the_steps():
    target = JILIN.targets[REHAB.id]
    need = {
        load_regions().name(code): ka.units_to_meet(num, den, int(REHAB.scale), target)
        for code, (num, den) in ka.counts(REHAB.id, YEAR).items()
    }
    at = open_page(ind="rehab_physicians")
    at.radio(key="sc_op").set_value("add_units").run()
    at.number_input(key="sc_units").set_value(40).run()
    table = next(df.value for df in at.dataframe if "新增数量（人）" in df.value.columns)
    # fewest-first: every county that reaches the target got exactly its shortfall, smallest first
    assert len(table) == rehab_met(40) - rehab_met() > 0
    assert {row["县（市、区）"]: row["新增数量（人）"] for _, row in table.iterrows()} == {
        name: need[name] for name in table["县（市、区）"]
    }
    assert table["新增数量（人）"].sum() <= 40
    before_map = json.loads(at.main.get("vega_lite_chart")[0].proto.spec)
    tooltips = [tip for layer in before_map["layer"] for tip in layer.get("encoding", {}).get("tooltip", [])]
    assert {
        "field": "units_added",
        "type": "quantitative",
        "title": "新增数量（人）",
        "format": ",d",
    } in tooltips
    next(b for b in at.button if "加入情景" in b.label).click().run()
    steps = [m.value for m in at.markdown if m.value.startswith("1. ")]
    assert steps == ["1. 新增 40 人（康复医师数），按最接近目标优先分配给全部县"]


@pytest.fixture
def values_only_store(tmp_path, monkeypatch):
    """A store holding the demo's latest hypertension-management values without their numerators and denominators."""
    import pandas as pd

    from analytics.store import Store
    from ui.loaders import store

    rows = [
        r for r in ka.demo_rows() if r["indicator_id"] == "hypertension_management" and r["year"] == str(YEAR)
    ]
    obs = pd.DataFrame(
        {
            "region_code": [r["region_code"] for r in rows],
            "year": YEAR,
            "indicator_id": "hypertension_management",
            "numerator": None,
            "denominator": None,
            "value": [float(r["value"]) for r in rows],
        }
    )
    db = tmp_path / "values.sqlite"
    Store(db).import_observations(obs, dataset="values", source_name="values.csv", sha256="0" * 64)
    monkeypatch.setenv("PREVENTION_ATLAS_DB", str(db))
    store.clear()
    yield {r["region_code"]: Fraction(r["value"]) for r in rows}
    store.clear()


def test_values_only_counties_move_by_points_and_say_what_to_submit_for_units(values_only_store):
    values = values_only_store
    target = JILIN.targets["hypertension_management"]
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["ind"] = "hypertension_management"
    at.run()
    at.selectbox(key="source").set_value("store").run()
    at.switch_page("pages/scenarios.py").run()
    assert not at.exception
    before = sum(ka.meets(v, target) for v in values.values())
    at.slider(key="sc_pp").set_value(2.0).run()
    at.radio(key="sc_scope").set_value("lagging").run()
    after = sum(ka.meets(v + 2, target) for v in values.values())
    assert counties_met(at) == (before, after)  # none of them becomes "no data"
    assert 0 < before < after < 60
    assert any("60 个县只有数值，未计入汇总" in c.value for c in at.caption)
    at.radio(key="sc_op").set_value("add_units").run()
    at.number_input(key="sc_units").set_value(40).run()
    assert counties_met(at) == (before, before)
    message = " ".join(i.value for i in at.info)  # the scope is still the 21 lagging counties
    assert f"{60 - before} 个县只报送了数值" in message and "分子（" in message and "分母（" in message
