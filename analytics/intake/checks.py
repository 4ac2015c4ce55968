"""Checks across rows: the observation contract, duplicates, jumps from earlier years, county coverage."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import numpy as np
import pandas as pd

from analytics.catalog import Catalog
from analytics.errors import Problem, Words, problem
from analytics.i18n import t
from analytics.intake.context import Context
from analytics.intake.headers import NUMBER_ROLES
from analytics.intake.rows import RowRecord
from analytics.regions import COUNTRY, Places, RegionError, RegionTable
from analytics.schema import MIN_YEAR, OBS_COLUMNS, contract_problems, number_text

MAX_LISTED = 10  # counties named in a coverage warning
# A record whose region or year cell failed (already reported) still has its numbers judged: the contract
# sees stand-ins (a distinct code per record, so they are not duplicates of each other), and what it says
# about them is not repeated.
_STAND_IN_YEAR = MIN_YEAR


def _stand_in_region(position: int) -> str:
    return f"{position % 1_000_000:06d}"


# --- the observation contract --------------------------------------------------------------------------
def hold_to_contract(
    records: list[RowRecord], catalog: Catalog, problems: list[Problem]
) -> tuple[list[RowRecord], set[int]]:
    """The records whose numbers, region and year the observation contract accepts (a record whose region or
    year cell failed is judged on its numbers only), and the rows whose year it refused. Each refusal is
    reported at the user's cell: row, column letter and header."""
    if not records:
        return [], set()
    frame = pd.DataFrame(
        {
            "region_code": [r.region_code or _stand_in_region(i) for i, r in enumerate(records)],
            "year": np.array([_STAND_IN_YEAR if r.year is None else r.year for r in records], dtype="int64"),
            "indicator_id": [r.indicator.id for r in records],
            **{
                role: np.array([_nan(r.numbers.get(role)) for r in records], dtype="float64")
                for role in NUMBER_ROLES
            },
        }
    )
    refused: set[int] = set()
    year_refused: set[int] = set()
    told: set[tuple] = set()
    # duplicates are drop_duplicates' call: identical ones are only a warning
    for p in contract_problems(frame, catalog=catalog, rows=np.arange(len(records)), duplicates=False):
        if p.row is None:
            problems.append(p)
            continue
        rec = records[p.row]
        if (p.column == "region_code" and rec.region_code is None) or (
            p.column == "year" and rec.year is None
        ):
            continue  # a stand-in
        refused.add(p.row)
        if p.column == "year":
            year_refused.add(rec.row)
        located = _at_cell(p, rec)
        where = (
            located.row,
            located.code,
            located.column,
            located.fields.get("letter"),
            located.fields.get("variant"),
        )
        if where not in told:  # a year cell shared by the indicators of a wide row is told once
            told.add(where)
            problems.append(located)
    return [r for i, r in enumerate(records) if i not in refused], year_refused


def _at_cell(p: Problem, rec: RowRecord) -> Problem:
    """A contract problem (row = record position, column = canonical field) moved to the user's cell."""
    col = rec.columns.get(p.column) if p.column else None
    if col is None and p.column in NUMBER_ROLES:  # a status given as numerator rather than value
        col = next(
            (
                c
                for role, c in rec.columns.items()
                if role in NUMBER_ROLES and rec.numbers.get(role) is not None
            ),
            None,
        )
    fields = dict(p.fields)
    if col is not None:
        fields["letter"] = col.letter
    return replace(p, row=rec.row, column=col.header if col else None, fields=MappingProxyType(fields))


def _nan(v: float | None) -> float:
    return np.nan if v is None else float(v)


# --- duplicates ----------------------------------------------------------------------------------------
def drop_duplicates(
    records: list[RowRecord], regions: RegionTable, problems: list[Problem]
) -> list[RowRecord]:
    """One record per county, year and indicator: a repeat with the same numbers is dropped (a warning), one
    with other numbers is an error (which row is right cannot be known)."""
    kept: dict[tuple, RowRecord] = {}
    for rec in records:
        key = (rec.region_code, rec.year, rec.indicator.id)
        first = kept.get(key)
        if first is None:
            kept[key] = rec
            continue
        fields = {
            "first_row": first.row,
            "county": _name(regions, rec.region_code),
            "year": rec.year,
            "indicator_id": rec.indicator.id,
        }
        differ = [role for role in NUMBER_ROLES if not _same(first.numbers.get(role), rec.numbers.get(role))]
        if not differ:
            problems.append(problem("warning", "duplicate_identical", rec.row, **fields))
        else:
            problems.append(
                problem(
                    "error",
                    "duplicate_conflict",
                    rec.row,
                    differences=_differences(first, rec, differ),
                    **fields,
                )
            )
    return list(kept.values())


