"""Peer counties (issue 12.6): the county-level units of the same province most alike in size and urbanisation,
and how a county compares with them on the 25 indicators. Pure pandas: no streamlit.

Alike means near in two standardised variables, the log of the resident population and the urban share (2020
census, data/regions.csv). Each is standardised over the province's county-level units that have both (z-score,
(x - mean) / standard deviation, the population standard deviation: ddof = 0); the distance is Euclidean. Units
without a population or an urban share (香港, 金门县, new districts the census does not know) cannot be peers.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analytics.catalog import Catalog
from analytics.errors import AtlasError

DEFAULT_N = 5
PEER_COLUMNS = ["region_code", "region_name", "prefecture", "population", "urban_share", "distance", "rank"]
COMPARISON_COLUMNS = [
    "indicator_id",
    "kind",
    "binary",  # a county status: the county's value and the peers' are 1 (met) or 0, the median is of 1/0
    "value",  # the county's value (a status: 1 or 0)
    "status",  # the county's status: met, not_met, no_data
    "peer_median",  # median of the peers that have a value (NaN when none has)
    "n_peers_with_value",
    "n_peers",
    "peers_met",  # peers whose status is met
    "rank",  # the county's rank among itself and the peers with a value: 1 = best, ties share the best rank
    "n_ranked",  # how many were ranked (the county + the peers with a value): "rank of n_ranked"; both
    # are <NA> when the county has no value
]
# Distances equal up to float noise (two units mirrored about the county) are ties, broken by code.
_TIE_DECIMALS = 9


class PeerError(AtlasError):
    """Peers that cannot be found or compared as asked (peers.error.<code> in data/i18n)."""

    prefix = "peers.error"


def _candidates(regions, province_code: str) -> pd.DataFrame:
    """The province's county-level units with a population (> 0) and an urban share, with their z-scores."""
    counties = regions.counties(province_code)
    pop = pd.to_numeric(counties["population"], errors="coerce").astype("float64")
    if "urban_share" in counties.columns:
        urban = pd.to_numeric(counties["urban_share"], errors="coerce").astype("float64")
    else:
        urban = pd.Series(np.nan, index=counties.index)
    usable = (pop > 0) & urban.notna()
    out = pd.DataFrame(
        {
            "region_code": counties["code"].astype(str),
            "region_name": counties["name"],
            "parent_code": counties["parent_code"],
            "population": pop,
            "urban_share": urban,
        }
    )[usable.to_numpy()]
    for name, x in (("z_population", np.log(out["population"])), ("z_urban", out["urban_share"])):
        sd = float(x.std(ddof=0)) if len(x) else 0.0
        out[name] = (x - x.mean()) / sd if sd > 0 else 0.0  # one value for all: no difference to measure
    return out


def peer_pool_size(regions, county_code: str) -> int:
    """How many county-level units of the county's province the standardisation is over (those with both a
    population and an urban share, the county included)."""
    return len(_candidates(regions, regions.get(str(county_code)).province_code))


