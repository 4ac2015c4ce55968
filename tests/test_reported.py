"""Real department data: total rows kept as reported aggregates, warnings summarised, 完成率 headers, prefixed
county names, and indicator 22 counted only where indicator 21 is 1 — each with a known answer."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from analytics.__main__ import main
from analytics.attainment import REPORTED_TOLERANCE, attainment, not_applicable, prepare
from analytics.catalog import CatalogError, load_catalog, load_profile
from analytics.errors import problem
from analytics.intake import read_submission
from analytics.intake.summary import FIRST_ROWS, formula_safe, problems_csv, summarise
from analytics.regions import load_regions
from analytics.store import Store

ROOT = Path(__file__).resolve().parent.parent

JILIN, CHANGCHUN, JILIN_CITY = "220000", "220100", "220200"
REHAB = ["mental_rehab_home_patients", "disability_rehab_coverage", "assistive_device_fitting"]
PROVINCE_FIGURES = {  # what the department wrote on its 全省 row, and the status each gives (targets: > 60, > 85, > 85)
    "mental_rehab_home_patients": (62.5, "met"),
    "disability_rehab_coverage": (85.0, "not_met"),
    "assistive_device_fitting": (91.2, "met"),
}


@pytest.fixture(scope="module")
def regions():
    return load_regions()


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def profile():
    return load_profile()


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def county_label(regions, code: str) -> str:
    """As the department writes it: 吉林市's districts with the prefecture in front (吉林市昌邑区)."""
    name = regions.name(code)
    return f"吉林市{name}" if regions.get(code).parent_code == JILIN_CITY else name


def rehab_values_only(regions) -> tuple[bytes, int]:
    """The finding: 60 Jilin counties x 3 rehabilitation indicators, values only (完成率 / 覆盖率 / 达标率 under
    the indicator names), 10 cells left empty (170 values), and the province total on the last row."""
    rows: list[list] = [
        ["吉林省2024年残疾人康复服务主要指标完成情况"],
        [
            "序号",
            "县（市、区）",
            "开展精神障碍社区康复服务的县（市、区）的居家患者接受社区康复服务比率",
            "残疾人基本康复服务覆盖率",
            "残疾人辅助器具适配率",
        ],
        ["", "", "完成率（%）", "覆盖率（%）", "达标率（%）"],
    ]
    values = 0
    for n, code in enumerate(regions.counties(JILIN)["code"], start=1):
        cells = [round(50 + (n * 7 + k * 11) % 45 + 0.1 * k, 1) for k in range(3)]
        if n % 6 == 0:
            cells[0] = None  # 10 counties without indicator 22
        values += sum(c is not None for c in cells)
        rows.append([n, county_label(regions, code), *cells])
    rows.append(["", "全省", *(PROVINCE_FIGURES[i][0] for i in REHAB)])
    return xlsx(rows), values


@pytest.fixture(scope="module")
def values_only(regions):
    data, values = rehab_values_only(regions)
    return read_submission(data, "康复指标.xlsx", region=JILIN, year=2024), values


# --- 1. reported aggregates -------------------------------------------------------------------------------
def test_values_only_file_reads_every_county_and_keeps_the_province_row(values_only):
    sub, values = values_only
    assert sub.ok, [p.message_zh for p in sub.errors]
    obs = sub.observations
    assert values == 170
    counties = obs[obs["region_code"] != JILIN]
    assert len(counties) == 170 and counties["region_code"].nunique() == 60
    assert counties["numerator"].isna().all() and counties["value"].notna().all()
    province = obs[obs["region_code"] == JILIN].set_index("indicator_id")
    assert province["value"].to_dict() == {i: v for i, (v, _) in PROVINCE_FIGURES.items()}
    assert province["source_row"].unique().tolist() == [64]  # title, two header rows, 60 counties
    kept = [p for p in sub.warnings if p.code == "total_row_kept"]
    assert [p.row for p in kept] == [64]
    assert "“全省”是吉林省的汇总行，作为部门报送的吉林省数保留" in kept[0].message_zh
    assert not any(p.code == "value_only" and p.row == 64 for p in sub.problems)


