"""The meeting workbook (.xlsx, XlsxWriter): attainment per level, the county x indicator grids, each chosen
scenario's before/after, with Chinese headings (English with lang en), the demo label and the footer on top of
every sheet, frozen headings, number formats by indicator and column widths that fit.

Every text cell goes through `formula_safe`: a region, scenario or department name starting with = + - @ stays
text and never runs as a formula; every text cell is written with `write_string` and the workbook turns off
XlsxWriter's guessing (strings to formulas, numbers or links). Written in XlsxWriter's constant-memory mode (each
row goes to a temporary file as soon as the next starts): the whole country is 90,000 rows.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from typing import IO

import numpy as np
import pandas as pd
from xlsxwriter import Workbook
from xlsxwriter.format import Format

from analytics.cells import formula_safe
from analytics.charts import STATUS_SYMBOL
from analytics.i18n import t
from analytics.insights import status_labels
from analytics.scenario_words import describe
from analytics.slides import ScenarioRun, scenario_runs

TITLE_STYLE = {"bold": True, "font_size": 14}
LABEL_STYLE = {"bold": True, "font_color": "#A63603"}
HEAD_STYLE = {"bold": True, "bg_color": "#DDE3EE", "pattern": 1, "text_wrap": True, "valign": "top"}
WORKBOOK_OPTIONS = {
    "constant_memory": True,  # rows are written out in order; memory stays flat for the whole country
    "strings_to_formulas": False,  # no user string ever becomes a formula, a number or a link
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
MAX_WIDTH = 80  # the longest indicator name (34 characters) fits
WIDTH_SAMPLE = 3000  # rows a column's width is measured on (the rest are alike)
LEVEL_ORDER = ("country", "province", "prefecture", "county")

# columns of an attainment sheet, each with its heading (report.head_<column>)
ATTAINMENT_COLUMNS = (
    "region_code",
    "region_name",
    "parent",
    "indicator_id",
    "indicator",
    "domain",
    "value",
    "unit",
    "comparator",
    "target",
    "status",
    "gap",
    "shortfall",
    "shortfall_unit",
    "n_reported",
    "n_units",
    "value_source",
    "reported_by",
    "numerator",
    "denominator",
)
IN_INDICATOR_UNIT = ("value", "gap")  # shown with the indicator's decimals


def cell_width(value) -> int:
    """Columns a value takes in Excel (a CJK character counts two)."""
    text = value if isinstance(value, str) else f"{value:,.2f}" if isinstance(value, float) else str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def decimals_format(decimals: int) -> str:
    return "#,##0" if decimals <= 0 else "#,##0." + "0" * decimals


def _clean(value):
    """A cell value: text made formula-safe, NaN/NA as an empty cell, numpy scalars as Python numbers."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return formula_safe(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    return formula_safe(str(value))


def cells(values) -> list:
    """A column's cell values (see _clean), fast for the plain dtypes of a data frame column."""
    series = pd.Series(values)
    if pd.api.types.is_bool_dtype(series.dtype):
        return [bool(v) for v in series]
    if pd.api.types.is_numeric_dtype(series.dtype):
        floats = series.astype("float64").to_numpy()
        whole = bool(np.all(np.isnan(floats) | (floats == np.round(floats))))
        return [None if v != v else (int(v) if whole else v) for v in floats.tolist()]
    return [_clean(v) for v in series.tolist()]


class MeetingBook(Workbook):
    """An XlsxWriter workbook in constant-memory mode with text never guessed into formulas, numbers or links
    (WORKBOOK_OPTIONS), and one shared Format per style."""

    def __init__(self, out: str | IO[bytes]) -> None:
        super().__init__(out, WORKBOOK_OPTIONS)
        self._styles: dict[tuple, Format] = {}

    def style(self, **properties) -> Format:
        """The Format with these properties (e.g. num_format="#,##0.0"), made once per workbook."""
        key = tuple(sorted(properties.items()))
        if key not in self._styles:
            self._styles[key] = self.add_format(properties)
        return self._styles[key]


