"""Disparities inside a region (analytics.disparities, issue 12.5): group values are sums over the group's counties
(never a mean of county rates), differences and ratios carry MOVER intervals, the gap has a trend since 2020, and
the spread names the highest and lowest prefecture; the `disparities` command prints them (analytics.cli_disparities)."""

from __future__ import annotations

import argparse
import io
import math

import numpy as np
import pandas as pd
import pytest
from known_answers import obs_frame

from analytics import cli_disparities, sources
from analytics.attainment import attainment
from analytics.disparities import (
    COLUMNS,
    classify,
    disparities,
    gap_trend,
    mover_difference,
    mover_ratio,
    trend_years,
)
from analytics.errors import AtlasError
from analytics.regions import RegionTable, load_regions

Z = 1.959963984540054  # the normal quantile of a 95 % interval


def wilson(x: float, n: float) -> tuple[float, float]:
    """The Wilson score interval written out by hand (not analytics.intervals)."""
    p = x / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return centre - half, centre + half


# --- a made-up province ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def regions() -> RegionTable:
    """Province 990000: 甲市 (东区, 西区, 北县), 乙族自治州 (南县, inside an autonomous prefecture), 丙市 (左旗,
    右族自治县). Districts: 东区, 西区; autonomous: 南县, 左旗, 右族自治县."""
    rows = [
        ("990000", "测试省", "province", "", "990000", 6_000_000),
        ("990100", "甲市", "prefecture", "990000", "990000", 3_000_000),
        ("990101", "东区", "county", "990100", "990000", 1_000_000),
        ("990102", "西区", "county", "990100", "990000", 1_000_000),
        ("990121", "北县", "county", "990100", "990000", 1_000_000),
        ("990200", "乙族自治州", "prefecture", "990000", "990000", 1_000_000),
        ("990221", "南县", "county", "990200", "990000", 1_000_000),
        ("990300", "丙市", "prefecture", "990000", "990000", 2_000_000),
        ("990321", "左旗", "county", "990300", "990000", 1_000_000),
        ("990322", "右族自治县", "county", "990300", "990000", 1_000_000),
    ]
    frame = pd.DataFrame(
        rows, columns=["code", "name", "level", "parent_code", "province_code", "population"]
    )
    frame["population"] = frame["population"].astype("Int64")
    return RegionTable(frame)


# premarital_exam (a rate): numerator / denominator per county
EXAM = {
    "990101": (80, 100),  # 东区 80 %
    "990102": (650, 1000),  # 西区 65 %
    "990121": (30, 50),  # 北县 60 %
    "990221": (100, 400),  # 南县 25 %
    "990321": (20, 25),  # 左旗 80 %
    "990322": (90, 100),  # 右族自治县 90 %
}


def row(frame: pd.DataFrame, comparison: str, indicator_id: str, year: int = 2024) -> pd.Series:
    found = frame[
        (frame["comparison"] == comparison)
        & (frame["indicator_id"] == indicator_id)
        & (frame["year"] == year)
    ]
    assert len(found) == 1, found
    return found.iloc[0]


def test_groups_by_name_and_autonomous_prefecture(regions):
    classes = classify(regions, "990000").set_index("region_code")
    assert classes["district"].to_dict() == {
        "990101": True,
        "990102": True,
        "990121": False,
        "990221": False,
        "990321": False,
        "990322": False,
    }
    # 南县: an ordinary name, but inside 乙族自治州; 左旗: a banner; 右族自治县: 自治 in the name
    assert classes["autonomous"].to_dict() == {
        "990101": False,
        "990102": False,
        "990121": False,
        "990221": True,
        "990321": True,
        "990322": True,
    }


def test_real_autonomous_areas():
    regions = load_regions()
    jilin = classify(regions, "220000").set_index("region_code")
    autonomous = set(jilin.index[jilin["autonomous"]])
    yanbian = set(regions.counties("222400")["code"])
    assert len(yanbian) == 8 and yanbian <= autonomous  # 延吉市, 图们市 … inside 延边朝鲜族自治州
    assert {"220323", "220623", "220721"} <= autonomous  # 伊通满族, 长白朝鲜族, 前郭尔罗斯蒙古族自治县
    assert len(autonomous) == 11
    assert not jilin.loc["220102", "autonomous"] and jilin.loc["220102", "district"]  # 南关区
    assert not jilin.loc["220182", "district"]  # 榆树市, a county-level city
    assert classify(regions, "150000").set_index("region_code").loc["150121", "autonomous"]  # 土默特左旗