def test_province_shows_the_reported_figures_where_counties_cannot_sum(
    values_only, regions, catalog, profile
):
    obs = values_only[0].observations.assign(department="省残联")
    ev = attainment(obs, regions, catalog, profile, JILIN, "province", years=[2024])
    ev = ev.set_index(ev["indicator_id"].astype(str))
    for ind_id, (value, status) in PROVINCE_FIGURES.items():
        row = ev.loc[ind_id]
        assert (row["value"], row["status"], row["value_source"]) == (value, status, "reported")
        assert row["reported_value"] == value and row["reported_by"] == "省残联"
        assert pd.isna(row["shortfall"])  # a value alone: no units can be counted
        # indicator 22 counts only counties known to provide community rehabilitation (indicator 21 = 1):
        # the file says nothing about 21, so none of its 50 county values of 22 count
        assert row["n_value_only"] == (0 if ind_id == "mental_rehab_home_patients" else 60)
    others = ev.drop(index=REHAB)
    assert (others["status"] == "no_data").all() and (others["value_source"] == "").all()
    # the prefectures have no figure of their own: still no data (a province total is not split)
    pref = attainment(obs, regions, catalog, profile, JILIN, "prefecture", years=[2024])
    assert (pref["status"] == "no_data").all()
    county = attainment(obs, regions, catalog, profile, JILIN, "county", years=[2024])
    sent = county[county["indicator_id"].astype(str).isin(REHAB) & county["value"].notna()]
    # indicator 22's 50 values wait for indicator 21 (community rehabilitation) of their counties
    assert len(sent) == 120 and (sent["value_source"] == "reported").all()
    home = county[county["indicator_id"] == "mental_rehab_home_patients"]
    assert home["value"].isna().all() and (~home["applicable"]).sum() == 50  # the other 10 sent nothing


def test_reported_aggregates_never_enter_county_sums(regions, catalog, profile):
    obs = pd.DataFrame(
        {
            "region_code": ["220102", "220103", CHANGCHUN, JILIN],
            "year": 2024,
            "indicator_id": "premarital_exam",
            "numerator": [50.0, 30.0, 999.0, 999.0],
            "denominator": [100.0, 100.0, 1000.0, 1000.0],
            "value": np.nan,
        }
    )
    ev = attainment(obs, regions, catalog, profile, JILIN, "province", years=[2024])
    row = ev[ev["indicator_id"] == "premarital_exam"].iloc[0]
    assert (row["numerator"], row["denominator"], row["value"]) == (80, 200, 40.0)
    assert row["value_source"] == "computed" and row["reported_value"] == pytest.approx(99.9)
    pref = attainment(obs, regions, catalog, profile, JILIN, "prefecture", years=[2024])
    cc = pref[(pref["region_code"] == CHANGCHUN) & (pref["indicator_id"] == "premarital_exam")].iloc[0]
    assert (cc["numerator"], cc["denominator"], cc["value_source"]) == (80, 200, "computed")
    county = attainment(obs, regions, catalog, profile, JILIN, "county", years=[2024])
    assert set(county["region_code"].astype(str)) == set(regions.counties(JILIN)["code"])


def test_a_reported_total_with_counts_is_evaluated_exactly(regions, catalog, profile):
    """Only the province row (counts, no county rows): status and shortfall as for a sum."""
    obs = pd.DataFrame(
        {
            "region_code": [JILIN],
            "year": [2024],
            "indicator_id": ["premarital_exam"],
            "numerator": [700.0],
            "denominator": [1000.0],
            "value": [np.nan],
        }
    )
    ev = attainment(obs, regions, catalog, profile, JILIN, "province", years=[2024])
    row = ev[ev["indicator_id"] == "premarital_exam"].iloc[0]
    target = profile.targets["premarital_exam"]
    assert row["value_source"] == "reported" and row["value"] == 70.0
    assert row["status"] == ("met" if target.is_met(70) else "not_met")
    assert (row["shortfall"] == 0) == target.is_met(70)


