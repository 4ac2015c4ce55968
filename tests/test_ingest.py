"""Reading departments' submissions: every supported shape reads back exactly; every bad file fails precisely."""

from __future__ import annotations

import importlib.util
import io
import random
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from analytics.attainment import OBS_COLUMNS
from analytics.intake import Submission, parse_number, read_submission, resolve_indicator
from analytics.regions import load_regions
from analytics.schema import contract_problems
from analytics.templates import make_template, wide_columns

_spec = importlib.util.spec_from_file_location(
    "make_submissions", Path(__file__).parent / "fixtures" / "make_submissions.py"
)
make_submissions = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_submissions)

JILIN, YANBIAN, LIAONING = "220000", "222400", "210000"


@pytest.fixture(scope="session")
def files(tmp_path_factory) -> dict[str, Path]:
    return make_submissions.write_all(tmp_path_factory.mktemp("submissions"))


@pytest.fixture(scope="session")
def demo_2023() -> pd.DataFrame:
    return make_submissions.demo(2023)


def read(path: Path, region: str = JILIN, year: int | None = 2024, **kw) -> Submission:
    return read_submission(path.read_bytes(), path.name, region=region, year=year, **kw)


def codes(sub: Submission) -> list[str]:
    return [p.code for p in sub.problems]


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df[OBS_COLUMNS].sort_values(["region_code", "year", "indicator_id"]).reset_index(drop=True)


# --- good files: every shape reads back to exactly the numbers written --------------------------
GOOD = [
    # file, region, year argument, encoding, layout, header row, sheet, warning codes
    ("gbk_names.csv", JILIN, 2024, "gb18030", "long", 1, None, {"missing_counties"}),
    ("utf8bom_english_codes.csv", JILIN, None, "utf-8-sig", "long", 1, None, set()),
    ("tab_delimited.txt", JILIN, 2024, "utf-8", "long", 3, None, set()),
    ("semicolon.csv", JILIN, None, "gb18030", "long", 1, None, set()),
    ("utf16_tab.txt", JILIN, 2024, "utf-16", "long", 1, None, set()),
    ("wide_title_merged.xlsx", JILIN, 2024, None, "wide", 4, "Sheet1", {"total_row_kept"}),
    ("two_row_header.xlsx", YANBIAN, None, None, "wide", 2, "Sheet1", set()),
    ("merged_county_long.xlsx", JILIN, 2024, None, "long", 2, "Sheet1", {"missing_counties"}),
    ("mixed_codes_names.csv", JILIN, 2024, "utf-8", "long", 1, None, {"missing_counties"}),
    ("mixed_single_column.csv", JILIN, 2024, "utf-8", "long", 1, None, {"missing_counties"}),
    ("template_long.xlsx", JILIN, None, None, "long", 1, "数据", set()),
    ("template_wide.xlsx", JILIN, 2024, None, "wide", 1, "数据", set()),
    ("template_long_en.xlsx", JILIN, 2024, None, "long", 1, "Data", set()),
    ("template_wide_yanbian.xlsx", YANBIAN, 2024, None, "wide", 1, "数据", set()),
]


@pytest.mark.parametrize(
    ("name", "region", "year", "encoding", "layout", "header_row", "sheet", "warns"), GOOD
)
def test_good_file_reads_back_exactly(files, name, region, year, encoding, layout, header_row, sheet, warns):
    sub = read(files[name], region, year)
    assert sub.ok, [p.message_zh for p in sub.errors]
    assert {p.code for p in sub.warnings} == warns
    assert (sub.encoding, sub.layout, sub.header_row, sub.sheet) == (encoding, layout, header_row, sheet)
    expected = pd.read_csv(
        files[name].with_name(name + ".expected.csv"), dtype={"region_code": str, "indicator_id": str}
    )
    got = sub.observations
    assert list(got.columns) == [*OBS_COLUMNS, "source_row"]
    assert got["region_code"].map(type).eq(str).all() and got["year"].dtype == "int64"
    assert (got["source_row"] > header_row).all()
    pd.testing.assert_frame_equal(_sorted(got), _sorted(expected), check_dtype=False, check_exact=True)
    assert contract_problems(got) == []  # what intake hands on passes the one contract


def test_good_files_cover_the_shapes():
    shapes = {g[0] for g in GOOD}
    assert {"template_long.xlsx", "template_wide.xlsx"} <= shapes
    assert {g[3] for g in GOOD} >= {"gb18030", "utf-8-sig", "utf-8", "utf-16", None}


