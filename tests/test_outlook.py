"""The outlook to a target year (analytics/outlook.py, analytics/cli_outlook.py): known answers on hand-made
series, the shape of the intervals and probabilities, and the `outlook` command on the Jilin demo."""

from __future__ import annotations

import argparse
import io
import math

import known_answers as ka
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import cli_outlook
from analytics.errors import AtlasError
from analytics.i18n import t
from analytics.outlook import (
    OUTLOOK_COLUMNS,
    OutlookError,
    outlook,
    probability_at,
    probability_curve,
    proposed_targets,
    share_likely,
)

RATE = "premarital_exam"  # kind rate, target > 70
REDUCTION = "work_safety_accidents"  # kind reduction_vs_baseline (linear), target >= 10
PER_POP = "rehab_physicians"  # kind per_population (log)
STATUS = "endemic_disease_control"  # kind county_status
YEARS = [2020, 2021, 2022, 2023, 2024]


def frame(
    series: dict[str, list[float]], indicator: str, years=YEARS, level: str = "province"
) -> pd.DataFrame:
    """A hand-made attainment() frame: one region per key, its values over `years` (None = not observed)."""
    rows = [
        {
            "region_code": code,
            "region_name": f"R{code}",
            "level": level,
            "year": year,
            "indicator_id": indicator,
            "value": np.nan if v is None else float(v),
        }
        for code, values in series.items()
        for year, v in zip(years, values, strict=True)
    ]
    return pd.DataFrame(rows)


def expit(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype="float64")))


# --- known answers ------------------------------------------------------------------------------------------
def test_known_residuals_give_the_ols_prediction_interval(catalog, jilin):
    """y = 1, 3, 2, 5, 4 (2020–2024), linear scale: by hand x̄ = 2022, Sxx = 10, slope 0.8, ȳ = 3, residuals
    −0.4, 0.8, −1.0, 1.2, −0.6, s² = 3.6 / 3 = 1.2; at 2026 the line is 6.2 and the prediction standard error
    sqrt(1.2 × (1 + 1/5 + 16/10)) = sqrt(3.36) = 1.833030; t(0.975, 3) = 3.182446, t(0.90, 3) = 1.637744."""
    out = outlook(frame({"1": [1, 3, 2, 5, 4]}, REDUCTION), catalog, jilin, REDUCTION, 2026).iloc[0]
    se = math.sqrt(3.36)
    assert out["method"] == "linear_trend"
    assert out["projected"] == pytest.approx(6.2)
    assert out["se"] == pytest.approx(se)
    assert out["low95"] == pytest.approx(6.2 - 3.182446 * se, abs=1e-5)
    assert out["high95"] == pytest.approx(6.2 + 3.182446 * se, abs=1e-5)
    assert out["low80"] == pytest.approx(6.2 - 1.637744 * se, abs=1e-5)
    assert out["high80"] == pytest.approx(6.2 + 1.637744 * se, abs=1e-5)
    # the profile's target (>= 10): P(T3 >= (10 − 6.2) / se) = 0.06497 (t table)
    assert out["target"] == 10 and out["comparator"] == ">="
    assert out["probability"] == pytest.approx(0.06497, abs=5e-4)
    assert out["n_years"] == 5 and out["last_year"] == 2024 and out["last_value"] == 4


def test_a_perfect_logit_line_is_continued_with_a_degenerate_interval(catalog, jilin):
    values = 100 * expit(-1 + 0.5 * (np.array(YEARS) - 2020))
    out = outlook(frame({"1": list(values)}, RATE), catalog, jilin, RATE, 2028).iloc[0]
    assert out["method"] == "logit_trend"
    assert out["projected"] == pytest.approx(100 * expit(-1 + 0.5 * 8), abs=1e-9)  # 95.257 %
    assert out["high95"] - out["low95"] < 1e-6
    assert out["low95"] <= out["projected"] <= out["high95"]
    assert probability_at(pd.DataFrame([out]), 90.0).iloc[0] == pytest.approx(1.0)
    assert probability_at(pd.DataFrame([out]), 99.0).iloc[0] == pytest.approx(0.0, abs=1e-9)


def test_a_perfect_straight_line_is_not_continued_straight_on_the_value_scale(catalog, jilin):
    """A rate is projected on the logit scale: a line rising 5 points a year slows near 100 %."""
    out = outlook(frame({"1": [80, 85, 90, 95, 99]}, RATE), catalog, jilin, RATE, 2030).iloc[0]
    assert out["projected"] < 100
    assert out["high95"] < 100