def test_a_disagreeing_total_row_is_a_warning_with_both_figures(regions, catalog, profile):
    data = csv_bytes(
        [
            ["县（市、区）", "婚前医学检查率（分子）", "婚前医学检查率（分母）", "婚前医学检查率（%）"],
            ["南关区", "50", "100", ""],
            ["宽城区", "30", "100", ""],
            ["合计", "", "", "42.5"],
        ]
    )
    sub = read_submission(data, "婚检.csv", region=JILIN, year=2024)
    assert sub.ok, [p.message_zh for p in sub.errors]
    differs = [p for p in sub.warnings if p.code == "reported_total_differs"]
    assert len(differs) == 1 and differs[0].row == 4
    text = differs[0].message_zh
    assert "部门报送 42.50%" in text and "由 2 个县的数据汇总为 40.00%" in text and "吉林省" in text
    assert "reported 42.50%" in differs[0].message_en and "gives 40.00%" in differs[0].message_en
    ev = attainment(sub.observations, regions, catalog, profile, JILIN, "province", years=[2024])
    row = ev[ev["indicator_id"] == "premarital_exam"].iloc[0]
    assert (row["value"], row["value_source"], row["reported_value"]) == (40.0, "computed", 42.5)


@pytest.mark.parametrize(("total", "warned"), [("40.04", False), ("40.05", False), ("40.06", True)])
def test_rounding_is_not_a_disagreement(total, warned):
    assert REPORTED_TOLERANCE == 0.05
    data = csv_bytes(
        [
            ["县（市、区）", "婚前医学检查率（分子）", "婚前医学检查率（分母）", "婚前医学检查率（%）"],
            ["南关区", "50", "100", ""],
            ["宽城区", "30", "100", ""],
            ["全省", "", "", total],
        ]
    )
    sub = read_submission(data, "婚检.csv", region=JILIN, year=2024)
    assert ("reported_total_differs" in {p.code for p in sub.warnings}) is warned


def test_subtotals_of_prefecture_blocks_and_the_grand_total(regions):
    """小计 after a prefecture's counties is that prefecture's figure; 合计 the province's; sums agree."""
    data = csv_bytes(
        [
            ["地区", "婚检率（分子）", "婚检率（分母）"],
            ["南关区", "50", "100"],
            ["宽城区", "30", "100"],
            ["小计", "80", "200"],
            ["吉林市昌邑区", "10", "20"],
            ["吉林市船营区", "5", "20"],
            ["全市", "15", "40"],
            ["合计", "95", "240"],
        ]
    )
    sub = read_submission(data, "x.csv", region=JILIN, year=2024)
    assert sub.ok, [p.message_zh for p in sub.errors]
    got = sub.observations.set_index("source_row")["region_code"].to_dict()
    assert got == {2: "220102", 3: "220103", 4: CHANGCHUN, 5: "220202", 6: "220204", 7: JILIN_CITY, 8: JILIN}
    assert "reported_total_differs" not in {p.code for p in sub.problems}


def test_a_subtotal_over_two_prefectures_is_skipped():
    data = csv_bytes(
        [
            ["地区", "婚检率（分子）", "婚检率（分母）"],
            ["南关区", "50", "100"],
            ["昌邑区", "10", "20"],
            ["小计", "60", "120"],
        ]
    )
    sub = read_submission(data, "x.csv", region=JILIN, year=2024)
    skipped = [p for p in sub.warnings if p.code == "total_row_skipped"]
    assert [p.row for p in skipped] == [4] and "无法确定是哪个市州的小计" in skipped[0].message_zh
    assert set(sub.observations["region_code"]) == {"220102", "220202"}


