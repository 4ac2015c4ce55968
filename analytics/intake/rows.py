"""Rows to records: the county, year and indicator of each data row, and the cells holding its numbers."""

from __future__ import annotations

import re
from collections.abc import Mapping, Set
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import MappingProxyType

from analytics.catalog import Indicator
from analytics.errors import Problem, Words, problem
from analytics.intake.context import Context
from analytics.intake.files import Sheet, cell_text
from analytics.intake.headers import Column, ColumnPlan, nfkc, resolve_indicator
from analytics.intake.values import Numbers, read_numbers
from analytics.regions import COUNTRY, CountyMatch, RegionError

_YEAR_CELL = re.compile(r"(\d{4})(\.0+)?\s*(年|年度)?")
EXAMPLE_MARK = "示例"  # the template's example rows start with it


@dataclass(frozen=True, slots=True)
class RowRecord:
    """One indicator's numbers in one row, with where each part came from.

    `region_code` / `year` are None when their cell could not be read (already reported): the numbers are
    still checked, the record is never imported.
    """

    row: int  # the spreadsheet row (1-based)
    region_code: str | None
    year: int | None
    indicator: Indicator
    numbers: Numbers
    columns: Mapping[str, Column] = field(default_factory=lambda: MappingProxyType({}))  # field -> column
    aggregate: bool = False  # a 合计 / 全省 / prefecture row: the department's own figure for that region


@dataclass(frozen=True)
class RowsRead:
    records: list[RowRecord]
    counties: frozenset[str]  # every county a row named, with or without good numbers
    years: Mapping[int, int] = field(default_factory=lambda: MappingProxyType({}))  # row -> its year cell


def county_problem(match: CountyMatch, text: str, row: int | None = None) -> Problem | None:
    """What to tell about a region cell `text` that names no county of the submission's region (None when it
    names a county, or a total row: the reader keeps that as a reported aggregate, see `_aggregate`)."""
    if match.outcome in ("county", "total"):
        return None
    return problem("error", match.problem, row, **match.fields)


def read_rows(sheet: Sheet, plan: ColumnPlan, ctx: Context, problems: list[Problem]) -> RowsRead:
    """Every data row under the header, as records; problems of single cells and rows are reported."""
    number_cols = plan.number_columns
    key_cols = plan.key_columns
    example_cols = [c.index for c in key_cols[:2]]
    watched = [c.index for c in (*plan.unknown, *plan.unnamed)]
    read_cols = {c.index for c in (*number_cols, *key_cols)}
    width = max([sheet.width, *(c.index + 1 for c in (*number_cols, *key_cols))])
    formula_cells: dict[int, set[int]] = {}  # row -> its columns holding a formula
    for r, c in sheet.formulas:
        formula_cells.setdefault(r, set()).add(c)
    no_formulas: frozenset[int] = frozenset()
    records: list[RowRecord] = []
    counties: set[str] = set()
    county_cache: dict[tuple, CountyMatch] = {}  # a name is resolved once per file
    indicator_cache: dict[str, str | None] = {}  # an indicator's text too
    year_cache: dict[str, int] = {}  # and a year cell that reads
    columns_cache: dict[tuple, Mapping[str, Column]] = {}  # the cells a record came from, shared
    block: set[str] = set()  # prefectures of the county rows since the last total row (a 小计 sums them)
    prefecture: dict[str, str] = {}  # county -> its prefecture, looked up once per county
    years: dict[int, int] = {}
    any_rows = any_numbers = False
    first_use: dict[int, int] = {}  # unknown / unnamed column -> first row with content
    for r in range(plan.header.data_start, len(sheet.rows)):
        vals = sheet.rows[r]
        if len(vals) < width:
            vals = [*vals, *([None] * (width - len(vals)))]
        if _blank(vals):
            continue
        row = r + 1
        any_rows = True
        if any(cell_text(vals[i]).startswith(EXAMPLE_MARK) for i in example_cols):
            continue
        for i in watched:
            if i not in first_use and cell_text(vals[i]):
                first_use[i] = row
        fcells = formula_cells.get(r, no_formulas)
        for c in number_cols + key_cols if fcells else ():
            if c.index in fcells:
                problems.append(
                    problem(
                        "error",
                        "formula",
                        row,
                        c.header,
                        letter=c.letter,
                        formula=sheet.formulas[(r, c.index)],
                    )
                )
        if not (fcells and fcells & read_cols) and not any(cell_text(vals[c.index]) for c in number_cols):
            continue  # a county or indicator row left empty: nothing to read
        any_numbers = True
        county = _row_county(vals, fcells, row, plan, ctx, county_cache, problems)
        aggregate = isinstance(county, CountyMatch)
        if aggregate:
            county = _aggregate(county, row, block, ctx, problems)
            block.clear()
            if county is None:
                continue
        elif county is not None:
            counties.add(county)
            if county not in prefecture:
                prefecture[county] = ctx.regions.prefecture_of(county)
            block.add(prefecture[county])
        year = _row_year(vals, fcells, row, plan, problems, year_cache)
        with_year = plan.year is not None and year is not None and plan.year.index not in fcells
        if with_year and cell_text(vals[plan.year.index]):
            years[row] = year
        if plan.layout == "long":
            ind = _row_indicator(vals, fcells, row, plan.indicator, ctx, problems, indicator_cache)
            if ind is None or any(c.index in fcells for c in plan.numbers.values()):
                continue  # a formula is reported above; the other cells of the pair cannot be judged alone
            groups = {ind.id: plan.numbers}
        else:
            groups = plan.groups
        for ind_id, group in groups.items():
            if fcells and any(c.index in fcells for c in group.values()):
                continue
            ind = ctx.catalog[ind_id]
            cells = {role: (c, vals[c.index]) for role, c in group.items()}
            if aggregate and ind.rules.binary:
                _status_of_aggregate(ind, row, cells, problems)
                continue
            numbers = read_numbers(ind, row, cells, problems)
            if numbers is not None:
                where = (ind_id, with_year)
                columns = columns_cache.get(where)
                if columns is None:
                    keys = {"year": plan.year} if with_year else {}
                    columns = columns_cache[where] = MappingProxyType({**keys, **group})
                records.append(RowRecord(row, county, year, ind, numbers, columns, aggregate))
    _report_unknown_columns(plan, first_use, problems)
    hr = plan.header.row + 1
    if not any_rows:
        problems.append(problem("error", "header_only", hr))
    elif not any_numbers and not any(p.severity == "error" for p in problems):
        problems.append(problem("error", "no_data"))
    return RowsRead(records, frozenset(counties), MappingProxyType(years))


