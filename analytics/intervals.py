"""How sure a value is: its 95 % interval, on the same sums as the value, by the method its kind declares
(`kinds.Kind.interval`), and whether the target lies inside it (`certainty`).

Methods, one row each in METHODS (vectorised over arrays of counts):
- "wilson" (rate): the Wilson score interval of numerator / denominator, times the indicator's scale.
- "garwood" (per population): the exact Poisson interval of the count (Garwood 1936: the chi-square quantiles
  chi2(a/2, 2x)/2 and chi2(1 - a/2, 2x + 2)/2, i.e. the inverse regularized gamma function), divided by the
  denominator and scaled.
- "clopper_pearson" (reduction against the baseline year): the exact binomial interval (beta quantiles, the
  inverse regularized beta function) of
  count / (count + baseline) turned into (1 - count / baseline) x 100; as the share grows the reduction falls, so
  the share's upper end gives the reduction's lower end.
- None (a county's 1/0 status): no interval.

The status stays the exact comparison of the value with the target; `certainty` stands beside it: "unclear" when
the target threshold lies inside [low, high] (ends included), "clear" otherwise, "" without a value, a target or
an interval (a value a department sent without its counts has none).
"""

from __future__ import annotations

from collections.abc import Callable
from statistics import NormalDist

import numpy as np
from scipy.special import betaincinv, gammaincinv  # not scipy.stats: 0.3 s to import, not 0.9 s