class SheetWriter:
    """One constant-memory sheet: the heading block (title, demo label, footer, extra lines), then a table whose
    heading row is frozen; column widths measured from what is written."""

    def __init__(self, wb: MeetingBook, title: str, meeting, heading: str, extra: Sequence[str] = ()):
        self.wb = wb
        self.ws = wb.add_worksheet(_sheet_title(title))
        lines: list[tuple[str, Format | None]] = [(heading, wb.style(**TITLE_STYLE))]
        if meeting.synthetic:
            lines.append((t("demo_short", meeting.lang), wb.style(**LABEL_STYLE)))
        lines.append((meeting.footer(), None))
        lines += [(e, None) for e in extra]
        self.top = lines

    def write(self, headings: Sequence[str], columns: Sequence, formats: Sequence | None = None) -> None:
        """`columns`: one sequence of values per heading; `formats[c]`: column c's number format, a sequence
        of formats (one per row), or None (General). Widths are measured on the first WIDTH_SAMPLE rows; rows
        go out strictly in order (a constant-memory sheet cannot go back to a row)."""
        ws, wb = self.ws, self.wb
        columns = [cells(col) for col in columns]
        formats = list(formats) if formats is not None else [None] * len(columns)
        widths = [cell_width(h) for h in headings]
        for c, col in enumerate(columns):
            for value in col[:WIDTH_SAMPLE]:
                if value is not None:
                    widths[c] = max(widths[c], cell_width(value))
        for c, w in enumerate(widths):
            ws.set_column(c, c, min(max(w + 2, 6), MAX_WIDTH))
        header_row = len(self.top) + 1  # 0-based: the heading block, a blank row, then the headings
        ws.freeze_panes(header_row + 1, 2 if len(headings) > 3 else 0)
        for r, (text, style) in enumerate(self.top):
            _write_cell(ws, r, 0, _clean(text), style)
        head = wb.style(**HEAD_STYLE)
        for c, text in enumerate(headings):
            _write_cell(ws, header_row, c, _clean(text), head)
        # only numbers carry a number format; text and booleans stay General
        per_row = [_row_styles(wb, f) if f is not None and not isinstance(f, str) else None for f in formats]
        fixed = [wb.style(num_format=f) if isinstance(f, str) else None for f in formats]
        first = header_row + 1
        for r, row in enumerate(zip(*columns, strict=True)):
            for c, v in enumerate(row):
                if v is None or v == "":
                    continue
                if isinstance(v, str):
                    ws.write_string(first + r, c, v)
                elif isinstance(v, bool):
                    ws.write_boolean(first + r, c, v)
                else:
                    by_row = per_row[c]
                    ws.write_number(first + r, c, v, by_row[r] if by_row is not None else fixed[c])


def _row_styles(wb: MeetingBook, formats: Sequence) -> list[Format | None]:
    """Each row's Format from its number format (None: General)."""
    styles = {f: wb.style(num_format=f) for f in set(formats) if f is not None}
    return [styles.get(f) if f is not None else None for f in formats]


def _write_cell(ws, row: int, col: int, value, style: Format | None = None) -> None:
    """One cell of the heading block or heading row: text always through write_string; None or "" stays an
    empty cell."""
    if value is None or value == "":
        return
    if isinstance(value, str):
        ws.write_string(row, col, value, style)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, style)
    else:
        ws.write_number(row, col, value, style)


def _sheet_title(text: str) -> str:
    """A valid, short sheet name (Excel: at most 31 characters, none of []:*?/\\, no apostrophe at either end)."""
    for ch in "[]:*?/\\":
        text = text.replace(ch, " ")
    return text.strip()[:31].strip("' ") or "Sheet"


# --- attainment per level -------------------------------------------------------------------------------
def _parent_names(meeting, codes, level: str) -> list[str]:
    """The region one up (a county's prefecture, a prefecture's province); nationally a county's province too,
    as county names repeat across China."""
    if level not in ("county", "prefecture"):
        return [""] * len(codes)
    frame = meeting.regions.frame
    codes = pd.Index([str(c) for c in codes])
    parent = frame["parent_code"].reindex(codes).fillna("")
    names = frame["name"].reindex(parent).fillna("").to_numpy()
    if meeting.national and level == "county":
        province = frame["province_code"].reindex(codes).fillna("")
        under_province = parent.to_numpy() == province.to_numpy()
        province_names = frame["name"].reindex(province).fillna("").to_numpy()
        names = np.where(under_province, names, province_names + names)
    return list(names)