def _differences(first: RowRecord, rec: RowRecord, roles: list[str]) -> Words:
    def render(lang: str) -> str:
        parts = [
            t(
                "problem.duplicate_difference",
                lang,
                role=t(f"field_{role}", lang),
                first=_shown(first.numbers.get(role), lang),
                second=_shown(rec.numbers.get(role), lang),
            )
            for role in roles
        ]
        return t("problem.duplicate_separator", lang).join(parts)

    return Words(render)


def _same(a: float | None, b: float | None) -> bool:
    return a == b  # None == None: both empty


def _shown(v: float | None, lang: str) -> str:
    return t("problem.duplicate_empty", lang) if v is None else number_text(v)


def _name(regions: RegionTable, code: str) -> str:
    try:
        return regions.name(code)
    except RegionError:
        return code


# --- earlier years and coverage ------------------------------------------------------------------------
def large_changes(
    obs: pd.DataFrame, previous: pd.DataFrame | None, ctx: Context, problems: list[Problem]
) -> None:
    """Warn where an indicator whose kind flags jumps moved more than its `jump_points` from the latest earlier
    year in `previous` (canonical observations)."""
    if previous is None or len(previous) == 0 or obs.empty:
        return
    limits = {i.id: i.rules.jump_points for i in ctx.catalog.indicators if i.rules.jump_points is not None}
    prev = previous[previous["indicator_id"].astype(str).isin(limits)]
    earlier: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for code, year, ind_id, v in zip(
        prev["region_code"].astype(str),
        pd.to_numeric(prev["year"], errors="coerce"),
        prev["indicator_id"].astype(str),
        _values(prev, ctx.catalog),
        strict=True,
    ):
        if year == year and v == v:
            earlier.setdefault((code, ind_id), []).append((int(year), float(v)))
    cur = obs[obs["indicator_id"].isin(limits)]
    for rec, v in zip(cur.itertuples(index=False), _values(cur, ctx.catalog), strict=True):
        before = [(y, b) for y, b in earlier.get((rec.region_code, rec.indicator_id), []) if y < rec.year]
        if v != v or not before:
            continue
        before_year, before_value = max(before)
        change = v - before_value
        limit = limits[rec.indicator_id]
        if abs(change) <= limit:
            continue
        problems.append(
            problem(
                "warning",
                "large_change",
                int(rec.source_row),
                variant="up" if change > 0 else "down",
                county=_name(ctx.regions, rec.region_code),
                indicator_id=rec.indicator_id,
                year=int(rec.year),
                value=f"{v:.1f}",
                before_year=before_year,
                before=f"{before_value:.1f}",
                change=f"{abs(change):.1f}",
                limit=f"{limit:g}",
            )
        )


def _values(df: pd.DataFrame, catalog: Catalog) -> pd.Series:
    """Each row's value: numerator / denominator x scale where both are there, else the value reported."""
    num = pd.to_numeric(df["numerator"], errors="coerce")
    den = pd.to_numeric(df["denominator"], errors="coerce")
    scale = df["indicator_id"].astype(str).map({i.id: i.scale for i in catalog.indicators}).astype("float64")
    computed = num / den.where(den > 0) * scale
    return computed.fillna(pd.to_numeric(df["value"], errors="coerce"))


