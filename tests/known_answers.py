"""Known answers from the demo CSV (data/demo/jilin_2020_2025.csv), computed here with the csv module and exact
fractions, not with the engine: the CLI and page tests compare what they show with these figures.

The rules are DESIGN.md's, written out plainly: rates and per-population values from summed numerators and
denominators, county_status as the share of counties with 1, reductions against the summed 2020 counts.
"""

from __future__ import annotations

import csv
import math
from fractions import Fraction
from functools import cache
from pathlib import Path

import pandas as pd

DEMO_CSV = Path(__file__).resolve().parents[1] / "data" / "demo" / "jilin_2020_2025.csv"
BASELINE_YEAR = 2020


@cache
def demo_years() -> tuple[int, ...]:
    """The years of the demo CSV, read from the file (2020-2025 today)."""
    return tuple(sorted({int(r["year"]) for r in demo_rows()}))


def latest_year() -> int:
    """The demo's newest year: the year every page opens on."""
    return demo_years()[-1]


@cache
def demo_rows() -> tuple[dict[str, str], ...]:
    """The demo CSV's rows as the csv module reads them (strings). The functions below take `rows` of the same
    shape (e.g. the generated demo data of all China) and default to these."""
    with open(DEMO_CSV, encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def counts(indicator_id: str, year: int, rows=None) -> dict[str, tuple[int, int | None]]:
    """County code -> (numerator, denominator) of the rows that carry counts."""
    out = {}
    for row in rows or demo_rows():
        if row["indicator_id"] == indicator_id and int(row["year"]) == year and row["numerator"]:
            den = int(float(row["denominator"])) if row["denominator"] else None
            out[row["region_code"]] = (int(float(row["numerator"])), den)
    return out


def sums(indicator_id: str, year: int, counties: set[str] | None = None, rows=None) -> tuple[int, int]:
    """Summed numerator and denominator of the counties (all counties of `rows` when None)."""
    parts = [v for c, v in counts(indicator_id, year, rows).items() if counties is None or c in counties]
    return sum(n for n, _ in parts), sum(d or 0 for _, d in parts)


def statuses(indicator_id: str, year: int, rows=None) -> dict[str, float]:
    """County code -> reported value (county_status rows: 1 or 0)."""
    return {
        row["region_code"]: float(row["value"])
        for row in rows or demo_rows()
        if row["indicator_id"] == indicator_id and int(row["year"]) == year
    }


def meets(value: Fraction, target) -> bool:
    return value > target.threshold if target.comparator == ">" else value >= target.threshold


def province_value(indicator, year: int, rows=None) -> Fraction | None:
    """The value of one indicator (a catalog Indicator) in `year` over all counties of `rows` (Jilin's by
    default), by the indicator's kind."""
    if indicator.kind == "county_status":
        values = statuses(indicator.id, year, rows).values()
        return Fraction(100 * sum(v == 1 for v in values), len(values)) if values else None
    num, den = sums(indicator.id, year, rows=rows)
    if indicator.kind == "reduction_vs_baseline":
        base = sums(indicator.id, BASELINE_YEAR, rows=rows)[0]
        return Fraction(100 * (base - num), base) if base else None
    return Fraction(num * int(indicator.scale), den) if den else None


def county_statuses(catalog, profile, year: int) -> dict[tuple[str, str], str]:
    """(county code, indicator id) -> met / not_met for every county row of the year (no_data left out)."""
    out = {}
    for indicator in catalog.indicators:
        target = profile.targets[indicator.id]
        if indicator.kind == "county_status":
            values = {c: Fraction(100 * (v == 1)) for c, v in statuses(indicator.id, year).items()}
        elif indicator.kind == "reduction_vs_baseline":
            base = counts(indicator.id, BASELINE_YEAR)
            values = {
                c: Fraction(100 * (base[c][0] - num), base[c][0])
                for c, (num, _) in counts(indicator.id, year).items()
                if base.get(c, (0,))[0]
            }
        else:
            values = county_values(indicator, year)
        for code, value in values.items():
            out[code, indicator.id] = "met" if meets(value, target) else "not_met"
    return out


def province_met(catalog, profile, year: int, rows=None) -> int:
    """How many of the 25 indicators the counties of `rows` (Jilin) meet together in `year` (the headline)."""
    met = 0
    for indicator in catalog.indicators:
        value = province_value(indicator, year, rows)
        met += value is not None and meets(value, profile.targets[indicator.id])
    return met


def county_values(indicator, year: int, numerators: dict[str, int] | None = None) -> dict[str, Fraction]:
    """County code -> value of a rate or per-population indicator (with some numerators replaced)."""
    out = {}
    for code, (num, den) in counts(indicator.id, year).items():
        if den:
            out[code] = Fraction((numerators or {}).get(code, num) * int(indicator.scale), den)
    return out


def counties_meeting(indicator, year: int, target, numerators: dict[str, int] | None = None) -> int:
    return sum(meets(v, target) for v in county_values(indicator, year, numerators).values())


def units_to_meet(num: int, den: int, scale: int, target) -> int:
    """The fewest extra numerator units that meet the target with the denominator unchanged."""
    k = max(0, math.floor(target.threshold * den / scale) - num)
    while not meets(Fraction((num + k) * scale, den), target):
        k += 1
    return k


def fewest_first(indicator, year: int, target, units: int) -> int:
    """Counties meeting the target after `units` go to the lagging counties, the smallest shortfall first."""
    needs = sorted(
        (units_to_meet(num, den, int(indicator.scale), target), code)
        for code, (num, den) in counts(indicator.id, year).items()
        if den
    )
    met = sum(k == 0 for k, _ in needs)
    for k, _ in needs:
        if 0 < k <= units:
            units -= k
            met += 1
        elif k > units:
            break
    return met


def rows_of(frame, years: tuple[int, ...]) -> tuple[dict[str, str], ...]:
    """A canonical observation frame (e.g. the generated demo data of all China) as csv-like rows of `years`
    (include the baseline year 2020 for the reductions)."""
    part = frame[frame["year"].isin(years)]
    columns = ["region_code", "year", "indicator_id", "numerator", "denominator", "value"]
    return tuple(
        {k: "" if v is None or v != v else str(v) for k, v in zip(columns, rec, strict=True)}
        for rec in part[columns].astype(object).itertuples(index=False)
    )


def obs_frame(indicator_id: str, rows: dict, year: int = 2024) -> pd.DataFrame:
    """Observation rows of one indicator: region_code -> (numerator, denominator) or a value alone."""
    records = []
    for code, parts in rows.items():
        rec = {"region_code": code, "year": year, "indicator_id": indicator_id}
        if isinstance(parts, tuple):
            rec["numerator"], rec["denominator"] = parts
        else:
            rec["value"] = parts
        records.append(rec)
    return pd.DataFrame(records)
