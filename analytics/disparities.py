"""Disparities inside a region (issue 12.5): districts against counties, ethnic autonomous areas against the
rest, the gap's trend since 2020, and the spread between the region's prefectures (provinces for all China).

Every group value is the engine's: the group's counties are summed by `rollup.rollup` (a groups frame whose
prefecture key is the group label) and evaluated by `attainment.evaluate`, so a group's value, low and high are
computed exactly as a prefecture's are — by sums over its counties, never as a mean of county rates — with
the 95 % interval its kind declares (analytics/intervals.py; none for a 1/0 county status).

Groups (county-level units of the region, by name, from the region table):
- `district`: a name ending in 区; `county`: every other county-level unit (县, 县级市, 旗 …);
- `autonomous`: a name containing 自治 or ending in 旗, or a unit inside an autonomous prefecture (a prefecture
  whose name contains 自治, e.g. 延边朝鲜族自治州); `other`: the rest.

The difference a − b and the ratio a / b of two groups get 95 % intervals by MOVER (Zou & Donner 2008), from
each group's own interval [l, u]:
    difference: d − sqrt((a − la)² + (ub − b)²)  …  d + sqrt((ua − a)² + (b − lb)²)
    ratio: the same on the log scale, exponentiated; NaN where a, b or any limit is ≤ 0 (or missing).
The ratio itself is NaN where b ≤ 0. With Wilson limits the difference interval is Newcombe's hybrid score
interval. Where a group has no interval (a status kind, a value sent without counts) the value, difference and
ratio are still given, their intervals are left empty.

`disparities()` returns one tidy frame, one row per comparison x indicator x year (COLUMNS):
- comparison "district_county" (group_a "district", group_b "county") and "autonomous_other" ("autonomous",
  "other"): one row per year present in the data from TREND_START (2020) to the chosen year — the rows of
  earlier years are the gap's trend (`gap_trend` lays them out one column per year); name_a / name_b are
  empty (display words: `group_label`);
- comparison "prefectures" (province region), "provinces" (all China) or "counties" (a prefecture region):
  the spread one level below the region, for the chosen year only: group_a / name_a the unit with the highest
  value, group_b / name_b the one with the lowest (ties: the smaller code), their values from
  `attainment(..., level=…)` (the engine's roll-ups, a department's own figure where nothing sums); difference
  and ratio are highest − lowest and highest / lowest, with the MOVER intervals of these two units (not
  corrected for their having been picked as the extremes).
n_a / n_b: counties of the group (of the unit) with data; units_a / units_b: counties the group has (for an
indicator defined only where a condition holds, the counties it applies to).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analytics.attainment import applicable_units, attainment, evaluate, prepare
from analytics.catalog import Catalog, TargetProfile
from analytics.errors import AtlasError
from analytics.i18n import DEFAULT_LANG, t
from analytics.insights import with_unit
from analytics.regions import COUNTRY
from analytics.rollup import rollup

TREND_START = 2020
# comparison id -> (group a, group b); group a is where the county-level unit's flag is True
COMPARISONS: dict[str, tuple[str, str]] = {
    "district_county": ("district", "county"),
    "autonomous_other": ("autonomous", "other"),
}
FLAGS = {"district_county": "district", "autonomous_other": "autonomous"}
# the spread is across the units one level below the region
SPREAD_LEVELS = {"country": "province", "province": "prefecture", "prefecture": "county"}
SPREAD_COMPARISONS = {"province": "provinces", "prefecture": "prefectures", "county": "counties"}
SIDE_COLUMNS = ("value", "low", "high", "n", "units")
COLUMNS = [
    "comparison",
    "indicator_id",
    "kind",
    "year",
    "group_a",
    "name_a",
    "value_a",
    "low_a",
    "high_a",
    "n_a",
    "units_a",
    "group_b",
    "name_b",
    "value_b",
    "low_b",
    "high_b",
    "n_b",
    "units_b",
    "difference",
    "diff_low",
    "diff_high",
    "ratio",
    "ratio_low",
    "ratio_high",
]


class DisparityError(AtlasError):
    """A disparity that cannot be computed as asked: disparities.<code> in data/i18n."""

    prefix = "disparities"


def group_label(group: str, lang: str = DEFAULT_LANG) -> str:
    """Display words of a group id (district, county, autonomous, other)."""
    return t(f"disparities.group_{group}", lang)


def comparison_label(comparison: str, lang: str = DEFAULT_LANG) -> str:
    """Display words of a comparison id (district_county, …, prefectures, provinces, counties)."""
    return t(f"disparities.comparison_{comparison}", lang)


def _scope(region_code: str | None) -> str | None:
    """A region code as the engine takes it: None for all China (None or COUNTRY)."""
    return None if region_code is None or str(region_code) == COUNTRY else str(region_code)


# --- groups ------------------------------------------------------------------------------------------------
def classify(regions, region_code: str | None) -> pd.DataFrame:
    """The county-level units of a region (None or COUNTRY: all China) with their groups: region_code, name,
    prefecture_code, district (name ends in 区), autonomous (name contains 自治 or ends in 旗, or the unit's
    prefecture's name contains 自治)."""
    groups = regions.county_groups(_scope(region_code))
    names = regions.frame["name"]
    name = names.reindex(groups["region_code"]).fillna("").astype(str).reset_index(drop=True)
    prefecture = names.reindex(groups["prefecture_code"]).fillna("").astype(str).reset_index(drop=True)
    own = name.str.contains("自治", regex=False) | name.str.endswith("旗")
    return pd.DataFrame(
        {
            "region_code": groups["region_code"].to_numpy(),
            "name": name.to_numpy(),
            "prefecture_code": groups["prefecture_code"].to_numpy(),
            "district": name.str.endswith("区").to_numpy(),
            "autonomous": (own | prefecture.str.contains("自治", regex=False)).to_numpy(),
        }
    )


# --- MOVER -------------------------------------------------------------------------------------------------
def mover_difference(a, low_a, high_a, b, low_b, high_b) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """a − b and its MOVER interval (Zou & Donner 2008) from the intervals of a and b (vectorised)."""
    a, la, ua, b, lb, ub = (np.asarray(x, dtype="float64") for x in (a, low_a, high_a, b, low_b, high_b))
    d = a - b
    return d, d - np.sqrt((a - la) ** 2 + (ub - b) ** 2), d + np.sqrt((ua - a) ** 2 + (b - lb) ** 2)


def mover_ratio(a, low_a, high_a, b, low_b, high_b) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """a / b (NaN where b ≤ 0) and its MOVER interval on the log scale (NaN where a, b or a limit is ≤ 0)."""
    a, la, ua, b, lb, ub = (np.asarray(x, dtype="float64") for x in (a, low_a, high_a, b, low_b, high_b))
    ratio = np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)
    ok = (a > 0) & (la > 0) & (ua > 0) & (b > 0) & (lb > 0) & (ub > 0)  # NaN compares False

    def ln(x):
        return np.log(np.where(ok, x, 1.0))

    _, low, high = mover_difference(ln(a), ln(la), ln(ua), ln(b), ln(lb), ln(ub))
    return ratio, np.where(ok, np.exp(low), np.nan), np.where(ok, np.exp(high), np.nan)