def attainment_rows(meeting, level: str) -> pd.DataFrame:
    """This year's rows of `level` in the region, with the words a reader needs (one row per region x
    indicator, in region then plan order)."""
    lang, cat = meeting.lang, meeting.catalog
    ev = meeting.rows(level).copy()
    ev["region_code"] = ev["region_code"].astype(str)
    ev["indicator_id"] = ev["indicator_id"].astype(str)
    order = {i: n for n, i in enumerate(cat.ids)}
    ev = ev.sort_values(
        ["region_code", "indicator_id"], key=lambda s: s.map(order) if s.name == "indicator_id" else s
    )
    labels = status_labels(lang)
    codes = ev["region_code"]
    unique = codes.unique()
    parents = dict(zip(unique, _parent_names(meeting, unique, level), strict=True))
    source_words = {
        "computed": t(
            "report.value_source_county" if level == "county" else "report.value_source_computed", lang
        ),
        "reported": t("report.value_source_reported", lang),
        "": "",
    }
    ev["parent"] = codes.map(parents)
    ev["indicator"] = ev["indicator_id"].map({i.id: i.name(lang) for i in cat.indicators})
    ev["domain"] = ev["indicator_id"].map({i.id: cat.domain(i.domain).name(lang) for i in cat.indicators})
    ev["unit"] = ev["indicator_id"].map({i.id: i.unit_in(lang) for i in cat.indicators})
    ev["shortfall_unit"] = ev["indicator_id"].map({i.id: i.numerator_unit(lang) for i in cat.indicators})
    ev["comparator"] = ev["comparator"].map({">": t("comparator_gt", lang), ">=": t("comparator_ge", lang)})
    ev["status"] = ev["status"].astype(str).map(labels)
    ev["value_source"] = ev["value_source"].astype(str).map(source_words).fillna("")
    ev["shortfall"] = ev["shortfall"].astype("Float64")
    return ev.reset_index(drop=True)


def _decimals(meeting, indicator_ids: pd.Series) -> list[str]:
    """Each row's value format: its indicator's decimals."""
    formats = {i.id: decimals_format(i.decimals) for i in meeting.catalog.indicators}
    return indicator_ids.astype(str).map(formats).fillna("#,##0.0").tolist()


def _attainment_sheet(wb, meeting, level: str) -> None:
    lang = meeting.lang
    table = attainment_rows(meeting, level)
    by_indicator = _decimals(meeting, table["indicator_id"])
    formats = [by_indicator if c in IN_INDICATOR_UNIT else None for c in ATTAINMENT_COLUMNS]
    writer = SheetWriter(
        wb,
        t(f"report.sheet_level_{level}", lang),
        meeting,
        t("report.workbook_title", lang, region=meeting.region_name, year=meeting.year),
    )
    writer.write(
        [t(f"report.head_{c}", lang) for c in ATTAINMENT_COLUMNS],
        [table[c] for c in ATTAINMENT_COLUMNS],
        formats,
    )


# --- county x indicator grids ---------------------------------------------------------------------------
def _grids(wb, meeting) -> None:
    lang, cat = meeting.lang, meeting.catalog
    ev = meeting.rows("county")
    codes = sorted(ev["region_code"].astype(str).unique())
    ids = cat.ids
    key = pd.MultiIndex.from_arrays([ev["region_code"].astype(str), ev["indicator_id"].astype(str)])
    status = pd.Series(ev["status"].astype(str).to_numpy(), index=key)
    value = pd.Series(ev["value"].to_numpy(dtype="float64"), index=key)
    full = pd.MultiIndex.from_product([codes, ids])
    status_grid = status.reindex(full).fillna("no_data").to_numpy().reshape(len(codes), len(ids))
    value_grid = value.reindex(full).to_numpy().reshape(len(codes), len(ids))
    names = meeting.regions.names(codes)
    parents = _parent_names(meeting, codes, "county")
    shorts = [cat[i].short(lang) for i in ids]
    heading = t("report.workbook_title", lang, region=meeting.region_name, year=meeting.year)
    fixed = [
        t("report.head_region_code", lang),
        t("report.head_region_name", lang),
        t("report.head_parent", lang),
    ]
    symbols = np.vectorize(STATUS_SYMBOL.get)(status_grid) if len(codes) else status_grid
    met = (status_grid == "met").sum(axis=1)
    writer = SheetWriter(
        wb, t("report.sheet_grid_status", lang), meeting, heading, [t("report.about_status", lang)]
    )
    writer.write(
        [*fixed, t("report.head_met_count", lang), *shorts],
        [codes, names, parents, met, *(symbols[:, k] for k in range(len(ids)))],
    )
    writer = SheetWriter(wb, t("report.sheet_grid_value", lang), meeting, heading)
    writer.write(
        [*fixed, *shorts],
        [codes, names, parents, *(value_grid[:, k] for k in range(len(ids)))],
        [None, None, None, *(decimals_format(cat[i].decimals) for i in ids)],
    )


