"""The one observation contract: good rows pass, each bad row fails with its own code, field and row number,
and every path that brings observations in answers alike."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.errors import AtlasError
from analytics.schema import (
    CONTRACT_MARK,
    ObservationError,
    contract_problems,
    ensure_valid,
    read_observations_csv,
    validate_observations,
)

COLUMNS = ["region_code", "year", "indicator_id", "numerator", "denominator", "value"]


def frame(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=COLUMNS)


VALID_ROWS = [
    ("220102", 2024, "premarital_exam", 700, 1000, None),
    ("220102", 2024, "prenatal_screening", 1000, 1000, 100.0),  # exactly 100 %: allowed
    ("220102", 2024, "endemic_disease_control", None, None, 1),
    ("220103", 2024, "endemic_disease_control", None, None, 0),
    ("220102", 2024, "rehab_physicians", 12, None, None),  # per population: census denominator later
    ("220102", 2024, "work_safety_accidents", 4, None, -25.0),  # reduction may be negative
    ("220102", 2024, "cataract_surgery_rate", None, None, 2400.0),  # value only, no ceiling
    ("220102", 2024, "mental_rehab_home_patients", 0, 0, None),  # 0 of 0: no data, not an error
]


def test_valid_rows_pass_and_are_typed_and_marked():
    out = validate_observations(frame(*VALID_ROWS))
    assert len(out) == len(VALID_ROWS)
    assert out["year"].dtype == "int64" and out["numerator"].dtype == "float64"
    assert out.attrs[CONTRACT_MARK] is True
    assert ensure_valid(out) is out  # marked frames are not checked again


# (row, expected code, field) — each row breaks exactly one rule
BAD = [
    (("220102", 2024, "endemic_disease_control", None, None, 7), "status_not_binary", "value"),
    (("220102", 2024, "endemic_disease_control", None, None, 0.5), "status_not_binary", "value"),
    (("220102", 2024, "endemic_disease_control", 1, None, 0), "status_mismatch", "value"),
    (("220102", 2024, "endemic_disease_control", None, 2, 1), "status_denominator", "denominator"),
    (("220102", 2024, "premarital_exam", 1001, 1000, None), "numerator_exceeds_denominator", "numerator"),
    (("220102", 2024, "premarital_exam", -1, 1000, None), "negative_count", "numerator"),
    (("220102", 2024, "rehab_physicians", 3, -10, None), "negative_count", "denominator"),
    (("220102", 2024, "premarital_exam", None, None, 100.5), "value_out_of_range", "value"),
    (("220102", 2024, "premarital_exam", None, None, -0.1), "value_out_of_range", "value"),
    (("220102", 2024, "work_safety_accidents", 3, None, 101), "value_out_of_range", "value"),
    (("220102", 2024, "premarital_exam", 5, None, None), "incomplete_pair", "numerator"),
    (("220102", 2024, "premarital_exam", None, 5, None), "incomplete_pair", "denominator"),
    (("220102", 2024, "premarital_exam", 5, 0, None), "zero_denominator", "denominator"),
    (("22010", 2024, "premarital_exam", 5, 10, None), "bad_region_code", "region_code"),
    (("220102", 1999, "premarital_exam", 5, 10, None), "impossible_year", "year"),
    (("220102", 2024, "no_such_indicator", 5, 10, None), "unknown_indicator", "indicator_id"),
    (("220102", "二〇二四", "premarital_exam", 5, 10, None), "bad_year", "year"),
    (("220102", 2024, "premarital_exam", "abc", 10, None), "text_in_number", "numerator"),
    (("220102", 2024, "premarital_exam", float("inf"), 10, None), "not_finite", "numerator"),
    # numbers no indicator can have (issue 14): inf in any column, "1e309" (read as inf), 1e308 counts
    (("220102", 2024, "premarital_exam", 5, float("-inf"), None), "not_finite", "denominator"),
    (("220102", 2024, "cataract_surgery_rate", None, None, float("inf")), "not_finite", "value"),
    (("220102", 2024, "cataract_surgery_rate", "1e309", None, None), "not_finite", "numerator"),
    (("220102", 2024, "premarital_exam", "nan", 10, None), "text_in_number", "numerator"),
    (("220102", 2024, "premarital_exam", 5, 1.7e308, None), "count_too_large", "denominator"),
    (("220102", 2024, "rehab_physicians", 1e308, None, None), "count_too_large", "numerator"),
    # reported alone: 1.7e308 also "exceeds its denominator", which says nothing more
    (("220102", 2024, "premarital_exam", 1.7e308, 1000, None), "count_too_large", "numerator"),
    (("220102", 2024, "premarital_exam", -1e308, 1000, None), "negative_count", "numerator"),
    (("220102", 2024, "rehab_physicians", 12, 1.7e308, None), "count_too_large", "denominator"),
    (("220102", 2024, "work_safety_accidents", 1e308, None, None), "count_too_large", "numerator"),
    (("220102", 2024, "cataract_surgery_rate", None, None, 1e308), "value_out_of_range", "value"),
    (("220102", 2024, "work_safety_accidents", None, None, -1e308), "value_out_of_range", "value"),
]


@pytest.mark.parametrize(
    ("row", "code", "field"), BAD, ids=[f"{c}-{r[2]}-{i}" for i, (r, c, _) in enumerate(BAD)]
)
def test_each_bad_row_fails_with_its_code_field_and_line(row, code, field):
    other = ("220104", 2024, "prenatal_screening", 1, 2, None)  # a valid row of another key
    problems = contract_problems(frame(other, row))
    assert [(p.code, p.column, p.row) for p in problems] == [(code, field, 3)]  # CSV line 3
    p = problems[0]
    assert p.message("zh").startswith("第3行") and p.message("en").startswith("Row 3")


def test_boundaries_are_exact():
    ok = frame(("220102", 2024, "premarital_exam", 1000, 1000, 100.0))  # numerator == denominator
    assert contract_problems(ok) == []
    assert [p.code for p in contract_problems(ok.assign(numerator=1000.0000001))] == [
        "numerator_exceeds_denominator"
    ]


# (indicator, column, the largest number it may hold): exactly at the limit passes, the next float above fails
LIMITS = [
    ("rehab_physicians", "numerator", 2_000_000_000.0, "count_too_large"),
    ("rehab_physicians", "denominator", 2_000_000_000.0, "count_too_large"),
    ("work_safety_accidents", "numerator", 2_000_000_000.0, "count_too_large"),
    ("cataract_surgery_rate", "value", 1_000_000.0, "value_out_of_range"),
]


@pytest.mark.parametrize(("indicator", "column", "limit", "code"), LIMITS)
def test_the_largest_allowed_number_passes_and_the_next_fails(indicator, column, limit, code):
    row = {"region_code": "220102", "year": 2024, "indicator_id": indicator}
    row.update({"numerator": 5.0, "denominator": None, "value": None, column: limit})
    assert contract_problems(pd.DataFrame([row], columns=COLUMNS)) == []
    row[column] = np.nextafter(limit, np.inf)
    assert [(p.code, p.column, p.row) for p in contract_problems(pd.DataFrame([row], columns=COLUMNS))] == [
        (code, column, 2)
    ]


def test_a_rate_at_two_billion_passes_and_one_more_person_fails():
    at = frame(("220102", 2024, "premarital_exam", 2_000_000_000, 2_000_000_000, None))
    assert contract_problems(at) == []
    over = frame(("220102", 2024, "premarital_exam", 2_000_000_000, 2_000_000_001, None))
    assert [(p.code, p.column) for p in contract_problems(over)] == [("count_too_large", "denominator")]


def test_a_reduction_at_its_floor_passes_and_below_fails():
    at = frame(("220102", 2024, "work_safety_accidents", None, None, -1_000_000))
    assert contract_problems(at) == []
    below = at.assign(value=np.nextafter(-1_000_000.0, -np.inf))
    assert [(p.code, p.fields["variant"]) for p in contract_problems(below)] == [
        ("value_out_of_range", "below")
    ]


def test_impossible_numbers_are_named_with_their_row_in_both_languages():
    problems = contract_problems(
        frame(
            VALID_ROWS[0],
            ("220103", 2024, "rehab_physicians", 1e308, None, None),
            ("220104", 2024, "premarital_exam", "1e309", 10, None),
            ("220105", 2024, "cataract_surgery_rate", None, None, 1.7e308),
        )
    )
    assert [p.message("zh") for p in problems] == [
        "第3行 numerator列：每10万人口康复医师人数的分子（1e+308）超过 2000000000，"
        "不可能是一个地区的人数或次数（全国人口约 14 亿）",
        "第4行 numerator列：“1e309”不是有限的数字",
        "第5行 value列：百万人口白内障复明手术率的值（1.7e+308）不能超过 1000000",
    ]
    assert [p.message("en") for p in problems] == [
        "Row 3 column numerator: the numerator of Rehabilitation physicians per 100,000 population (1e+308) "
        "exceeds 2000000000: no region counts that many people or events (China has about 1.4 billion "
        "residents)",
        "Row 4 column numerator: '1e309' is not a finite number",
        "Row 5 column value: the value of Cataract sight-restoring surgery rate per million population "
        "(1.7e+308) cannot exceed 1000000",
    ]


def test_duplicate_key_names_the_second_row():
    problems = contract_problems(frame(VALID_ROWS[0], VALID_ROWS[2], VALID_ROWS[0]))
    assert [(p.code, p.row) for p in problems] == [("duplicate_key", 4)]


def test_given_row_numbers_are_used():
    problems = contract_problems(frame(BAD[0][0]), rows=np.array([17]))
    assert problems[0].row == 17 and problems[0].message("zh").startswith("第17行 value列")


def test_several_problems_in_one_row_are_all_reported():
    codes = {p.code for p in contract_problems(frame(("220102", 1999, "nope", "abc", 10, None)))}
    assert codes == {"impossible_year", "unknown_indicator", "text_in_number"}


def test_missing_number_columns_are_empty_but_keys_are_required():
    assert contract_problems(frame(*VALID_ROWS[:1]).drop(columns=["value"])) == []
    (p,) = contract_problems(frame(*VALID_ROWS[:1]).drop(columns=["year"]))
    assert p.code == "missing_columns" and "year" in p.message("zh")


def test_error_lists_rows_in_both_languages():
    with pytest.raises(ObservationError) as exc:
        validate_observations(frame(BAD[0][0], BAD[4][0], BAD[6][0]), source="x.csv")
    assert len(exc.value.problems) == 3
    zh, en = exc.value.message("zh"), exc.value.message("en")
    assert zh.startswith("x.csv 有 3 处问题") and "第2行" in zh and "第4行" in zh
    assert en.startswith("x.csv: 3 problems") and "Row 2" in en


def test_csv_reader_numbers_lines_and_refuses(tmp_path):
    path = tmp_path / "obs.csv"
    path.write_text(
        "region_code,year,indicator_id,numerator,denominator,value\n"
        "220102,2024,premarital_exam,700,1000,\n"
        "220102,2024,endemic_disease_control,,,7\n",
        encoding="utf-8",
    )
    with pytest.raises(ObservationError) as exc:
        read_observations_csv(path)
    assert [(p.code, p.row) for p in exc.value.problems] == [("status_not_binary", 3)]
    with pytest.raises(AtlasError, match="找不到数据文件"):
        read_observations_csv(tmp_path / "missing.csv")


def test_the_demo_file_passes():
    from analytics.store import DEMO_FILE, load_demo

    demo = load_demo()
    assert len(demo) == DEMO_FILE.read_text(encoding="utf-8").count("\n") - 1 and demo.attrs[CONTRACT_MARK]


@settings(max_examples=60, deadline=None)
@given(
    num=st.integers(0, 10_000),
    extra=st.integers(0, 10_000),
    status=st.sampled_from([0, 1]),
)
def test_property_valid_rates_and_statuses_pass(num, extra, status):
    df = frame(
        ("220102", 2024, "premarital_exam", num, num + extra, None),
        ("220102", 2024, "endemic_disease_control", None, None, status),
    )
    assert contract_problems(df) == []


@settings(max_examples=60, deadline=None)
@given(den=st.integers(1, 10_000), over=st.integers(1, 10_000))
def test_property_a_numerator_above_its_denominator_always_fails(den, over):
    problems = contract_problems(frame(("220102", 2024, "premarital_exam", den + over, den, None)))
    assert [p.code for p in problems] == ["numerator_exceeds_denominator"]
