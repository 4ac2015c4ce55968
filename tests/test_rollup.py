"""Roll-ups are by sums: averaging county rates would give another status."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from known_answers import obs_frame

from analytics.attainment import attainment, evaluate, prepare
from analytics.rollup import rollup

COUNTIES = ["990101", "990102", "990201"]


def province_row(catalog, profile, regions, obs, indicator_id):
    out = attainment(obs, regions, catalog, profile, "990000", "province")
    return out[out["indicator_id"] == indicator_id].iloc[-1]


def test_rates_roll_up_by_sums_not_by_averaging(catalog, jilin, tiny_regions):
    # 80 % and 65 %: the mean (72.5 %) would pass "＞70 %"; the sum 730 / 1100 = 66.4 % does not.
    obs = obs_frame("premarital_exam", {"990101": (80, 100), "990102": (650, 1000)})
    row = province_row(catalog, jilin, tiny_regions, obs, "premarital_exam")
    assert row["numerator"] == 730 and row["denominator"] == 1100
    assert row["value"] == pytest.approx(730 / 1100 * 100)
    assert row["status"] == "not_met"
    assert row["shortfall"] == 41  # 771 / 1100 = 70.09 %
    assert (row["n_units"], row["n_reported"]) == (3, 2)


def test_per_population_rolls_up_over_summed_population(catalog, jilin, tiny_regions):
    # 10 and 2 physicians per 100,000 average to 6 (not met); sums: 60 per 500,000... (10+2)/2 per 100k = 6
    obs = obs_frame("rehab_physicians", {"990101": (10, 100_000), "990102": (8, 400_000)})
    row = province_row(catalog, jilin, tiny_regions, obs, "rehab_physicians")
    # mean of 10 and 2 = 6 (not met); sums: 18 per 500,000 = 3.6 -> not met, shortfall 22 (40 needed)
    assert row["value"] == pytest.approx(3.6) and row["status"] == "not_met" and row["shortfall"] == 22
    obs = obs_frame("rehab_physicians", {"990101": (90, 1_000_000), "990102": (1, 100_000)})
    row = province_row(catalog, jilin, tiny_regions, obs, "rehab_physicians")
    # mean of 9 and 1 = 5 (not met); sums 91 per 1.1 million = 8.27 -> met
    assert row["status"] == "met"


def test_county_status_rolls_up_as_share_of_counties(catalog, jilin, tiny_regions):
    obs = obs_frame("endemic_disease_control", {"990101": 1, "990102": 1, "990201": 0})
    out = attainment(obs, tiny_regions, catalog, jilin, "990000", "prefecture")
    out = out[out["indicator_id"] == "endemic_disease_control"].set_index("region_code")
    assert out.loc["990100", "value"] == 100.0 and out.loc["990100", "status"] == "met"
    assert out.loc["990200", "value"] == 0.0 and out.loc["990200", "shortfall"] == 1
    row = province_row(catalog, jilin, tiny_regions, obs, "endemic_disease_control")
    assert row["value"] == pytest.approx(200 / 3) and row["shortfall"] == 1


def test_reduction_rolls_up_by_summed_counts(catalog, jilin, tiny_regions):
    # county A 100 -> 95 (5 %), county B 10 -> 5 (50 %): the mean 27.5 % would pass; 110 -> 100 is 9.1 %.
    base = obs_frame("work_safety_accidents", {"990101": (100, np.nan), "990102": (10, np.nan)}, year=2020)
    now = obs_frame("work_safety_accidents", {"990101": (95, np.nan), "990102": (5, np.nan)}, year=2024)
    obs = pd.concat([base, now])
    row = province_row(catalog, jilin, tiny_regions, obs, "work_safety_accidents")
    assert row["year"] == 2024
    assert (row["numerator"], row["baseline"]) == (100, 110)
    assert (
        row["value"] == pytest.approx(10 / 110 * 100) and row["status"] == "not_met" and row["shortfall"] == 1
    )


def test_value_only_counties_do_not_enter_weighted_sums(catalog, jilin, tiny_regions):
    obs = obs_frame("premarital_exam", {"990101": (80, 100), "990102": 10.0})
    row = province_row(catalog, jilin, tiny_regions, obs, "premarital_exam")
    assert (row["numerator"], row["denominator"], row["n_reported"], row["n_value_only"]) == (80, 100, 1, 1)


def test_no_county_data_is_no_data_upstairs(catalog, jilin, tiny_regions):
    obs = obs_frame("premarital_exam", {"990101": (0, 0)})
    row = province_row(catalog, jilin, tiny_regions, obs, "premarital_exam")
    assert row["status"] == "no_data" and row["n_reported"] == 0


counts = st.integers(min_value=0, max_value=10_000)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(counts, counts), min_size=3, max_size=3))
def test_province_from_prefectures_equals_province_from_counties(catalog, jilin, tiny_regions, parts):
    """Sums are associative: rolling prefectures up again gives the province; and no averaging anywhere."""
    rows = {code: (min(n, d), d) for code, (n, d) in zip(COUNTIES, parts, strict=True)}
    obs = obs_frame("prenatal_screening", rows)
    groups = tiny_regions.county_groups("990000")
    prepared = prepare(obs, catalog, jilin)
    by_pref = rollup(prepared, groups, "prefecture")
    by_prov = rollup(prepared, groups, "province")
    valid = [(n, d) for n, d in rows.values() if d > 0]
    if not valid:
        assert by_prov.empty or by_prov["numerator"].isna().all()
        return
    assert by_prov["numerator"].iloc[0] == sum(n for n, _ in valid)
    assert by_prov["denominator"].iloc[0] == sum(d for _, d in valid)
    assert by_pref["numerator"].sum() == by_prov["numerator"].iloc[0]
    status = evaluate(by_prov, catalog, jilin)["status"].iloc[0]
    total_n, total_d = sum(n for n, _ in valid), sum(d for _, d in valid)
    assert (status == "met") == (total_n * 100 > 75 * total_d)


def test_reduction_counts_counties_with_no_baseline_accident(catalog, jilin, tiny_regions):
    # A: 10 -> 9, B: 0 -> 5. Totals 10 -> 14 is a 40 % rise, not A's 10 % fall.
    base = obs_frame("work_safety_accidents", {"990101": (10, np.nan), "990102": (0, np.nan)}, year=2020)
    now = obs_frame("work_safety_accidents", {"990101": (9, np.nan), "990102": (5, np.nan)}, year=2024)
    row = province_row(catalog, jilin, tiny_regions, pd.concat([base, now]), "work_safety_accidents")
    assert (row["numerator"], row["baseline"]) == (14, 10)
    assert row["value"] == pytest.approx(-40.0) and row["status"] == "not_met"