def test_group_values_are_sums_not_means(catalog, jilin, regions):
    out = disparities(obs_frame("premarital_exam", EXAM), regions, catalog, jilin, "990000", 2024)
    r = row(out, "district_county", "premarital_exam")
    # districts: (80 + 650) / (100 + 1000) = 66.36 %, not the mean of 80 % and 65 % (72.5 %)
    assert r["value_a"] == pytest.approx(730 / 1100 * 100)
    assert r["value_a"] != pytest.approx(72.5)
    # counties: (30 + 100 + 20 + 90) / (50 + 400 + 25 + 100) = 41.74 %, not the mean 63.75 %
    assert r["value_b"] == pytest.approx(240 / 575 * 100)
    assert (r["n_a"], r["units_a"], r["n_b"], r["units_b"]) == (2, 2, 4, 4)
    low, high = wilson(730, 1100)
    assert (r["low_a"], r["high_a"]) == pytest.approx((low * 100, high * 100))
    low, high = wilson(240, 575)
    assert (r["low_b"], r["high_b"]) == pytest.approx((low * 100, high * 100))
    assert r["difference"] == pytest.approx(730 / 1100 * 100 - 240 / 575 * 100)
    assert r["ratio"] == pytest.approx((730 / 1100) / (240 / 575))

    r = row(out, "autonomous_other", "premarital_exam")
    assert r["value_a"] == pytest.approx(210 / 525 * 100)  # 南县 + 左旗 + 右族自治县 = 40 %
    assert r["value_b"] == pytest.approx(760 / 1150 * 100)  # 东区 + 西区 + 北县
    assert (r["n_a"], r["n_b"]) == (3, 3)


def test_a_county_missing_its_denominator_lowers_coverage_not_the_rate(catalog, jilin, regions):
    rows = {**EXAM, "990102": 65.0}  # 西区 sent only a value: it cannot be weighted
    out = disparities(obs_frame("premarital_exam", rows), regions, catalog, jilin, "990000", 2024)
    r = row(out, "district_county", "premarital_exam")
    assert r["value_a"] == pytest.approx(80.0) and (r["n_a"], r["units_a"]) == (1, 2)


def test_mover_by_hand():
    # a = 10 [8, 13], b = 5 [4, 7]
    d, low, high = mover_difference(10, 8, 13, 5, 4, 7)
    assert d == 5
    assert low == pytest.approx(5 - math.sqrt(2**2 + 2**2))  # 2.1716
    assert high == pytest.approx(5 + math.sqrt(3**2 + 1**2))  # 8.1623
    r, low, high = mover_ratio(10, 8, 13, 5, 4, 7)
    assert r == 2
    ln = math.log
    assert low == pytest.approx(2 * math.exp(-math.sqrt((ln(10) - ln(8)) ** 2 + (ln(7) - ln(5)) ** 2)))
    assert high == pytest.approx(2 * math.exp(math.sqrt((ln(13) - ln(10)) ** 2 + (ln(5) - ln(4)) ** 2)))
    assert (float(low), float(high)) == pytest.approx((1.33563, 2.82235), abs=1e-5)
    # no ratio where b <= 0; no interval where a limit is <= 0
    r, low, high = mover_ratio([3, 3, 3], [1, 0, 1], [5, 5, 5], [0, 2, 2], [0, 1, 1], [1, 3, 3])
    assert np.isnan(r[0]) and np.isnan(low[0]) and np.isnan(high[0])
    assert r[1] == 1.5 and np.isnan(low[1]) and np.isnan(high[1])
    assert r[2] == 1.5 and low[2] < 1.5 < high[2]


def test_difference_of_rates_is_newcombes_hybrid_score_interval(catalog, jilin, regions):
    """Newcombe (1998), Stat Med 17:873, table II, method 10: 56/70 − 48/80 = 0.2000 [0.0524, 0.3339]."""
    rows = {"990101": (30, 40), "990102": (26, 30), "990121": (20, 30), "990221": (28, 50)}
    out = disparities(obs_frame("premarital_exam", rows), regions, catalog, jilin, "990000", 2024)
    r = row(out, "district_county", "premarital_exam")
    assert (r["value_a"], r["value_b"]) == pytest.approx((80.0, 60.0))
    assert r["difference"] == pytest.approx(20.0)
    assert (r["diff_low"], r["diff_high"]) == pytest.approx((5.24, 33.39), abs=0.01)
    # the ratio's interval by hand from the two Wilson intervals, on the log scale
    (la, ua), (lb, ub) = wilson(56, 70), wilson(48, 80)
    ln = math.log
    low = ln(0.8 / 0.6) - math.sqrt((ln(0.8) - ln(la)) ** 2 + (ln(ub) - ln(0.6)) ** 2)
    high = ln(0.8 / 0.6) + math.sqrt((ln(ua) - ln(0.8)) ** 2 + (ln(0.6) - ln(lb)) ** 2)
    assert r["ratio"] == pytest.approx(4 / 3)
    assert (r["ratio_low"], r["ratio_high"]) == pytest.approx((math.exp(low), math.exp(high)))