def test_template_round_trip_is_the_demo_year(files):
    """The long template filled with the demo year gives back all 1,488 demo rows of 2024, numbers intact."""
    sub = read(files["template_long.xlsx"], JILIN, None)
    demo = make_submissions.demo(2024)
    assert len(sub.observations) == len(demo) == 1488
    pd.testing.assert_frame_equal(_sorted(sub.observations), _sorted(demo), check_exact=True)


def test_source_rows_point_at_the_spreadsheet_rows(files):
    sub = read(files["gbk_names.csv"])
    first = sub.observations.sort_values("source_row").iloc[0]
    assert (first["source_row"], first["region_code"], first["indicator_id"]) == (
        2,
        "220721",
        "premarital_exam",
    )
    wide = read(files["wide_title_merged.xlsx"])
    assert wide.observations["source_row"].min() == 5  # title, unit line, blank row, header: data from row 5


def test_sha256_is_of_the_bytes(files):
    import hashlib

    data = files["gbk_names.csv"].read_bytes()
    assert read(files["gbk_names.csv"]).sha256 == hashlib.sha256(data).hexdigest()


# --- bad files: not ok, a specific code, a Chinese message naming the row -----------------------------
BAD = [
    # file, region, year, error code, row (None: the whole file), fragment of the Chinese message
    ("empty.csv", JILIN, 2024, "empty_file", None, "是空的"),
    ("junk.xlsx", JILIN, 2024, "not_a_workbook", None, "不是 Excel 工作簿"),
    ("not_a_workbook.xlsx", JILIN, 2024, "not_a_workbook", None, "zip 压缩包，但不是 Excel 工作簿"),
    ("nul_bytes.csv", JILIN, 2024, "nul_bytes", None, "空字节"),
    ("utf16_no_bom.csv", JILIN, 2024, "nul_bytes", None, "UTF-16"),
    ("unknown_encoding.csv", JILIN, 2024, "unknown_encoding", None, "既不是 UTF-8 也不是 GBK"),
    ("old_excel.xls", JILIN, 2024, "xls_not_supported", None, "另存为"),
    ("html_table.xls", JILIN, 2024, "html_not_supported", None, "网页"),
    ("truncated.xlsx", JILIN, 2024, "corrupt_workbook", None, "已损坏"),
    ("negative.csv", JILIN, 2024, "negative_count", 3, "第3行 E列（分子）：婚前医学检查率的分子是负数（-5）"),
    (
        "unknown_code.csv",
        JILIN,
        2024,
        "unknown_county",
        2,
        "第2行：地区代码“229999”不是吉林省（220000）的县级",
    ),
    (
        "unknown_name.csv",
        JILIN,
        2024,
        "unknown_county",
        5,
        "第5行：找不到县“伊通满族县”（在吉林省内）；相近的名称：四平市伊通满族自治县（220323）",
    ),
    (
        "outside_region.csv",
        YANBIAN,
        2024,
        "county_outside_region",
        3,
        "第3行：“南关区”是吉林省长春市南关区（220102），不在本次填报的地区延边朝鲜族自治州（222400）内",
    ),
    ("impossible_year.csv", JILIN, 2024, "impossible_year", 2, "第2行 C列（年份）：年份 1999 不可能"),
    ("impossible_year.csv", JILIN, None, "impossible_year", 3, "第3行 C列（年份）：年份 2099 不可能"),
    (
        "year_mismatch.csv",
        JILIN,
        2024,
        "year_mismatch",
        3,
        "第3行 C列（年份）：年份是 2023，但本次导入指定的是 2024 年",
    ),
    ("missing_year.csv", JILIN, None, "missing_year", None, "没有“年份”列"),
    ("conflicting_duplicates.csv", JILIN, 2024, "duplicate_conflict", 4, "第4行与第2行是同一县、年份、指标"),
    (
        "unknown_indicator.csv",
        JILIN,
        2024,
        "unknown_indicator",
        3,
        "第3行 D列（指标编号）：未知指标“婚检率率”",
    ),
    (
        "unknown_indicator_wide.xlsx",
        JILIN,
        2024,
        "unknown_indicator",
        1,
        "列名“不存在的指标（分子）”不是已知的指标",
    ),
    ("text_in_number.csv", JILIN, 2024, "text_in_number", 3, "第3行 E列（分子）：“abc”不是数字"),
    (
        "status_not_binary.csv",
        JILIN,
        2024,
        "status_not_binary",
        3,
        "只能填 1（达标）或 0（未达标），不能是“2”",
    ),
    ("missing_columns.csv", JILIN, 2024, "missing_columns", 1, "缺少必需的列：指标"),
    ("no_header.csv", JILIN, 2024, "missing_columns", None, "找不到表头"),
    ("missing_number_columns.csv", JILIN, 2024, "missing_columns", 1, "分子、分母或值"),
    ("formulas.xlsx", JILIN, 2024, "formula", 5, "第5行 C列（分子）是公式（=C4+1），请粘贴为数值"),
    (
        "numerator_gt_denominator.csv",
        JILIN,
        2024,
        "numerator_exceeds_denominator",
        3,
        "第3行 E列（分子）：婚前医学检查率的分子（25）大于分母（20）",
    ),
    (
        "zero_denominator.csv",
        JILIN,
        2024,
        "zero_denominator",
        2,
        "第2行 F列（分母）：婚前医学检查率的分母为 0，但分子是 5",
    ),
    ("incomplete_pair.csv", JILIN, 2024, "incomplete_pair", 2, "填了分子（5）但没有填分母"),
    ("rate_over_100.csv", JILIN, 2024, "value_out_of_range", 2, "值（120）不能超过 100"),
    ("header_only.csv", JILIN, 2024, "header_only", 1, "表中只有表头（第1行）"),
    ("unfilled_template.xlsx", JILIN, 2024, "no_data", None, "没有任何数据"),
    (
        "ambiguous.csv",
        LIAONING,
        2024,
        "ambiguous_county",
        3,
        "第3行：县名“铁西区”在辽宁省内有歧义，可能是：沈阳市铁西区（210106）、鞍山市铁西区（210303）",
    ),
    (
        "code_name_mismatch.csv",
        JILIN,
        2024,
        "code_name_mismatch",
        2,
        "地区代码“220102”是南关区（220102），但地区名称“宽城区”是宽城区（220103）",
    ),
    ("duplicate_column.csv", JILIN, 2024, "duplicate_column", 1, "C列（分子）、D列（分子）"),
]


