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