def _with_contrasts(frame: pd.DataFrame) -> pd.DataFrame:
    """difference, diff_low, diff_high, ratio, ratio_low, ratio_high of the a and b columns."""
    sides = [frame[f"{c}_{s}"] for s in ("a", "b") for c in ("value", "low", "high")]
    frame["difference"], frame["diff_low"], frame["diff_high"] = mover_difference(*sides)
    frame["ratio"], frame["ratio_low"], frame["ratio_high"] = mover_ratio(*sides)
    return frame


# --- group comparisons -------------------------------------------------------------------------------------
def trend_years(obs: pd.DataFrame, year: int) -> list[int]:
    """The years of the gap's trend: those present in the data from TREND_START to `year`, and `year`."""
    present = pd.to_numeric(obs["year"], errors="coerce").dropna().astype(int)
    return sorted({int(y) for y in present if TREND_START <= y <= year} | {int(year)})


def _prepared(obs: pd.DataFrame, regions, catalog: Catalog, profile: TargetProfile, counties) -> pd.DataFrame:
    """The region's county rows, ready to sum (attainment.prepare)."""
    subset = obs[obs["region_code"].astype(str).isin(set(counties))]
    return prepare(subset, catalog, profile, population=regions.frame["population"])


def group_values(
    prepared: pd.DataFrame,
    classes: pd.DataFrame,
    comparison: str,
    catalog: Catalog,
    profile: TargetProfile,
    years: list[int],
    indicator_ids: list[str],
) -> pd.DataFrame:
    """Each group of `comparison` x year x indicator, evaluated from its counties' sums as a prefecture is:
    region_code (the group id), year, indicator_id, kind, value, low, high, n_reported, n_units."""
    group_a, group_b = COMPARISONS[comparison]
    label = np.where(classes[FLAGS[comparison]].to_numpy(), group_a, group_b)
    groups = pd.DataFrame({"region_code": classes["region_code"].to_numpy(), "prefecture_code": label})
    rolled = rollup(prepared[prepared["year"].isin(years)], groups, "prefecture")
    keys = ["region_code", "year", "indicator_id"]
    full = pd.MultiIndex.from_product([[group_a, group_b], years, indicator_ids], names=keys)
    rolled = rolled.astype({"indicator_id": str}).set_index(keys).reindex(full).reset_index()
    units = groups.groupby("prefecture_code").size()
    rolled["n_units"] = rolled["region_code"].map(units).fillna(0)
    conditional = applicable_units(prepared, groups, "prefecture", catalog)
    if len(conditional):  # an indicator defined only where a condition holds counts only those counties
        found = conditional.set_index(keys)["n_units"].reindex(pd.MultiIndex.from_frame(rolled[keys]))
        is_conditional = rolled["indicator_id"].isin(set(conditional["indicator_id"])).to_numpy()
        rolled["n_units"] = np.where(
            is_conditional, np.nan_to_num(found.to_numpy(dtype="float64")), rolled["n_units"]
        )
    rolled["n_reported"] = rolled["n_reported"].fillna(0)
    rolled["kind"] = rolled["indicator_id"].map({i.id: i.kind for i in catalog.indicators})
    return evaluate(rolled, catalog, profile)