@pytest.mark.parametrize(("name", "region", "year", "code", "row", "fragment"), BAD)
def test_bad_file_fails_precisely(files, name, region, year, code, row, fragment):
    sub = read(files[name], region, year)
    assert not sub.ok
    matching = [p for p in sub.errors if p.code == code and p.row == row]
    assert matching, (
        f"expected {code} in row {row}, got {[(p.code, p.row, p.message_zh) for p in sub.problems]}"
    )
    p = matching[0]
    assert fragment in p.message_zh, p.message_zh
    if row is not None and code not in (
        "missing_columns",
        "header_only",
        "unknown_indicator",
        "duplicate_column",
    ):
        assert p.message_zh.startswith(f"第{row}行")
    assert p.message_en and p.severity == "error"


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
ENGLISH = [
    "negative_count",
    "numerator_exceeds_denominator",
    "unknown_county",
    "county_outside_region",
    "ambiguous_county",
    "impossible_year",
    "year_mismatch",
    "duplicate_conflict",
    "unknown_indicator",
    "text_in_number",
    "status_not_binary",
    "formula",
    "duplicate_column",
    "missing_columns",
    "not_a_workbook",
]


def _without_names(message: str, places: list[str]) -> str:
    """The message less what may stay Chinese in English: quoted cell text, headers as written, place names."""
    message = re.sub(r"'[^']*'", "", message)
    message = re.sub(r"column [A-Z]+ \([^)]*\)", "column", message)
    for name in places:
        message = message.replace(name, "")
    return message


@pytest.mark.parametrize(
    ("name", "region", "year", "code"), [(b[0], b[1], b[2], b[3]) for b in BAD if b[3] in ENGLISH]
)
def test_english_messages_are_english(files, name, region, year, code):
    places = sorted(load_regions().frame["name"], key=len, reverse=True)
    sub = read(files[name], region, year)
    found = [p for p in sub.problems if p.code == code]
    assert found
    for p in found:
        text = p.message("en")
        assert not _CJK.search(_without_names(text, places)), text
        assert p.message("zh") != text


