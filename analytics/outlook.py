"""The outlook to a target year: per region and indicator, the projected value in a chosen year with an 80 % and
a 95 % prediction interval from the observed series, and the probability of reaching a candidate target.

Method (the screen shows the same words, i18n `outlook.method`):

- The observed values of each region (one per year) are put on a scale that fits the indicator's kind
  (`TRANSFORMS`): a rate bounded 0–100 (kind `rate`, and `county_status` at prefecture / province level, where
  it is the share of counties in %) on the **logit** scale of value / 100; a count per population
  (`per_population`) on the **log** scale; a reduction against the baseline (`reduction_vs_baseline`) on the
  value itself.
- Before the logit, value / 100 is clipped to [c, 1 − c] with c = 0.5 / denominator of the region's last
  observed year ("half a unit": 0 of D reads as 0.5 of D, D of D as D − 0.5), or c = `EPSILON` (0.1 %) where
  no denominator of at least 2 is known. Before the log, a value at or below 0 is raised to half a case per
  the last denominator (0.5 × scale / denominator), or to half the smallest positive value seen.
- A straight line is fitted on that scale by ordinary least squares over the observed years (x = year). At
  the target year x0 the prediction standard error is sqrt(s² (1 + 1/n + (x0 − x̄)² / Sxx)), s² the residual
  variance with n − 2 degrees of freedom; the interval is the fitted value ± the Student t quantile with
  n − 2 degrees of freedom times that error. Values and bounds are transformed back, so a rate stays
  within 0–100 and a count per population above 0; a reduction is capped at 100.
- The probability of reaching a target T is P(value in the target year meets T) under that t predictive
  distribution, T put on the same scale the same way (a target of 100 % means reaching 1 − c). The comparator
  (> or ≥) makes no difference for a continuous distribution. `proposed_targets` gives the targets reached
  with 50 % and 80 % probability (quantiles of the same distribution, following the indicator's direction).
- With fewer than `MIN_YEARS` (3) observed years there is no interval and no probability (NaN): the
  projection is the last observed value (method `last_value`). A county's 1/0 status is not projected either
  (method `status`): its last value is shown.

`analytics.progress` has the plain linear projection on the value scale at the profile's target year (no
interval); this module is the one that states its uncertainty. Pure Python: never imports streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import special  # the t distribution from scipy.special: scipy.stats takes 0.9 s to import

from analytics.catalog import Catalog, TargetProfile
from analytics.errors import AtlasError
from analytics.kinds import KINDS

# The scale each kind is projected on. It belongs in the kinds table (analytics/kinds.py, a Kind.outlook_scale
# column); kept here until that table gets the column.
TRANSFORMS: dict[str, str] = {
    "rate": "logit",
    "county_status": "logit",
    "per_population": "log",
    "reduction_vs_baseline": "linear",
}
MIN_YEARS = 3  # fewer observed years: no interval, no probability
EPSILON = 1e-3  # the logit's clip (0.1 %) where no denominator of at least 2 is known
LEVELS = (0.80, 0.95)
PROPOSED_PROBABILITIES = (0.5, 0.8)

METHODS = ("logit_trend", "log_trend", "linear_trend", "last_value", "status", "no_data")
OUTLOOK_COLUMNS = [
    "region_code",
    "region_name",
    "indicator_id",
    "last_year",
    "last_value",
    "to_year",
    "projected",
    "low80",
    "high80",
    "low95",
    "high95",
    "target",
    "comparator",
    "probability",
    "n_years",
    "method",
]
# The predictive distribution on the transformed scale (for probability_at, probability_curve, proposed_targets)
FIT_COLUMNS = ["transform", "center", "se", "df", "clip", "ceiling", "direction"]


class OutlookError(AtlasError):
    """An outlook that cannot be computed as asked: outlook.error.<code> in data/i18n."""

    prefix = "outlook.error"


# --- the scales -----------------------------------------------------------------------------------------------
def _forward(values, transform: str, clip: float) -> np.ndarray:
    """Values (or targets) on the transformed scale."""
    v = np.asarray(values, dtype="float64")
    if transform == "logit":
        return special.logit(np.clip(v / 100.0, clip, 1.0 - clip))
    if transform == "log":
        return np.log(np.maximum(v, clip))
    return v


def _back(z, transform: str, ceiling: float) -> np.ndarray:
    """The transformed scale back to values (monotone increasing, so bounds stay in order)."""
    z = np.asarray(z, dtype="float64")
    if transform == "logit":
        return 100.0 * special.expit(z)
    if transform == "log":
        return np.exp(z)
    return np.minimum(z, ceiling)


def _clip(transform: str, values: np.ndarray, denominator: float, scale: float) -> float:
    """c of the logit (0.5 / denominator, else EPSILON) or the floor of the log (half a case, else half the
    smallest positive value); 0 for the linear scale."""
    has_den = denominator is not None and np.isfinite(denominator) and denominator >= 2
    if transform == "logit":
        return 0.5 / denominator if has_den else EPSILON
    if transform == "log":
        if denominator is not None and np.isfinite(denominator) and denominator > 0:
            return 0.5 * scale / denominator
        positive = values[values > 0]
        return float(positive.min()) / 2 if positive.size else EPSILON
    return 0.0


def transform_of(kind: str, level: str = "region") -> str:
    """The scale a kind is projected on (a county's 1/0 status is not projected: "none")."""
    if KINDS[kind].binary and level == "county":
        return "none"
    return TRANSFORMS[kind]


# --- one series -----------------------------------------------------------------------------------------------
def fit_series(
    years: Sequence[float],
    values: Sequence[float],
    to_year: int,
    transform: str,
    clip: float = 0.0,
    ceiling: float = math.inf,
) -> dict[str, float]:
    """OLS line on the transformed scale, read at `to_year`: center, se (prediction standard error), df, and the
    projection with its 80 % and 95 % bounds on the value scale. Fewer than MIN_YEARS points: the last value,
    NaN elsewhere."""
    x = np.asarray(years, dtype="float64")
    y_raw = np.asarray(values, dtype="float64")
    order = np.argsort(x)
    x, y_raw = x[order], y_raw[order]
    out = {"center": math.nan, "se": math.nan, "df": math.nan, "projected": math.nan}
    for level in LEVELS:
        out[f"low{round(level * 100)}"] = out[f"high{round(level * 100)}"] = math.nan
    n = len(x)
    if n == 0:
        return out
    if n < MIN_YEARS or transform == "none":
        out["projected"] = float(y_raw[-1])
        return out
    y = _forward(y_raw, transform, clip)
    xm, ym = x.mean(), y.mean()
    sxx = float(((x - xm) ** 2).sum())
    slope = float(((x - xm) * (y - ym)).sum()) / sxx
    intercept = ym - slope * xm
    residuals = y - (intercept + slope * x)
    df = n - 2
    s2 = float((residuals**2).sum()) / df
    center = intercept + slope * to_year
    se = math.sqrt(s2 * (1 + 1 / n + (to_year - xm) ** 2 / sxx))
    out.update(center=float(center), se=se, df=float(df))
    out["projected"] = float(_back(center, transform, ceiling))
    for level in LEVELS:
        q = float(special.stdtrit(df, 0.5 + level / 2)) * se
        name = round(level * 100)
        out[f"low{name}"] = float(_back(center - q, transform, ceiling))
        out[f"high{name}"] = float(_back(center + q, transform, ceiling))
    return out


def _meets_above(comparator: str) -> bool:
    """True when meeting the target means being above it (> or ≥; the only comparators the profiles use)."""
    return comparator not in ("<", "<=")


def _probability(center, se, df, transform, clip, ceiling, target, comparator) -> float:
    """P(the value in the target year meets `target`) under the t predictive distribution."""
    if not (np.isfinite(center) and np.isfinite(se) and np.isfinite(df)) or target is None:
        return math.nan
    if not np.isfinite(target):
        return math.nan
    above = _meets_above(comparator)
    if transform == "linear" and target > ceiling:  # the value cannot pass its ceiling
        return 0.0 if above else 1.0
    if transform == "log" and target <= 0:  # a count per population is never below 0
        return 1.0 if above else 0.0
    z = float(_forward(target, transform, clip))
    if se <= 0:  # a perfect fit: the projection either meets the target or does not
        strict = comparator in (">", "<")
        if above:
            return float(center > z if strict else center >= z)
        return float(center < z if strict else center <= z)
    upper_tail = float(1.0 - special.stdtr(df, (z - center) / se))
    return upper_tail if above else 1.0 - upper_tail


# --- per region -----------------------------------------------------------------------------------------------
def _target_of(profile: TargetProfile, indicator_id: str, direction: str) -> tuple[float, str]:
    found = profile.targets.get(indicator_id)
    default = "<=" if direction == "lower_is_better" else ">="
    if found is None:
        return math.nan, default
    return float(found.threshold), found.comparator


def check_target(catalog: Catalog, indicator_id: str, target: float) -> None:
    """A candidate target within what the kind's values can be (a rate 0–100, a count per population ≥ 0 …)."""
    kind = KINDS[catalog[indicator_id].kind]
    low = kind.floor
    high = math.inf if kind.ceiling is None else kind.ceiling
    if not (math.isfinite(target) and low <= target <= high):
        raise OutlookError(
            "target_out_of_range",
            target=f"{target:g}",
            indicator=indicator_id,
            low="−∞" if math.isinf(low) else f"{low:g}",
            high="∞" if math.isinf(high) else f"{high:g}",
        )


def outlook(
    evaluated: pd.DataFrame,
    catalog: Catalog,
    profile: TargetProfile,
    indicator_id: str,
    to_year: int,
    target: float | None = None,
) -> pd.DataFrame:
    """One row per region of `evaluated` (attainment() output over all years of one level): OUTLOOK_COLUMNS, then
    FIT_COLUMNS (the predictive distribution). `target` None = the profile's threshold for the indicator.

    Refused (OutlookError): an unknown indicator, `to_year` not after the last observed year, a target outside
    the kind's range."""
    if indicator_id not in catalog:
        raise OutlookError("unknown_indicator", indicator=indicator_id, known=", ".join(catalog.ids))
    ind = catalog[indicator_id]
    kind = KINDS[ind.kind]
    ceiling = math.inf if kind.ceiling is None else float(kind.ceiling)
    threshold, comparator = _target_of(profile, indicator_id, ind.direction)
    if target is not None:
        check_target(catalog, indicator_id, float(target))
        threshold = float(target)

    rows = evaluated[evaluated["indicator_id"].astype(str) == indicator_id]
    observed = rows[rows["value"].notna()]
    if len(observed):
        last_seen = int(observed["year"].max())
        if to_year <= last_seen:
            raise OutlookError("to_not_after", to_year=to_year, last_year=last_seen)
    codes = pd.unique(evaluated["region_code"].astype(str))
    names = (
        evaluated.assign(region_code=evaluated["region_code"].astype(str))
        .drop_duplicates("region_code")
        .set_index("region_code")["region_name"]
        if "region_name" in evaluated.columns
        else pd.Series(dtype=object)
    )
    level = str(evaluated["level"].iloc[0]) if "level" in evaluated.columns and len(evaluated) else "region"
    transform = transform_of(ind.kind, level)

    by_region = {str(c): g for c, g in observed.groupby(observed["region_code"].astype(str), sort=False)}
    records = []
    for code in codes:
        part = by_region.get(code)
        part = part.sort_values("year") if part is not None else None
        n = 0 if part is None else len(part)
        years = part["year"].to_numpy(dtype="float64") if n else np.array([])
        values = part["value"].to_numpy(dtype="float64") if n else np.array([])
        den = (
            float(part["denominator"].iloc[-1])
            if n and "denominator" in part.columns and pd.notna(part["denominator"].iloc[-1])
            else None
        )
        clip = _clip(transform, values, den, ind.scale) if n else 0.0
        fit = fit_series(years, values, to_year, transform, clip, ceiling)
        if n == 0:
            method = "no_data"
        elif transform == "none":
            method = "status"
        elif n < MIN_YEARS:
            method = "last_value"
        else:
            method = f"{transform}_trend"
        probability = _probability(
            fit["center"], fit["se"], fit["df"], transform, clip, ceiling, threshold, comparator
        )
        records.append(
            {
                "region_code": code,
                "region_name": str(names.get(code, "")),
                "indicator_id": indicator_id,
                "last_year": int(years[-1]) if n else pd.NA,
                "last_value": float(values[-1]) if n else math.nan,
                "to_year": int(to_year),
                "projected": fit["projected"],
                "low80": fit["low80"],
                "high80": fit["high80"],
                "low95": fit["low95"],
                "high95": fit["high95"],
                "target": threshold,
                "comparator": comparator,
                "probability": probability,
                "n_years": n,
                "method": method,
                "transform": transform,
                "center": fit["center"],
                "se": fit["se"],
                "df": fit["df"],
                "clip": clip,
                "ceiling": ceiling,
                "direction": ind.direction,
            }
        )
    out = pd.DataFrame.from_records(records, columns=[*OUTLOOK_COLUMNS, *FIT_COLUMNS])
    out["last_year"] = out["last_year"].astype("Int64")
    out["n_years"] = out["n_years"].astype("int64")
    return out


# --- reading the predictive distribution ----------------------------------------------------------------------
def probability_at(frame: pd.DataFrame, target: float, comparator: str | None = None) -> pd.Series:
    """For each row of an outlook frame: the probability of meeting `target` (the row's comparator unless one
    is given). NaN where there is no interval (fewer than 3 years, a county's status, no data)."""
    return pd.Series(
        [
            _probability(
                r.center,
                r.se,
                r.df,
                r.transform,
                r.clip,
                r.ceiling,
                float(target),
                comparator or r.comparator,
            )
            for r in frame.itertuples()
        ],
        index=frame.index,
        dtype="float64",
    )


def _row(frame: pd.DataFrame, region_code: str | None) -> pd.Series:
    if region_code is None:
        if len(frame) != 1:
            raise OutlookError("one_region", n=len(frame))
        return frame.iloc[0]
    found = frame[frame["region_code"].astype(str) == str(region_code)]
    if found.empty:
        raise OutlookError("region_not_in_outlook", code=str(region_code))
    return found.iloc[0]


def probability_curve(
    frame: pd.DataFrame,
    region_code: str | None = None,
    targets: Iterable[float] | None = None,
    points: int = 101,
) -> pd.DataFrame:
    """The probability of meeting each candidate target, for one region of an outlook frame (the only row when
    `region_code` is None): columns target, probability. `targets` None = `points` targets evenly across the
    95 % interval widened by half its width on each side, within the kind's range."""
    row = _row(frame, region_code)
    if targets is None:
        low, high = float(row["low95"]), float(row["high95"])
        if not (np.isfinite(low) and np.isfinite(high)):
            return pd.DataFrame({"target": [], "probability": []}, dtype="float64")
        pad = max((high - low) / 2, 1e-9)
        low, high = low - pad, high + pad
        if row["transform"] in ("logit", "log"):
            low = max(low, 0.0)
        if row["transform"] == "logit" or np.isfinite(row["ceiling"]):
            high = min(high, 100.0 if row["transform"] == "logit" else float(row["ceiling"]))
        grid = np.linspace(low, high, points)
    else:
        grid = np.asarray(list(targets), dtype="float64")
    probs = [
        _probability(
            row["center"],
            row["se"],
            row["df"],
            row["transform"],
            row["clip"],
            row["ceiling"],
            float(t),
            row["comparator"],
        )
        for t in grid
    ]
    return pd.DataFrame({"target": grid, "probability": np.asarray(probs, dtype="float64")})


def proposed_targets(
    frame: pd.DataFrame, probabilities: Sequence[float] = PROPOSED_PROBABILITIES
) -> pd.DataFrame:
    """Per region of an outlook frame: the target it reaches with each probability (columns `target_p50`,
    `target_p80` …): for a higher-is-better indicator the (1 − p) quantile of the predictive distribution, for a
    lower-is-better one the p quantile. At 50 % it is the projection. NaN without an interval."""
    out = frame[["region_code", "region_name", "indicator_id"]].copy()
    for p in probabilities:
        values = []
        for r in frame.itertuples():
            if not (np.isfinite(r.center) and np.isfinite(r.se) and np.isfinite(r.df)):
                values.append(math.nan)
                continue
            q = p if r.direction == "lower_is_better" else 1.0 - p
            z = r.center + (float(special.stdtrit(r.df, q)) * r.se if r.se > 0 else 0.0)
            values.append(float(_back(z, r.transform, r.ceiling)))
        out[f"target_p{round(p * 100)}"] = np.asarray(values, dtype="float64")
    return out


def share_likely(county_outlook: pd.DataFrame, threshold: float, probability: float = 0.5) -> float:
    """The share (0–1) of counties whose probability of meeting `threshold` is at least `probability`, among
    the counties with a probability (at least 3 observed years); NaN when none has one."""
    probs = probability_at(county_outlook, threshold).dropna()
    if probs.empty:
        return math.nan
    return float((probs >= probability).mean())