def test_a_status_figure_in_a_total_row_is_set_aside():
    """A 1/0 county status: the region's share is computed from its counties; 45 in the total row is no 1/0."""
    data = csv_bytes(
        [["地区", "开展精神障碍社区康复服务的县（市、区）"], ["南关区", "1"], ["宽城区", "0"], ["全省", "45"]]
    )
    sub = read_submission(data, "x.csv", region=JILIN, year=2024)
    assert sub.ok, [p.message_zh for p in sub.errors]
    assert [p.row for p in sub.warnings if p.code == "reported_status_ignored"] == [4]
    assert JILIN not in set(sub.observations["region_code"])


def test_a_total_of_another_region_is_skipped():
    data = csv_bytes(
        [["地区", "婚检率（分子）", "婚检率（分母）"], ["南关区", "50", "100"], ["吉林省", "60", "120"]]
    )
    sub = read_submission(data, "x.csv", region=CHANGCHUN, year=2024)
    assert [p.code for p in sub.warnings if p.row == 3] == ["total_row_skipped"]
    assert set(sub.observations["region_code"]) == {"220102"}


def test_store_keeps_reported_rows_and_the_department(tmp_path, values_only, regions, catalog, profile):
    from analytics import sources

    store = Store(tmp_path / "atlas.sqlite")
    store.import_observations(
        values_only[0].observations,
        dataset="康复",
        source_name="康复指标.xlsx",
        sha256="0" * 64,
        department="省残联",
    )
    obs = sources.observations(sources.STORE, JILIN, catalog=catalog, regions=regions, store=store)
    assert (obs["region_code"] == JILIN).sum() == 3
    ev = attainment(obs, regions, catalog, profile, JILIN, "province", years=[2024])
    reported = ev[ev["value_source"] == "reported"]
    assert sorted(reported["indicator_id"].astype(str)) == sorted(REHAB)
    assert set(reported["reported_by"]) == {"省残联"}


def test_cli_attainment_csv_says_where_each_value_comes_from(tmp_path, values_only, capsys):
    path = tmp_path / "obs.csv"
    values_only[0].observations.drop(columns="source_row").to_csv(path, index=False)
    assert main(["attainment", "--data", str(path), "--region", JILIN, "--year", "2024", "--level", "province",
                 "--format", "csv"]) == 0  # fmt: skip
    out = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    assert {"value_source", "reported_value"} <= set(out.columns)
    rows = out.set_index("indicator_id")
    for ind_id, (value, status) in PROVINCE_FIGURES.items():
        assert (rows.loc[ind_id, "value_source"], float(rows.loc[ind_id, "value"])) == ("reported", value)
        assert rows.loc[ind_id, "status"] == status
    assert (rows.drop(index=REHAB)["value_source"] == "").all()
    assert (
        main(["attainment", "--data", str(path), "--region", JILIN, "--year", "2024", "--level", "province"])
        == 0
    )
    table = capsys.readouterr().out
    assert "62.5%（目标 ＞60%）（部门报送）" in table


# --- 2. warnings summarised -------------------------------------------------------------------------------
def test_values_only_60_by_3_fits_on_one_screen(values_only):
    sub, _ = values_only
    lines = summarise(sub.problems)
    # 120 value-only cells, 50 cells of indicator 22 without indicator 21 (not counted), the kept total row
    assert len(sub.problems) == 171
    assert len(lines) == 4 <= 20
    by_code = [(line.code, line.count) for line in lines]
    assert by_code == [("value_only", 60), ("value_only", 60), ("not_applicable", 50), ("total_row_kept", 1)]
    first = lines[0].message("zh")
    assert first == (
        "只有值、没有分子分母（可以显示，无法汇总到市州和全省）：基本康复覆盖率 共 60 行（第4、5、6、7、8行……）"
    )
    assert lines[2].message("zh").startswith("不知是否开展精神障碍社区康复服务的县的数据")
    assert lines[0].rows == (4, 5, 6, 7, 8) and len(lines[0].rows) == FIRST_ROWS
    assert lines[0].message("en").startswith("Only a value, no numerator and denominator")
    assert lines[3].message("zh") == sub.warnings[-1].message("zh") or lines[3].count == 1


