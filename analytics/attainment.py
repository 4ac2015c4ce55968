"""Value, status (met / not_met / no_data), gap and shortfall per region x indicator x year.

Comparisons are exact: with integer numerators and denominators the test `N/D x scale > threshold`
is done as `N x scale x q > p x D` in integers (threshold = p/q), so 700 of 1000 is not "> 70 %".
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from analytics.catalog import Catalog, Indicator, Target, TargetProfile

OBS_COLUMNS = ["region_code", "year", "indicator_id", "numerator", "denominator", "value"]
STATUSES = ("met", "not_met", "no_data")
# int64 products stay exact below this; larger inputs fall back to Fractions.
_INT_LIMIT = 2**62


def prepare(obs: pd.DataFrame, catalog: Catalog, profile: TargetProfile, population: pd.Series | None = None):
    """Canonical county observations -> numerator / denominator / baseline ready to sum.

    - county_status: a county's 1/0 becomes numerator 1/0 over denominator 1, so sums give a share of counties.
    - per_population: a missing denominator is filled from `population` (census residents) when given.
    - reduction_vs_baseline: `baseline` is the same region's count in the profile's baseline year.
    """
    df = obs.loc[:, [c for c in OBS_COLUMNS if c in obs.columns]].copy()
    for col in ("numerator", "denominator", "value"):
        if col not in df.columns:
            df[col] = np.nan
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    df["region_code"] = df["region_code"].astype(str)
    df["year"] = df["year"].astype("int64")
    kinds = df["indicator_id"].map({i.id: i.kind for i in catalog.indicators})
    unknown = kinds.isna()
    if unknown.any():
        raise ValueError(f"unknown indicator ids: {sorted(df.loc[unknown, 'indicator_id'].unique())}")
    df["kind"] = kinds

    status_rows = (kinds == "county_status") & df["numerator"].isna() & df["value"].notna()
    df.loc[status_rows, "numerator"] = df.loc[status_rows, "value"]
    df.loc[status_rows, "denominator"] = 1.0

    if population is not None:
        fill = (kinds == "per_population") & df["denominator"].isna() & df["numerator"].notna()
        df.loc[fill, "denominator"] = df.loc[fill, "region_code"].map(population).astype("float64")

    df["baseline"] = np.nan
    reduction_ids = [i.id for i in catalog.indicators if i.kind == "reduction_vs_baseline"]
    for ind_id in reduction_ids:
        target = profile.targets.get(ind_id)
        base_year = target.baseline_year if target and target.baseline_year else profile.baseline_year
        rows = df["indicator_id"] == ind_id
        base = df[rows & (df["year"] == base_year)].set_index("region_code")["numerator"]
        base = base[~base.index.duplicated()]
        df.loc[rows, "baseline"] = df.loc[rows, "region_code"].map(base).astype("float64")
    return df


def _params(catalog: Catalog, profile: TargetProfile) -> pd.DataFrame:
    rows = []
    for ind in catalog.indicators:
        t = profile.targets.get(ind.id)
        rows.append(
            {
                "indicator_id": ind.id,
                "kind": ind.kind,
                "scale": ind.scale,
                "p": t.threshold.numerator if t else 0,
                "q": t.threshold.denominator if t else 1,
                "strict": bool(t and t.comparator == ">"),
                "target": float(t.threshold) if t else np.nan,
                "comparator": t.comparator if t else "",
                "has_target": t is not None,
            }
        )
    return pd.DataFrame(rows).set_index("indicator_id")


def evaluate(frame: pd.DataFrame, catalog: Catalog, profile: TargetProfile) -> pd.DataFrame:
    """Add value, target, comparator, status, gap, shortfall to summed numerator/denominator/baseline rows."""
    out = frame.copy()
    for col in ("numerator", "denominator", "baseline", "value"):
        if col not in out.columns:
            out[col] = np.nan
    par = _params(catalog, profile).reindex(out["indicator_id"])
    kind = par["kind"].to_numpy()
    scale = par["scale"].to_numpy(dtype="float64")
    p = par["p"].to_numpy(dtype="float64")
    q = par["q"].to_numpy(dtype="float64")
    strict = par["strict"].to_numpy(dtype=bool)
    has_target = par["has_target"].fillna(False).to_numpy(dtype=bool)

    num = out["numerator"].to_numpy(dtype="float64")
    den = out["denominator"].to_numpy(dtype="float64")
    base = out["baseline"].to_numpy(dtype="float64")
    given = out["value"].to_numpy(dtype="float64")
    is_red = kind == "reduction_vs_baseline"

    # Unify: met iff  M x scale x q  [cmp]  p x W, with (M, W) = (N, D), or (B - C, B) for a reduction.
    m = np.where(is_red, base - num, num)
    w = np.where(is_red, base, den)
    has_ratio = ~np.isnan(m) & ~np.isnan(w) & (w > 0)
    if np.any(is_red):
        has_ratio &= ~(is_red & (num < 0))
    value = np.where(has_ratio, m * scale / np.where(has_ratio, w, 1.0), np.nan)
    value_only = ~has_ratio & ~np.isnan(given) & np.isnan(num)
    value = np.where(value_only, given, value)

    met = np.zeros(len(out), dtype=bool)
    shortfall = np.full(len(out), np.nan)

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

    # Physical ceilings: a rate cannot pass 100 % (k <= D - N); accidents avoided cannot exceed those that happened.
    capped = np.where(is_red, num, np.where(np.isin(kind, ["rate", "county_status"]), den - num, np.inf))
    unreachable = ~np.isnan(shortfall) & (shortfall > capped)
    shortfall = np.where(unreachable, np.nan, shortfall)

    evaluable = (has_ratio | value_only) & has_target
    status = np.where(evaluable, np.where(met, "met", "not_met"), "no_data")
    out["value"] = value
    out["target"] = par["target"].to_numpy()
    out["comparator"] = par["comparator"].fillna("").to_numpy()
    out["status"] = pd.Categorical(status, categories=list(STATUSES))
    out["gap"] = np.where(evaluable, out["target"].to_numpy() - value, np.nan)
    out["shortfall"] = pd.array(np.where(np.isnan(shortfall), np.nan, shortfall), dtype="Float64").astype(
        "Int64"
    )
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
    region_code: str,
    level: str,
    years: list[int] | None = None,
) -> pd.DataFrame:
    """Evaluated rows for every unit of `level` inside `region_code` x every indicator (x each year).

    Units or indicators without data appear with status `no_data`, so "N of 25" always counts 25.
    """
    from analytics.rollup import LEVEL_ALIASES, LEVEL_KEYS, rollup

    level = LEVEL_ALIASES.get(level, level)
    region = regions.get(region_code)
    rank = {"province": 0, "prefecture": 1, "county": 2}
    if level not in LEVEL_KEYS:
        raise ValueError(f"未知的级别 '{level}'（可选 county、prefecture/city、province）")
    if rank[level] < rank.get(region.level, 2):
        raise ValueError(f"所选地区 {region.name}（{region.code}）是{region.level}级，不能按 {level} 级汇总")
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
    for col in ("n_reported", "n_value_only"):
        rolled[col] = rolled[col].fillna(0).astype("int64")
    rolled["n_units"] = rolled["n_units"].astype("int64")
    rolled["kind"] = rolled["indicator_id"].map({i.id: i.kind for i in catalog.indicators})
    out = evaluate(rolled, catalog, profile)
    out.insert(1, "region_name", regions.names(out["region_code"]))
    out.insert(2, "level", level)
    return out
