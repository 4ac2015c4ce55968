"""What the pages say: counts, lagging counties, profile words with numbers, geometry helpers."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from analytics import insights
from analytics.attainment import attainment
from analytics.geo import label_points, shapes, topo_path, topo_url
from analytics.regions import load_regions
from analytics.store import load_demo


@pytest.fixture(scope="module")
def jilin_2024(catalog, jilin):
    regions = load_regions()
    demo = load_demo(catalog)
    levels = {
        lv: attainment(demo, regions, catalog, jilin, "220000", lv, years=[2024])
        for lv in ("county", "prefecture", "province")
    }
    return regions, levels


def test_counts_add_up_to_25(jilin_2024, catalog):
    regions, ev = jilin_2024
    summary = insights.county_summary(ev["county"], regions)
    assert len(summary) == 60
    assert (summary[["met", "not_met", "no_data"]].sum(axis=1) == 25).all()
    assert summary["met"].is_monotonic_decreasing
    domains = insights.domain_summary(ev["province"], catalog, "zh")
    assert domains["total"].sum() == 25
    assert domains["met"].sum() == (ev["province"]["status"] == "met").sum()


def test_lagging_counties_name_shortfalls_in_units(jilin_2024, catalog):
    regions, ev = jilin_2024
    lag = insights.lagging_counties(ev["county"], catalog, regions, "zh", n=5)
    assert len(lag) == 5
    assert lag["未达标项数"].is_monotonic_decreasing
    worst = lag.iloc[0]
    assert worst["未达标项数"] == insights.county_summary(ev["county"], regions)["not_met"].max()
    assert "还差" in worst["主要缺口"] or "需再减少" in worst["主要缺口"]


def test_profile_words_carry_numbers(jilin_2024, catalog, jilin):
    regions, ev = jilin_2024
    county = "220323"  # 伊通满族自治县
    table = insights.profile_table(
        county,
        ev["county"],
        ev["prefecture"],
        ev["province"],
        pd.DataFrame(columns=["region_code", "indicator_id", "trajectory", "projected_target_year"]),
        catalog,
        jilin,
        regions,
        "zh",
    )
    assert len(table) == 25
    own = ev["county"][ev["county"]["region_code"] == county].set_index("indicator_id")
    assert (table.set_index("indicator_id")["status"] == own["status"].astype(str)).all()
    strengths, gaps = insights.strengths_and_gaps(table, catalog, "zh")
    assert len(gaps) == (own["status"] == "not_met").sum()
    for sentence in gaps:
        assert "距目标" in sentence and any(ch.isdigit() for ch in sentence)
    assert all("达到目标" in s for s in strengths)


def test_format_helpers(catalog, jilin):
    ind = catalog["rehab_physicians"]
    assert insights.format_value(6.64, ind) == "6.6 人/10万人口"
    assert insights.format_value(float("nan"), ind) == "—"
    assert insights.target_text(jilin, ind) == "≥8 人/10万人口（力争）"
    assert insights.target_text(jilin, catalog["premarital_exam"]) == "＞70%"
    assert insights.shortfall_text(306, ind) == "还差 306 人"
    assert insights.shortfall_text(0, ind) == ""
    assert insights.shortfall_text(2, catalog["work_safety_accidents"]) == "需再减少 2 起"


def test_label_points_lie_inside_their_county():
    frame = shapes(topo_path("220000")).set_index("region_code")
    points = label_points(topo_path("220000")).set_index("region_code")
    assert len(points) == 60
    for code, row in points.iterrows():
        assert frame.loc[code, "geometry"].contains(shapely.Point(row["lon"], row["lat"])), code


def test_topo_urls_point_into_static():
    assert topo_url("220000") == "app/static/provinces/220000.topo.json"
    assert topo_url(None) == "app/static/china_counties.topo.json"


def test_method_years_say_which_years_a_status_came_from(catalog, jilin):
    prog = pd.DataFrame(
        {
            "indicator_id": ["a", "a", "b"],
            "baseline_year": [2020, 2021, 2022],
            "latest_year": [2024, 2024, 2023],
        }
    )
    assert insights.method_years(prog, 2025, "a") == "2020–2024 → 2025"
    assert insights.method_years(prog, None, "b") == "2022–2023"
    assert insights.method_years(prog.iloc[0:0]) == "—"
