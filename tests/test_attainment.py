"""Known answers for value, status, gap and shortfall of every indicator kind and comparator."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.attainment import attainment, evaluate, is_met, prepare
from analytics.catalog import Target, TargetProfile


def one(catalog, profile, indicator_id, numerator=np.nan, denominator=np.nan, baseline=np.nan, value=np.nan):
    frame = pd.DataFrame(
        [
            {
                "region_code": "990101",
                "year": 2024,
                "indicator_id": indicator_id,
                "numerator": numerator,
                "denominator": denominator,
                "baseline": baseline,
                "value": value,
            }
        ]
    )
    return evaluate(frame, catalog, profile).iloc[0]


# indicator, numerator, denominator, baseline, status, value, shortfall
KNOWN = [
    # rate, strict ">70%": exactly 70 % is not met, one more person is
    ("premarital_exam", 700, 1000, None, "not_met", 70.0, 1),
    ("premarital_exam", 701, 1000, None, "met", 70.1, 0),
    ("premarital_exam", 7, 10, None, "not_met", 70.0, 1),
    ("premarital_exam", 0, 1000, None, "not_met", 0.0, 701),
    # rate, "≥90%": exactly 90 % is met
    ("newborn_hearing_screening", 900, 1000, None, "met", 90.0, 0),
    ("newborn_hearing_screening", 899, 1000, None, "not_met", 89.9, 1),
    ("newborn_hearing_screening", 8, 9, None, "not_met", 800 / 9, 1),  # 9/9 needed: 8/9 = 88.9 %
    # "≥98%": 49 of 50 is 98 %
    ("newborn_metabolic_screening", 49, 50, None, "met", 98.0, 0),
    ("newborn_metabolic_screening", 48, 50, None, "not_met", 96.0, 1),
    # zero denominators are no data, never a crash
    ("premarital_exam", 0, 0, None, "no_data", None, None),
    ("premarital_exam", 5, 0, None, "no_data", None, None),
    ("premarital_exam", None, 100, None, "no_data", None, None),
    # 100 % target: every building
    ("barrier_free_buildings", 99, 100, None, "not_met", 99.0, 1),
    ("barrier_free_buildings", 100, 100, None, "met", 100.0, 0),
    # per population, "＞3000 per million"
    ("cataract_surgery_rate", 3000, 1_000_000, None, "not_met", 3000.0, 1),
    ("cataract_surgery_rate", 3001, 1_000_000, None, "met", 3001.0, 0),
    ("cataract_surgery_rate", 700, 250_000, None, "not_met", 2800.0, 51),  # needs > 750 surgeries
    # per population, "力争达到8人 per 100,000" (≥)
    ("rehab_physicians", 90, 1_234_567, None, "not_met", 90 / 12.34567, 9),  # needs ≥ 98.77 -> 99
    ("rehab_physicians", 99, 1_234_567, None, "met", 99 / 12.34567, 0),
    ("rehab_physicians", 8, 100_000, None, "met", 8.0, 0),
    ("rehab_physicians", 0, 0, None, "no_data", None, None),
    # reduction vs 2020, "下降10%以上" (≥ 10 %): 200 -> 180 is exactly 10 %
    ("work_safety_accidents", 180, None, 200, "met", 10.0, 0),
    ("work_safety_accidents", 181, None, 200, "not_met", 9.5, 1),
    ("work_safety_accidents", 190, None, 205, "not_met", 1500 / 205, 6),  # 184 accidents reach 10.24 %
    ("work_safety_accidents", 250, None, 200, "not_met", -25.0, 70),
    ("work_safety_accidents", 5, None, 0, "no_data", None, None),
    ("work_safety_accidents", 5, None, None, "no_data", None, None),
]


@pytest.mark.parametrize(("ind", "num", "den", "base", "status", "value", "shortfall"), KNOWN)
def test_known_answers(catalog, jilin, ind, num, den, base, status, value, shortfall):
    nan = np.nan
    row = one(
        catalog,
        jilin,
        ind,
        nan if num is None else num,
        nan if den is None else den,
        nan if base is None else base,
    )
    assert row["status"] == status
    if value is None:
        assert math.isnan(row["value"])
    else:
        assert row["value"] == pytest.approx(value)
        assert row["gap"] == pytest.approx(float(jilin[ind].threshold) - value)
    if shortfall is None:
        assert pd.isna(row["shortfall"])
    else:
        assert row["shortfall"] == shortfall


def test_county_status_share_of_counties_is_strict(catalog, jilin, tiny_regions):
    """`endemic_disease_control` ＞95 %: 19 of 20 counties (95 %) is not met; a county with 0 lacks 1 county."""
    frame = pd.DataFrame(
        {
            "region_code": ["990000"],
            "year": [2024],
            "indicator_id": ["endemic_disease_control"],
            "numerator": [19.0],
            "denominator": [20.0],
        }
    )
    row = evaluate(frame, catalog, jilin).iloc[0]
    assert (row["status"], row["value"], row["shortfall"]) == ("not_met", 95.0, 1)

    county = pd.DataFrame(
        {
            "region_code": ["990101", "990102"],
            "year": 2024,
            "indicator_id": "endemic_disease_control",
            "value": [1, 0],
        }
    )
    prepared = prepare(county, catalog, jilin)
    ev = evaluate(prepared, catalog, jilin)
    assert list(ev["status"]) == ["met", "not_met"]
    assert list(ev["value"]) == [100.0, 0.0]
    assert list(ev["shortfall"]) == [0, 1]


def test_value_only_rows_get_a_status_but_no_shortfall(catalog, jilin):
    assert one(catalog, jilin, "premarital_exam", value=70.0)["status"] == "not_met"
    row = one(catalog, jilin, "premarital_exam", value=70.1)
    assert row["status"] == "met" and row["value"] == 70.1
    assert pd.isna(one(catalog, jilin, "premarital_exam", value=50.0)["shortfall"])


def test_non_integer_counts_are_compared_exactly(catalog, jilin):
    row = one(catalog, jilin, "premarital_exam", 700.5, 1000)
    assert row["status"] == "met"
    row = one(catalog, jilin, "premarital_exam", 699.5, 1000)
    assert row["status"] == "not_met" and row["shortfall"] == 1  # 700.5 > 700


def test_unreachable_target_has_no_shortfall(catalog):
    impossible = TargetProfile(
        id="t",
        name_zh="t",
        name_en="t",
        source="",
        target_year=2025,
        baseline_year=2020,
        targets={"premarital_exam": Target("premarital_exam", ">", Fraction(100), False, "")},
    )
    row = one(catalog, impossible, "premarital_exam", 1000, 1000)
    assert row["status"] == "not_met"
    assert pd.isna(row["shortfall"]) and bool(row["unreachable"])


def test_reduction_baseline_comes_from_the_baseline_year_row(catalog, jilin):
    obs = pd.DataFrame(
        {
            "region_code": ["990101"] * 3,
            "year": [2020, 2023, 2024],
            "indicator_id": ["work_safety_accidents"] * 3,
            "numerator": [200, 185, 180],
        }
    )
    ev = evaluate(prepare(obs, catalog, jilin), catalog, jilin).set_index("year")
    assert ev.loc[2020, "value"] == 0.0 and ev.loc[2020, "status"] == "not_met"
    assert ev.loc[2023, "status"] == "not_met" and ev.loc[2023, "shortfall"] == 5
    assert ev.loc[2024, "status"] == "met"


@settings(max_examples=300, deadline=None)
@given(
    ind=st.sampled_from(
        [
            "premarital_exam",
            "newborn_hearing_screening",
            "barrier_free_buildings",
            "cataract_surgery_rate",
            "rehab_physicians",
        ]
    ),
    den=st.integers(min_value=1, max_value=5_000_000),
    frac=st.fractions(min_value=0, max_value=1),
)
def test_vectorised_status_and_minimal_shortfall(catalog, jilin, ind, den, frac):
    """Status agrees with exact Fractions; shortfall k meets the target and k - 1 does not."""
    indicator, target = catalog[ind], jilin[ind]
    num = int(frac * den) if indicator.kind == "rate" else int(frac * den) // 100
    row = one(catalog, jilin, ind, num, den)
    assert (row["status"] == "met") == is_met(num, den, indicator, target)
    k = row["shortfall"]
    if pd.isna(k):
        assert indicator.kind == "rate" and not is_met(den, den, indicator, target)
        return
    assert is_met(num + int(k), den, indicator, target)
    if k > 0:
        assert not is_met(num + int(k) - 1, den, indicator, target)


def test_attainment_covers_every_unit_and_indicator(catalog, jilin, tiny_regions):
    obs = pd.DataFrame(
        {
            "region_code": ["990101"],
            "year": [2024],
            "indicator_id": ["premarital_exam"],
            "numerator": [80],
            "denominator": [100],
        }
    )
    out = attainment(obs, tiny_regions, catalog, jilin, "990000", "county", years=[2024])
    assert len(out) == 3 * 25
    assert (out["status"] == "met").sum() == 1
    assert (out["status"] == "no_data").sum() == 74
    prov = attainment(obs, tiny_regions, catalog, jilin, "990000", "province", years=[2024])
    assert len(prov) == 25 and set(prov["region_code"]) == {"990000"}
    row = prov.set_index("indicator_id").loc["premarital_exam"]
    assert (row["n_units"], row["n_reported"], row["status"]) == (3, 1, "met")


def test_attainment_rejects_a_level_above_the_region(catalog, jilin, tiny_regions):
    with pytest.raises(ValueError):
        attainment(
            pd.DataFrame(columns=["region_code", "year", "indicator_id"]),
            tiny_regions,
            catalog,
            jilin,
            "990100",
            "province",
        )


def test_a_met_row_is_never_unreachable(catalog, jilin):
    row = one(
        catalog, jilin, "premarital_exam", 1100, 1000
    )  # more than the denominator: met, not "unreachable"
    assert row["status"] == "met" and row["shortfall"] == 0 and not bool(row["unreachable"])
