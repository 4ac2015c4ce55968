"""Intervals and certainty (issue 12.1): known answers per method from published tables, the boundary of
"unclear" at both ends, roll-ups on sums, and properties (the interval holds the value, narrows with more data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import intervals
from analytics.attainment import evaluate
from analytics.kinds import KINDS

# --- the methods, against published values ---------------------------------------------------------------
# Wilson: Newcombe (1998), Statistics in Medicine 17:857, table I (81/263 -> 0.2553-0.3662), and 45/50
# computed by hand from the formula (0.7864-0.9565).
WILSON = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (45, 50, 0.7864, 0.9565),
]
# Garwood exact Poisson limits of a count (e.g. Ulm 1990; the usual table: 0 -> 0-3.689, 5 -> 1.623-11.668)
GARWOOD = [(0, 0.0, 3.689), (1, 0.0253, 5.572), (5, 1.623, 11.668), (10, 4.795, 18.390)]
# Clopper-Pearson exact binomial limits (0 of 10 -> 0-0.3085; 5 of 10 -> 0.1871-0.8129; 10 of 10 -> 0.6915-1)
CLOPPER = [(0, 10, 0.0, 0.3085), (5, 10, 0.1871, 0.8129), (10, 10, 0.6915, 1.0), (1, 20, 0.0013, 0.2487)]


@pytest.mark.parametrize(("x", "n", "low", "high"), WILSON)
def test_wilson(x, n, low, high):
    lo, hi = intervals.wilson([x], [n])
    assert lo[0] == pytest.approx(low, abs=1e-4) and hi[0] == pytest.approx(high, abs=1e-4)


@pytest.mark.parametrize(("x", "low", "high"), GARWOOD)
def test_garwood(x, low, high):
    lo, hi = intervals.garwood([x])
    assert lo[0] == pytest.approx(low, abs=1e-3) and hi[0] == pytest.approx(high, abs=1e-3)


@pytest.mark.parametrize(("x", "n", "low", "high"), CLOPPER)
def test_clopper_pearson(x, n, low, high):
    lo, hi = intervals.clopper_pearson([x], [n])
    assert lo[0] == pytest.approx(low, abs=1e-4) and hi[0] == pytest.approx(high, abs=1e-4)


def test_no_denominator_no_interval():
    lo, hi = intervals.wilson([0, 3], [0, -1])
    assert np.isnan(lo).all() and np.isnan(hi).all()
    lo, hi = intervals.clopper_pearson([3], [0])
    assert np.isnan(lo[0]) and np.isnan(hi[0])


# --- each kind's interval on a value, through the one table (kinds.Kind.interval) -------------------------
def kind_interval(kind: str, num, den=np.nan, base=np.nan, scale=100.0):
    return intervals.intervals(np.array([KINDS[kind].interval], dtype=object), [num], [den], [base], [scale])


def test_rate_per_population_and_reduction_use_the_declared_methods():
    lo, hi = kind_interval("rate", 45, 50)
    assert (lo[0], hi[0]) == pytest.approx((78.64, 95.65), abs=0.01)
    lo, hi = kind_interval("per_population", 5, 100_000, scale=100_000)  # 5 per 100,000
    assert (lo[0], hi[0]) == pytest.approx((1.623, 11.668), abs=1e-3)
    # 4 accidents against 6 in 2020: share 4/10, Clopper-Pearson 0.1216-0.7376; reduction (1 - 2s)/(1 - s)
    lo, hi = kind_interval("reduction_vs_baseline", 4, base=6)
    s_low, s_high = intervals.clopper_pearson([4], [10])
    assert lo[0] == pytest.approx((1 - 2 * s_high[0]) / (1 - s_high[0]) * 100)
    assert hi[0] == pytest.approx((1 - 2 * s_low[0]) / (1 - s_low[0]) * 100)
    assert lo[0] < (1 - 4 / 6) * 100 < hi[0]
    assert lo[0] == pytest.approx(-180.9, abs=0.5)  # the count could well have risen: a wide interval
    lo, hi = kind_interval("county_status", 1, 1)
    assert np.isnan(lo[0]) and np.isnan(hi[0])


def test_certainty_at_both_ends_of_the_interval():
    low, high = np.array([78.64, 78.64, 78.64, 78.64]), np.array([95.65, 95.65, 95.65, 95.65])
    target = np.array([78.64, 95.65, 78.63, 95.66])
    assert list(intervals.certainty(low, high, target)) == ["unclear", "unclear", "clear", "clear"]
    assert list(intervals.certainty([np.nan], [1.0], [0.5])) == [""]
    assert list(intervals.certainty([0.0], [1.0], [np.nan])) == [""]


# --- through the engine: status exact, certainty beside it --------------------------------------------------
def rows(indicator: str, kind: str, num, den=np.nan, base=np.nan, value=np.nan) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region_code": ["220101"],
            "year": [2024],
            "indicator_id": [indicator],
            "kind": [kind],
            "numerator": [num],
            "denominator": [den],
            "baseline": [base],
            "value": [value],
        }
    )


# preconception_checkup: > 80 % in the Jilin profile; rehab_physicians: >= 8 per 100,000 (data/targets)
@pytest.mark.parametrize(
    ("num", "den", "status", "certainty"),
    [
        (45, 50, "met", "unclear"),  # 90 % > 80 %, but 80 % lies inside 78.6-95.7 %
        (900, 1000, "met", "clear"),  # 90 % > 80 %, 88.0-91.7 %
        (40, 50, "not_met", "unclear"),  # exactly 80 %: not > 80 %, and unclear
        (389, 486, "met", "unclear"),  # 柳河县's 80.04 % > 80 %: 76.3-83.4 %
        (3, 3, "met", "unclear"),  # 100 % of 3 checks: 43.9-100 %
    ],
)
def test_rate_status_and_certainty(catalog, jilin, num, den, status, certainty):
    out = evaluate(rows("preconception_checkup", "rate", num, den), catalog, jilin)
    assert out["status"].iloc[0] == status
    assert out["certainty"].iloc[0] == certainty
    assert out["low"].iloc[0] <= out["value"].iloc[0] <= out["high"].iloc[0]


def test_a_per_population_value_exactly_at_the_target_is_unclear(catalog, jilin):
    target = jilin.targets["rehab_physicians"]
    per = float(target.threshold)
    den = 1_000_000
    num = per * den / 100_000  # exactly at the target
    out = evaluate(rows("rehab_physicians", "per_population", num, den), catalog, jilin)
    assert out["value"].iloc[0] == pytest.approx(per)
    assert out["certainty"].iloc[0] == "unclear"


def test_a_value_sent_without_counts_has_no_interval(catalog, jilin):
    out = evaluate(rows("preconception_checkup", "rate", np.nan, np.nan, value=90.0), catalog, jilin)
    assert out["status"].iloc[0] == "met"
    assert np.isnan(out["low"].iloc[0]) and out["certainty"].iloc[0] == ""


def test_county_status_has_no_interval(catalog, jilin):
    out = evaluate(rows("endemic_disease_control", "county_status", 1, 1), catalog, jilin)
    assert np.isnan(out["low"].iloc[0]) and out["certainty"].iloc[0] == ""


def test_a_prefecture_interval_is_on_its_sums(catalog, jilin):
    """Two counties, 45/50 and 900/1000: the prefecture's interval is Wilson on 945/1050, not a mean."""
    from analytics.attainment import attainment
    from analytics.regions import RegionTable

    frame = pd.DataFrame(
        [
            ("990000", "示例省", "province", "", "990000", 2000),
            ("990100", "甲市", "prefecture", "990000", "990000", 1500),
            ("990101", "甲县", "county", "990100", "990000", 500),
            ("990102", "乙县", "county", "990100", "990000", 1000),
        ],
        columns=["code", "name", "level", "parent_code", "province_code", "population"],
    )
    regions = RegionTable(frame)
    obs = pd.DataFrame(
        {
            "region_code": ["990101", "990102"],
            "year": [2024, 2024],
            "indicator_id": ["preconception_checkup"] * 2,
            "numerator": [45.0, 900.0],
            "denominator": [50.0, 1000.0],
            "value": [np.nan, np.nan],
        }
    )
    out = attainment(obs, regions, catalog, jilin, "990100", "prefecture", years=[2024])
    row = out[out["indicator_id"] == "preconception_checkup"].iloc[0]
    lo, hi = intervals.wilson([945], [1050])
    assert (row["low"], row["high"]) == pytest.approx((lo[0] * 100, hi[0] * 100))
    assert row["certainty"] == "clear"