def test_summary_puts_errors_first_and_keeps_single_problems_whole():
    problems = [
        problem("warning", "value_only", 3, indicator_id="premarital_exam", variant="ratio", value="5",
                unit="%"),
        problem("error", "text_in_number", 4, "分子", letter="C", text="abc"),
        problem("error", "text_in_number", 5, "分子", letter="C", text="x"),
        problem("error", "text_in_number", 5, "分母", letter="D", text="y"),
        problem("warning", "missing_counties", None, region_name="吉林省", expected=60, missing=1,
                counties="南关区（220102）"),
    ]  # fmt: skip
    lines = summarise(problems)
    assert [(line.severity, line.code, line.letter, line.count) for line in lines] == [
        ("error", "text_in_number", "C", 2),
        ("error", "text_in_number", "D", 1),
        ("warning", "value_only", None, 1),
        ("warning", "missing_counties", None, 1),
    ]
    assert lines[0].message("zh") == "不是数字：C列（分子）共 2 行（第4、5行）"
    assert lines[1].message("zh") == problems[3].message("zh")  # alone: its whole text


def test_a_kind_without_a_title_is_shown_by_its_first_problem():
    problems = [problem("error", "bad_year", r, "年份", letter="B", text="二〇二四") for r in (3, 4)]
    (line,) = summarise(problems)
    assert line.message("zh").startswith("B列（年份）共 2 行（第3、4行），例如：第3行 B列（年份）：")


def test_problems_csv_lists_everything_and_escapes_formulas():
    problems = [
        problem("warning", "ignored_column", 1, '=HYPERLINK("http://x")', variant="unknown", letter="E"),
        problem("error", "text_in_number", 4, "分子", letter="C", text="@SUM(A1)"),
    ]
    rows = list(csv.reader(io.StringIO(problems_csv(problems, "zh").decode("utf-8-sig"))))
    assert rows[0] == ["级别", "行号", "列", "代码", "说明"]
    assert len(rows) == 3
    assert rows[1][2] == 'E列（=HYPERLINK("http://x")）'  # starts with E: safe as it is
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert [formula_safe(v) for v in ("=1+1", "+1", "-1", "@x", "\tx", "ok", 5)] == [
        "'=1+1", "'+1", "'-1", "'@x", "'\tx", "ok", 5
    ]  # fmt: skip


def test_cli_validate_summarises_and_lists_all_on_demand(tmp_path, regions, capsys, monkeypatch):
    monkeypatch.setenv("PREVENTION_ATLAS_DB", str(tmp_path / "none.sqlite"))
    path = tmp_path / "康复指标.xlsx"
    path.write_bytes(rehab_values_only(regions)[0])
    assert main(["validate", str(path), "--year", "2024"]) == 0
    short = capsys.readouterr().out.splitlines()
    assert len(short) <= 20, short
    assert any("居家患者康复率 共 50 行（第4、5、6、7、8行……）" in line for line in short)
    assert any("--all" in line and "171" in line for line in short)
    assert main(["validate", str(path), "--year", "2024", "--all"]) == 0
    full = capsys.readouterr().out.splitlines()
    assert len(full) >= 171