# --- reported aggregates and where an indicator applies ----------------------------------------------------
def reported_totals(obs: pd.DataFrame, ctx: Context, problems: list[Problem]) -> None:
    """Warn where a total row (the department's own figure for a prefecture or the province) and the sums of
    the file's county rows inside that region differ beyond rounding: both figures are named, the sum is the
    one used. The comparison is attainment()'s (one rule: analytics.attainment.reported_differences)."""
    from analytics.attainment import attainment, reported_differences
    from analytics.catalog import load_profile

    codes = obs["region_code"].astype(str)
    levels = {ctx.regions.level(c) for c in codes.unique() if c in ctx.regions}
    rows = obs.set_index([codes, obs["year"], obs["indicator_id"].astype(str)])["source_row"]
    for level in ("prefecture", "province"):
        if level not in levels:
            continue
        evaluated = attainment(obs, ctx.regions, ctx.catalog, load_profile(), ctx.region, level)
        for r in reported_differences(evaluated).itertuples(index=False):
            ind = ctx.catalog[str(r.indicator_id)]
            problems.append(
                problem(
                    "warning",
                    "reported_total_differs",
                    int(rows.get((str(r.region_code), int(r.year), ind.id), 0)) or None,
                    name=r.region_name,
                    indicator_id=ind.id,
                    reported=_figure(ind, r.reported_value),
                    computed=_figure(ind, r.value),
                    n=int(r.n_reported),
                )
            )


def _figure(ind, value: float) -> Words:
    """A value as the department compares it: two decimals (the rule looks at 0.05), with its unit."""
    return Words(lambda lang: ind.rules.format_value(value, 2, ind.unit_in(lang), lang))


def outside_condition(
    obs: pd.DataFrame, previous: pd.DataFrame | None, ctx: Context, problems: list[Problem]
) -> set[tuple[int, str]]:
    """Warn about rows of an indicator that counts only where a county status is 1 (indicator 22 only in
    counties with community rehabilitation) for a county whose status that year is 0, in this file or, for a
    county the file does not say, in the store (`previous`). The rule is attainment.not_applicable. Returns
    the (row, indicator) pairs warned about: a row that does not count is not also "shown without
    numerators"."""
    from analytics.attainment import not_applicable

    conditional = [i for i in ctx.catalog.indicators if i.applies_where]
    if not conditional or obs.empty:
        return set()
    frame = obs
    if previous is not None and len(previous):
        earlier = previous[
            previous["indicator_id"].astype(str).isin({i.applies_where for i in conditional})
            & previous["year"].isin(obs["year"].unique())
        ]
        told = set(_keys(obs))  # the file's own status of a county and year is the one that counts
        earlier = earlier[~_keys(earlier).isin(told)][OBS_COLUMNS]
        frame = pd.concat([obs, earlier.assign(source_row=0)], ignore_index=True)
    counties = set(ctx.regions.counties()["code"].astype(str))
    flagged = frame[not_applicable(frame, ctx.catalog, counties)]

    def where(df: pd.DataFrame) -> pd.Series:
        return df["region_code"].astype(str) + "|" + df["year"].astype(str)

    said = where(frame[frame["indicator_id"].astype(str).isin({i.applies_where for i in conditional})])
    skipped = {(int(r), str(i)) for r, i in zip(flagged["source_row"], flagged["indicator_id"], strict=True)}
    for rec, known in zip(flagged.itertuples(index=False), where(flagged).isin(said), strict=True):
        ind = ctx.catalog[str(rec.indicator_id)]
        problems.append(
            problem(
                "warning",
                "not_applicable",
                int(rec.source_row),
                county=_name(ctx.regions, str(rec.region_code)),
                year=int(rec.year),
                indicator_id=ind.id,
                condition=Words(ctx.catalog[ind.applies_where].short),
                variant=None if known else "unknown",
            )
        )
    return skipped


def _keys(df: pd.DataFrame) -> pd.Series:
    return df["region_code"].astype(str) + "|" + df["year"].astype(str) + "|" + df["indicator_id"].astype(str)


def coverage(counties: frozenset[str], ctx: Context, problems: list[Problem]) -> None:
    """Warn when some counties of the region appear in no row at all."""
    expected = ctx.regions.counties(None if ctx.region == COUNTRY else ctx.region)
    missing = expected[~expected["code"].isin(counties)]
    if missing.empty or not counties:
        return
    listed = Places(zip(missing["code"].head(MAX_LISTED), missing["name"].head(MAX_LISTED), strict=True))
    problems.append(
        problem(
            "warning",
            "missing_counties",
            region_name=ctx.region_name,
            expected=len(expected),
            missing=len(missing),
            counties=listed,
            **({"variant": "more"} if len(missing) > MAX_LISTED else {}),
        )
    )