def test_a_count_per_population_stays_positive(catalog, jilin):
    out = outlook(frame({"1": [8, 4, 2, 1, 0.5]}, PER_POP), catalog, jilin, PER_POP, 2030).iloc[0]
    assert out["method"] == "log_trend"
    assert out["projected"] == pytest.approx(0.5 * 0.5**6, rel=1e-6)  # halving each year, on the log scale
    assert out["low95"] > 0


def test_a_reduction_is_capped_at_100(catalog, jilin):
    out = outlook(frame({"1": [0, 40, 50, 85, 90]}, REDUCTION), catalog, jilin, REDUCTION, 2026).iloc[0]
    assert out["projected"] == 100 and out["high95"] == 100
    assert out["low95"] < 100


def test_fewer_than_three_years_give_the_last_value_and_no_interval(catalog, jilin):
    ev = frame({"1": [None, None, None, 60, 65], "2": [None] * 5}, RATE)
    out = outlook(ev, catalog, jilin, RATE, 2026).set_index("region_code")
    assert out.loc["1", "method"] == "last_value"
    assert out.loc["1", "projected"] == 65 and out.loc["1", "n_years"] == 2
    for col in ("low80", "high80", "low95", "high95", "probability"):
        assert math.isnan(out.loc["1", col]), col
    assert out.loc["2", "method"] == "no_data" and math.isnan(out.loc["2", "projected"])
    assert proposed_targets(out.reset_index())[["target_p50", "target_p80"]].isna().all().all()
    assert probability_curve(out.reset_index(), "1").empty


def test_three_years_are_enough(catalog, jilin):
    out = outlook(frame({"1": [None, None, 60, 62, 65]}, RATE), catalog, jilin, RATE, 2026).iloc[0]
    assert out["method"] == "logit_trend" and out["n_years"] == 3
    assert out["low95"] < out["projected"] < out["high95"]


def test_a_county_status_is_projected_as_a_share_above_county_level(catalog, jilin):
    shares = [90, 90, 95, 95, 100]
    region = outlook(frame({"1": shares}, STATUS), catalog, jilin, STATUS, 2026).iloc[0]
    assert region["method"] == "logit_trend" and 0 < region["projected"] < 100
    county = frame({"1": [0, 0, 100, 100, 100]}, STATUS, level="county")
    out = outlook(county, catalog, jilin, STATUS, 2026).iloc[0]
    assert out["method"] == "status" and out["projected"] == 100 and math.isnan(out["probability"])


def test_outlook_has_its_columns_and_one_row_per_region(catalog, jilin):
    ev = frame({"1": [50, 55, 60, 62, 65], "2": [70, 71, 73, 72, 75]}, RATE)
    out = outlook(ev, catalog, jilin, RATE, 2026)
    assert list(out.columns[: len(OUTLOOK_COLUMNS)]) == OUTLOOK_COLUMNS
    assert list(out["region_code"]) == ["1", "2"]
    assert (out["to_year"] == 2026).all() and (out["target"] == 70).all() and (out["comparator"] == ">").all()


# --- refusals ---------------------------------------------------------------------------------------------
def test_refusals(catalog, jilin):
    ev = frame({"1": [50, 55, 60, 62, 65]}, RATE)
    with pytest.raises(OutlookError) as e:
        outlook(ev, catalog, jilin, "no_such_indicator", 2026)
    assert "no_such_indicator" in e.value.message("en")
    with pytest.raises(OutlookError) as e:
        outlook(ev, catalog, jilin, RATE, 2024)
    assert e.value.code == "to_not_after" and "2024" in e.value.message("en")
    for bad in (-1, 100.5, math.inf):
        with pytest.raises(OutlookError) as e:
            outlook(ev, catalog, jilin, RATE, 2026, target=bad)
        assert e.value.code == "target_out_of_range"
    outlook(ev, catalog, jilin, RATE, 2026, target=100)  # the ceiling itself is a possible target
    outlook(frame({"1": [1, 2, 3, 4, 5]}, REDUCTION), catalog, jilin, REDUCTION, 2026, target=-50)


# --- shape: horizon, nesting, bounds, monotone probability ---------------------------------------------------
NOISY = [61.5, 63.3, 65.6, 67.5, 69.7]