# --- headers departments write ----------------------------------------------------------------------------
@pytest.mark.parametrize("word", ["完成率", "达标率", "覆盖率"])
@pytest.mark.parametrize(
    "shape",
    ["sub_header", "after_name", "own_column"],
)
def test_rate_headers_are_the_value_of_their_indicator(word, shape):
    if shape == "sub_header":
        rows = [["地区", "残疾人辅助器具适配率", "婚前医学检查率"], ["", f"{word}（%）", f"{word}（%）"]]
    elif shape == "after_name":
        rows = [["地区", f"辅具适配率{word}（%）", f"婚前医学检查{word}（%）"]]
    else:  # a 完成率 column right after an indicator's numerator and denominator
        rows = [["地区", "辅具适配率（分子）", "辅具适配率（分母）", f"{word}（%）", "婚检率（分子）", "婚检率（分母）",
                 f"{word}(%)"]]  # fmt: skip
    width = len(rows[0]) - 1
    cells = ["88.5", "70.2"] if width == 2 else ["", "", "88.5", "", "", "70.2"]
    data = csv_bytes([*rows, ["南关区", *cells]])
    sub = read_submission(data, "x.csv", region=JILIN, year=2024)
    assert sub.ok and sub.layout == "wide", [p.message_zh for p in sub.problems]
    got = sub.observations.set_index("indicator_id")["value"].to_dict()
    assert got == {"assistive_device_fitting": 88.5, "premarital_exam": 70.2}


def test_an_indicator_named_with_a_rate_word_keeps_its_name():
    """残疾人基本康复服务覆盖率 is indicator 23's name, not 覆盖率 of something else."""
    data = csv_bytes([["地区", "残疾人基本康复服务覆盖率（%）"], ["南关区", "90"]])
    sub = read_submission(data, "x.csv", region=JILIN, year=2024)
    assert sub.observations["indicator_id"].tolist() == ["disability_rehab_coverage"]


# --- county names with a prefecture that begins like the province -----------------------------------------
@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("吉林市昌邑区", "220202"),
        ("吉林市船营区", "220204"),
        ("吉林市龙潭区", "220203"),
        ("吉林市丰满区", "220211"),
        ("吉林市永吉县", "220221"),
        ("吉林市蛟河市", "220281"),
        ("吉林省吉林市昌邑区", "220202"),
        ("吉林昌邑区", "220202"),
        ("昌邑区", "220202"),
    ],
)
def test_jilin_city_districts_inside_jilin_province(regions, text, code):
    assert regions.resolve(text, JILIN) == code
    match = regions.resolve_county(text, JILIN)
    assert (match.outcome, match.code) == ("county", code)


@pytest.mark.parametrize(
    ("text", "within", "code"),
    [
        ("全省", JILIN, JILIN),
        ("合计", JILIN, JILIN),
        ("全省合计", JILIN, JILIN),
        ("吉林市", JILIN, JILIN_CITY),
        ("长春市合计", JILIN, CHANGCHUN),
        ("长春市小计", JILIN, CHANGCHUN),
        ("小计", JILIN, None),  # the prefecture block above it decides
        ("全市", JILIN, None),
        ("全市", JILIN_CITY, JILIN_CITY),
        ("合计", CHANGCHUN, CHANGCHUN),
        ("全市", "110000", None),
    ],
)
def test_total_rows_name_the_region_they_sum(regions, text, within, code):
    match = regions.resolve_county(text, within)
    assert (match.outcome, match.code) == ("total", code)


# --- 8. indicator 22 only where indicator 21 is 1 ----------------------------------------------------------
def rehab_rows(status: dict[str, int], home: dict[str, tuple[int, int]]) -> pd.DataFrame:
    rows = [(c, 2024, "mental_rehab_counties", np.nan, np.nan, float(v)) for c, v in status.items()]
    rows += [
        (c, 2024, "mental_rehab_home_patients", float(n), float(d), np.nan) for c, (n, d) in home.items()
    ]
    return pd.DataFrame(
        rows, columns=["region_code", "year", "indicator_id", "numerator", "denominator", "value"]
    )


def test_catalog_declares_where_indicator_22_applies(catalog):
    assert catalog["mental_rehab_home_patients"].applies_where == "mental_rehab_counties"
    assert [i.id for i in catalog.indicators if i.applies_where] == ["mental_rehab_home_patients"]


def test_applies_where_must_name_a_county_status(tmp_path):
    from analytics.catalog import INDICATORS_FILE

    text = INDICATORS_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "indicators.toml"
    bad.write_text(
        text.replace('applies_where = "mental_rehab_counties"', 'applies_where = "premarital_exam"')
    )
    with pytest.raises(CatalogError, match="premarital_exam"):
        load_catalog(bad)