# --- scenarios ------------------------------------------------------------------------------------------
SCENARIO_COLUMNS = (
    ("level", "head_level"),
    ("region_code", "head_region_code"),
    ("region_name", "head_region_name"),
    ("indicator_id", "head_indicator_id"),
    ("indicator", "head_indicator"),
    ("value_before", "head_value_before"),
    ("status_before", "head_status_before"),
    ("value_after", "head_value_after"),
    ("status_after", "head_status_after"),
    ("shortfall_before", "head_shortfall_before"),
    ("shortfall_after", "head_shortfall_after"),
    ("units_added", "head_units_added"),
    ("changed", "head_changed"),
)


def _scenario_sheet(wb, meeting, number: int, run: ScenarioRun) -> None:
    lang, cat = meeting.lang, meeting.catalog
    table = run.view.comparison.copy()
    rank = {lv: k for k, lv in enumerate(LEVEL_ORDER)}
    table = table.sort_values(["level", "region_code"], key=lambda s: s.map(rank) if s.name == "level" else s)
    labels = status_labels(lang)
    table["level"] = table["level"].map(lambda lv: t(f"report.level_{lv}", lang))
    table["indicator"] = table["indicator_id"].map(lambda i: cat[i].name(lang))
    for side in ("before", "after"):
        table[f"status_{side}"] = table[f"status_{side}"].map(labels)
        table[f"shortfall_{side}"] = table[f"shortfall_{side}"].astype("Float64")
    table["changed"] = np.where(table["changed"], t("report.changed_yes", lang), "")
    steps = [
        t(
            "labelled",
            lang,
            label=t("report.scenario_sheet_steps", lang),
            text=describe(a, cat, meeting.regions, lang, meeting.profile),
        )
        for a in run.scenario.adjustments
    ]
    by_indicator = _decimals(meeting, table["indicator_id"])
    formats = [by_indicator if k.startswith("value_") else None for k, _ in SCENARIO_COLUMNS]
    writer = SheetWriter(
        wb,
        t("report.sheet_scenario", lang, n=number),
        meeting,
        t("report.scenario_sheet_title", lang, name=run.name),
        steps,
    )
    writer.write(
        [t(f"report.{h}", lang) for _, h in SCENARIO_COLUMNS],
        [table[k] for k, _ in SCENARIO_COLUMNS],
        formats,
    )


# --- the workbook ---------------------------------------------------------------------------------------
FOLLOWUP_COLUMNS = [
    "department",
    "indicator_name",
    "region_name",
    "status_text",
    "value_text",
    "target_text",
    "shortfall_text",
    "trajectory_label",
    "worst_counties",
]


def followup_rows(meeting) -> pd.DataFrame:
    """The department follow-up list (督办清单) of the meeting's region and year (analytics.followup)."""
    table = meeting.followup()
    if table is None:
        return pd.DataFrame(columns=FOLLOWUP_COLUMNS)
    return table.assign(status_text=[t(f"status_{s}", meeting.lang) for s in table["status"]])


def _followup_sheet(wb, meeting, table: pd.DataFrame) -> None:
    lang = meeting.lang
    writer = SheetWriter(
        wb,
        t("report.sheet_followup", lang),
        meeting,
        t("report.followup_title", lang, region=meeting.region_name, year=meeting.year),
        [t("followup.how", lang)],
    )
    writer.write(
        [t(f"report.followup_{c}", lang) for c in FOLLOWUP_COLUMNS], [table[c] for c in FOLLOWUP_COLUMNS]
    )