# --- properties -------------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(st.integers(0, 5000), st.integers(1, 5000))
def test_wilson_holds_the_value_and_narrows_with_more_data(x, n):
    x = min(x, n)
    lo, hi = intervals.wilson([x, 4 * x], [n, 4 * n])
    assert lo[0] - 1e-12 <= x / n <= hi[0] + 1e-12
    assert hi[1] - lo[1] <= hi[0] - lo[0] + 1e-12


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 5000), st.integers(1, 100))
def test_clopper_pearson_holds_the_value_and_narrows_with_more_data(x, n):
    x = x % (n + 1)
    lo, hi = intervals.clopper_pearson([x, 4 * x], [n, 4 * n])
    assert lo[0] - 1e-12 <= x / n <= hi[0] + 1e-12
    assert hi[1] - lo[1] <= hi[0] - lo[0] + 1e-12


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 5000), st.integers(1_000, 10_000_000))
def test_garwood_rate_holds_the_value_and_narrows_with_more_data(x, population):
    lo, hi = intervals.intervals(
        np.array(["garwood", "garwood"], dtype=object),
        [x, 4 * x],
        [population, 4 * population],
        [0, 0],
        [100_000, 100_000],
    )
    value = x * 100_000 / population
    assert lo[0] - 1e-9 <= value <= hi[0] + 1e-9
    assert hi[1] - lo[1] <= hi[0] - lo[0] + 1e-9


