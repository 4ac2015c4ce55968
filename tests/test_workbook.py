"""The meeting workbook (analytics.workbook) opened again with openpyxl: one sheet per level with the engine's
values, the county x indicator grids, each scenario's before/after; Chinese headings (English with lang en), the
demo label and footer on top, frozen headings, number formats by indicator, widths that fit; and no formula ever
made from a user's string (a scenario, file or department name starting with "=" stays text).
"""

from __future__ import annotations

import dataclasses
import io
from types import SimpleNamespace

import known_answers as ka
import numpy as np
import openpyxl
import pandas as pd
import pytest
from test_slides import DEMO, SCENARIO, make_meeting

from analytics import sources
from analytics.attainment import attainment
from analytics.catalog import load_catalog
from analytics.i18n import t
from analytics.insights import status_labels
from analytics.regions import load_regions
from analytics.scenarios import apply, compare
from analytics.slides import scenario_runs
from analytics.workbook import MeetingBook, SheetWriter, build_workbook, cells, decimals_format

REGION, YEAR = "220000", ka.latest_year()  # the plan's target year: the final evaluation too
EVIL = '=HYPERLINK("http://example.invalid","x")'
HEADER_ROW = 5  # title, demo label, footer, blank, headings


@pytest.fixture(scope="module")
def obs():
    """Jilin's demo rows; two counties' 婚检率 sent as values only, by a department whose name starts with "="."""
    out = sources.observations("demo", REGION, catalog=load_catalog(), regions=load_regions()).copy()
    pick = (out["indicator_id"] == "premarital_exam") & out["region_code"].isin(["220102", "220103"])
    out.loc[pick, ["numerator", "denominator"]] = np.nan
    out["department"] = ""
    out.loc[pick, "department"] = "=cmd|' /C calc'!A0"
    return out


@pytest.fixture(scope="module")
def meeting(obs):
    m = make_meeting(obs=obs)
    return dataclasses.replace(m, source_text="=1+1 数据：test.csv")  # a file name that looks like a formula


@pytest.fixture(scope="module")
def book(meeting):
    return openpyxl.load_workbook(io.BytesIO(build_workbook(meeting, scenario_runs(meeting, [SCENARIO]))))


