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


def test_words_come_in_the_language_asked_for(catalog, jilin):
    ind = catalog["rehab_physicians"]
    assert insights.target_text(jilin, ind, "en") == "≥8 per 100,000 (aspirational)"
    assert insights.target_text(jilin, catalog["premarital_exam"], "en") == ">70%"
    assert insights.shortfall_text(306, ind, "en") == "306 more physicians needed"
    assert insights.shortfall_text(2, catalog["work_safety_accidents"], "en") == "2 fewer accidents needed"
    assert insights.shortfall_text(1234, ind, "zh") == "还差 1,234 人"


def test_profile_words_in_english(jilin_2024, catalog, jilin):
    regions, ev = jilin_2024
    table = insights.profile_table(
        "220323",
        ev["county"],
        ev["prefecture"],
        ev["province"],
        pd.DataFrame(columns=["region_code", "indicator_id", "trajectory", "projected_target_year"]),
        catalog,
        jilin,
        regions,
        "en",
    )
    strengths, gaps = insights.strengths_and_gaps(table, catalog, "en")
    assert gaps and all(" short of " in g and "; trajectory: " in g for g in gaps)
    assert all(s.split(":")[0] in {i.name_en for i in catalog.indicators} for s in strengths)
    text = " ".join(strengths + gaps)
    assert not any("\u4e00" <= ch <= "\u9fff" or ch in "（），：；" for ch in text), text


def test_lagging_counties_in_english(jilin_2024, catalog):
    regions, ev = jilin_2024
    lag = insights.lagging_counties(ev["county"], catalog, regions, "en", n=3)
    gaps = lag["Largest gaps"].iloc[0]
    assert "; " in gaps and "（" not in gaps and ("needed" in gaps)


def test_jumps_are_flagged_only_where_the_kind_sets_a_limit(catalog):
    regions = load_regions()
    rate = next(i for i in catalog.indicators if i.rules.jump_points is not None)
    status = next(i for i in catalog.indicators if i.rules.binary)
    limit = rate.rules.jump_points
    ev = pd.DataFrame(
        {
            "region_code": ["220102"] * 4,
            "year": [2023, 2024, 2023, 2024],
            "indicator_id": [rate.id, rate.id, status.id, status.id],
            "value": [50.0, 50.0 + limit + 0.5, 0.0, 100.0],
            "n_value_only": [0, 0, 0, 0],
        }
    )
    flags = insights.quality_flags(ev, catalog, regions, 2024, "en")
    assert list(flags["indicator"]) == [rate.short("en")]
    assert flags["flag"].iloc[0] == f"changed {limit + 0.5:.1f} points since last year: please check"
    ev.loc[1, "value"] = 50.0 + limit  # exactly the limit: not flagged
    assert insights.quality_flags(ev, catalog, regions, 2024, "zh").empty


def test_data_page_tables_speak_the_ui_language(catalog):
    versions = pd.DataFrame(
        {
            "version_id": [2, 1],
            "dataset": ["a", "a"],
            "source_name": ["a.csv", "a.csv"],
            "sha256": ["0" * 64, "1" * 64],
            "imported_at": ["2025-01-02", "2025-01-01"],
            "department": ["", ""],
            "note": ["", ""],
            "rows": [3, 3],
            "status": ["active", "rolled_back"],
            "parent_version": [1, None],
        }
    )
    zh = insights.versions_table(versions, "zh")
    assert list(zh.columns)[:2] == ["版本", "数据集"] and "sha256" not in zh.columns
    assert list(zh["状态"]) == ["有效", "已回退"]
    diff = pd.DataFrame(
        {
            "region_code": ["220102"],
            "year": [2024],
            "indicator_id": ["premarital_exam"],
            "numerator": [80.0],
            "denominator": [100.0],
            "value": [80.0],
            "old_numerator": [70.0],
            "old_denominator": [100.0],
            "old_value": [70.0],
        }
    )
    en = insights.changes_table(diff, catalog, load_regions(), "en")
    assert en.iloc[0].tolist() == ["南关区", 2024, "Premarital exam", "70 → 80", "100 → 100", "70 → 80"]
    problems = pd.DataFrame(
        {"severity": ["error"], "row": [3], "column": ["分子"], "code": ["x"], "message": ["bad"]}
    )
    assert list(insights.problems_table(problems, "en").columns) == ["Severity", "Row", "Column", "Message"]


def test_text_in_one_language_shows_only_in_that_language():
    assert insights.in_its_language("力争达到8人", "zh", "zh") == "力争达到8人"
    assert insights.in_its_language("力争达到8人", "zh", "en") == ""


def test_a_survey_shortfall_is_said_in_points_not_people(catalog):
    """Knowledge awareness counts survey respondents: no one can act on "61 more respondents" (issue 12.4)."""
    from analytics.insights import shortfall_text

    survey, exams = catalog["knowledge_awareness"], catalog["premarital_exam"]
    assert not survey.shortfall_actionable and exams.shortfall_actionable
    assert shortfall_text(61, survey, "zh", gap=1.94) == "还差 1.9 个百分点"
    assert shortfall_text(61, survey, "zh") == ""  # beside a sentence that already says the gap
    assert shortfall_text(0, survey, "zh", gap=-2.0) == ""
    assert shortfall_text(61, exams, "zh", gap=1.94) == "还差 61 人"


@pytest.mark.parametrize(
    ("n", "total", "values_only", "text"),
    [
        (60, 60, 0, "60/60 县"),
        (58, 60, 0, "58/60 县，缺 2 县"),
        (58, 60, 2, "58/60 县，2 县只报了数值未计入合计"),
        (57, 60, 2, "57/60 县，缺 1 县，2 县只报了数值未计入合计"),
        (1, 1, 0, ""),  # a county's own row
    ],
)
def test_coverage_says_how_many_counties_a_status_rests_on(n, total, values_only, text):
    from analytics.insights import coverage_text

    assert coverage_text(n, total, values_only, "zh") == text


def test_a_prefecture_missing_a_county_is_flagged_incomplete(catalog, jilin):
    """四平市 without one county's rows: its sums rest on 4 of 5 counties, and the rows say so."""
    from analytics import sources
    from analytics.attainment import attainment
    from analytics.insights import incomplete, region_values
    from analytics.regions import load_regions

    regions = load_regions()
    obs = sources.observations("demo", "220000", catalog=catalog, regions=regions)
    dropped = regions.counties("220300")["code"].iloc[0]
    obs = obs[obs["region_code"].astype(str) != dropped]
    rows = attainment(obs, regions, catalog, jilin, "220300", "prefecture", years=[2024])
    every_county = (
        rows["indicator_id"].astype(str) != "mental_rehab_home_patients"
    )  # only where a condition holds
    assert incomplete(rows)[every_county].all()
    table = region_values(rows, catalog, jilin, "zh")
    assert len(table) == 25 and set(table["coverage_text"]) >= {"4/5 县，缺 1 县"}
