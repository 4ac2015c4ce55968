"""Numbers no indicator can have (issue 14): the contract refuses them on every path with their row, and the
engine reads one stored before the contract held it (1e308, 1.7e308, inf) as no data, never crashing."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics import insights
from analytics.attainment import attainment, evaluate
from analytics.kinds import impossible_rows
from analytics.progress import progress
from analytics.scenarios import Adjustment, Scenario, apply, compare
from analytics.schema import CONTRACT_MARK, ObservationError, read_observations_csv

COLUMNS = ["region_code", "year", "indicator_id", "numerator", "denominator", "value"]
POISONS = [1e308, 1.7e308, math.inf, -math.inf]
NAN = math.nan


def old_store(rows: list[tuple]) -> pd.DataFrame:
    """Rows as a store written before the contract refused them gives them: typed and marked as checked."""
    df = pd.DataFrame(rows, columns=COLUMNS).astype(
        {"numerator": "float64", "denominator": "float64", "value": "float64"}
    )
    df.attrs[CONTRACT_MARK] = True
    return df


def status_of(ev: pd.DataFrame, code: str, indicator_id: str, year: int = 2024) -> pd.Series:
    row = ev[
        (ev["region_code"].astype(str) == code)
        & (ev["indicator_id"].astype(str) == indicator_id)
        & (ev["year"] == year)
    ]
    assert len(row) == 1
    return row.iloc[0]


# --- the engine: a poisoned county is no data, its neighbours and the sums above it are unharmed -------------
# (indicator, the poisoned county's row (numerator, denominator, value) with "P" for the poison)
CASES = [
    ("premarital_exam", ("P", 1000, NAN)),
    ("premarital_exam", (700, "P", NAN)),
    ("premarital_exam", (NAN, NAN, "P")),
    ("rehab_physicians", ("P", 1_000_000, NAN)),
    ("rehab_physicians", (12, "P", NAN)),
    ("cataract_surgery_rate", (NAN, NAN, "P")),
    ("endemic_disease_control", (NAN, NAN, "P")),
    ("work_safety_accidents", ("P", NAN, NAN)),
]
# the two healthy counties: 990101 (prefecture 990100 with the poisoned 990102) and 990201 (prefecture 990200)
HEALTHY = {
    "premarital_exam": ((700, 1000, NAN), (80, 100, NAN)),
    "rehab_physicians": ((10, 100_000, NAN), (5, 100_000, NAN)),
    "cataract_surgery_rate": ((3100, 1_000_000, NAN), (2000, 1_000_000, NAN)),
    "endemic_disease_control": ((NAN, NAN, 1), (NAN, NAN, 0)),
    "work_safety_accidents": ((8, NAN, NAN), (9, NAN, NAN)),
}
# the province's value from the two healthy counties only (the poisoned one lowers coverage, never the value)
PROVINCE = {
    "premarital_exam": 780 / 1100 * 100,
    "rehab_physicians": 15 / 200_000 * 100_000,
    "cataract_surgery_rate": 5100 / 2_000_000 * 1_000_000,
    "endemic_disease_control": 50.0,
    "work_safety_accidents": (20 - 17) / 20 * 100,  # baselines 10 + 10, counts 8 + 9
}


def poisoned(indicator_id: str, bad_row: tuple, poison: float) -> pd.DataFrame:
    numbers = [poison if v == "P" else v for v in bad_row]
    (a, b) = HEALTHY[indicator_id]
    rows = [
        ("990101", 2024, indicator_id, *a),
        ("990102", 2024, indicator_id, *numbers),
        ("990201", 2024, indicator_id, *b),
    ]
    if indicator_id == "work_safety_accidents":  # a reduction needs its baseline year
        rows += [(c, 2020, indicator_id, 10, NAN, NAN) for c in ("990101", "990102", "990201")]
    return old_store(rows)


@pytest.mark.parametrize("poison", POISONS, ids=str)
@pytest.mark.parametrize(("indicator_id", "bad_row"), CASES, ids=[f"{i}-{r}" for i, r in CASES])
def test_a_poisoned_county_is_no_data_and_the_sums_above_it_hold(
    indicator_id, bad_row, poison, catalog, jilin, tiny_regions
):
    obs = poisoned(indicator_id, bad_row, poison)
    county = attainment(obs, tiny_regions, catalog, jilin, "990000", "county")
    bad = status_of(county, "990102", indicator_id)
    assert bad["status"] == "no_data" and pd.isna(bad["value"]) and bool(bad["impossible"])
    assert bad["value_source"] == ""
    healthy = status_of(county, "990101", indicator_id)
    assert healthy["status"] in ("met", "not_met") and not healthy["impossible"]
    prefecture = attainment(obs, tiny_regions, catalog, jilin, "990000", "prefecture")
    assert status_of(prefecture, "990100", indicator_id)["n_reported"] == 1  # 990101 only
    province = status_of(
        attainment(obs, tiny_regions, catalog, jilin, "990000", "province"), "990000", indicator_id
    )
    assert province["value"] == pytest.approx(PROVINCE[indicator_id])
    assert province["n_reported"] == 2 and province["status"] in ("met", "not_met")
    numbers = county[["value", "gap", "low", "high"]].to_numpy(dtype="float64")
    assert not np.isinf(numbers).any()
    assert insights.impossible_note(county, "zh") == (
        "1 个数不可能是真实的（不是有限的数字，或超过上限），按无数据处理：请更正后重新导入"
    )
    assert "no data: 1 in all" in insights.impossible_note(county, "en")
    assert insights.impossible_note(prefecture, "zh") == ""


def test_nan_is_missing_not_impossible(catalog, jilin, tiny_regions):
    obs = poisoned("premarital_exam", ("P", 1000, NAN), NAN)
    bad = status_of(
        attainment(obs, tiny_regions, catalog, jilin, "990000", "county"), "990102", "premarital_exam"
    )
    assert bad["status"] == "no_data" and not bad["impossible"]


def test_two_counties_whose_sum_overflows_leave_the_rest_of_the_province(catalog, jilin, tiny_regions):
    # 1.7e308 + 1.7e308 is inf: before the fix the prefecture's sum reached Fraction("inf") and raised
    obs = old_store(
        [
            ("990101", 2024, "premarital_exam", 1.7e308, 1.7e308, NAN),
            ("990102", 2024, "premarital_exam", 1.7e308, 1.7e308, NAN),
            ("990201", 2024, "premarital_exam", 80, 100, NAN),
        ]
    )
    prefecture = attainment(obs, tiny_regions, catalog, jilin, "990000", "prefecture")
    assert status_of(prefecture, "990100", "premarital_exam")["status"] == "no_data"
    assert status_of(prefecture, "990200", "premarital_exam")["status"] == "met"


# evaluate() alone, on sums that are already non-finite or overflow when scaled (a frame not from prepare)
@pytest.mark.parametrize(
    ("indicator_id", "numerator", "denominator", "baseline", "value"),
    [
        ("premarital_exam", math.inf, 1000, NAN, NAN),
        ("premarital_exam", 700, math.inf, NAN, NAN),
        ("premarital_exam", NAN, NAN, NAN, math.inf),
        ("premarital_exam", NAN, NAN, NAN, -math.inf),
        ("cataract_surgery_rate", 1.7e308, 1, NAN, NAN),  # x 1,000,000 overflows to inf
        ("cataract_surgery_rate", 1e308, 3, NAN, NAN),
        ("work_safety_accidents", 5, NAN, math.inf, NAN),
        ("work_safety_accidents", math.inf, NAN, 10, NAN),
    ],
)
def test_evaluate_reads_non_finite_sums_as_no_data(
    indicator_id, numerator, denominator, baseline, value, catalog, jilin
):
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
    with np.errstate(all="raise"):  # no overflow warning either: every operation on them is guarded
        row = evaluate(frame, catalog, jilin).iloc[0]
    assert row["status"] == "no_data" and pd.isna(row["value"]) and pd.isna(row["shortfall"])


def test_evaluate_still_exact_just_inside_the_limits(catalog, jilin):
    # two billion of two billion: 100 %, met; one short of it: not met, shortfall 1 (no Fraction overflow)
    frame = pd.DataFrame(
        {
            "region_code": ["990101", "990102"],
            "year": [2024, 2024],
            "indicator_id": ["barrier_free_buildings"] * 2,
            "numerator": [2e9, 2e9 - 1],
            "denominator": [2e9, 2e9],
            "baseline": [NAN, NAN],
            "value": [NAN, NAN],
        }
    )
    ev = evaluate(frame, catalog, jilin)
    assert list(ev["status"].astype(str)) == ["met", "not_met"]
    assert list(ev["shortfall"]) == [0, 1]


def test_impossible_rows_follow_the_kind_table(catalog):
    frame = pd.DataFrame(
        [
            ("990101", 2024, "rehab_physicians", 2e9, NAN, NAN),  # at the count limit: possible
            ("990101", 2024, "rehab_physicians", np.nextafter(2e9, np.inf), NAN, NAN),
            ("990101", 2024, "cataract_surgery_rate", NAN, NAN, 1e6),  # one per resident: possible
            ("990101", 2024, "cataract_surgery_rate", NAN, NAN, np.nextafter(1e6, np.inf)),
            ("990101", 2024, "work_safety_accidents", NAN, NAN, -1e6),
            ("990101", 2024, "work_safety_accidents", NAN, NAN, np.nextafter(-1e6, -np.inf)),
            ("990101", 2024, "premarital_exam", 5, 10, math.inf),  # inf anywhere
            ("990101", 2024, "premarital_exam", NAN, NAN, NAN),  # nothing: missing, not impossible
            ("990101", 2024, "no_such_indicator", 1e308, NAN, NAN),  # no kind: the contract's call
        ],
        columns=COLUMNS,
    )
    assert impossible_rows(frame, catalog).tolist() == [
        False,
        True,
        False,
        True,
        False,
        True,
        True,
        False,
        False,
    ]


# --- progress and formatting ----------------------------------------------------------------------------
def test_progress_skips_non_finite_values(catalog, jilin):
    ev = pd.DataFrame(
        {
            "region_code": ["990101", "990101", "990102", "990102"],
            "year": [2020, 2024, 2020, 2024],
            "indicator_id": ["premarital_exam"] * 4,
            "value": [60.0, math.inf, 60.0, 65.0],
            "status": ["not_met", "met", "not_met", "not_met"],
        }
    )
    out = progress(ev, catalog, jilin).set_index("region_code")
    assert out.loc["990101", "progress_status"] == "baseline_only" and out.loc["990101", "latest"] == 60.0
    assert out.loc["990102", "progress_status"] == "improving"
    assert np.isfinite(out["latest"].to_numpy(dtype="float64")).all()


@pytest.mark.parametrize("value", [*POISONS, NAN, 2e15 * 1.0000001])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_formatting_shows_no_number_for_impossible_values(value, lang, catalog, jilin):
    for ind_id in ("premarital_exam", "cataract_surgery_rate", "work_safety_accidents"):
        ind = catalog[ind_id]
        assert insights.format_value(value, ind, lang) == "—"
        assert insights.format_value(value, ind, lang, status="met", profile=jilin) == "—"
        assert insights.format_value(value, ind, lang, level="county", status="not_met", profile=jilin) == "—"
    assert insights.format_number(value) == "—"


def test_formatting_keeps_the_largest_possible_value(catalog):
    assert insights.format_value(2e15, catalog["cataract_surgery_rate"], "en").startswith(
        "2,000,000,000,000,000"
    )


def test_intervals_and_shortfalls_of_non_finite_are_blank(catalog):
    ind = catalog["premarital_exam"]
    assert insights.interval_texts([math.inf, 1.0, NAN], [2.0, math.inf, 2.0], ind) == ["", "", ""]
    assert insights.shortfall_text(math.inf, ind) == ""
    survey = next(i for i in catalog.indicators if not i.shortfall_actionable)
    assert insights.shortfall_text(NAN, survey, gap=math.inf) == ""


# --- what-if on a poisoned store -----------------------------------------------------------------------
@pytest.mark.parametrize("poison", [1e308, 1.7e308, math.inf])
@pytest.mark.parametrize(
    "adjustment",
    [
        Adjustment("premarital_exam", "add_pp", 5),
        Adjustment("premarital_exam", "scale_pct", 10),
        Adjustment("premarital_exam", "add_units", 100),
        Adjustment("premarital_exam", "set_target", 60),
    ],
    ids=lambda a: a.operation,
)
def test_scenarios_run_on_a_poisoned_store(poison, adjustment, catalog, jilin, tiny_regions):
    obs = poisoned("premarital_exam", ("P", 1000, NAN), poison)
    with np.errstate(over="ignore", invalid="ignore"):
        result = apply(
            obs,
            Scenario("t", (adjustment,)),
            catalog=catalog,
            profile=jilin,
            regions=tiny_regions,
            region_code="990000",
            year=2024,
        )
        out = compare(
            obs, result, catalog=catalog, profile=jilin, regions=tiny_regions, region_code="990000", year=2024
        )
    out = out[out["indicator_id"] == "premarital_exam"].set_index(["level", "region_code"])
    # the poisoned county stays no data: a what-if never turns an impossible number into a figure
    assert out.loc[("county", "990102"), ["status_before", "status_after"]].tolist() == ["no_data", "no_data"]
    assert out.loc[("province", "990000"), "status_after"] in ("met", "not_met")
    assert out.loc[("province", "990000"), "value_after"] >= 780 / 1100 * 100


# --- the meeting deck on a poisoned Jilin year ----------------------------------------------------------
@pytest.mark.parametrize("poison", [1.7e308, math.inf])
def test_meeting_and_slides_on_a_poisoned_jilin_year(poison, catalog, jilin):
    from analytics.meeting import Meeting
    from analytics.regions import load_regions
    from analytics.slides import build_slides
    from analytics.store import load_demo

    obs = load_demo(catalog)
    obs = obs[obs["year"] == 2024].copy()
    hit = obs["region_code"].isin(["220104", "220105"]) & (obs["indicator_id"] == "premarital_exam")
    obs.loc[hit, "numerator"] = poison  # two counties of one prefecture: their sum overflowed before
    obs.attrs[CONTRACT_MARK] = True
    meeting = Meeting.from_observations(
        obs,
        catalog=catalog,
        regions=load_regions(),
        profile=jilin,
        region_code="220000",
        year=2024,
        lang="zh",
        source_text="test",
        synthetic=True,
    )
    slides = build_slides(meeting)
    assert slides
    assert status_of(meeting.levels["county"], "220104", "premarital_exam")["status"] == "no_data"
    assert status_of(meeting.levels["prefecture"], "220100", "premarital_exam")["status"] in (
        "met",
        "not_met",
    )


# --- the contract on every path: refused with the row, nothing stored ---------------------------------------
def test_a_csv_with_1e309_is_refused_at_its_line(tmp_path):
    path = tmp_path / "obs.csv"
    path.write_text(
        "region_code,year,indicator_id,numerator,denominator,value\n"
        "220102,2024,premarital_exam,700,1000,\n"
        "220103,2024,premarital_exam,1e309,1000,\n"
        "220104,2024,rehab_physicians,1.7e308,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ObservationError) as exc:
        read_observations_csv(path)
    assert [(p.code, p.row, p.column) for p in exc.value.problems] == [
        ("not_finite", 3, "numerator"),
        ("count_too_large", 4, "numerator"),
    ]
    assert "第3行 numerator列：“1e309”不是有限的数字" in exc.value.message("zh")
    assert "Row 3 column numerator: '1e309' is not a finite number" in exc.value.message("en")


@pytest.mark.parametrize("poison", ["1e308", "1.7e308", "1e309", "inf", "-inf"])
def test_the_store_refuses_impossible_numbers_and_stays_unchanged(poison, tmp_path, monkeypatch):
    from analytics.store import PASSPHRASE_ENV, Store, StoreError

    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    store = Store(tmp_path / "atlas.sqlite")
    good = pd.DataFrame([("220102", 2024, "premarital_exam", 700, 1000, None)], columns=COLUMNS)
    store.import_observations(good, dataset="d", source_name="a.csv", sha256="a")
    versions, current = store.versions(), store.current()
    bad = pd.DataFrame(
        [
            ("220102", 2024, "premarital_exam", 700, 1000, None),
            ("220103", 2024, "premarital_exam", poison, 1000, None),
        ],
        columns=COLUMNS,
    )
    with pytest.raises(StoreError) as exc:
        store.import_observations(bad, dataset="d", source_name="b.csv", sha256="b")
    assert "第2行 numerator列：" in exc.value.message("zh")
    assert store.versions().equals(versions) and store.current().equals(current)