def group_comparisons(
    obs: pd.DataFrame,
    regions,
    catalog: Catalog,
    profile: TargetProfile,
    region_code: str | None,
    years: list[int],
    indicator_ids: list[str] | None = None,
) -> pd.DataFrame:
    """The rows of every comparison in COMPARISONS (COLUMNS), one per comparison x indicator x year."""
    ids = list(indicator_ids or catalog.ids)
    classes = classify(regions, region_code)
    prepared = _prepared(obs, regions, catalog, profile, classes["region_code"])
    frames = []
    for comparison, (group_a, group_b) in COMPARISONS.items():
        ev = group_values(prepared, classes, comparison, catalog, profile, years, ids)
        half = len(ev) // 2  # the grid lists every row of group a, then group b, in the same (year, id) order
        a, b = ev.iloc[:half].reset_index(drop=True), ev.iloc[half:].reset_index(drop=True)
        out = pd.DataFrame(
            {
                "comparison": comparison,
                "indicator_id": a["indicator_id"].astype(str),
                "kind": a["kind"],
                "year": a["year"].astype("int64"),
                "group_a": group_a,
                "name_a": "",
                "group_b": group_b,
                "name_b": "",
            }
        )
        for side, part in (("a", a), ("b", b)):
            out[f"value_{side}"] = part["value"].to_numpy()
            out[f"low_{side}"] = part["low"].to_numpy()
            out[f"high_{side}"] = part["high"].to_numpy()
            out[f"n_{side}"] = part["n_reported"].to_numpy().astype("int64")
            out[f"units_{side}"] = part["n_units"].to_numpy().astype("int64")
        frames.append(out)
    return _with_contrasts(pd.concat(frames, ignore_index=True))


# --- spread ------------------------------------------------------------------------------------------------
def spread_level(regions, region_code: str | None) -> str:
    """The level the spread is measured across: provinces for all China, prefectures for a province,
    counties for a prefecture."""
    if _scope(region_code) is None:
        return "province"
    level = regions.get(region_code).level
    if level not in SPREAD_LEVELS:
        raise DisparityError("region_is_county", name=regions.name(region_code), code=str(region_code))
    return SPREAD_LEVELS[level]


def spread(
    obs: pd.DataFrame,
    regions,
    catalog: Catalog,
    profile: TargetProfile,
    region_code: str | None,
    year: int,
    indicator_ids: list[str] | None = None,
) -> pd.DataFrame:
    """Highest and lowest unit one level below the region per indicator (COLUMNS; a = highest, b = lowest),
    from the engine's roll-ups at that level."""
    ids = list(indicator_ids or catalog.ids)
    level = spread_level(regions, region_code)
    units = attainment(obs, regions, catalog, profile, _scope(region_code), level, years=[year])
    units = units.astype({"indicator_id": str, "region_code": str})
    units = units[units["indicator_id"].isin(ids) & units["value"].notna()]
    ordered = units.sort_values(["indicator_id", "value", "region_code"], ascending=[True, False, True])
    highest = ordered.groupby("indicator_id", sort=False).head(1).set_index("indicator_id")
    ordered = units.sort_values(["indicator_id", "value", "region_code"], ascending=[True, True, True])
    lowest = ordered.groupby("indicator_id", sort=False).head(1).set_index("indicator_id")
    out = pd.DataFrame(
        {
            "comparison": SPREAD_COMPARISONS[level],
            "indicator_id": ids,
            "kind": [catalog[i].kind for i in ids],
            "year": int(year),
        }
    )
    for side, part in (("a", highest), ("b", lowest)):
        part = part.reindex(ids)
        out[f"group_{side}"] = part["region_code"].fillna("").to_numpy()
        out[f"name_{side}"] = part["region_name"].fillna("").to_numpy()
        out[f"value_{side}"] = part["value"].to_numpy(dtype="float64")
        out[f"low_{side}"] = part["low"].to_numpy(dtype="float64")
        out[f"high_{side}"] = part["high"].to_numpy(dtype="float64")
        out[f"n_{side}"] = part["n_reported"].fillna(0).to_numpy().astype("int64")
        out[f"units_{side}"] = part["n_units"].fillna(0).to_numpy().astype("int64")
    return _with_contrasts(out)