# --- funnel limits: a county exactly at the target, by its size -------------------------------------------------
def test_funnel_limits_of_a_rate_at_the_target():
    """70 % of 1,000: sd = sqrt(0.7 x 0.3 / 1000) = 1.449 points; 95 % = +-2.840, 99.8 % = +-4.478."""
    bands = intervals.funnel_limits("wilson", 70.0, [1000.0], 100, 0.0, 100.0)
    assert bands[0.95][0][0] == pytest.approx(70 - 2.840, abs=1e-3)
    assert bands[0.95][1][0] == pytest.approx(70 + 2.840, abs=1e-3)
    assert bands[0.998][1][0] == pytest.approx(70 + 4.478, abs=1e-3)


def test_funnel_limits_of_a_count_and_a_reduction():
    # 8 per 100,000 of 100,000 residents: 8 expected, sd sqrt(8) = 2.828 per 100,000
    bands = intervals.funnel_limits("garwood", 8.0, [100_000.0], 100_000, 0.0, None)
    assert bands[0.95][1][0] == pytest.approx(8 + 1.959964 * 8**0.5, abs=1e-6)
    assert bands[0.95][0][0] == pytest.approx(8 - 1.959964 * 8**0.5, abs=1e-6)
    # a 10 % reduction from 100 accidents: 90 expected, sd sqrt(90) = 9.487 accidents = 9.487 points
    bands = intervals.funnel_limits("clopper_pearson", 10.0, [100.0], 100, -np.inf, 100.0)
    assert bands[0.95][0][0] == pytest.approx(10 - 1.959964 * 90**0.5, abs=1e-6)


def test_funnels_narrow_as_counties_grow_and_stay_within_bounds():
    sizes = np.array([50.0, 500.0, 5000.0])
    bands = intervals.funnel_limits("wilson", 95.0, sizes, 100, 0.0, 100.0)
    low, high = bands[0.998]
    assert (np.diff(high - low) < 0).all()
    assert (high <= 100).all() and (low >= 0).all()