def _blank(vals: list) -> bool:
    """No cell of the row reads as anything (most rows answer at their first cell)."""
    return not any(cell_text(v) for v in vals if v is not None and v != "")


def _report_unknown_columns(plan: ColumnPlan, first_use: dict[int, int], problems: list[Problem]) -> None:
    hr = plan.header.row + 1
    for c in plan.unknown:
        if plan.layout == "wide" and c.index in first_use:
            problems.append(
                problem("error", "unknown_indicator", hr, c.header, variant="column", letter=c.letter)
            )
        else:
            problems.append(
                problem("warning", "ignored_column", hr, c.header, variant="unknown", letter=c.letter)
            )
    for c in plan.unnamed:
        if c.index in first_use:
            problems.append(
                problem(
                    "warning",
                    "ignored_column",
                    hr,
                    variant="unnamed",
                    letter=c.letter,
                    example=first_use[c.index],
                )
            )


# --- counties and reported aggregates ------------------------------------------------------------------
def _row_county(
    vals: list,
    fcells: Set[int],
    row: int,
    plan: ColumnPlan,
    ctx: Context,
    cache: dict[tuple, CountyMatch],
    problems: list[Problem],
) -> str | CountyMatch | None:
    """The county code, None after an error, or the total match of a total row (合计, 全省, a prefecture)."""
    cols = plan.region_columns
    given = [(c, t) for c in cols if (t := cell_text(vals[c.index])) and c.index not in fcells]
    if not given:
        if not any(c.index in fcells for c in cols):
            problems.append(problem("error", "missing_county", row))
        return None
    hints = _hints(vals, fcells, plan)
    found: list[tuple[Column, str, str]] = []
    refused: list[tuple[str, CountyMatch]] = []
    for col, text in given:
        key = (text, *hints)
        match = cache.get(key)
        if match is None:
            province, prefecture = hints
            match = cache[key] = ctx.regions.resolve_county(
                text, ctx.region, province=province, prefecture=prefecture
            )
        if match.outcome == "total":
            return replace(match, fields=MappingProxyType({"text": text}))
        if match.outcome == "error":
            refused.append((text, match))
        else:
            found.append((col, text, match.code))
    if len(found) == 1 and not refused:
        return found[0][2]
    # A name the region holds twice (河北省's two 桥西区) is settled by the row's code when that is one of them.
    settled = {code for _, _, code in found}
    refused = [
        (text, m)
        for text, m in refused
        if not (
            m.problem == "ambiguous_county"
            and len(settled) == 1
            and settled <= {code for code, _ in m.fields.get("candidates", ())}
        )
    ]
    for text, match in refused:
        problems.append(county_problem(match, text, row))
    if refused:
        return None
    if len(settled) > 1:
        (c1, t1, k1), (c2, t2, k2) = found[0], found[1]
        problems.append(
            problem(
                "error",
                "code_name_mismatch",
                row,
                first_header=c1.header,
                first_text=t1,
                first_name=_name(ctx, k1),
                first_county=k1,
                header=c2.header,
                text=t2,
                name=_name(ctx, k2),
                county=k2,
            )
        )
        return None
    return settled.pop()


def _hints(vals: list, fcells: Set[int], plan: ColumnPlan) -> tuple[str | None, str | None]:
    """The row's province and prefecture cells (None without such a column or with an empty cell)."""
    out = []
    for col in (plan.province, plan.prefecture):
        text = cell_text(vals[col.index]) if col is not None and col.index not in fcells else ""
        out.append(text or None)
    return out[0], out[1]