# --- everything --------------------------------------------------------------------------------------------
def disparities(
    obs: pd.DataFrame,
    regions,
    catalog: Catalog,
    profile: TargetProfile,
    region_code: str | None,
    year: int,
    indicator_id: str | None = None,
) -> pd.DataFrame:
    """The group comparisons (every trend year) and the spread (the chosen year) of a region (a province or
    prefecture code; None or COUNTRY = all China), for every indicator or one: one tidy frame (COLUMNS; see
    the module docstring), rows in comparison, catalog and year order."""
    if indicator_id is not None and indicator_id not in catalog:
        raise DisparityError("unknown_indicator", indicator=indicator_id, known=", ".join(catalog.ids))
    region_code = _scope(region_code)
    spread_level(regions, region_code)  # refuses a county before any work
    ids = [indicator_id] if indicator_id is not None else list(catalog.ids)
    years = trend_years(obs, year)
    groups = group_comparisons(obs, regions, catalog, profile, region_code, years, ids)
    spreads = spread(obs, regions, catalog, profile, region_code, year, ids)
    out = pd.concat([groups, spreads], ignore_index=True)[COLUMNS]
    order = {i: n for n, i in enumerate(catalog.ids)}
    position = {c: n for n, c in enumerate([*COMPARISONS, *SPREAD_COMPARISONS.values()])}
    out = out.assign(_c=out["comparison"].map(position), _i=out["indicator_id"].map(order)).sort_values(
        ["_c", "_i", "year"], kind="stable"
    )
    return out.drop(columns=["_c", "_i"]).reset_index(drop=True)


def gap_trend(frame: pd.DataFrame) -> pd.DataFrame:
    """The difference a − b of each group comparison per year: index (comparison, indicator_id), one column
    per year, in the frame's order."""
    rows = frame[frame["comparison"].isin(list(COMPARISONS))]
    return rows.pivot_table(
        index=["comparison", "indicator_id"], columns="year", values="difference", sort=False, dropna=False
    )


# --- wording: the CLI and the page print the same texts ------------------------------------------------
def number_text(x: float, decimals: int, sign: bool = False) -> str:
    """A number as the tables print it ("—" when missing; no "-0.0")."""
    if x is None or pd.isna(x) or math.isinf(x):
        return "—"
    x = round(float(x), decimals) + 0.0  # no "-0.0"
    return f"{x:+.{decimals}f}" if sign else f"{x:.{decimals}f}"


def interval_text(text: str, low: float, high: float, decimals: int, lang: str) -> str:
    """`text` (a number, with its unit) followed by [low, high], or alone where there is no interval."""
    if pd.isna(low) or pd.isna(high) or text == "—":
        return text
    return t(
        "disparities.interval",
        lang,
        value=text,
        low=number_text(low, decimals),
        high=number_text(high, decimals),
    )


def value_text(x: float, low: float, high: float, decimals: int, unit: str, lang: str) -> str:
    """A group's value with its unit and interval: 87.3% [86.6, 87.9]."""
    text = number_text(x, decimals)
    return interval_text(text if text == "—" else with_unit(text, unit), low, high, decimals, lang)


RATIO_DECIMALS = 2


def display_rows(frame: pd.DataFrame, year: int, catalog: Catalog, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The group comparisons of `year` as they read: comparison, indicator, each group's value [interval] with
    its counties, the difference and the ratio with their intervals."""
    rows = frame[frame["comparison"].isin(list(COMPARISONS)) & (frame["year"] == year)]
    out = []
    for row in rows.itertuples():
        ind = catalog[row.indicator_id]
        d, unit = ind.decimals, ind.unit_in(lang)
        out.append(
            {
                "comparison": comparison_label(row.comparison, lang),
                "indicator": ind.short(lang),
                "group_a": group_label(row.group_a, lang),
                "value_a": value_text(row.value_a, row.low_a, row.high_a, d, unit, lang),
                "counties_a": f"{row.n_a}/{row.units_a}",
                "group_b": group_label(row.group_b, lang),
                "value_b": value_text(row.value_b, row.low_b, row.high_b, d, unit, lang),
                "counties_b": f"{row.n_b}/{row.units_b}",
                "difference": interval_text(
                    number_text(row.difference, d, sign=True), row.diff_low, row.diff_high, d, lang
                ),
                "ratio": interval_text(
                    number_text(row.ratio, RATIO_DECIMALS),
                    row.ratio_low,
                    row.ratio_high,
                    RATIO_DECIMALS,
                    lang,
                ),
            }
        )
    return pd.DataFrame(out)
