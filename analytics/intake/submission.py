"""A department's file read end to end: bytes -> sheets -> header -> rows -> records -> checked observations."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import pandas as pd

from analytics.catalog import Catalog, load_catalog
from analytics.errors import Problem, problem
from analytics.intake.checks import (
    coverage,
    drop_duplicates,
    hold_to_contract,
    large_changes,
    outside_condition,
    reported_totals,
)
from analytics.intake.context import Context
from analytics.intake.files import read_sheets
from analytics.intake.headers import pick_sheet, plan_columns
from analytics.intake.limits import LIMITS, Limits
from analytics.intake.rows import RowRecord, RowsRead, read_rows, year_mismatches
from analytics.intake.summary import ProblemList, cap_warnings
from analytics.intake.values import canonical, number_warnings
from analytics.regions import COUNTRY, RegionTable, load_regions
from analytics.schema import MIN_YEAR, OBS_COLUMNS, latest_year

COLUMNS = [*OBS_COLUMNS, "source_row"]
_DTYPES = {
    "region_code": str,
    "year": "int64",
    "indicator_id": str,
    "numerator": "float64",
    "denominator": "float64",
    "value": "float64",
    "source_row": "int64",
}


@dataclass
class Submission:
    """A read submission: the observations that could be read, and every problem found on the way."""

    observations: pd.DataFrame  # OBS_COLUMNS + source_row; rows with errors are left out
    problems: list[Problem]
    source_name: str
    sha256: str
    encoding: str | None = None  # for text files: utf-8, utf-8-sig, gb18030, utf-16
    sheet: str | None = None  # for workbooks: the sheet read
    header_row: int | None = None  # 1-based row of the (first) header row
    layout: str | None = None  # "long" or "wide"

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def problem_frame(self, lang: str = "zh") -> pd.DataFrame:
        """severity, row, column, code, message: a table to show or save."""
        return pd.DataFrame(
            [(p.severity, p.row, p.column, p.code, p.message(lang)) for p in self.problems],
            columns=["severity", "row", "column", "code", "message"],
        )


def read_submission(
    data: bytes,
    filename: str,
    *,
    region: str,
    year: int | None = None,
    catalog: Catalog | None = None,
    regions: RegionTable | None = None,
    previous: pd.DataFrame | None = None,
    limits: Limits = LIMITS,
    sandbox: bool = True,
) -> Submission:
    """Read and check one department's file for `region` (a province or prefecture code).

    Never raises on bad input: every problem is in `Submission.problems`, with the spreadsheet row number.
    `year` is used when the file has no year column (and checked against it when it has one); `previous`
    (canonical observations of earlier years) enables the "changed by more than 20 points" warning.
    The file is held to `limits` (analytics/intake/limits.py) and, with `sandbox` (the default), read in a
    worker process held to the limits' memory and time (analytics/intake/sandbox.py); `sandbox=False` reads
    it here (tests, benchmarks, and the worker itself).
    """
    data = bytes(data)
    if sandbox and len(data) <= limits.file_bytes:  # a file over the size limit is refused here, unread
        from analytics.intake.sandbox import read_in_worker

        kwargs = dict(filename=filename, region=region, year=year, catalog=catalog, regions=regions)
        sub = read_in_worker({"data": data, **kwargs, "previous": previous}, limits)
        if sub is not None:
            return sub
    catalog = catalog or load_catalog()
    regions = regions or load_regions()
    problems = ProblemList()  # warnings past the cap are counted as they are found
    ctx = _context(str(region).strip(), year, catalog, regions, problems)
    file = read_sheets(data, filename or "", limits)
    problems.extend(file.problems)
    sheet_name = header_row = layout = None
    plan, read = None, RowsRead([], frozenset())
    picked = pick_sheet(file.sheets, catalog, problems) if file.sheets is not None else None
    if picked is not None:
        sheet, header = picked
        sheet_name, header_row = sheet.name, header.row + 1
        layout = header.layout if header.valid else None
        plan = plan_columns(sheet, header, ctx, problems) if ctx is not None else None
        if plan is not None:
            read = read_rows(sheet, plan, ctx, problems)
    accepted, year_refused = hold_to_contract(read.records, catalog, problems)
    numbers_at = len(problems)  # where the number warnings go, said once the checks across rows are done
    wrong_year = year_mismatches(read.years, plan.year, ctx.year, year_refused, problems) if plan else set()
    kept = [
        r for r in accepted if r.region_code is not None and r.year is not None and r.row not in wrong_year
    ]
    kept = drop_duplicates(
        [replace(r, numbers=canonical(r.indicator, r.numbers)) for r in kept], regions, problems
    )
    obs = _observations(kept)
    not_counted: set[tuple[int, str]] = set()
    if kept and ctx is not None:
        large_changes(obs, previous, ctx, problems)
        coverage(read.counties, ctx, problems)
        reported_totals(obs, ctx, problems)
        not_counted = outside_condition(obs, previous, ctx, problems)
    number_told = ProblemList()
    for rec in accepted:
        # a total row's figure alone is what a reported aggregate is, and a row outside its condition is
        # told once (not_applicable): neither is worth a "value only" warning
        quiet = rec.aggregate or (rec.row, rec.indicator.id) in not_counted
        for p in number_warnings(rec.indicator, rec.numbers, rec.row):
            if not (quiet and p.code == "value_only"):
                number_told.append(p)
    problems.put_at(numbers_at, number_told)
    problems.sort(key=lambda p: 0 if p.row is None else p.row)  # stable: a row's problems keep their order
    problems = cap_warnings(problems)  # at most WARNINGS_LISTED of a kind, then one line counting the rest
    return Submission(
        observations=obs,
        problems=problems,
        source_name=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=file.encoding,
        sheet=sheet_name,
        header_row=header_row,
        layout=layout,
    )


def _context(
    region: str, year: int | None, catalog: Catalog, regions: RegionTable, problems: list[Problem]
) -> Context | None:
    """What the file is read for; None (reported) when the region or the year given cannot be used."""
    if year is not None and not (MIN_YEAR <= year <= latest_year()):
        problems.append(
            problem("error", "impossible_year", variant="given", year=year, min=MIN_YEAR, max=latest_year())
        )
        return None
    if (
        region == COUNTRY
    ):  # a national file: names are read inside their province column (regions.resolve_county)
        return Context(
            region=COUNTRY, region_name=regions.name(COUNTRY), year=year, catalog=catalog, regions=regions
        )
    if region not in regions:
        problems.append(problem("error", "unknown_region", region=region))
        return None
    r = regions.get(region)
    if r.level not in ("province", "prefecture"):
        problems.append(problem("error", "region_not_province_or_prefecture", name=r.name, region=r.code))
        return None
    return Context(region=r.code, region_name=r.name, year=year, catalog=catalog, regions=regions)


def _observations(records: list[RowRecord]) -> pd.DataFrame:
    rows = [
        (
            r.region_code,
            r.year,
            r.indicator.id,
            r.numbers.numerator,
            r.numbers.denominator,
            r.numbers.value,
            r.row,
        )
        for r in records
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("numerator", "denominator", "value"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    return frame.astype(_DTYPES)