def peers(regions, county_code: str, n: int = DEFAULT_N) -> pd.DataFrame:
    """The `n` county-level units of the county's province nearest in standardised (log resident population,
    urban share), nearest first; ties broken by code; the county itself is never its own peer.

    Columns PEER_COLUMNS: region_code, region_name, prefecture (the name of the unit's prefecture; of its
    province for a county directly under it), population (int), urban_share (0-1), distance (in standard
    deviations), rank (1 = nearest). Fewer than `n` rows when the province has fewer other units with data.
    Raises PeerError (n below 1, not a county, the county without a population or urban share) and
    RegionError (unknown code).
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise PeerError("n_below_one", n=n)
    county = regions.get(str(county_code))
    if county.level != "county":
        raise PeerError("not_a_county", name=county.name, code=county.code)
    pool = _candidates(regions, county.province_code)
    if county.code not in set(pool["region_code"]):
        raise PeerError("no_population", name=county.name, code=county.code)
    me = pool[pool["region_code"] == county.code].iloc[0]
    others = pool[pool["region_code"] != county.code].copy()
    others["distance"] = np.hypot(
        others["z_population"] - me["z_population"], others["z_urban"] - me["z_urban"]
    ).astype("float64")
    others["_key"] = others["distance"].round(_TIE_DECIMALS)
    nearest = others.sort_values(["_key", "region_code"], kind="mergesort").head(n)
    names = regions.frame["name"]
    out = pd.DataFrame(
        {
            "region_code": nearest["region_code"].to_numpy(),
            "region_name": nearest["region_name"].to_numpy(),
            "prefecture": [str(names.get(p, "")) if p else "" for p in nearest["parent_code"]],
            "population": nearest["population"].round().astype("int64").to_numpy(),
            "urban_share": nearest["urban_share"].to_numpy(),
            "distance": nearest["distance"].to_numpy(),
            "rank": np.arange(1, len(nearest) + 1, dtype="int64"),
        }
    )
    return out[PEER_COLUMNS]


def _better_than(values: list[float], value: float, direction: str) -> int:
    """How many of `values` are strictly better than `value` (the catalog's direction; higher unless
    lower_is_better)."""
    if direction == "lower_is_better":
        return sum(v < value for v in values)
    return sum(v > value for v in values)


def peer_comparison(
    evaluated_county_rows: pd.DataFrame,
    catalog: Catalog,
    county_code: str,
    peer_codes,
    year: int | None = None,
) -> pd.DataFrame:
    """The county against its peers on every indicator of the catalog (catalog order), one row each.

    `evaluated_county_rows`: county rows of analytics.attainment.attainment(…, level "county") covering the
    county and its peers (one year; given several, `year`, else the latest). A peer without a row counts as a
    peer without a value. Columns COMPARISON_COLUMNS. A county status (kind county_status, `binary` True) is
    compared as 1 (met) / 0: its median is a median of 1s and 0s (0.5 when the peers split evenly) and its rank
    ranks 1s and 0s, ties sharing the best rank. Ranks follow each indicator's `direction` (all 25 are
    higher_is_better). Raises PeerError when the rows have no row of the county.
    """
    county_code = str(county_code)
    peer_codes = [str(c) for c in peer_codes if str(c) != county_code]
    rows = evaluated_county_rows
    if "year" in rows.columns and len(rows):
        chosen = year if year is not None else int(rows["year"].max())
        rows = rows[rows["year"] == chosen]
    codes = rows["region_code"].astype(str)
    if not (codes == county_code).any():
        raise PeerError("county_not_evaluated", code=county_code)
    # (county, indicator) -> value and status, read once for the county and its peers (the first row of a key)
    wanted = (codes == county_code) | codes.isin(peer_codes)
    keys = zip(codes[wanted], rows["indicator_id"][wanted].astype(str), strict=True)
    values, statuses = {}, {}
    for key, v, s in zip(keys, rows["value"][wanted].tolist(), rows["status"][wanted].tolist(), strict=True):
        values.setdefault(key, v)
        statuses.setdefault(key, s)
    records = []
    for ind in catalog.indicators:
        binary = bool(ind.rules.binary)
        scale = float(ind.scale) if binary else 1.0  # a county's status value is 1 x scale: back to 1/0

        def value_of(code: str, ind_id: str = ind.id, scale: float = scale) -> float:
            v = values.get((code, ind_id), np.nan)
            return float(v) / scale if pd.notna(v) else math.nan

        def status_of(code: str, ind_id: str = ind.id) -> str:
            s = statuses.get((code, ind_id))
            return "no_data" if s is None or pd.isna(s) else str(s)

        value = value_of(county_code)
        peer_values = [v for v in (value_of(c) for c in peer_codes) if not math.isnan(v)]
        has_value = not math.isnan(value)
        records.append(
            {
                "indicator_id": ind.id,
                "kind": ind.kind,
                "binary": binary,
                "value": value,
                "status": status_of(county_code),
                "peer_median": float(np.median(peer_values)) if peer_values else math.nan,
                "n_peers_with_value": len(peer_values),
                "n_peers": len(peer_codes),
                "peers_met": sum(status_of(c) == "met" for c in peer_codes),
                "rank": 1 + _better_than(peer_values, value, ind.direction) if has_value else pd.NA,
                "n_ranked": 1 + len(peer_values) if has_value else pd.NA,
            }
        )
    out = pd.DataFrame.from_records(records, columns=COMPARISON_COLUMNS)
    out[["rank", "n_ranked"]] = out[["rank", "n_ranked"]].astype("Int64")
    out["value"] = out["value"].astype("float64")
    out["peer_median"] = out["peer_median"].astype("float64")
    return out
