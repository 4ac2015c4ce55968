"""Known answers for progress status (Healthy People 2030), trajectory (SDG) and the linear projection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.attainment import evaluate
from analytics.progress import progress


def series(catalog, profile, values: dict[int, float], indicator_id="premarital_exam", code="990101"):
    """A county's rate over the years, as evaluated rows (numerator = value x 10 of 1000)."""
    frame = pd.DataFrame(
        {
            "region_code": code,
            "year": list(values),
            "indicator_id": indicator_id,
            "numerator": [round(v * 10) for v in values.values()],
            "denominator": 1000,
        }
    )
    return evaluate(frame, catalog, profile)


# premarital_exam: ＞70 %, baseline year 2020, target year 2025 (required change from 60: 2 points a year)
CASES = [
    ({2020: 60, 2021: 62, 2022: 64, 2023: 66, 2024: 68}, "improving", "on_track", 80.0),
    ({2020: 60, 2024: 61}, "improving", "stagnating", 10.0),  # exactly 10 % of the targeted change
    ({2020: 60, 2024: 60.5}, "little_or_no_change", "stagnating", 5.0),
    ({2020: 60, 2024: 64}, "improving", "moderately_improving", 40.0),  # 1 point a year: ratio 0.5
    ({2020: 60, 2024: 55}, "little_or_no_change", "worsening", -50.0),  # 5 < 10 % of 60
    ({2020: 60, 2024: 54}, "getting_worse", "worsening", -60.0),  # 6 = 10 % of 60
    ({2020: 60, 2024: 75}, "target_met", "maintaining", 150.0),
    ({2020: 70}, "baseline_only", "insufficient_data", np.nan),  # 70 is not ＞70; no change targeted from 70
    ({2024: 75}, "target_met", "maintaining", np.nan),
]


@pytest.mark.parametrize(("values", "status", "trajectory", "pct"), CASES)
def test_progress_and_trajectory(catalog, jilin, values, status, trajectory, pct):
    row = progress(series(catalog, jilin, values), catalog, jilin).iloc[0]
    assert row["progress_status"] == status
    assert row["trajectory"] == trajectory
    if np.isnan(pct):
        assert np.isnan(row["percent_of_targeted_change"])
    else:
        assert row["percent_of_targeted_change"] == pytest.approx(pct)


def test_projection_is_linear_to_the_target_year_and_bounded(catalog, jilin):
    row = progress(
        series(catalog, jilin, {2020: 60, 2021: 62, 2022: 64, 2023: 66, 2024: 68}), catalog, jilin
    ).iloc[0]
    assert row["slope"] == pytest.approx(2.0)
    assert row["projected_target_year"] == pytest.approx(70.0)
    fast = progress(series(catalog, jilin, {2020: 60, 2024: 96}), catalog, jilin).iloc[0]
    assert fast["projected_target_year"] == 100.0  # 105 would pass the physical ceiling of a rate


def test_years_after_the_chosen_year_are_ignored(catalog, jilin):
    ev = series(catalog, jilin, {2020: 60, 2022: 64, 2024: 75})
    then = progress(ev, catalog, jilin, year=2022).iloc[0]
    assert (then["latest_year"], then["progress_status"]) == (2022, "improving")
    now = progress(ev, catalog, jilin).iloc[0]
    assert (now["latest_year"], now["progress_status"]) == (2024, "target_met")


def test_baseline_falls_back_to_first_observed_year(catalog, jilin):
    row = progress(series(catalog, jilin, {2021: 60, 2024: 66}), catalog, jilin).iloc[0]
    assert row["baseline_year"] == 2021 and row["baseline"] == 60
    assert row["required_annual_change"] == pytest.approx(10 / 4)
    assert row["observed_annual_change"] == pytest.approx(6 / 3)


def test_reduction_projection_may_go_negative(catalog, jilin):
    frame = pd.DataFrame(
        {
            "region_code": "990101",
            "year": [2020, 2022, 2024],
            "indicator_id": "work_safety_accidents",
            "numerator": [100, 110, 120],
            "baseline": 100.0,
        }
    )
    row = progress(evaluate(frame, catalog, jilin), catalog, jilin).iloc[0]
    assert row["projected_target_year"] == pytest.approx(-25.0)  # accidents rising 5 % of 2020 a year