CONFIDENCE = 0.95
CERTAINTIES = ("clear", "unclear")


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(x, n, confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of the proportion x / n (NaN where n <= 0)."""
    x, n = np.asarray(x, dtype="float64"), np.asarray(n, dtype="float64")
    ok = n > 0
    n_ = np.where(ok, n, 1.0)
    p = np.clip(x / n_, 0.0, 1.0)
    z2 = _z(confidence) ** 2
    centre = (p + z2 / (2 * n_)) / (1 + z2 / n_)
    half = np.sqrt(z2) / (1 + z2 / n_) * np.sqrt(p * (1 - p) / n_ + z2 / (4 * n_**2))
    low = np.where(ok, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(ok, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def garwood(x, confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson interval of a count x (NaN where x < 0)."""
    x = np.asarray(x, dtype="float64")
    ok = x >= 0
    x_ = np.where(ok, x, 0.0)
    alpha = 1 - confidence
    low = np.where(x_ > 0, gammaincinv(np.maximum(x_, 1e-300), alpha / 2), 0.0)
    high = gammaincinv(x_ + 1, 1 - alpha / 2)
    return np.where(ok, low, np.nan), np.where(ok, high, np.nan)


def clopper_pearson(x, n, confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial interval of the proportion x / n (NaN where n <= 0 or x is outside [0, n])."""
    x, n = np.asarray(x, dtype="float64"), np.asarray(n, dtype="float64")
    ok = (n > 0) & (x >= 0) & (x <= n)
    x_, n_ = np.where(ok, x, 0.0), np.where(ok, n, 1.0)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        low = np.where(x_ > 0, betaincinv(np.maximum(x_, 1e-300), n_ - x_ + 1, alpha / 2), 0.0)
        high = np.where(x_ < n_, betaincinv(x_ + 1, np.maximum(n_ - x_, 1e-300), 1 - alpha / 2), 1.0)
    return np.where(ok, low, np.nan), np.where(ok, high, np.nan)


def _rate(num, den, base, scale, confidence):
    low, high = wilson(num, den, confidence)
    return low * scale, high * scale


def _per_population(num, den, base, scale, confidence):
    low, high = garwood(num, confidence)
    ok = den > 0
    d = np.where(ok, den, 1.0)
    return np.where(ok, low * scale / d, np.nan), np.where(ok, high * scale / d, np.nan)


def _reduction(num, den, base, scale, confidence):
    """count = num (this year's), baseline = base: share s = count / (count + baseline); the reduction
    (1 - count / baseline) x 100 = (1 - 2 s) / (1 - s) x 100, falling as s grows."""
    ok = base > 0
    share_low, share_high = clopper_pearson(num, num + np.where(ok, base, 0.0), confidence)

    def reduction(s):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(s < 1, (1 - 2 * s) / (1 - s) * 100.0, -np.inf)

    return np.where(ok, reduction(share_high), np.nan), np.where(ok, reduction(share_low), np.nan)


# method name (kinds.Kind.interval) -> (numerator, denominator, baseline, scale, confidence) -> (low, high)
METHODS: dict[str, Callable] = {
    "wilson": _rate,
    "garwood": _per_population,
    "clopper_pearson": _reduction,
}


def intervals(
    method: np.ndarray,
    numerator,
    denominator,
    baseline,
    scale,
    confidence: float = CONFIDENCE,
) -> tuple[np.ndarray, np.ndarray]:
    """[low, high] of each row's value, by its method (an array of METHODS keys, None/"" for none). Rows
    without counts (NaN numerator) get NaN."""
    method = np.asarray(method, dtype=object)
    num = np.asarray(numerator, dtype="float64")
    den = np.asarray(denominator, dtype="float64")
    base = np.asarray(baseline, dtype="float64")
    scale = np.broadcast_to(np.asarray(scale, dtype="float64"), num.shape)
    low, high = np.full(num.shape, np.nan), np.full(num.shape, np.nan)
    for name, compute in METHODS.items():
        rows = (method == name) & ~np.isnan(num)
        if rows.any():
            lo, hi = compute(num[rows], den[rows], base[rows], scale[rows], confidence)
            low[rows], high[rows] = lo, hi
    return low, high


def certainty(low, high, target) -> np.ndarray:
    """ "unclear" where the target lies inside [low, high] (ends included), "clear" where outside, "" where
    any of the three is missing."""
    low, high, target = (np.asarray(a, dtype="float64") for a in (low, high, target))
    known = ~np.isnan(low) & ~np.isnan(high) & ~np.isnan(target)
    inside = (low <= target) & (target <= high)
    return np.where(known, np.where(inside, "unclear", "clear"), "").astype(object)


# --- funnel plots: the range a value falls in by chance alone, were the county exactly at the target -------------
FUNNEL_LEVELS = (0.95, 0.998)  # the usual two funnels (Spiegelhalter 2005): about 2 and 3 standard deviations


def _rate_spread(target, size, scale):
    p = np.clip(target / scale, 0.0, 1.0)
    return target, np.sqrt(p * (1 - p) / size) * scale


def _count_spread(target, size, scale):
    expected = target * size / scale  # the count a county of this size has at the target
    return target, np.sqrt(np.maximum(expected, 0.0)) / size * scale


def _reduction_spread(target, size, scale):
    expected = size * (
        1 - target / 100.0
    )  # this year's count at the target reduction, from a baseline of `size`
    return target, np.sqrt(np.maximum(expected, 0.0)) / size * 100.0


# method -> (the column that measures a county's size, the value's centre and standard deviation at the target
# for a county of that size): normal approximations to the binomial / Poisson counts behind each kind's interval
FUNNELS: dict[str, tuple[str, Callable]] = {
    "wilson": ("denominator", _rate_spread),
    "garwood": ("denominator", _count_spread),
    "clopper_pearson": ("baseline", _reduction_spread),
}


def funnel_limits(
    method: str, target: float, sizes, scale: float, floor: float, ceiling: float | None
) -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """{confidence: (low, high)} at each size, for a county exactly at `target`, within the kind's bounds."""
    _, spread = FUNNELS[method]
    sizes = np.asarray(sizes, dtype="float64")
    centre, sd = spread(float(target), sizes, float(scale))
    top = np.inf if ceiling is None else ceiling
    return {
        level: (np.clip(centre - _z(level) * sd, floor, top), np.clip(centre + _z(level) * sd, floor, top))
        for level in FUNNEL_LEVELS
    }