def test_indicator_22_of_a_county_without_rehabilitation_is_not_counted(regions, catalog, profile):
    """南关区 and 朝阳区 provide community rehabilitation (21 = 1), 宽城区 does not (0): the province's 22 is
    (30 + 20) / (50 + 40) = 50 / 90, not (30 + 40 + 20) / 140."""
    obs = rehab_rows(
        {"220102": 1, "220103": 0, "220104": 1},
        {"220102": (30, 50), "220103": (40, 50), "220104": (20, 40)},
    )
    assert not_applicable(obs, catalog).tolist() == [False, False, False, False, True, False]
    assert len(prepare(obs, catalog, profile)) == 5
    ev = attainment(obs, regions, catalog, profile, JILIN, "province", years=[2024])
    row = ev[ev["indicator_id"] == "mental_rehab_home_patients"].iloc[0]
    assert (row["numerator"], row["denominator"], row["n_reported"]) == (50, 90, 2)
    assert row["value"] == pytest.approx(100 * 50 / 90)
    county = attainment(obs, regions, catalog, profile, JILIN, "county", years=[2024])
    home = county[county["indicator_id"] == "mental_rehab_home_patients"].set_index("region_code")
    assert home.loc["220103", "status"] == "no_data" and not home.loc["220103", "applicable"]
    assert home.loc["220102", "applicable"] and home.loc["220102", "value"] == 60.0
    assert home.loc["220105", "applicable"]  # no 21 row for 二道区: not judged (and no data anyway)


def test_a_county_without_a_status_row_does_not_count(regions, catalog, profile):
    """The plan's rate is over the counties that provide community rehabilitation: 宽城区 has no indicator-21
    row, so nothing says it does; the province is 30/50 over one county of one (n_units)."""
    obs = rehab_rows({"220102": 1}, {"220102": (30, 50), "220103": (40, 50)})
    ev = attainment(obs, regions, catalog, profile, JILIN, "province", years=[2024])
    row = ev[ev["indicator_id"] == "mental_rehab_home_patients"].iloc[0]
    assert (row["numerator"], row["denominator"], row["n_reported"], row["n_units"]) == (30, 50, 1, 1)
    other = ev[ev["indicator_id"] == "premarital_exam"].iloc[0]
    assert other["n_units"] == 60  # every other indicator: all 60 counties


def test_n_units_of_indicator_22_counts_counties_with_rehabilitation(regions, catalog, profile):
    obs = rehab_rows({"220102": 1, "220103": 0, "220104": 1, "220202": 1}, {"220102": (30, 50)})
    ev = attainment(obs, regions, catalog, profile, JILIN, "prefecture", years=[2024])
    home = ev[ev["indicator_id"] == "mental_rehab_home_patients"].set_index("region_code")
    assert home.loc[CHANGCHUN, "n_units"] == 2 and home.loc[JILIN_CITY, "n_units"] == 1
    assert home.loc["220300", "n_units"] == 0  # 四平市: no county known to provide it


def test_intake_warns_about_indicator_22_rows_of_counties_without_rehabilitation(regions):
    data = csv_bytes(
        [
            [
                "地区",
                "开展精神障碍社区康复服务的县（市、区）",
                "居家患者康复率（分子）",
                "居家患者康复率（分母）",
            ],
            ["南关区", "1", "30", "50"],
            ["宽城区", "0", "40", "50"],
            ["朝阳区", "", "20", "40"],
        ]
    )
    previous = rehab_rows({"220104": 0}, {})
    previous["year"] = 2024
    sub = read_submission(data, "x.csv", region=JILIN, year=2024, previous=previous)
    assert sub.ok
    warned = [p for p in sub.warnings if p.code == "not_applicable"]
    assert [p.row for p in warned] == [3, 4]  # 宽城区 by this file, 朝阳区 by the store
    assert "宽城区2024年没有开展精神障碍社区康复服务" in warned[0].message_zh
    assert "本行不计入" in warned[0].message_zh and "not counted" in warned[0].message_en
    assert len(sub.observations[sub.observations["indicator_id"] == "mental_rehab_home_patients"]) == 3