def test_county_status_has_values_but_no_intervals(catalog, jilin, regions):
    status = {"990101": 1, "990102": 1, "990121": 0, "990221": 1, "990321": 0, "990322": 0}
    out = disparities(obs_frame("endemic_disease_control", status), regions, catalog, jilin, "990000", 2024)
    r = row(out, "district_county", "endemic_disease_control")
    assert (r["value_a"], r["value_b"]) == pytest.approx((100.0, 25.0))  # 2 of 2 districts, 1 of 4 counties
    assert (r["difference"], r["ratio"]) == pytest.approx((75.0, 4.0))
    assert r[["low_a", "high_a", "diff_low", "diff_high", "ratio_low", "ratio_high"]].isna().all()
    r = row(out, "autonomous_other", "endemic_disease_control")
    assert (r["value_a"], r["value_b"]) == pytest.approx((100 / 3, 200 / 3))


def test_reduction_groups_sum_the_counts(catalog, jilin, regions):
    # 东区 100 -> 95 (5 %), 西区 10 -> 5 (50 %): the mean 27.5 % would mislead; the sums give 110 -> 100 = 9.1 %
    accidents = "work_safety_accidents"
    base = obs_frame(
        accidents, {"990101": (100, np.nan), "990102": (10, np.nan), "990121": (40, np.nan)}, 2020
    )
    now = obs_frame(accidents, {"990101": (95, np.nan), "990102": (5, np.nan), "990121": (30, np.nan)}, 2024)
    out = disparities(pd.concat([base, now]), regions, catalog, jilin, "990000", 2024)
    r = row(out, "district_county", accidents)
    assert r["value_a"] == pytest.approx(10 / 110 * 100) and r["value_b"] == pytest.approx(25.0)
    assert r["low_a"] < r["value_a"] < r["high_a"]
    assert r["difference"] == pytest.approx(10 / 110 * 100 - 25.0)
    assert row(out, "district_county", accidents, 2020)["difference"] == 0  # the baseline year itself


def test_gap_trend_per_year_since_2020(catalog, jilin, regions):
    # districts 东区 + 西区, counties 北县 + 南县, one denominator of 100 each: the gap is easy to read
    per_year = {2019: (50, 50), 2020: (60, 40), 2022: (70, 45), 2024: (80, 55), 2025: (90, 90)}
    frames = []
    for year, (district, county) in per_year.items():
        rows = {
            "990101": (district, 100),
            "990102": (district, 100),
            "990121": (county, 100),
            "990221": (county, 100),
        }
        frames.append(obs_frame("premarital_exam", rows, year))
    obs = pd.concat(frames, ignore_index=True)
    assert trend_years(obs, 2024) == [2020, 2022, 2024]  # no 2019 (before 2020), no 2025 (after the year)
    out = disparities(obs, regions, catalog, jilin, "990000", 2024, "premarital_exam")
    trend = gap_trend(out)
    assert list(trend.columns) == [2020, 2022, 2024]
    assert trend.loc[("district_county", "premarital_exam")].tolist() == pytest.approx([20.0, 25.0, 25.0])
    # autonomous: 南县 (county share 40, 45, 55); other: 东区, 西区, 北县 ((2 x district + county) / 3)
    expected = [c - (2 * d + c) / 3 for d, c in (per_year[2020], per_year[2022], per_year[2024])]
    assert trend.loc[("autonomous_other", "premarital_exam")].tolist() == pytest.approx(expected)
    assert set(out["year"]) == {2020, 2022, 2024}
    assert (out.loc[out["comparison"] == "prefectures", "year"] == 2024).all()  # the spread: the year only


