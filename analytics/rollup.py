"""County -> prefecture -> province aggregation by indicator kind: always by sums, never by averaging rates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.errors import AtlasError
from analytics.kinds import KINDS

LEVEL_KEYS = {
    "county": "region_code",
    "prefecture": "prefecture_code",
    "province": "province_code",
    "country": "country_code",
}
LEVEL_ALIASES = {"city": "prefecture", **{k: k for k in LEVEL_KEYS}}


def rollup(prepared: pd.DataFrame, groups: pd.DataFrame, level: str) -> pd.DataFrame:
    """Sum numerators, denominators and baselines of the counties in each group.

    `prepared` comes from attainment.prepare (county rows); `groups` maps region_code to prefecture_code
    and province_code (RegionTable.county_groups). A county counts towards a group's sums only when it has
    the parts the formula needs (numerator and a positive denominator; for a reduction, this year's and
    the baseline year's counts), so a missing county lowers coverage (`n_reported` of `n_units`), never the
    rate. Counties that sent only a value cannot be weighted: they are counted in `n_value_only`.
    """
    level = LEVEL_ALIASES.get(level, level)
    if level not in LEVEL_KEYS:
        raise AtlasError("unknown_level", level=level)
    region = prepared["region_code"]
    if not isinstance(region.dtype, pd.CategoricalDtype):
        region = region.astype(str).astype("category")
    # county -> group position, computed once per distinct county (categories), then taken by code
    key = LEVEL_KEYS[level]
    group_labels = pd.Index(pd.unique(groups[key]))
    county_to_group = pd.Series(group_labels.get_indexer(groups[key]), index=groups["region_code"].to_numpy())
    per_category = (
        county_to_group.reindex(region.cat.categories.astype(str)).fillna(-1).to_numpy(dtype=np.int64)
    )
    codes = region.cat.codes.to_numpy()
    g_all = np.where(codes >= 0, per_category[codes], -1)
    inside = g_all >= 0
    df = prepared[inside] if not inside.all() else prepared
    complete = _complete(df)
    value_only = ~complete & df["value"].notna().to_numpy()

    if level == "county":
        out = df.reset_index(drop=True)
        out["n_units"] = 1
        out["n_reported"] = complete.astype("int64")
        out["n_value_only"] = value_only.astype("int64")
        return out

    g = g_all[inside]
    years = np.sort(df["year"].unique())
    y = np.searchsorted(years, df["year"].to_numpy())
    ind = (
        df["indicator_id"].array
        if isinstance(df["indicator_id"].dtype, pd.CategoricalDtype)
        else pd.Categorical(df["indicator_id"])
    )
    i = ind.codes.astype(np.int64)
    n_ind, n_years = len(ind.categories), len(years)
    flat = (g * n_years + y) * n_ind + i
    size = len(group_labels) * n_years * n_ind

    def total(col: str) -> np.ndarray:
        values = np.where(complete, df[col].to_numpy(dtype="float64"), 0.0)
        return np.bincount(flat, weights=np.nan_to_num(values), minlength=size)

    reported = np.bincount(flat, weights=complete, minlength=size)
    rows_seen = np.bincount(flat, minlength=size)
    keep = np.flatnonzero(rows_seen > 0)
    has = reported[keep] > 0
    gi, rem = np.divmod(keep, n_years * n_ind)
    yi, ii = np.divmod(rem, n_ind)
    units = groups.groupby(key).size()
    labels = group_labels[gi]
    kind_of = np.full(n_ind, "", dtype=object)
    kind_cat = df["kind"].astype("category").array
    kind_of[i] = np.asarray(kind_cat.categories, dtype=object)[kind_cat.codes]
    is_red = np.array([bool(k) and KINDS[k].needs_baseline for k in kind_of], dtype=bool)[ii]
    out = pd.DataFrame(
        {
            "region_code": labels,
            "year": years[yi],
            "indicator_id": pd.Categorical.from_codes(ii, categories=ind.categories),
            "kind": kind_of[ii],
            "numerator": np.where(has, total("numerator")[keep], np.nan),
            "denominator": np.where(has & ~is_red, total("denominator")[keep], np.nan),
            "baseline": np.where(has & is_red, total("baseline")[keep], np.nan),
            "n_reported": reported[keep].astype("int64"),
            "n_value_only": np.bincount(flat, weights=value_only, minlength=size)[keep].astype("int64"),
            "n_units": units.reindex(labels).to_numpy().astype("int64"),
            "value": np.nan,
        }
    )
    return out


def _complete(df: pd.DataFrame) -> np.ndarray:
    num = df["numerator"].to_numpy(dtype="float64")
    den = df["denominator"].to_numpy(dtype="float64")
    base = df["baseline"].to_numpy(dtype="float64")
    has_num = ~np.isnan(num)
    rate_ok = has_num & (den > 0)  # NaN > 0 is False
    # a county with no accident in the baseline year still counts: its accidents now add to the sum
    red_ok = has_num & ~np.isnan(base) & (base >= 0)
    kind = df["kind"].astype("category").array
    needs_baseline = np.array([KINDS[k].needs_baseline for k in kind.categories], dtype=bool)[kind.codes]
    return np.where(needs_baseline, red_ok, rate_ok)