def test_at_least_twenty_distinct_bad_files():
    assert len({b[0] for b in BAD}) >= 20
    assert len({b[3] for b in BAD}) >= 20


def test_good_rows_of_a_bad_file_are_kept_for_the_preview_only(files):
    sub = read(files["negative.csv"])
    assert not sub.ok and list(sub.observations["region_code"]) == [
        "220102"
    ]  # the importer refuses: ok is False


def test_merged_county_cells_are_read_down_and_footnotes_skipped(files):
    sub = read(files["merged_county_long.xlsx"])
    assert sub.ok and sorted(set(sub.observations["region_code"])) == ["220102", "220721", "222401"]
    assert list(sub.observations["source_row"]) == list(range(3, 12))


def test_dash_counts_as_empty(files):
    sub = read(files["text_in_number.csv"])
    assert [p.row for p in sub.errors] == [3]  # row 2 has "—" in 值: empty, not an error
    assert np.isnan(sub.observations.iloc[0]["value"])


def test_formula_is_not_also_reported_as_a_missing_number(files):
    assert [p.code for p in read(files["formulas.xlsx"]).errors] == ["formula"]


def test_each_outside_county_is_named(files):
    sub = read(files["outside_region.csv"], YANBIAN)
    outside = [p for p in sub.errors if p.code == "county_outside_region"]
    assert [p.row for p in outside] == [3, 4]
    assert "宽城区（220103）" in outside[1].message_zh


def test_a_whole_template_of_the_wrong_region_is_outside(files):
    sub = read(files["template_wide.xlsx"], YANBIAN)
    outside = {p.row for p in sub.errors if p.code == "county_outside_region"}
    assert not sub.ok and len(outside) == 60 - 8  # 延边's own 8 counties are fine


@pytest.mark.parametrize(
    ("region", "year", "code"),
    [
        ("999999", 2024, "unknown_region"),
        ("220102", 2024, "region_not_province_or_prefecture"),
        (JILIN, 1990, "impossible_year"),
    ],
)
def test_bad_arguments_are_a_problem_not_an_exception(files, region, year, code):
    sub = read(files["gbk_names.csv"], region, year)
    assert codes(sub) == [code] and not sub.ok


# --- warnings: shown, import allowed ------------------------------------------------------------------
WARN = [
    ("value_only.csv", "value_only", 2, "第2行：婚前医学检查率只有值（68.1%）没有分子分母"),
    ("identical_duplicates.csv", "duplicate_identical", 3, "第3行与第2行重复"),
    ("csv_named_xlsx.xlsx", "extension_mismatch", None, "已按 CSV"),
    ("subtotal_rows.csv", "total_row_kept", 3, "“220100”是长春市的汇总行，作为部门报送的长春市数保留"),
    ("gbk_names.csv", "missing_counties", None, "有 56 个没有任何数据：南关区（220102）"),
    ("unnamed_column.csv", "ignored_column", 1, "E列没有列名（第1行为空），其中的内容已忽略（例如第2行）"),
]


@pytest.mark.parametrize(("name", "code", "row", "fragment"), WARN)
def test_warning_files_may_be_imported(files, name, code, row, fragment):
    sub = read(files[name])
    assert sub.ok, [p.message_zh for p in sub.errors]
    p = next(p for p in sub.warnings if p.code == code)
    assert p.row == row and fragment in p.message_zh, p.message_zh


def test_jump_of_more_than_20_points_from_previous_year_is_a_warning(files, demo_2023):
    sub = read(files["large_change.csv"], previous=demo_2023)
    assert sub.ok
    jumps = [p for p in sub.warnings if p.code == "large_change"]
    assert [p.row for p in jumps] == [2]  # 宽城区 in row 3 keeps its demo value: no warning
    assert "南关区 婚前医学检查率 2024年为 98.0%，比2023年（66.7%）上升 31.3 个百分点" in jumps[0].message_zh
    assert "large_change" not in codes(read(files["large_change.csv"]))  # no previous data, no comparison


def test_identical_duplicates_are_kept_once(files):
    assert len(read(files["identical_duplicates.csv"]).observations) == 1


def test_year_from_the_title_when_nothing_else_says(files):
    sub = read(files["tab_delimited.txt"], year=None)
    assert sub.ok and set(sub.observations["year"]) == {2024}
    assert "year_from_title" in codes(sub)
    assert "title_year_mismatch" in codes(read(files["tab_delimited.txt"], year=2023))