def test_spread_across_prefectures(catalog, jilin, regions):
    obs = obs_frame("premarital_exam", EXAM)
    out = disparities(obs, regions, catalog, jilin, "990000", 2024)
    r = row(out, "prefectures", "premarital_exam")
    # 甲市 760 / 1150 = 66.1 %, 乙族自治州 100 / 400 = 25 %, 丙市 110 / 125 = 88 %
    assert (r["group_a"], r["name_a"], r["value_a"]) == ("990300", "丙市", pytest.approx(88.0))
    assert (r["group_b"], r["name_b"], r["value_b"]) == ("990200", "乙族自治州", pytest.approx(25.0))
    assert r["ratio"] == pytest.approx(3.52) and r["difference"] == pytest.approx(63.0)
    assert (r["n_a"], r["units_a"]) == (2, 2)
    engine = attainment(obs, regions, catalog, jilin, "990000", "prefecture", years=[2024])
    engine = engine[engine["indicator_id"] == "premarital_exam"].set_index("region_code")
    assert r["value_a"] == engine.loc["990300", "value"] and r["low_b"] == engine.loc["990200", "low"]
    # the lowest at 0: no ratio
    out = disparities(
        obs_frame("premarital_exam", {**EXAM, "990221": (0, 400)}), regions, catalog, jilin, "990000", 2024
    )
    r = row(out, "prefectures", "premarital_exam")
    assert r["value_b"] == 0 and np.isnan(r["ratio"]) and r["difference"] == pytest.approx(88.0)


def test_spread_of_a_prefecture_is_across_its_counties(catalog, jilin, regions):
    out = disparities(obs_frame("premarital_exam", EXAM), regions, catalog, jilin, "990100", 2024)
    r = row(out, "counties", "premarital_exam")
    assert (r["name_a"], r["value_a"], r["name_b"], r["value_b"]) == ("东区", 80.0, "北县", 60.0)
    r = row(out, "district_county", "premarital_exam")  # only 甲市's counties
    assert r["value_b"] == pytest.approx(60.0) and r["units_b"] == 1


def test_every_indicator_and_refusals(catalog, jilin, regions):
    out = disparities(obs_frame("premarital_exam", EXAM), regions, catalog, jilin, "990000", 2024)
    assert list(out.columns) == COLUMNS
    assert len(out) == 3 * len(catalog)  # 2 comparisons x 1 year + the spread, every indicator
    empty = row(out, "district_county", "rehab_physicians")
    assert np.isnan(empty["value_a"]) and empty["n_a"] == 0 and empty["units_a"] == 2
    with pytest.raises(AtlasError) as err:
        disparities(obs_frame("premarital_exam", EXAM), regions, catalog, jilin, "990000", 2024, "nope")
    assert "nope" in err.value.message("en")
    with pytest.raises(AtlasError) as err:
        disparities(obs_frame("premarital_exam", EXAM), regions, catalog, jilin, "990101", 2024)
    assert "东区" in err.value.message("zh")


# --- the demo data for Jilin -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(catalog):
    return sources.observations("demo", "220000", catalog=catalog, regions=load_regions())


@pytest.fixture(scope="module")
def demo_result(demo, catalog, jilin):
    return disparities(demo, load_regions(), catalog, jilin, "220000", 2024)


def test_demo_jilin_groups_equal_sums_of_the_observations(demo, demo_result):
    classes = classify(load_regions(), "220000").set_index("region_code")
    rows = demo[(demo["indicator_id"] == "premarital_exam") & (demo["year"] == 2024)].set_index("region_code")
    district = classes["district"].reindex(rows.index)
    autonomous = classes["autonomous"].reindex(rows.index)
    r = row(demo_result, "district_county", "premarital_exam")
    sums = rows[district][["numerator", "denominator"]].sum()
    assert r["value_a"] == pytest.approx(sums["numerator"] / sums["denominator"] * 100)
    sums = rows[~district][["numerator", "denominator"]].sum()
    assert r["value_b"] == pytest.approx(sums["numerator"] / sums["denominator"] * 100)
    assert (r["units_a"], r["units_b"]) == (21, 39)
    r = row(demo_result, "autonomous_other", "premarital_exam")
    sums = rows[autonomous][["numerator", "denominator"]].sum()
    assert r["value_a"] == pytest.approx(sums["numerator"] / sums["denominator"] * 100)
    assert (r["units_a"], r["units_b"]) == (11, 49)
    groups = demo_result[demo_result["comparison"] != "prefectures"]
    assert sorted(set(groups["year"])) == [2020, 2021, 2022, 2023, 2024]
    with_interval = groups[groups["kind"].isin(["rate", "per_population"]) & groups["value_a"].notna()]
    assert (with_interval["diff_low"] <= with_interval["difference"]).all()
    assert (with_interval["difference"] <= with_interval["diff_high"]).all()


