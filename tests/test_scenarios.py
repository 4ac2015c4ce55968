"""Known-answer what-if scenarios: adjustments, allocation rules, bounds, monotonicity."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.attainment import attainment
from analytics.scenarios import (
    Adjustment,
    Scenario,
    ScenarioError,
    apply,
    compare,
    met_counts,
    minimum_units,
)

COUNTIES = ["990101", "990102", "990201"]


def rates(indicator_id, parts, year=2024):
    return pd.DataFrame(
        [
            {"region_code": c, "year": year, "indicator_id": indicator_id, "numerator": n, "denominator": d}
            for c, (n, d) in zip(COUNTIES, parts, strict=True)
        ]
    )


def run(obs, adjustments, catalog, profile, regions, region="990000"):
    return apply(
        obs,
        Scenario("t", tuple(adjustments)),
        catalog=catalog,
        profile=profile,
        regions=regions,
        region_code=region,
        year=2024,
    )


def county_status(result, catalog, regions, indicator_id):
    ev = attainment(result.observations, regions, catalog, result.profile, "990000", "county", years=[2024])
    ev = ev[ev["indicator_id"].astype(str) == indicator_id]
    return dict(zip(ev["region_code"].astype(str), ev["status"].astype(str), strict=True))


def test_add_points_is_exact_at_the_boundary(catalog, jilin, tiny_regions):
    # ＞70 %: 650/1000 + 5 points = 700/1000 = 70 % is still not met; 690 + 50 = 740 is.
    obs = rates("premarital_exam", [(650, 1000), (690, 1000), (100, 200)])
    result = run(obs, [Adjustment("premarital_exam", "add_pp", 5)], catalog, jilin, tiny_regions)
    nums = result.observations.set_index("region_code")["numerator"]
    assert list(nums) == [700, 740, 110]
    assert county_status(result, catalog, tiny_regions, "premarital_exam") == {
        "990101": "not_met",
        "990102": "met",
        "990201": "not_met",
    }


def test_rates_never_pass_100_percent(catalog, jilin, tiny_regions):
    obs = rates("premarital_exam", [(900, 1000), (990, 1000), (0, 10)])
    result = run(obs, [Adjustment("premarital_exam", "add_pp", 50)], catalog, jilin, tiny_regions)
    assert list(result.observations["numerator"]) == [1000, 1000, 5]
    result = run(obs, [Adjustment("premarital_exam", "scale_pct", 200)], catalog, jilin, tiny_regions)
    assert list(result.observations["numerator"]) == [1000, 1000, 0]  # x 3, capped at the denominator
    result = run(obs, [Adjustment("premarital_exam", "add_units", 10_000)], catalog, jilin, tiny_regions)
    assert list(result.observations["numerator"]) == [900, 990, 8]  # 8 of 10 is the first count "> 70 %"
    assert result.unallocated["premarital_exam"] == 10_000 - 8


@pytest.mark.parametrize(
    "adj",
    [
        Adjustment("premarital_exam", "add_pp", 0),
        Adjustment("premarital_exam", "scale_pct", 0),
        Adjustment("premarital_exam", "add_units", 0),
        Adjustment("premarital_exam", "add_units", 0, allocate="population"),
    ],
)
def test_zero_adjustment_changes_nothing(catalog, jilin, tiny_regions, adj):
    obs = rates("premarital_exam", [(650, 1000), (690, 1000), (100, 200)])
    result = run(obs, [adj], catalog, jilin, tiny_regions)
    pd.testing.assert_frame_equal(
        result.observations[["numerator", "denominator"]], obs[["numerator", "denominator"]].astype("float64")
    )
    table = compare(
        obs, result, catalog=catalog, profile=jilin, regions=tiny_regions, region_code="990000", year=2024
    )
    assert not table["changed"].any()


def test_fewest_first_maximises_counties_reaching_the_target(catalog, jilin, tiny_regions):
    # shortfalls (＞70 %): 990101 needs 11 (690 -> 701), 990102 needs 3 (698 -> 701), 990201 needs 26 (115 -> 141 of 200)
    obs = rates("premarital_exam", [(690, 1000), (698, 1000), (115, 200)])
    result = run(obs, [Adjustment("premarital_exam", "add_units", 14)], catalog, jilin, tiny_regions)
    assert dict(zip(result.allocated["region_code"], result.allocated["units"], strict=True)) == {
        "990102": 3,
        "990101": 11,
    }
    assert county_status(result, catalog, tiny_regions, "premarital_exam") == {
        "990101": "met",
        "990102": "met",
        "990201": "not_met",
    }
    result = run(obs, [Adjustment("premarital_exam", "add_units", 13)], catalog, jilin, tiny_regions)
    status = county_status(result, catalog, tiny_regions, "premarital_exam")
    assert sum(s == "met" for s in status.values()) == 1  # 3 + 10: the second county stays one short


def test_population_rule_splits_in_proportion(catalog, jilin, tiny_regions):
    # equal residents (1,000,000 each): 31 physicians -> 11, 10, 10 (largest remainder, stable order)
    obs = rates("rehab_physicians", [(50, 1_000_000), (60, 1_000_000), (70, 1_000_000)])
    result = run(
        obs,
        [Adjustment("rehab_physicians", "add_units", 31, allocate="population")],
        catalog,
        jilin,
        tiny_regions,
    )
    assert sorted(result.allocated["units"]) == [10, 10, 11]
    assert result.observations["numerator"].sum() == 180 + 31


def test_scope_lagging_prefecture_and_list(catalog, jilin, tiny_regions):
    obs = rates("premarital_exam", [(650, 1000), (800, 1000), (100, 200)])
    lagging = run(
        obs, [Adjustment("premarital_exam", "add_pp", 1, scope="lagging")], catalog, jilin, tiny_regions
    )
    assert list(lagging.observations["numerator"]) == [660, 800, 102]
    pref = run(
        obs, [Adjustment("premarital_exam", "add_pp", 1, scope="990200")], catalog, jilin, tiny_regions
    )
    assert list(pref.observations["numerator"]) == [650, 800, 102]
    listed = run(
        obs, [Adjustment("premarital_exam", "add_pp", 1, scope="990101,990102")], catalog, jilin, tiny_regions
    )
    assert list(listed.observations["numerator"]) == [660, 810, 100]
    with pytest.raises(ScenarioError):
        run(obs, [Adjustment("premarital_exam", "add_pp", 1, scope="123456")], catalog, jilin, tiny_regions)


def test_changing_the_target(catalog, jilin, tiny_regions):
    obs = rates("premarital_exam", [(650, 1000), (690, 1000), (100, 200)])
    result = run(obs, [Adjustment("premarital_exam", "set_target", 60)], catalog, jilin, tiny_regions)
    assert float(result.profile.targets["premarital_exam"].threshold) == 60
    assert float(jilin.targets["premarital_exam"].threshold) == 70  # the original profile is untouched
    assert county_status(result, catalog, tiny_regions, "premarital_exam") == {
        "990101": "met",  # 65 % > 60 %
        "990102": "met",
        "990201": "not_met",  # 50 %
    }


def test_reduction_points_mean_fewer_accidents(catalog, jilin, tiny_regions):
    base = pd.DataFrame(
        {
            "region_code": COUNTIES,
            "year": 2020,
            "indicator_id": "work_safety_accidents",
            "numerator": [100, 50, 20],
        }
    )
    now = base.assign(year=2024, numerator=[95, 50, 20])
    obs = pd.concat([base, now], ignore_index=True)
    result = run(obs, [Adjustment("work_safety_accidents", "add_pp", 10)], catalog, jilin, tiny_regions)
    after = result.observations[result.observations["year"] == 2024]
    assert list(after["numerator"]) == [85, 45, 18]
    assert set(county_status(result, catalog, tiny_regions, "work_safety_accidents").values()) == {"met"}
    units = run(obs, [Adjustment("work_safety_accidents", "add_units", 5)], catalog, jilin, tiny_regions)
    assert units.observations.loc[3:, "numerator"].sum() == 165 - 5


def test_county_status_units_bring_counties_up_to_standard(catalog, jilin, tiny_regions):
    obs = pd.DataFrame(
        {"region_code": COUNTIES, "year": 2024, "indicator_id": "endemic_disease_control", "value": [1, 0, 0]}
    )
    result = run(obs, [Adjustment("endemic_disease_control", "add_units", 1)], catalog, jilin, tiny_regions)
    assert result.observations["value"].sum() == 2
    table = compare(
        obs,
        result,
        catalog=catalog,
        profile=jilin,
        regions=tiny_regions,
        region_code="990000",
        year=2024,
        indicator_ids=["endemic_disease_control"],
    )
    counts = met_counts(table).set_index("indicator_id")
    assert (
        counts.loc["endemic_disease_control", "met_before"],
        counts.loc["endemic_disease_control", "met_after"],
    ) == (1, 2)


def test_minimum_units(catalog, jilin, tiny_regions):
    obs = rates("premarital_exam", [(690, 1000), (698, 1000), (115, 200)])
    need = minimum_units(
        obs,
        catalog=catalog,
        profile=jilin,
        regions=tiny_regions,
        region_code="990000",
        year=2024,
        indicator_id="premarital_exam",
    )
    # province: 1503 of 2200 -> needs > 1540: 38 more; every county: 11 + 3 + 26 = 40
    assert need == {"region": 38, "every_county": 40, "unreachable_counties": 0, "counties_not_met": 3}


def test_scenarios_round_trip_as_json():
    s = Scenario(
        "扩大筛查",
        (
            Adjustment("prenatal_screening", "add_pp", 5, scope="lagging"),
            Adjustment("rehab_physicians", "add_units", 40, allocate="fewest-first"),
        ),
    )
    assert Scenario.from_json(s.to_json()) == s
    with pytest.raises(ScenarioError):
        Scenario.from_json("{not json")
    with pytest.raises(ScenarioError):
        Adjustment("prenatal_screening", "teleport", 1)


@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(st.tuples(st.integers(0, 500), st.integers(1, 500)), min_size=3, max_size=3),
    n=st.integers(0, 400),
    extra=st.integers(1, 200),
    rule=st.sampled_from(["fewest-first", "population"]),
)
def test_more_units_never_fewer_counties_meeting(catalog, jilin, tiny_regions, parts, n, extra, rule):
    parts = [(min(a, b), b) for a, b in parts]
    obs = rates("premarital_exam", parts)

    def met(units):
        result = run(
            obs,
            [Adjustment("premarital_exam", "add_units", units, allocate=rule)],
            catalog,
            jilin,
            tiny_regions,
        )
        assert (result.observations["numerator"] <= result.observations["denominator"]).all()
        return sum(
            s == "met" for s in county_status(result, catalog, tiny_regions, "premarital_exam").values()
        )

    if rule == "fewest-first":
        assert met(n + extra) >= met(n)
    else:
        assert met(n) >= sum(n_ * 100 > 70 * d for n_, d in parts)  # adding never loses a county


def test_ignored_inputs_are_errors_not_silence(catalog, jilin, tiny_regions):
    obs = pd.DataFrame(
        {"region_code": COUNTIES, "year": 2024, "indicator_id": "endemic_disease_control", "value": [1, 0, 0]}
    )
    with pytest.raises(ScenarioError, match="新增数量"):
        run(obs, [Adjustment("endemic_disease_control", "add_pp", 5)], catalog, jilin, tiny_regions)
    rates_obs = rates("premarital_exam", [(650, 1000), (690, 1000), (100, 200)])
    with pytest.raises(ScenarioError, match="全部县"):
        run(
            rates_obs,
            [Adjustment("premarital_exam", "set_target", 60, scope="990100")],
            catalog,
            jilin,
            tiny_regions,
        )


def test_per_population_counts_without_denominator_use_census_residents(catalog, jilin, tiny_regions):
    obs = pd.DataFrame(
        {"region_code": COUNTIES, "year": 2024, "indicator_id": "rehab_physicians", "numerator": [50, 60, 70]}
    )
    result = run(obs, [Adjustment("rehab_physicians", "add_pp", 1)], catalog, jilin, tiny_regions)
    # 1 more per 100,000 over 1,000,000 residents = 10 more physicians each, none lost to a missing denominator
    assert list(result.observations["numerator"]) == [60, 70, 80]
    units = run(obs, [Adjustment("rehab_physicians", "add_units", 50)], catalog, jilin, tiny_regions)
    assert units.unallocated["rehab_physicians"] == 0 and units.observations["numerator"].sum() == 230


# --- one rounding rule: a change in units is whole, halves away from zero, the same in every county ----------
def test_rounding_at_exact_halves_is_the_same_in_every_county(catalog, jilin, tiny_regions):
    # +2 points on 425: 8.5 people -> 9 (not banker's 8); on 175: 3.5 -> 4; on 25: 0.5 -> 1
    obs = rates("premarital_exam", [(295, 425), (100, 175), (10, 25)])
    result = run(obs, [Adjustment("premarital_exam", "add_pp", 2)], catalog, jilin, tiny_regions)
    assert list(result.observations["numerator"]) == [304, 104, 11]
    # -1 point on 450: -4.5 -> -5; on 1350: -13.5 -> -14 (banker's rounding gave -4 and -14)
    obs = rates("premarital_exam", [(300, 450), (1000, 1350), (10, 25)])
    result = run(obs, [Adjustment("premarital_exam", "add_pp", -1)], catalog, jilin, tiny_regions)
    assert list(result.observations["numerator"]) == [295, 986, 10]  # -0.25 -> 0


def test_rounding_of_accidents_scaled_by_a_quarter(catalog, jilin, tiny_regions):
    # -25 % of 18 accidents = -4.5 -> -5 (13 left); of 54 = -13.5 -> -14 (40 left); of 2 = -0.5 -> -1
    base = [
        {"region_code": c, "year": y, "indicator_id": "work_safety_accidents", "numerator": n}
        for c, n in zip(COUNTIES, (20, 60, 3), strict=True)
        for y in (2020,)
    ]
    now = [
        {"region_code": c, "year": 2024, "indicator_id": "work_safety_accidents", "numerator": n}
        for c, n in zip(COUNTIES, (18, 54, 2), strict=True)
    ]
    obs = pd.DataFrame(base + now)
    result = run(obs, [Adjustment("work_safety_accidents", "scale_pct", -25)], catalog, jilin, tiny_regions)
    after = result.observations[result.observations["year"] == 2024]
    assert list(after["numerator"]) == [13, 40, 1]


def test_whole_units_rule():
    from analytics.kinds import whole_units

    assert list(whole_units([8.5, -4.5, 13.5, -13.5, 0.5, -0.5, 0.49, 2 * 425 / 100, 0.1 + 0.2])) == [
        9,
        -5,
        14,
        -14,
        1,
        -1,
        0,
        9,
        0,
    ]


# --- counties that sent only a value (no numerator, no denominator) ----------------------------------------
def values_only(indicator_id, values, year=2024):
    return pd.DataFrame(
        [
            {"region_code": c, "year": year, "indicator_id": indicator_id, "value": v}
            for c, v in zip(COUNTIES, values, strict=True)
        ]
    )


def compare_all(obs, result, catalog, jilin, tiny_regions, indicator_id):
    table = compare(
        obs,
        result,
        catalog=catalog,
        profile=jilin,
        regions=tiny_regions,
        region_code="990000",
        year=2024,
        indicator_ids=[indicator_id],
    )
    return {level: part.set_index("region_code") for level, part in table.groupby("level")}


def test_points_on_values_only_counties_move_the_value(catalog, jilin, tiny_regions):
    # ≥ 85 %: 83.8 + 2 = 85.8 meets it; 82.9 + 2 = 84.9 is still short; 99.5 + 2 stops at the 100 % ceiling
    obs = values_only("child_under3_management", [83.8, 82.9, 99.5])
    result = run(obs, [Adjustment("child_under3_management", "add_pp", 2)], catalog, jilin, tiny_regions)
    assert result.observations["value"].round(9).tolist() == [85.8, 84.9, 100.0]
    assert result.observations["numerator"].isna().all()  # no counts are invented
    table = compare_all(obs, result, catalog, jilin, tiny_regions, "child_under3_management")
    county = table["county"]
    assert county["status_before"].to_dict() == {"990101": "not_met", "990102": "not_met", "990201": "met"}
    assert county["status_after"].to_dict() == {"990101": "met", "990102": "not_met", "990201": "met"}
    assert county["value_after"].round(9).to_dict() == {"990101": 85.8, "990102": 84.9, "990201": 100.0}
    # values cannot be weighted: the prefectures and the province have no value, and say how many counties
    assert table["prefecture"]["n_value_only"].to_dict() == {"990100": 2, "990200": 1}
    assert table["province"]["n_value_only"].to_dict() == {"990000": 3}
    assert set(table["province"]["status_after"]) == {"no_data"}


def test_lagging_values_only_counties_never_become_no_data(catalog, jilin, tiny_regions):
    """The finding: +2 points on lagging counties turned every values-only county from "83.8 % ✗" to "no data"."""
    obs = values_only("child_under3_management", [83.8, 80.0, 90.0])
    result = run(
        obs,
        [Adjustment("child_under3_management", "add_pp", 2, scope="lagging")],
        catalog,
        jilin,
        tiny_regions,
    )
    county = compare_all(obs, result, catalog, jilin, tiny_regions, "child_under3_management")["county"]
    assert county["value_after"].round(9).to_dict() == {"990101": 85.8, "990102": 82.0, "990201": 90.0}
    assert county["status_after"].to_dict() == {"990101": "met", "990102": "not_met", "990201": "met"}


@pytest.mark.parametrize(
    ("indicator_id", "values", "pct", "after", "status_after"),
    [
        # a rate: x 1.10, within 100 % (≥ 65 %)
        ("hypertension_management", [60.0, 58.0, 95.0], 10, [66.0, 63.8, 100.0], ["met", "not_met", "met"]),
        # per 100,000: x 1.10, no ceiling (≥ 8)
        ("rehab_physicians", [7.5, 7.0, 20.0], 10, [8.25, 7.7, 22.0], ["met", "not_met", "met"]),
        # a reduction: 10 % fewer accidents leave 90 % of what was left: 100 - (100 - 8) x 0.9 = 17.2 (≥ 10)
        ("work_safety_accidents", [8.0, -5.0, 50.0], -10, [17.2, 5.5, 55.0], ["met", "not_met", "met"]),
    ],
)
def test_scaling_values_only_counties(
    catalog, jilin, tiny_regions, indicator_id, values, pct, after, status_after
):
    obs = values_only(indicator_id, values)
    result = run(obs, [Adjustment(indicator_id, "scale_pct", pct)], catalog, jilin, tiny_regions)
    assert result.observations["value"].round(9).tolist() == after
    county = compare_all(obs, result, catalog, jilin, tiny_regions, indicator_id)["county"]
    assert county["status_after"].tolist() == status_after


def test_values_only_and_counted_counties_side_by_side(catalog, jilin, tiny_regions):
    # 990101 sent 650 of 1000 (whole people: 5 points = 50 more), 990102 only "69.5", 990201 100 of 200
    obs = rates("premarital_exam", [(650, 1000), (0, 1), (100, 200)])
    obs.loc[1, ["numerator", "denominator", "value"]] = [None, None, 69.5]
    result = run(obs, [Adjustment("premarital_exam", "add_pp", 5)], catalog, jilin, tiny_regions)
    rows = result.observations.set_index("region_code")
    assert rows.loc[["990101", "990201"], "numerator"].tolist() == [700, 110]
    assert pd.isna(rows.loc["990102", "numerator"])  # no count is invented for the values-only county
    assert rows.loc["990102", "value"] == 74.5
    table = compare_all(obs, result, catalog, jilin, tiny_regions, "premarital_exam")
    assert table["county"].loc["990102", "status_after"] == "met"  # 74.5 > 70
    # 甲市 sums 990101 only (700 of 1000 is not "> 70 %") and says one county was left out
    pref = table["prefecture"].loc["990100"]
    assert (pref["value_after"], pref["status_after"], pref["n_value_only"]) == (70.0, "not_met", 1)


def test_units_skip_values_only_counties_and_say_how_many(catalog, jilin, tiny_regions):
    # 990101 sent only "65.0"; 990102 (698 of 1000) needs 3 to pass 70 %, 990201 (115 of 200) needs 26
    obs = rates("premarital_exam", [(0, 1), (698, 1000), (115, 200)])
    obs.loc[0, ["numerator", "denominator", "value"]] = [None, None, 65.0]
    result = run(obs, [Adjustment("premarital_exam", "add_units", 100)], catalog, jilin, tiny_regions)
    assert result.skipped_value_only == {"premarital_exam": 1}
    given = dict(zip(result.allocated["region_code"], result.allocated["units"], strict=True))
    assert given == {"990102": 3, "990201": 26}
    assert result.unallocated["premarital_exam"] == 100 - 29
    county = compare_all(obs, result, catalog, jilin, tiny_regions, "premarital_exam")["county"]
    assert (county.loc["990101", "value_after"], county.loc["990101", "status_after"]) == (65.0, "not_met")
    assert county["units_added"].to_dict() == {"990101": 0, "990102": 3, "990201": 26}
    # the population rule shares among the counties that can take units: 30 over two equal populations
    phys = values_only("rehab_physicians", [7.0, None, None])
    phys["numerator"] = [None, 60.0, 70.0]
    result = run(
        phys,
        [Adjustment("rehab_physicians", "add_units", 30, allocate="population")],
        catalog,
        jilin,
        tiny_regions,
    )
    assert result.skipped_value_only == {"rehab_physicians": 1}
    assert dict(zip(result.allocated["region_code"], result.allocated["units"], strict=True)) == {
        "990102": 15,
        "990201": 15,
    }
    assert result.unallocated["rehab_physicians"] == 0


def test_units_added_per_county_and_summed_per_region(catalog, jilin, tiny_regions):
    obs = rates("premarital_exam", [(690, 1000), (698, 1000), (115, 200)])
    result = run(obs, [Adjustment("premarital_exam", "add_units", 14)], catalog, jilin, tiny_regions)
    table = compare_all(obs, result, catalog, jilin, tiny_regions, "premarital_exam")
    assert table["county"]["units_added"].to_dict() == {"990101": 11, "990102": 3, "990201": 0}
    assert table["prefecture"]["units_added"].to_dict() == {"990100": 14, "990200": 0}
    assert table["province"]["units_added"].to_dict() == {"990000": 14}
    assert table["province"]["n_value_only"].to_dict() == {"990000": 0}


# --- each step in words ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("adj", "lang", "sentence"),
    [
        (
            Adjustment("prenatal_screening", "add_pp", 5, scope="lagging"),
            "zh",
            "未达标县的产前筛查率提高 5 个百分点",
        ),
        (Adjustment("prenatal_screening", "add_pp", -1.5), "zh", "全部县的产前筛查率降低 1.5 个百分点"),
        (Adjustment("rehab_physicians", "add_pp", 2), "zh", "全部县的康复医师数提高 2 人/10万人口"),
        (
            Adjustment("rehab_physicians", "add_units", 40),
            "zh",
            "新增 40 人（康复医师数），按最接近目标优先分配给全部县",
        ),
        (
            Adjustment("rehab_physicians", "add_units", 40, allocate="population", scope="990100"),
            "zh",
            "新增 40 人（康复医师数），按常住人口比例分配给甲市",
        ),
        (
            Adjustment("work_safety_accidents", "add_units", 5),
            "zh",
            "减少 5 起（事故起数降幅），按最接近目标优先分配给全部县",
        ),
        (
            Adjustment("premarital_exam", "scale_pct", -10, scope="990101,990102"),
            "zh",
            "东区、西县的婚检率分子（年内进行婚前医学检查人数）减少 10%",
        ),
        (Adjustment("premarital_exam", "set_target", 60), "zh", "婚检率的目标改为 ＞60%"),
        (
            Adjustment("prenatal_screening", "add_pp", 5, scope="lagging"),
            "en",
            "Prenatal screening up 5 percentage points in lagging counties",
        ),
        (
            Adjustment("rehab_physicians", "add_units", 40),
            "en",
            "40 more physicians (Rehab physicians), allocated closest to the target first to all counties",
        ),
    ],
)
def test_each_step_is_a_sentence(catalog, jilin, tiny_regions, adj, lang, sentence):
    from analytics.scenario_words import describe

    assert describe(adj, catalog, tiny_regions, lang, jilin) == sentence


def test_a_long_scope_is_named_by_its_first_regions(catalog, tiny_regions):
    from analytics.scenario_words import NAMES_SHOWN, scope_words

    assert NAMES_SHOWN == 5
    assert scope_words("990101,990102,990201", tiny_regions) == "东区、西县、南县"
    assert (
        scope_words("990101,990102,990201,990101,990102,990201", tiny_regions)
        == "东区、西县、南县、东区、西县等 6 个地区"
    )


def test_the_skipped_counties_message_names_what_to_submit(catalog):
    from analytics.scenario_words import submit_counts, value_only_note

    ind = catalog["rehab_physicians"]
    text = submit_counts(ind, 9, "zh")
    assert text.startswith("9 个县只报送了数值")
    assert "分子（年末康复医师人数）和分母（常住人口数）" in text
    assert "numerator (Rehabilitation physicians at year end) and denominator (Resident population)" in (
        submit_counts(ind, 9, "en")
    )
    assert submit_counts(ind, 0, "zh") == ""
    assert value_only_note(3) == "3 个县只有数值，未计入汇总" and value_only_note(0) == ""