# --- robustness -------------------------------------------------------------------------------------
def test_never_raises_on_damaged_input(files):
    rng = random.Random(1)
    for name in ("gbk_names.csv", "two_row_header.xlsx", "utf16_tab.txt", "semicolon.csv"):
        data = files[name].read_bytes()
        variants = [data[: rng.randrange(len(data))] for _ in range(6)]
        for _ in range(6):
            b = bytearray(data)
            for _ in range(5):
                b[rng.randrange(len(b))] = rng.randrange(256)
            variants.append(bytes(b))
        for v in variants:
            sub = read_submission(v, name, region=JILIN, year=2024)
            assert isinstance(sub, Submission)
            assert all(p.severity in ("error", "warning") and p.message_zh for p in sub.problems)


# --- names, headers and numbers ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "前郭县",
        "前郭尔罗斯蒙古族自治县",
        "220721",
        "220721000000",
        "松原市前郭县",
        "吉林省松原市前郭尔罗斯蒙古族自治县",
        " 前郭县 ",
    ],
)
def test_county_written_any_way(text):
    data = make_submissions._csv([["县（市、区）", "指标", "分子", "分母"], [text, "婚检率", "1", "2"]])
    sub = read_submission(data, "x.csv", region=JILIN, year=2024)
    assert sub.ok and list(sub.observations["region_code"]) == ["220721"]


@pytest.mark.parametrize(
    "pattern",
    [
        "婚前医学检查率（{zh}）",
        "婚前医学检查率（%）（{zh}）",
        "婚前医学检查率 (%) ({zh})",
        "婚检率({zh})",
        "婚检率{zh}",
        "premarital_exam ({en})",
        "premarital_exam_{en}",
        "ＰＲＥＭＡＲＩＴＡＬ＿ＥＸＡＭ（{zh}）",
        "Premarital medical examination rate ({en})",
    ],
)
def test_wide_headers_written_any_way(pattern):
    header = [
        "地区名称",
        pattern.format(zh="分子", en="numerator"),
        pattern.format(zh="分母", en="denominator"),
    ]
    data = make_submissions._csv([header, ["南关区", "2166", "3181"]])
    sub = read_submission(data, "x.csv", region=JILIN, year=2024)
    assert sub.ok and sub.layout == "wide", [p.message_zh for p in sub.problems]
    row = sub.observations.iloc[0]
    assert (row["indicator_id"], row["numerator"], row["denominator"]) == ("premarital_exam", 2166, 3181)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("premarital_exam", "premarital_exam"),
        ("婚前医学检查率", "premarital_exam"),
        ("婚检率", "premarital_exam"),
        ("婚前医学检查率（%）", "premarital_exam"),
        ("婚前医学检查率 (%)", "premarital_exam"),
        ("百万人口白内障复明手术率（例/百万人口）", "cataract_surgery_rate"),
        ("控制和消除重大地方病的县（市、区）", "endemic_disease_control"),
        ("开展精神障碍社区康复服务的县（市、区）", "mental_rehab_counties"),
        (
            "开展精神障碍社区康复服务的县（市、区）的居家患者接受社区康复服务比率",
            "mental_rehab_home_patients",
        ),
        ("３岁以下儿童系统管理率", "child_under3_management"),
        ("婚检率率", None),
        ("", None),
    ],
)
def test_resolve_indicator(catalog, text, expected):
    assert resolve_indicator(text, catalog) == expected


def test_every_catalog_name_resolves_to_itself(catalog):
    for ind in catalog.indicators:
        for text in (ind.id, ind.name_zh, ind.short_zh, ind.name_en):
            assert resolve_indicator(text, catalog) == ind.id, text


@pytest.mark.parametrize(
    ("cell", "percent_ok", "expected"),
    [
        (12, False, (12.0, True)),
        (12.5, False, (12.5, True)),
        ("1,234", False, (1234.0, True)),
        ("１２３４", False, (1234.0, True)),
        (" 56 ", False, (56.0, True)),
        ("—", False, (None, True)),
        ("-", False, (None, True)),
        ("", False, (None, True)),
        (None, False, (None, True)),
        ("85.3%", True, (85.3, True)),
        ("85.3%", False, (None, False)),
        ("abc", False, (None, False)),
        ("无", False, (None, False)),
        ("1.2.3", False, (None, False)),
        (True, False, (None, False)),
        ("-5", False, (-5.0, True)),
    ],
)
def test_parse_number(cell, percent_ok, expected):
    assert parse_number(cell, percent_ok=percent_ok) == expected