def test_intervals_widen_with_the_horizon(catalog, jilin):
    ev = frame({"1": NOISY}, RATE)
    near = outlook(ev, catalog, jilin, RATE, 2026).iloc[0]
    far = outlook(ev, catalog, jilin, RATE, 2030).iloc[0]
    for level in ("80", "95"):
        assert far[f"high{level}"] - far[f"low{level}"] > near[f"high{level}"] - near[f"low{level}"]
    assert far["se"] > near["se"]


def _check_shape(row) -> None:
    assert row["low95"] <= row["low80"] <= row["projected"] <= row["high80"] <= row["high95"]


rates = st.lists(st.floats(0, 100, allow_nan=False), min_size=3, max_size=5)


@settings(max_examples=60, deadline=None)
@given(values=rates, ahead=st.integers(1, 30))
def test_rate_projections_stay_within_0_100_and_80_is_inside_95(catalog, jilin, values, ahead):
    years = YEARS[-len(values) :]
    row = outlook(frame({"1": values}, RATE, years=years), catalog, jilin, RATE, 2024 + ahead).iloc[0]
    _check_shape(row)
    for col in ("projected", "low80", "high80", "low95", "high95"):
        assert 0 <= row[col] <= 100, col


@settings(max_examples=60, deadline=None)
@given(values=rates, ahead=st.integers(1, 10), targets=st.lists(st.floats(0, 100), min_size=2, max_size=8))
def test_probability_falls_as_the_target_rises(catalog, jilin, values, ahead, targets):
    years = YEARS[-len(values) :]
    out = outlook(frame({"1": values}, RATE, years=years), catalog, jilin, RATE, 2024 + ahead)
    curve = probability_curve(out, "1", sorted(targets))
    assert (np.diff(curve["probability"].to_numpy()) <= 1e-12).all()
    assert ((curve["probability"] >= 0) & (curve["probability"] <= 1)).all()


def test_probability_is_one_half_at_the_median_projection(catalog, jilin):
    out = outlook(frame({"1": NOISY, "2": [1, 3, 2, 5, 4]}, RATE), catalog, jilin, RATE, 2027)
    for _, row in out.iterrows():
        assert probability_at(pd.DataFrame([row]), row["projected"]).iloc[0] == pytest.approx(0.5, abs=1e-9)
    curve = probability_curve(out, "1")  # the default grid across the interval
    assert len(curve) == 101 and curve["probability"].iloc[0] > 0.9 and curve["probability"].iloc[-1] < 0.1


def test_the_probability_follows_the_comparator_only_at_a_perfect_fit(catalog, jilin):
    out = outlook(frame({"1": [1, 2, 3, 4, 5]}, REDUCTION), catalog, jilin, REDUCTION, 2026)
    assert out["projected"].iloc[0] == pytest.approx(7)
    at_least = probability_at(out, 7.0, ">=").iloc[0]
    above = probability_at(out, 7.0 + 1e-6, ">").iloc[0]
    assert at_least == 1.0 and above == 0.0


def test_proposed_targets(catalog, jilin):
    out = outlook(frame({"1": NOISY, "2": [1, 3, 2, 5, 4]}, RATE), catalog, jilin, RATE, 2027)
    proposed = proposed_targets(out)
    assert proposed["target_p50"].to_numpy() == pytest.approx(out["projected"].to_numpy())
    assert (
        proposed["target_p80"] < proposed["target_p50"]
    ).all()  # higher is better: a surer target is lower
    for i in range(len(out)):  # each is reached with the probability it was proposed for
        one = out.iloc[[i]]
        assert probability_at(one, proposed["target_p80"].iloc[i]).iloc[0] == pytest.approx(0.8, abs=1e-9)
    lower = proposed_targets(out.assign(direction="lower_is_better", comparator="<="))
    assert (lower["target_p80"] > lower["target_p50"]).all()


def test_share_likely(catalog, jilin):
    ev = frame(
        {
            "1": [80, 82, 84, 86, 88],  # far above 70
            "2": [40, 41, 43, 44, 45],  # far below
            "3": [71, 69, 72, 70, 71],  # around 70
            "4": [None, None, None, 90, 91],  # two years: not counted
        },
        RATE,
        level="county",
    )
    out = outlook(ev, catalog, jilin, RATE, 2026)
    assert out.loc[2, "probability"] == pytest.approx(0.66, abs=0.01)  # county 3: around its line at 71
    assert share_likely(out, 70) == pytest.approx(2 / 3)  # counties 1 and 3 of the 3 with a probability
    assert share_likely(out, 70, probability=0.9) == pytest.approx(1 / 3)
    assert share_likely(out, 99.9, probability=0.5) == 0
    assert math.isnan(share_likely(out.iloc[[3]], 70))