def table_of(ws) -> pd.DataFrame:
    rows = list(ws.iter_rows(min_row=HEADER_ROW, values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


@pytest.fixture(scope="module")
def engine(obs, meeting):
    run = {"regions": meeting.regions, "catalog": meeting.catalog, "profile": meeting.profile}
    return {
        lv: attainment(obs, region_code=REGION, level=lv, years=[YEAR], **run)
        for lv in ("county", "prefecture", "province")
    }


def test_sheets(book):
    assert book.sheetnames == [
        "说明",
        "省级达标",
        "市州达标",
        "县级达标",
        "县×指标状态",
        "县×指标值",
        "情景1",
        "督办清单",
        "终期评估",
        "终期小结",
    ]


@pytest.mark.parametrize(
    "level,sheet", [("province", "省级达标"), ("prefecture", "市州达标"), ("county", "县级达标")]
)
def test_values_equal_the_engines(book, engine, level, sheet, meeting):
    table = table_of(book[sheet])
    ev = engine[level]
    assert len(table) == len(ev) == {"province": 25, "prefecture": 225, "county": 1500}[level]
    key = ["地区代码", "指标编号"]
    ours = table.set_index(key)
    theirs = ev.set_index([ev["region_code"].astype(str), ev["indicator_id"].astype(str)])
    theirs = theirs.loc[ours.index]
    assert np.allclose(
        ours["值"].astype(float), theirs["value"].astype(float), equal_nan=True, rtol=0, atol=1e-9
    )
    assert np.allclose(ours["差距"].astype(float), theirs["gap"].astype(float), equal_nan=True)
    short = theirs["shortfall"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    assert np.allclose(ours["缺口"].astype(float), short, equal_nan=True)
    assert list(ours["状态"]) == [status_labels("zh")[s] for s in theirs["status"].astype(str)]
    assert (ours["下级单位总数"].astype(int).to_numpy() == theirs["n_units"].to_numpy()).all()
    assert (ours["有数据的下级单位数"].astype(int).to_numpy() == theirs["n_reported"].to_numpy()).all()
    assert list(ours["目标值"].astype(float)) == list(theirs["target"].astype(float))


def test_headings_label_footer_and_frozen_panes(book, meeting):
    for ws in book.worksheets:
        assert ws.cell(1, 1).value and ws.cell(1, 1).font.b, ws.title
        assert ws.cell(2, 1).value == DEMO, ws.title
        assert ws.cell(3, 1).value == meeting.footer(), ws.title
        frozen = int(ws.freeze_panes.lstrip("ABC"))  # the pane starts right under the headings
        assert ws.cell(frozen - 2, 1).value is None, ws.title
        heading = ws.cell(frozen - 1, 1)
        assert heading.value in ("项目", "地区代码", "层级", "牵头部门", "地区") and heading.font.b, ws.title
        assert ws.freeze_panes[0] in "AC"
    ws = book["县级达标"]
    assert ws.freeze_panes == f"C{HEADER_ROW + 1}"
    assert [c.value for c in ws[HEADER_ROW]][:5] == ["地区代码", "地区", "上级地区", "指标编号", "指标"]


def test_number_formats_by_indicator_and_widths(book, meeting):
    ws = book["县级达标"]
    header = [c.value for c in ws[HEADER_ROW]]
    col_value, col_id = header.index("值") + 1, header.index("指标编号") + 1
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, max_row=HEADER_ROW + 50):
        ind = meeting.catalog[row[col_id - 1].value]
        if row[col_value - 1].value is not None:
            assert row[col_value - 1].number_format == decimals_format(ind.decimals)
    width = ws.column_dimensions["E"].width  # 指标: the longest indicator name fits
    assert width >= max(len(i.name("zh")) * 2 for i in meeting.catalog.indicators)
    assert ws.column_dimensions["A"].width >= 8


def test_no_formula_from_user_strings(book):
    """The department "=cmd…", the scenario "=康复医师+40" and the source "=1+1…" stay text."""
    seen = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith("'="):
                    seen.add(cell.value[:5])
    assert {"'=cmd", "'=1+1"} <= seen
    county = table_of(book["县级达标"])
    reported = county[county["报送部门"].fillna("") != ""]
    assert set(reported["报送部门"]) == {"'=cmd|' /C calc'!A0"}
    assert set(reported["值的来源"]) == {"部门报送的数值"}


def test_scenario_name_stays_text(book):
    assert book["情景1"].cell(1, 1).value == f"情景：{SCENARIO.name}"  # text either way; the name is not run
    steps = [book["情景1"].cell(r, 1).value for r in range(4, 6)]
    assert all(s.startswith("假设：") for s in steps)


def test_scenario_before_after_equal_compare(book, obs, meeting):
    run = {
        "catalog": meeting.catalog,
        "profile": meeting.profile,
        "regions": meeting.regions,
        "region_code": REGION,
    }
    result = apply(obs, SCENARIO, year=YEAR, **run)
    expected = compare(obs, result, year=YEAR, indicator_ids=["rehab_physicians", "premarital_exam"], **run)
    rows = list(book["情景1"].iter_rows(min_row=7, values_only=True))
    table = pd.DataFrame(rows[1:], columns=rows[0])
    assert len(table) == len(expected)
    ours = table.set_index(["地区代码", "指标编号"])
    theirs = expected.set_index(["region_code", "indicator_id"]).loc[ours.index]
    assert np.allclose(ours["调整后值"].astype(float), theirs["value_after"].astype(float), equal_nan=True)
    assert list(ours["调整后状态"]) == [status_labels("zh")[s] for s in theirs["status_after"]]
    assert (
        ours["分配数量"].fillna(0).astype(int).sum() == 3 * 40
    )  # county + prefectures + province each sum 40


def test_grids(book, engine):
    ws = book["县×指标状态"]
    rows = list(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    grid = pd.DataFrame(rows[1:], columns=rows[0])
    assert len(grid) == 60
    county = engine["county"]
    met = county[county["status"].astype(str) == "met"].groupby("region_code", observed=True).size()
    assert dict(zip(grid["地区代码"], grid["达标项数"], strict=True)) == {
        str(k): int(v) for k, v in met.items()
    }
    assert set(grid.iloc[:, 4:].to_numpy().ravel()) <= {"✓", "✗", "–"}
    values = table_of(book["县×指标值"])
    one = county[
        (county["region_code"].astype(str) == "220102")
        & (county["indicator_id"].astype(str) == "premarital_exam")
    ]
    row = values[values["地区代码"] == "220102"].iloc[0]
    assert row["婚检率"] == pytest.approx(float(one["value"].iloc[0]))


def test_english_headings(obs):
    meeting = make_meeting("en", obs=obs)
    book = openpyxl.load_workbook(io.BytesIO(build_workbook(meeting)))
    assert book.sheetnames[:4] == ["About", "Provinces", "Prefectures", "Counties"]
    header = [c.value for c in book["Counties"][HEADER_ROW]]
    assert header[:3] == ["Region code", "Region", "Parent region"] and "Shortfall" in header
    assert book["Counties"].cell(6, 11).value in ("✓ met", "✗ not met", "– no data")


def test_cells_escape_and_convert():
    assert cells(["=1+1", "+1", "-1", "@x", "ok", None]) == ["'=1+1", "'+1", "'-1", "'@x", "ok", None]
    assert cells(pd.Series([1.0, np.nan, 2.0])) == [1, None, 2]
    assert cells(pd.Series([1.5, np.nan])) == [1.5, None]
    assert cells(pd.array([3, None], dtype="Int64")) == [3, None]


def test_strings_stay_text_never_formulas_numbers_or_links():
    """XlsxWriter's guessing is off and every string goes through write_string: "=1+1" or "@SUM(A1)" come back
    as the same (formula-safe) text, "123" stays text, a URL is no hyperlink, "" and None stay empty."""
    texts = ["=1+1", "@SUM(A1)", "+1", "-1", "123", "0012", "http://example.invalid", " lead", "", None]
    buf = io.BytesIO()
    with MeetingBook(buf) as wb:
        assert wb.constant_memory
        assert not (wb.strings_to_formulas or wb.strings_to_numbers or wb.strings_to_urls)
        meeting = SimpleNamespace(synthetic=False, lang="zh", footer=lambda: "=footer")
        SheetWriter(wb, "=sheet", meeting, "@title", ["+extra"]).write(
            ["=head", "n"], [texts, range(len(texts))]
        )
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["=sheet"]
    assert [ws.cell(r, 1).value for r in range(1, 4)] == ["'@title", "'=footer", "'+extra"]
    assert ws.cell(5, 1).value == "'=head" and ws.freeze_panes == "A6"
    column = [ws.cell(r, 1) for r in range(6, 6 + len(texts))]
    assert [c.value for c in column] == [*cells(texts[:-2]), None, None]  # " lead" keeps its space
    assert all(c.data_type == "s" for c in column[:-2])
    assert not ws._hyperlinks
    assert [ws.cell(r, 2).value for r in range(6, 6 + len(texts))] == list(range(len(texts)))


def test_the_workbook_carries_the_followup_list(book, meeting):
    """督办清单 as a sheet: every line of analytics.followup, grouped by department, read back from the file."""
    from analytics.workbook import followup_rows

    expected = followup_rows(meeting)
    ws = book["督办清单"]
    rows = list(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True))  # the sheet has one more heading line
    head = rows.index(next(r for r in rows if r and r[0] == "牵头部门"))
    table = pd.DataFrame(rows[head + 1 :], columns=rows[head])
    assert len(table) == len(expected) > 0
    assert list(table["牵头部门"]) == list(expected["department"])
    assert set(table["状态"]) <= {t("status_not_met"), t("status_no_data")}
    assert list(table["缺口"].fillna("")) == list(expected["shortfall_text"].fillna(""))