# --- the final evaluation (in the profile's target year) -----------------------------------------------------
FINAL_COLUMNS = [
    "region_name",
    "indicator_name",
    "baseline_year",
    "baseline_value",
    "final_value",
    "target_text",
    "status_label",
    "change",
    "progress_label",
    "n_counties_met",
    "n_counties",
    "shortfall_text",
    "coverage",
]
FINAL_NUMBERS = ("baseline_value", "final_value", "change")  # in the indicator's unit and decimals
FINAL_SUMMARY_COLUMNS = ["region_name", "n_met_baseline", "n_met", "n_not_met", "n_no_data", "paragraph"]


def _final_sheets(wb, meeting, ev) -> None:
    """Two sheets: every unit's 25 indicators at baseline and at the end, then one line per unit with its
    counts and its paragraph."""
    lang = meeting.lang
    table = ev.indicators
    by_indicator = _decimals(meeting, table["indicator_id"])
    formats = [by_indicator if c in FINAL_NUMBERS else None for c in FINAL_COLUMNS]
    writer = SheetWriter(
        wb,
        t("report.sheet_final", lang),
        meeting,
        t("report.final_sheet_title", lang, region=meeting.region_name, year=ev.year),
        [ev.year_note] if ev.year_note else [],
    )
    writer.write(
        [t(f"report.final_{c}", lang) for c in FINAL_COLUMNS], [table[c] for c in FINAL_COLUMNS], formats
    )
    summary = ev.summary.merge(ev.paragraphs[["region_code", "paragraph"]], on="region_code", how="left")
    writer = SheetWriter(
        wb,
        t("report.sheet_final_summary", lang),
        meeting,
        t("report.final_summary_title", lang, region=meeting.region_name, year=ev.year),
    )
    writer.write(
        [t(f"report.final_{c}", lang, year=ev.baseline_year) for c in FINAL_SUMMARY_COLUMNS],
        [summary[c] for c in FINAL_SUMMARY_COLUMNS],
    )


def _about(wb, meeting, sheet_names: list[str]) -> None:
    lang = meeting.lang
    writer = SheetWriter(
        wb,
        t("report.sheet_about", lang),
        meeting,
        t("report.workbook_title", lang, region=meeting.region_name, year=meeting.year),
    )
    rows = [
        [t("report.about_region", lang), meeting.region_name],
        [t("report.about_year", lang), meeting.year],
        [t("report.about_profile", lang), meeting.profile.name(lang)],
        [t("report.about_source", lang), meeting.source_text],
        [t("report.about_made", lang), meeting.made_on.isoformat()],
        [t("report.about_sheets", lang), t("name_sep", lang).join(sheet_names)],
        [t("report.about_note", lang), t("report.about_status", lang)],
    ]
    if meeting.synthetic:
        rows.insert(0, [t("report.about_source", lang), t("demo_banner", lang)])
    writer.write(
        [t("report.about_item", lang), t("report.about_value", lang)],
        [[r[0] for r in rows], [str(r[1]) for r in rows]],
    )


def build_workbook(meeting, scenarios: Sequence = ()) -> bytes:
    """The meeting workbook (.xlsx bytes). `scenarios`: ScenarioRun, Scenario or SavedScenario items (see
    analytics.slides.scenario_runs)."""
    lang = meeting.lang
    runs = scenario_runs(meeting, scenarios)
    levels = [lv for lv in LEVEL_ORDER if lv in meeting.levels]
    names = [t(f"report.sheet_level_{lv}", lang) for lv in levels]
    names += [t("report.sheet_grid_status", lang), t("report.sheet_grid_value", lang)]
    names += [t("report.sheet_scenario", lang, n=k) for k in range(1, len(runs) + 1)]
    follow = followup_rows(meeting)
    names += [t("report.sheet_followup", lang)] if len(follow) else []
    final = meeting.final() if meeting.is_final_year() else None
    names += (
        [t("report.sheet_final", lang), t("report.sheet_final_summary", lang)] if final is not None else []
    )
    buf = io.BytesIO()
    with MeetingBook(buf) as wb:  # closing writes the .xlsx and removes the rows' temporary files
        _about(wb, meeting, names)
        for level in levels:
            _attainment_sheet(wb, meeting, level)
        _grids(wb, meeting)
        for k, run in enumerate(runs, start=1):
            _scenario_sheet(wb, meeting, k, run)
        if len(follow):
            _followup_sheet(wb, meeting, follow)
        if final is not None:
            _final_sheets(wb, meeting, final)
    return buf.getvalue()
