"""Value, status (met / not_met / no_data), gap and shortfall per region x indicator x year.

Comparisons are exact: with integer numerators and denominators the test `N/D x scale > threshold`
is done as `N x scale x q > p x D` in integers (threshold = p/q), so 700 of 1000 is not "> 70 %".

A prefecture's or the province's value is computed from its counties' sums; where nothing sums (counties
sent values only, or no county rows) the department's own figure for that region (a 合计 / 全省 row kept by
intake) is shown instead, marked `value_source` = "reported" (`with_reported`).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from analytics.catalog import Catalog, Indicator, Target, TargetProfile
from analytics.errors import AtlasError
from analytics.intervals import certainty, intervals
from analytics.kinds import KIND_IDS, baselines, fill_census_denominators, impossible_rows, kind_array
from analytics.schema import OBS_COLUMNS

STATUSES = ("met", "not_met", "no_data")
VALUE_SOURCES = (
    "computed",
    "reported",
    "",
)  # from sums (or a county's counts), the department's figure, none
# A reported figure differs from the sum "beyond rounding" when they are further apart than this, in the
# value's unit (a percentage point, a case per 100,000 …): one decimal as departments print it, half a unit.
REPORTED_TOLERANCE = 0.05
# int64 products stay exact below this; larger inputs fall back to Fractions.
_INT_LIMIT = 2**62


def indicator_categorical(values, catalog: Catalog) -> pd.Categorical:
    """Indicator ids as a Categorical in catalog order (codes index per-indicator parameter arrays)."""
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values, pd.Categorical) and list(values.categories) == catalog.ids:
        return values
    cat = pd.Categorical(values, categories=catalog.ids)
    lost = np.flatnonzero(cat.codes < 0)
    if lost.size:
        bad = sorted({str(values[k]) for k in lost if pd.notna(values[k])})
        if bad:
            raise AtlasError("unknown_indicator", indicator_id=", ".join(bad[:10]))
    return cat


def prepare(
    obs: pd.DataFrame,
    catalog: Catalog,
    profile: TargetProfile,
    population: pd.Series | None = None,
    counties: set[str] | None = None,
):
    """Canonical county observations -> numerator / denominator / baseline ready to sum (rules: analytics.kinds).

    - a status kind: a county's 1/0 becomes numerator 1/0 over denominator 1, so sums give a share of counties;
    - a census-denominator kind: a missing denominator is the county's census residents (`population`);
    - a baseline kind: `baseline` is the same region's count in the profile's baseline year;
    - an indicator that applies only where a county status is 1 (`Indicator.applies_where`): rows of counties
      whose status that year is not 1 are left out (`not_applicable`; `counties`: which rows are counties',
      None = all);
    - numbers no indicator can have (inf, 1e308: a store written before the contract refused them) are read
      as no data, the row marked `impossible` (kinds.impossible_rows), so nothing downstream overflows.
    region_code and indicator_id come back as Categoricals (indicator categories in catalog order).
    """
    df = obs.loc[:, [c for c in OBS_COLUMNS if c in obs.columns]].copy()
    for col in ("numerator", "denominator", "value"):
        if col not in df.columns:
            df[col] = np.nan
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    impossible = impossible_rows(df, catalog)
    if impossible.any():
        df.loc[impossible, ["numerator", "denominator", "value"]] = np.nan
    df["impossible"] = impossible
    outside = not_applicable(df, catalog, counties)
    if outside.any():
        df = df[~outside]
    if population is not None:
        df = fill_census_denominators(df, catalog, population)
    df["baseline"] = baselines(df, catalog, profile)
    df["region_code"] = df["region_code"].astype(str).astype("category")
    df["year"] = df["year"].astype("int64")
    ind = indicator_categorical(df["indicator_id"], catalog)
    df["indicator_id"] = ind
    codes = ind.codes
    kind_ids = [i.kind for i in catalog.indicators]
    df["kind"] = pd.Categorical.from_codes(
        np.array([KIND_IDS.index(k) for k in kind_ids])[codes], categories=list(KIND_IDS)
    )
    num = df["numerator"].to_numpy(copy=True)
    den = df["denominator"].to_numpy(copy=True)
    val = df["value"].to_numpy()
    status_rows = (kind_array(catalog, "value_from")[codes] == "status") & np.isnan(num) & ~np.isnan(val)
    num[status_rows] = val[status_rows]
    den[status_rows] = 1.0
    df["numerator"], df["denominator"] = num, den
    return df


def not_applicable(obs: pd.DataFrame, catalog: Catalog, counties: set[str] | None = None) -> np.ndarray:
    """For each row: True where its indicator applies only where a county status is 1 (`applies_where`, e.g.
    indicator 22 only in counties with community rehabilitation, indicator 21) and that county's status that
    year is not 1: 0, or no status row at all (the plan defines the rate over the counties that provide the
    service, and nothing says this one does). Rows of regions not in `counties` (a prefecture's or the
    province's reported total) are not judged; `None` means every row is a county's. The one place this rule
    lives: prepare() drops these rows, the roll-up counts only the other counties, intake warns about them."""
    out = np.zeros(len(obs), dtype=bool)
    conditions = {i.id: i.applies_where for i in catalog.indicators if i.applies_where}
    if not conditions or obs.empty:
        return out
    involved = np.flatnonzero(obs["indicator_id"].isin([*conditions, *conditions.values()]).to_numpy())
    if not involved.size:
        return out
    part = obs.iloc[involved]
    ids = part["indicator_id"].astype(str).to_numpy()
    codes = part["region_code"].astype(str).to_numpy()
    keys = pd.MultiIndex.from_arrays([codes, pd.to_numeric(part["year"], errors="coerce").to_numpy()])
    status = pd.to_numeric(part["value"], errors="coerce").to_numpy(dtype="float64")
    if "numerator" in part.columns:  # a status sent as numerator 1/0
        num = pd.to_numeric(part["numerator"], errors="coerce").to_numpy(dtype="float64")
        status = np.where(np.isnan(status), num, status)
    judged = np.ones(len(part), dtype=bool) if counties is None else np.isin(codes, list(counties))
    for ind_id, condition in conditions.items():
        rows = (ids == ind_id) & judged
        if rows.any():
            providing = keys[(ids == condition) & (status == 1)]
            out[involved[rows & ~keys.isin(providing)]] = True
    return out


def applicable_units(
    prepared: pd.DataFrame, groups: pd.DataFrame, level: str, catalog: Catalog
) -> pd.DataFrame:
    """How many counties of each group an `applies_where` indicator is defined for, per year: those whose
    condition status is 1 (indicator 22: the counties with community rehabilitation). Columns region_code,
    year, indicator_id, n_units; empty when no indicator has a condition."""
    from analytics.rollup import LEVEL_KEYS

    frames = []
    key = LEVEL_KEYS[level]
    for ind in (i for i in catalog.indicators if i.applies_where):
        cond = prepared[
            (prepared["indicator_id"].astype(str) == ind.applies_where) & (prepared["numerator"] == 1)
        ]
        group = cond["region_code"].astype(str).map(groups.set_index("region_code")[key])
        counted = cond.assign(group=group.to_numpy()).groupby(["group", "year"]).size()
        frames.append(
            pd.DataFrame(
                {
                    "region_code": counted.index.get_level_values(0).astype(str),
                    "year": counted.index.get_level_values(1).astype("int64"),
                    "indicator_id": ind.id,
                    "n_units": counted.to_numpy().astype("int64"),
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _params(catalog: Catalog, profile: TargetProfile) -> dict[str, np.ndarray]:
    """Per-indicator arrays in catalog order, plus a trailing 'no indicator' slot for code -1."""
    rows = []
    for ind in catalog.indicators:
        t = profile.targets.get(ind.id)
        rows.append(
            (
                ind.scale,
                t.threshold.numerator if t else 0,
                t.threshold.denominator if t else 1,
                bool(t and t.comparator == ">"),
                float(t.threshold) if t else np.nan,
                t.comparator if t else "",
                t is not None,
            )
        )
    rows.append((1, 0, 1, False, np.nan, "", False))
    cols = list(zip(*rows, strict=True))
    names = ("scale", "p", "q", "strict", "target", "comparator", "has_target")
    dtypes = ("float64", "float64", "float64", bool, "float64", object, bool)
    out = {n: np.array(c, dtype=d) for n, c, d in zip(names, cols, dtypes, strict=True)}
    out["value_from"] = kind_array(catalog, "value_from", dtype=object)
    out["room"] = kind_array(catalog, "room", dtype=object)
    return out


def evaluate(frame: pd.DataFrame, catalog: Catalog, profile: TargetProfile) -> pd.DataFrame:
    """Add value, target, comparator, status, gap, shortfall to summed numerator/denominator/baseline rows."""
    out = frame.copy()
    for col in ("numerator", "denominator", "baseline", "value"):
        if col not in out.columns:
            out[col] = np.nan
    ind = indicator_categorical(out["indicator_id"], catalog)
    out["indicator_id"] = ind
    codes = np.where(ind.codes < 0, len(catalog.ids), ind.codes)
    params = _params(catalog, profile)
    par = {
        name: params[name][codes]
        for name in ("value_from", "room", "scale", "p", "q", "strict", "target", "has_target")
    }
    scale, p, q = par["scale"], par["p"], par["q"]
    strict, has_target = par["strict"], par["has_target"]

    num = out["numerator"].to_numpy(dtype="float64")
    den = out["denominator"].to_numpy(dtype="float64")
    base = out["baseline"].to_numpy(dtype="float64")
    given = out["value"].to_numpy(dtype="float64")
    is_red = par["value_from"] == "reduction"

    # Unify: met iff  M x scale x q  [cmp]  p x W, with (M, W) = (N, D), or (B - C, B) for a reduction.
    m = np.where(is_red, base - num, num)
    w = np.where(is_red, base, den)
    # Only finite numbers are evaluated: a sum or value that overflows (1e308 in a store written before the
    # contract refused it) is no data, never a crash (Fraction("inf") raises).
    has_ratio = np.isfinite(m) & np.isfinite(w) & (w > 0)
    if np.any(is_red):
        has_ratio &= ~(is_red & (num < 0))
    with np.errstate(over="ignore", invalid="ignore"):
        value = np.where(has_ratio, m * scale / np.where(has_ratio, w, 1.0), np.nan)
    has_ratio &= np.isfinite(value)
    value = np.where(has_ratio, value, np.nan)
    value_only = ~has_ratio & np.isfinite(given) & np.isnan(num)
    value = np.where(value_only, given, value)

    met = np.zeros(len(out), dtype=bool)
    shortfall = np.full(len(out), np.nan)

    with np.errstate(over="ignore"):
        integral = (
            has_ratio
            & has_target
            & (np.mod(np.where(has_ratio, m, 0), 1) == 0)
            & (np.mod(np.where(has_ratio, w, 0), 1) == 0)
            & (np.abs(np.where(has_ratio, m, 0)) * scale * q < _INT_LIMIT)
            & (np.where(has_ratio, w, 0) * np.maximum(p, 1) < _INT_LIMIT)
        )
    if integral.any():
        mi = m[integral].astype(np.int64)
        wi = w[integral].astype(np.int64)
        b = (scale[integral] * q[integral]).astype(np.int64)
        a = p[integral].astype(np.int64) * wi
        lhs = mi * b
        st = strict[integral]
        met_i = np.where(st, lhs > a, lhs >= a)
        # smallest k >= 0 with (m + k) x b [cmp] a
        diff = a - lhs
        need = np.where(st, np.floor_divide(diff, b) + 1, -np.floor_divide(-diff, b))
        k = np.where(met_i, 0, np.maximum(need, 0)).astype("float64")
        met[integral] = met_i
        shortfall[integral] = k

    rest = np.flatnonzero((has_ratio & has_target & ~integral) | (value_only & has_target))
    for i in rest:
        t_frac = Fraction(int(p[i])) / int(q[i])
        if value_only[i]:
            v = Fraction(str(given[i]))
            met[i] = v > t_frac if strict[i] else v >= t_frac
            continue  # no denominator: a shortfall in units cannot be known
        mf, wf = Fraction(str(m[i])), Fraction(str(w[i]))
        v = mf * int(scale[i]) / wf
        met[i] = v > t_frac if strict[i] else v >= t_frac
        x = t_frac * wf / int(scale[i]) - mf  # units needed, as a fraction
        need = x.numerator // x.denominator + 1 if strict[i] else -((-x.numerator) // x.denominator)
        shortfall[i] = 0 if met[i] else max(need, 0)

    # Physical ceilings (the kind's room): a share cannot pass 100 % (k <= D - N); accidents avoided cannot
    # exceed those that happened (k <= count); a count per population has no ceiling.
    room = par["room"]
    capped = np.where(
        room == "count", num, np.where((room == "to_denominator") | (room == "to_one"), den - num, np.inf)
    )
    unreachable = ~np.isnan(shortfall) & (shortfall > 0) & (shortfall > capped)
    shortfall = np.where(unreachable, np.nan, shortfall)

    evaluable = (has_ratio | value_only) & has_target
    status_codes = np.where(evaluable, np.where(met, 0, 1), 2)
    # how sure the value is, on the same sums (rows with counts; the method its kind declares): intervals.py
    low, high = intervals(
        kind_array(catalog, "interval", dtype=object)[codes],
        np.where(has_ratio, num, np.nan),
        den,
        base,
        scale,
    )
    out["value"] = value
    out["low"], out["high"] = low, high
    out["certainty"] = certainty(low, high, np.where(evaluable, par["target"], np.nan))
    out["target"] = par["target"]
    out["comparator"] = params["comparator"][codes]
    out["status"] = pd.Categorical.from_codes(status_codes, categories=list(STATUSES))
    out["gap"] = np.where(evaluable, par["target"] - value, np.nan)
    missing = np.isnan(shortfall)
    out["shortfall"] = pd.arrays.IntegerArray(np.where(missing, 0, shortfall).astype(np.int64), missing)
    out["unreachable"] = unreachable
    return out


def is_met(numerator: int, denominator: int, indicator: Indicator, target: Target) -> bool | None:
    """Scalar exact check (None when there is no data); the vectorised `evaluate` agrees with it."""
    if denominator == 0:
        return None
    return target.is_met(Fraction(numerator) * indicator.scale / Fraction(denominator))


def summarize(evaluated: pd.DataFrame, by: str = "region_code") -> pd.DataFrame:
    """'N of 25 met' per region: met / not_met / no_data counts."""
    counts = (
        evaluated.groupby([by, "status"], observed=False)
        .size()
        .unstack("status", fill_value=0)
        .reindex(columns=list(STATUSES), fill_value=0)
    )
    counts["evaluated"] = counts["met"] + counts["not_met"]
    return counts.reset_index()


def attainment(
    obs: pd.DataFrame,
    regions,
    catalog: Catalog,
    profile: TargetProfile,
    region_code: str | None,
    level: str,
    years: list[int] | None = None,
) -> pd.DataFrame:
    """Evaluated rows for every unit of `level` inside `region_code` x every indicator (x each year).

    `region_code` None means all of China. Units or indicators without data appear with status `no_data`,
    so "N of 25" always counts 25.
    """
    from analytics.rollup import LEVEL_ALIASES, LEVEL_KEYS, rollup

    level = LEVEL_ALIASES.get(level, level)
    rank = {"country": -1, "province": 0, "prefecture": 1, "county": 2}
    if level not in LEVEL_KEYS:
        raise AtlasError("unknown_level", level=level)
    region = regions.get(region_code) if region_code is not None else None
    if region is not None and rank[level] < rank.get(region.level, 2):
        raise AtlasError("level_above_region", name=region.name, code=region.code, level=level)
    groups = regions.county_groups(region_code)
    subset = obs[obs["region_code"].astype(str).isin(groups["region_code"])]
    prepared = prepare(subset, catalog, profile, population=regions.frame["population"])
    if years is not None:
        prepared = prepared[prepared["year"].isin(years)]
    rolled = rollup(prepared, groups, level)
    units = pd.Index(groups[LEVEL_KEYS[level]].unique() if level != "county" else groups["region_code"])
    all_years = sorted(years) if years is not None else sorted(prepared["year"].unique())
    full = pd.MultiIndex.from_product(
        [units, all_years, catalog.ids], names=["region_code", "year", "indicator_id"]
    )
    rolled = rolled.set_index(["region_code", "year", "indicator_id"]).reindex(full).reset_index()
    rolled["n_units"] = rolled["n_units"].fillna(
        rolled["region_code"].map(groups.groupby(LEVEL_KEYS[level]).size()) if level != "county" else 1
    )
    if level != "county":  # indicator 22 is defined over the counties with community rehabilitation only
        conditional = applicable_units(prepared, groups, level, catalog)
        if len(conditional):
            at = pd.MultiIndex.from_frame(
                rolled[["region_code", "year", "indicator_id"]].astype(
                    {"region_code": str, "indicator_id": str}
                )
            )
            found = conditional.set_index(["region_code", "year", "indicator_id"])["n_units"]
            is_conditional = rolled["indicator_id"].astype(str).isin(set(conditional["indicator_id"]))
            counted = found.reindex(at).to_numpy()
            rolled["n_units"] = np.where(is_conditional, np.nan_to_num(counted, nan=0.0), rolled["n_units"])
    for col in ("n_reported", "n_value_only"):
        rolled[col] = rolled[col].fillna(0).astype("int64")
    # a county whose stored numbers cannot be true (prepare): no data, and `impossible` says why
    impossible = (
        rolled["impossible"] if "impossible" in rolled.columns else pd.Series(False, index=rolled.index)
    )
    rolled["impossible"] = impossible.fillna(False).astype(bool)
    rolled["n_units"] = rolled["n_units"].astype("int64")
    rolled["kind"] = rolled["indicator_id"].map({i.id: i.kind for i in catalog.indicators})
    out = evaluate(rolled, catalog, profile)
    out = with_reported(out, obs, regions, catalog, profile, level, years)
    if level == "county":
        dropped = subset[not_applicable(subset, catalog)]  # subset: county rows only
        keys = pd.MultiIndex.from_arrays(
            [out["region_code"].astype(str), out["year"], out["indicator_id"].astype(str)]
        )
        gone = pd.MultiIndex.from_arrays(
            [dropped["region_code"].astype(str), dropped["year"], dropped["indicator_id"].astype(str)]
        )
        out["applicable"] = ~keys.isin(gone)
    else:
        out["applicable"] = True
    out.insert(1, "region_name", regions.names(out["region_code"]))
    out.insert(2, "level", level)
    return out


_FROM_REPORTED = (
    "numerator",
    "denominator",
    "baseline",
    "value",
    "low",
    "high",
    "certainty",
    "status",
    "gap",
    "shortfall",
    "unreachable",
)


def with_reported(
    out: pd.DataFrame,
    obs: pd.DataFrame,
    regions,
    catalog: Catalog,
    profile: TargetProfile,
    level: str,
    years: list[int] | None,
) -> pd.DataFrame:
    """`value_source`, `reported_value` and `reported_by` on evaluated rows (see VALUE_SOURCES).

    A county: "computed" from its counts, "reported" when it sent only a value. A prefecture, province or the
    country: "computed" from its counties' sums; where nothing sums and the department sent a figure for the
    region itself, that figure is evaluated (value-only: a status, no shortfall; with counts: exactly like a
    sum) and shown, "reported". `reported_value` is the department's figure wherever one exists, so a caller
    can compare it with the sum (`reported_differences`); `reported_by` is its department (store rows)."""
    keys = ["region_code", "year", "indicator_id"]
    has_value = out["value"].notna().to_numpy()
    out["value_source"] = np.where(has_value, "computed", "")
    out["reported_value"] = np.nan
    out["reported_by"] = ""
    if level == "county":
        value_only = has_value & out["numerator"].isna().to_numpy()
        out["value_source"] = np.where(value_only, "reported", out["value_source"])
        out["reported_value"] = np.where(value_only, out["value"], np.nan)
        _departments(out, obs, value_only)
        return out
    units = set(out["region_code"].astype(str))
    own = obs[obs["region_code"].astype(str).isin(units)]
    if own.empty:
        return out
    # a region's own reported figure: not a county's row, so not judged by a county condition
    reported = prepare(own, catalog, profile, population=regions.frame["population"], counties=set())
    if years is not None:
        reported = reported[reported["year"].isin(years)]
    reported = evaluate(reported, catalog, profile)
    reported = reported[reported["value"].notna()]
    if reported.empty:
        return out
    reported = reported.set_index(
        pd.MultiIndex.from_arrays(
            [reported[k].astype(str) if k != "year" else reported[k] for k in keys], names=keys
        )
    )
    where = pd.MultiIndex.from_arrays(
        [out[k].astype(str) if k != "year" else out[k] for k in keys], names=keys
    )
    position = reported.index.get_indexer(where)
    found = position >= 0
    out["reported_value"] = np.where(found, reported["value"].to_numpy()[np.maximum(position, 0)], np.nan)
    use = found & ~has_value
    if use.any():
        take = reported.iloc[position[use]]
        for col in _FROM_REPORTED:
            if col == "status":
                status = out["status"].astype(str).to_numpy(copy=True)
                status[use] = take["status"].astype(str).to_numpy()
                out["status"] = pd.Categorical(status, categories=list(STATUSES))
            elif col == "shortfall":
                shortfall = out["shortfall"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
                shortfall[use] = (
                    take["shortfall"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
                )
                missing = np.isnan(shortfall)
                out["shortfall"] = pd.arrays.IntegerArray(
                    np.where(missing, 0, shortfall).astype(np.int64), missing
                )
            else:
                column = out[col].to_numpy(copy=True)
                column[use] = take[col].to_numpy()
                out[col] = column
        out["value_source"] = np.where(use, "reported", out["value_source"])
    _departments(out, obs, found)
    return out


def _departments(out: pd.DataFrame, obs: pd.DataFrame, rows: np.ndarray) -> None:
    """`reported_by` of `rows`: the department of the observation that gave the figure (store rows carry it)."""
    if "department" not in obs.columns or not rows.any():
        return
    keys = ["region_code", "year", "indicator_id"]
    department = obs[[*keys, "department"]].astype({"region_code": str, "indicator_id": str})
    department = department.drop_duplicates(keys).set_index(keys)["department"]
    where = pd.MultiIndex.from_arrays(
        [out["region_code"].astype(str), out["year"], out["indicator_id"].astype(str)], names=keys
    )
    found = department.reindex(where).fillna("").astype(str).to_numpy()
    out["reported_by"] = np.where(rows, found, out["reported_by"])


def reported_differences(evaluated: pd.DataFrame) -> pd.DataFrame:
    """Rows of attainment() where a value computed from sums and the department's own figure for the same
    region both exist and differ beyond rounding (REPORTED_TOLERANCE): the sum is kept, both are named."""
    both = (evaluated["value_source"] == "computed") & evaluated["reported_value"].notna()
    differ = both & ((evaluated["value"] - evaluated["reported_value"]).abs() > REPORTED_TOLERANCE + 1e-9)
    return evaluated[differ]