def test_demo_jilin_spread_is_the_engines_prefecture_rollup(demo, demo_result, catalog, jilin):
    engine = attainment(demo, load_regions(), catalog, jilin, "220000", "prefecture", years=[2024])
    spread = demo_result[demo_result["comparison"] == "prefectures"].set_index("indicator_id")
    assert len(spread) == len(catalog)
    for ind_id, values in engine.dropna(subset=["value"]).groupby("indicator_id", observed=True):
        top, bottom = values.loc[values["value"].idxmax()], values.loc[values["value"].idxmin()]
        assert spread.loc[ind_id, "value_a"] == top["value"], ind_id
        assert spread.loc[ind_id, "value_b"] == bottom["value"], ind_id
        if bottom["value"] > 0:
            assert spread.loc[ind_id, "ratio"] == pytest.approx(top["value"] / bottom["value"])
    # the demo's numbers for 婚前医学检查率: 四平市 highest, 通化市 lowest
    r = spread.loc["premarital_exam"]
    assert (r["name_a"], r["name_b"]) == ("四平市", "通化市")
    assert r["value_a"] > r["value_b"] > 0


# --- the command -------------------------------------------------------------------------------------------
def namespace(**changes) -> argparse.Namespace:
    args = {
        "lang": "zh",
        "data": None,
        "db": None,
        "region": "220000",
        "year": 2024,
        "targets": "jilin-2022-2025",
        "format": "table",
        "indicator": None,
    }
    return argparse.Namespace(**{**args, **changes})


def test_cli_csv(capsys, demo_result):
    assert cli_disparities.run(namespace(format="csv", lang="en")) == 0
    text = capsys.readouterr().out
    table = pd.read_csv(io.StringIO(text), dtype={"group_a": str, "group_b": str})
    assert list(table.columns) == COLUMNS and len(table) == len(demo_result) == 11 * 25
    r = table[(table["comparison"] == "district_county") & (table["year"] == 2024)].iloc[1]
    expected = row(demo_result, "district_county", "premarital_exam")
    assert r["indicator_id"] == "premarital_exam" and r["name_a"] == "Urban districts"
    assert r["value_a"] == round(expected["value_a"], 4) and r["diff_low"] == round(expected["diff_low"], 4)
    numbers = table[["value_a", "low_b", "difference", "ratio_high"]].dropna().to_numpy().ravel()
    assert np.allclose(numbers, np.round(numbers, 4))
    assert "[" not in text  # a CSV, not the table


def test_cli_table_in_both_languages(capsys):
    assert cli_disparities.run(namespace(indicator="premarital_exam")) == 0
    text = capsys.readouterr().out
    assert text.startswith("[示例数据")
    assert "市辖区与县（市、旗）" in text and "各市州之间：最高与最低" in text
    assert "婚前医学检查率：最高 四平市" in text and "2020–2024" in text
    assert "甲 75.0% [74.6, 75.4]（21/21 县）" in text
    assert cli_disparities.run(namespace(indicator="premarital_exam", lang="en")) == 0
    text = capsys.readouterr().out
    assert "Urban districts vs counties" in text and "Across prefectures: highest and lowest" in text
    assert "Premarital medical examination rate: A 75.0% [74.6, 75.4] (21/21 counties)" in text


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"indicator": "nope"}, "nope"),
        ({"region": "999999"}, "999999"),
        ({"region": "220102"}, "220102"),
        ({"year": 2019}, "2019"),
    ],
)
def test_cli_refusals_are_atlas_errors(changes, words):
    with pytest.raises(AtlasError) as err:
        cli_disparities.run(namespace(**changes))
    assert words in err.value.message("en") and words in err.value.message("zh")


def test_main_runs_the_command(capsys):
    """Through analytics.__main__."""
    from analytics import __main__ as cli

    with pytest.raises(SystemExit) as exit_:
        cli.main(["disparities", "--help", "--lang", "en"])
    assert exit_.value.code == 0
    assert "--indicator" in capsys.readouterr().out
    base = ["disparities", "--region", "220000", "--year", "2024", "--indicator", "premarital_exam"]
    assert cli.main([*base, "--format", "csv"]) == 0
    assert "district_county,premarital_exam,rate,2024" in capsys.readouterr().out
    assert cli.main(["disparities", "--region", "220000", "--year", "2019", "--lang", "en"]) == 1
    _, err = capsys.readouterr()
    assert "2019" in err and "Traceback" not in err