# --- the data page: the summary, and every problem as a download --------------------------------------------
@pytest.mark.apptest
def test_data_page_summarises_and_offers_every_problem(tmp_path, monkeypatch, regions):
    import streamlit as st
    from apptest_helpers import navigation_server
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PREVENTION_ATLAS_DB", str(tmp_path / "atlas.sqlite"))
    monkeypatch.delenv("PREVENTION_ATLAS_ADMIN_PASSPHRASE", raising=False)
    st.cache_resource.clear()
    with navigation_server():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        at.switch_page("pages/data.py").run()
        upload = ("康复指标.xlsx", rehab_values_only(regions)[0], "application/octet-stream")
        at.file_uploader(key="upload").set_value(upload).run()
    st.cache_resource.clear()
    assert not at.exception, [e.value for e in at.exception]
    (warning,) = [w.value for w in at.warning if "共 50 行" in w.value]
    assert warning.count("\n- ") + 1 == 5  # 172 warnings (the year read from the title too) in 5 lines
    assert "已按标题中的“2024年”读取" in warning
    assert "居家患者康复率 共 50 行（第4、5、6、7、8行……）" in warning
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载全部问题清单（CSV）" in labels, labels


def test_overview_notes_name_the_reported_figures(values_only, regions, catalog, profile):
    from analytics.insights import reported_notes

    obs = values_only[0].observations.assign(department="省残联")
    ev = attainment(obs, regions, catalog, profile, JILIN, "province", years=[2024])
    note, lacking = reported_notes(ev, catalog, "吉林省", "zh")
    assert lacking == (
        "吉林省的汇总未计入只报送了数值（没有分子、分母）的县：基本康复覆盖率 60 / 60 个县；辅具适配率 60 / 60 个县"
    )
    assert note.startswith(
        "其中 3 项是部门报送的吉林省数（县级数据无法汇总）：居家患者康复率 62.5%（省残联报送）"
    )
    en = reported_notes(ev, catalog, "Jilin", "en")[0]
    assert "Home patients in rehab 62.5% (reported by 省残联)" in en


def test_what_if_keeps_a_reported_figure_it_cannot_move(values_only, regions, catalog, profile):
    """Adding points to counties that sent values only moves no sum: the province keeps its reported 85.0."""
    from analytics.scenarios import Adjustment, Scenario, apply, compare

    obs = values_only[0].observations.drop(columns="source_row")
    adj = Adjustment("disability_rehab_coverage", "add_pp", 5.0, scope="all")
    run = {"catalog": catalog, "profile": profile, "regions": regions, "region_code": JILIN}
    result = apply(obs, Scenario("x", (adj,)), year=2024, **run)
    table = compare(obs, result, year=2024, indicator_ids=["disability_rehab_coverage"], **run)
    province = table[table["level"] == "province"].iloc[0]
    assert (province["value_before"], province["value_after"]) == (85.0, 85.0)
    assert (province["status_before"], province["status_after"], province["changed"]) == (
        "not_met",
        "not_met",
        False,
    )


def test_a_rate_column_before_any_indicator_is_ignored_with_a_warning():
    data = csv_bytes(
        [["地区", "完成率（%）", "婚检率（分子）", "婚检率（分母）"], ["南关区", "50", "5", "10"]]
    )
    sub = read_submission(data, "x.csv", region=JILIN, year=2024)
    assert sub.ok and [(p.code, p.column) for p in sub.warnings if p.row] == [
        ("ignored_column", "完成率（%）")
    ]
    assert sub.observations[["indicator_id", "numerator", "denominator"]].values.tolist() == [
        ["premarital_exam", 5.0, 10.0]
    ]