# --- the command ------------------------------------------------------------------------------------------
def _args(**over) -> argparse.Namespace:
    base = {
        "command": "outlook",
        "lang": "zh",
        "data": None,
        "db": None,
        "region": "220000",
        "indicator": RATE,
        "to": 2026,
        "target": None,
        "targets": "jilin-2022-2025",
        "level": None,
        "format": "csv",
    }
    return argparse.Namespace(**{**base, **over})


def _exit(args) -> int:
    """As analytics.__main__.main runs a command: an AtlasError is a message on stderr and exit status 1."""
    try:
        return cli_outlook.run(args)
    except AtlasError as exc:
        print(t("cli.error", args.lang, message=exc.message(args.lang)))
        return 1


def test_cli_csv_on_the_jilin_demo(capsys):
    assert cli_outlook.run(_args()) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"region_code": str})
    for col in (
        "region_code",
        "region_name",
        "indicator_id",
        "projected",
        "low80",
        "high80",
        "low95",
        "high95",
        "probability",
    ):
        assert col in table.columns, col
    assert len(table) == 1
    row = table.iloc[0]
    assert row["region_code"] == "220000" and row["indicator_id"] == RATE and row["method"] == "logit_trend"
    assert row["low95"] <= row["low80"] <= row["projected"] <= row["high80"] <= row["high95"]
    assert row["last_year"] == ka.latest_year() and row["n_years"] == len(ka.demo_years())
    for col in ("projected", "low95", "probability"):
        assert round(row[col], 4) == row[col]


def test_cli_csv_by_county_and_with_a_target(capsys):
    assert cli_outlook.run(_args(region="220100", level="county", target=80.0)) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"region_code": str})
    assert len(table) > 1 and table["region_code"].str.startswith("2201").all()
    assert (table["target"] == 80).all()


def test_cli_readable_in_english_and_chinese(capsys):
    assert cli_outlook.run(_args(format="table", lang="en", to=2027)) == 0
    out = capsys.readouterr().out
    assert out.startswith("[示例数据")  # the synthetic-demo label
    assert "Outlook to 2027" in out and "吉林省 (220000)" in out and "80 %" in out and "probability" in out
    assert cli_outlook.run(_args(format="table", region="220102", indicator=REDUCTION)) == 0
    out = capsys.readouterr().out
    assert "2026年展望" in out and "概率" in out


@pytest.mark.parametrize(
    "over, words",
    [
        ({"indicator": "nope"}, "nope"),
        ({"region": "229999"}, "229999"),
        ({"to": 2025}, "2025"),  # the demo's last observed year: nothing to project
        ({"target": 101.0}, "101"),
        ({"indicator": PER_POP, "target": -1.0}, "-1"),
    ],
)
def test_cli_refusals_exit_1(capsys, over, words):
    assert _exit(_args(lang="en", **over)) == 1
    out = capsys.readouterr().out
    assert out.startswith("Error:") and words in out and "Traceback" not in out


def test_cli_parser():
    """add_parsers builds the subcommand with its own source arguments (no --year)."""
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", default="zh")

    def h(key: str, **fields) -> str:
        return t(f"cli.help_{key}", "en", **fields).replace("%", "%%")

    h.lang = "en"  # as analytics.__main__ gives it
    cli_outlook.add_parsers(sub, common, h, add_source=None)
    args = parser.parse_args(
        [
            "outlook",
            "--region",
            "220000",
            "--indicator",
            RATE,
            "--to",
            "2030",
            "--level",
            "city",
            "--target",
            "75",
        ]
    )
    assert (args.region, args.indicator, args.to, args.level, args.target) == (
        "220000",
        RATE,
        2030,
        "city",
        75.0,
    )
    assert args.format == "table" and args.data is None and not hasattr(args, "year")
    assert {"outlook": cli_outlook.run} == cli_outlook.COMMANDS


def test_through_main(capsys):
    from analytics import __main__ as main

    assert (
        main.main(["outlook", "--region", "220000", "--indicator", RATE, "--to", "2026", "--format", "csv"])
        == 0
    )
    assert len(pd.read_csv(io.StringIO(capsys.readouterr().out))) == 1
    assert main.main(["outlook", "--region", "220000", "--indicator", RATE, "--to", "2020"]) == 1
