"""County -> prefecture -> province aggregation by indicator kind: always by sums, never by averaging rates."""

from __future__ import annotations

import numpy as np
import pandas as pd

LEVEL_KEYS = {"county": "region_code", "prefecture": "prefecture_code", "province": "province_code"}
LEVEL_ALIASES = {"city": "prefecture", "prefecture": "prefecture", "county": "county", "province": "province"}


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
        raise ValueError(f"unknown level {level!r}: use county, prefecture (city) or province")
    df = prepared.merge(groups, on="region_code", how="inner")
    if level == "county":
        out = df.drop(columns=["prefecture_code", "province_code"])
        out["n_units"] = 1
        out["n_reported"] = _complete(out).astype("int64")
        out["n_value_only"] = (~_complete(out) & out["value"].notna()).astype("int64")
        return out.reset_index(drop=True)

    key = LEVEL_KEYS[level]
    complete = _complete(df)
    df = df.assign(
        numerator=df["numerator"].where(complete),
        denominator=df["denominator"].where(complete),
        baseline=df["baseline"].where(complete),
        n_reported=complete.astype("int64"),
        n_value_only=(~complete & df["value"].notna()).astype("int64"),
    )
    # Every county of the group is a unit, whether or not it reported this indicator and year.
    units = groups.groupby(key).size().rename("n_units")
    grouped = df.groupby([key, "kind", "year", "indicator_id"], sort=True, observed=True)
    summed = grouped[["numerator", "denominator", "baseline"]].sum(min_count=1)
    summed[["n_reported", "n_value_only"]] = grouped[["n_reported", "n_value_only"]].sum()
    summed = summed.reset_index().rename(columns={key: "region_code"})
    summed["n_units"] = summed["region_code"].map(units).astype("int64")
    summed["value"] = np.nan
    return summed


def _complete(df: pd.DataFrame) -> pd.Series:
    has_num = df["numerator"].notna()
    rate_ok = has_num & df["denominator"].notna() & (df["denominator"] > 0)
    red_ok = has_num & df["baseline"].notna() & (df["baseline"] > 0)
    return rate_ok.where(df["kind"] != "reduction_vs_baseline", red_ok)