def _aggregate(
    match: CountyMatch, row: int, block: set[str], ctx: Context, problems: list[Problem]
) -> str | None:
    """The region a total row reports for (kept as the department's figure for it, a warning says so), or
    None when it is skipped: a 小计 whose block of rows spans several prefectures, or a region outside the
    submission's."""
    text = match.fields.get("text", "")
    code = match.code
    if code is None and len(block) == 1:
        code = next(iter(block))
    if code is None or (code != COUNTRY and ctx.regions.level(code) == "county"):
        problems.append(problem("warning", "total_row_skipped", row, variant="block", text=text))
        return None
    if code == COUNTRY:  # the country's own figure: no region of the store holds it
        problems.append(problem("warning", "total_row_skipped", row, text=text, name=_name(ctx, code)))
        return None
    inside = ctx.region == COUNTRY or code == ctx.region or ctx.regions.get(code).parent_code == ctx.region
    if not inside:
        problems.append(problem("warning", "total_row_skipped", row, text=text, name=_name(ctx, code)))
        return None
    problems.append(problem("warning", "total_row_kept", row, text=text, name=_name(ctx, code), region=code))
    return code


def _status_of_aggregate(
    ind: Indicator, row: int, cells: Mapping[str, tuple[Column, object]], problems: list[Problem]
) -> None:
    """A total row's cell of a county status (1/0 per county): the region's share is always computed from
    its counties, so a figure there is set aside (a warning names it)."""
    for col, raw in cells.values():
        if cell_text(raw):
            problems.append(
                problem(
                    "warning",
                    "reported_status_ignored",
                    row,
                    col.header,
                    letter=col.letter,
                    indicator_id=ind.id,
                    text=cell_text(raw),
                )
            )


def _name(ctx: Context, code: str) -> str:
    try:
        return ctx.regions.name(code)
    except RegionError:
        return code


# --- years and indicators -----------------------------------------------------------------------------
def _row_year(
    vals: list,
    fcells: Set[int],
    row: int,
    plan: ColumnPlan,
    problems: list[Problem],
    cache: dict[str, int] | None = None,
) -> int | None:
    """The row's year as written (whether it is possible is the contract's call), the plan's default when
    the cell is empty, or None after an error."""
    col = plan.year
    if col is None or col.index in fcells:
        return plan.year_default
    raw = vals[col.index]
    if cache is not None and type(raw) is str and raw in cache:
        return cache[raw]
    text = nfkc(cell_text(raw)).strip()
    if not text:
        if plan.year_default is None:
            problems.append(
                problem("error", "missing_year", row, col.header, variant="cell", letter=col.letter)
            )
        return plan.year_default
    m = _YEAR_CELL.fullmatch(text)
    if m is None or isinstance(raw, datetime | date):
        problems.append(problem("error", "bad_year", row, col.header, letter=col.letter, text=text))
        return None
    if cache is not None and type(raw) is str:
        cache[raw] = int(m.group(1))
    return int(m.group(1))


def year_mismatches(
    years: Mapping[int, int],
    column: Column | None,
    given: int | None,
    judged: set[int],
    problems: list[Problem],
) -> set[int]:
    """Rows whose year cell is not the year given to the import (reported); rows in `judged` are left out:
    the contract refused their year already."""
    if given is None or column is None:
        return set()
    wrong = {row for row, year in years.items() if year != given and row not in judged}
    for row in sorted(wrong):
        problems.append(
            problem(
                "error",
                "year_mismatch",
                row,
                column.header,
                letter=column.letter,
                year=years[row],
                given=given,
            )
        )
    return wrong


def _row_indicator(
    vals: list,
    fcells: Set[int],
    row: int,
    cols: tuple[Column, ...],
    ctx: Context,
    problems: list[Problem],
    cache: dict[str, str | None] | None = None,
) -> Indicator | None:
    found: list[tuple[Column, str, str]] = []
    for col in cols:
        if col.index in fcells:
            return None
        text = cell_text(vals[col.index])
        if not text:
            continue
        if cache is None:
            ind_id = resolve_indicator(text, ctx.catalog)
        elif text in cache:
            ind_id = cache[text]
        else:
            ind_id = cache[text] = resolve_indicator(text, ctx.catalog)
        if ind_id is None:
            problems.append(
                problem(
                    "error",
                    "unknown_indicator",
                    row,
                    col.header,
                    variant="cell",
                    letter=col.letter,
                    text=text,
                )
            )
            return None
        found.append((col, text, ind_id))
    if not found:
        problems.append(problem("error", "missing_indicator", row))
        return None
    ids = {i for _, _, i in found}
    if len(ids) > 1:
        (c1, t1, i1), (c2, t2, i2) = found[0], found[1]
        problems.append(
            problem(
                "error",
                "indicator_mismatch",
                row,
                first_header=c1.header,
                first_text=t1,
                first_indicator=Words(ctx.catalog[i1].name),
                header=c2.header,
                text=t2,
                indicator_id=i2,
            )
        )
        return None
    return ctx.catalog[ids.pop()]