# --- the observation contract -------------------------------------------------------------------------
def _good_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region_code": ["220102", "220102", "220103"],
            "year": [2024, 2024, 2024],
            "indicator_id": ["premarital_exam", "endemic_disease_control", "work_safety_accidents"],
            "numerator": [2166.0, np.nan, 11.0],
            "denominator": [3181.0, np.nan, np.nan],
            "value": [np.nan, 1.0, np.nan],
        }
    )


def test_contract_accepts_good_frames():
    assert contract_problems(_good_frame()) == []
    assert contract_problems(make_submissions.demo(2024)) == []


@pytest.mark.parametrize(
    ("column", "row", "bad", "code"),
    [
        ("region_code", 0, "2201", "bad_region_code"),
        ("year", 0, 1999, "impossible_year"),
        ("year", 0, 2999, "impossible_year"),
        ("indicator_id", 0, "no_such_indicator", "unknown_indicator"),
        ("numerator", 0, -1.0, "negative_count"),
        ("denominator", 0, -1.0, "negative_count"),
        ("numerator", 0, 4000.0, "numerator_exceeds_denominator"),
        ("value", 1, 2.0, "status_not_binary"),
        ("indicator_id", 1, "premarital_exam", "duplicate_key"),
    ],
)
def test_contract_rejects_bad_frames(column, row, bad, code):
    df = _good_frame()
    df.loc[row, column] = bad
    assert code in {p.code for p in contract_problems(df)}


# --- templates ----------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def templates(catalog):
    regions = load_regions()
    return {
        layout: load_workbook(
            io.BytesIO(make_template(JILIN, 2024, layout, catalog=catalog, regions=regions))
        )
        for layout in ("long", "wide")
    }


def test_template_sheets(templates, catalog):
    wb = templates["long"]
    assert wb.sheetnames == ["说明", "指标", "县", "数据"]
    guide = "\n".join(str(r[0]) for r in wb["说明"].iter_rows(values_only=True))
    for words in ("吉林省", "2024", "分子", "分母", "1", "0", "生产安全事故", "当年", "示例", "不是数据"):
        assert words in guide
    ind_rows = list(wb["指标"].iter_rows(values_only=True))
    assert ind_rows[0] == ("id", "中文名称", "单位", "类型", "分子含义", "分母含义")
    assert [r[0] for r in ind_rows[1:]] == catalog.ids
    county_rows = list(wb["县"].iter_rows(values_only=True))
    assert county_rows[0] == ("代码", "名称", "所属市州") and len(county_rows) == 61
    assert ("220721", "前郭尔罗斯蒙古族自治县", "松原市") in county_rows


def test_long_template_data_sheet(templates, catalog):
    ws = templates["long"]["数据"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("地区代码", "地区名称", "年份", "指标编号", "指标名称", "分子", "分母", "值")
    assert rows[1][0] == "示例"
    assert len(rows) == 2 + 60 * len(catalog)
    assert rows[2][:5] == (
        "220102",
        "南关区",
        2024,
        "knowledge_awareness",
        catalog["knowledge_awareness"].name_zh,
    )
    assert all(r[5:] == (None, None, None) for r in rows[2:])
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["E"].width >= 40


def test_wide_template_data_sheet(templates, catalog):
    ws = templates["wide"]["数据"]
    header = next(ws.iter_rows(values_only=True))
    assert header[:3] == ("地区代码", "地区名称", "年份")
    assert "婚前医学检查率（分子）" in header and "婚前医学检查率（分母）" in header
    assert "控制和消除重大地方病的县（市、区）（是否达标 1/0）" in header
    assert "生产安全事故发生起数（当年起数）" in header
    assert len(header) == 3 + sum(len(wide_columns(i)) for i in catalog.indicators)
    assert ws.max_row == 2 + 60 and ws.freeze_panes == "D2"


def test_template_rejects_unknown_layout_and_county_region(catalog):
    with pytest.raises(ValueError):
        make_template(JILIN, 2024, "tall", catalog=catalog, regions=load_regions())
    with pytest.raises(ValueError):
        make_template("220102", 2024, "long", catalog=catalog, regions=load_regions())
