"""What each indicator kind means, declared once: how a value is computed and rolled up, its bounds, what
"one more unit" is for shortfall and what-if, its template columns, its unit words and how it is formatted.

Every other module asks this table (`kind_of(indicator)`, `KINDS[...]`, `kind_array(...)`) instead of
branching on the kind's name. Adding a kind means adding one row here (and its words in data/i18n/).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from analytics.catalog import Catalog, Indicator, TargetProfile


ROUNDING_KEY = "rule_rounding"  # the one rounding rule of what-if, stated on the method panel
# No count of people, services or events in China can pass its 1.4 billion residents: a numerator or
# denominator above this is a typing or export error (1e308 once reached the store and broke every page).
MOST_COUNTED = 2_000_000_000.0
# A count per resident population is at most one per resident at the largest scale (per 1,000,000); a
# reduction against the baseline at least -1,000,000 % (events up ten-thousandfold). Beyond them: an error.
MOST_PER_POPULATION = 1_000_000.0
LEAST_REDUCTION = -1_000_000.0
# The largest value counts within MOST_COUNTED can give (2e9 over 1 resident per 1,000,000): a value beyond it
# is shown as no number, not as a 300-digit figure.
LARGEST_SHOWN = MOST_COUNTED * 1_000_000


def whole_units(change) -> np.ndarray:
    """The one rounding rule of what-if, the same for every kind and county: a change in counted units is
    rounded to whole units with halves away from zero (8.5 -> 9 people, -4.5 -> -5 accidents). The change is
    first rounded to 9 decimals, so 2 points of 425 (8.499999… in binary) is the half it is on paper."""
    x = np.round(np.asarray(change, dtype="float64"), 9)
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


MORE_DECIMALS = 4  # at most this many decimals beyond the indicator's own, to tell a value from its target


def shown_decimals(value: float, decimals: int, threshold: float, strict: bool, met: bool) -> int:
    """The fewest decimals (from the indicator's own) with which the rounded value compares with the target as
    the exact status does: 80.04 % against "> 80 %" is met, so it shows as 80.04 %, not 80.0 %; 97.97 % against
    "≥ 98 %" is not, so not 98.0 %. A value equal to the target keeps its decimals (it is equal)."""
    for d in range(decimals, decimals + MORE_DECIMALS + 1):
        shown = round(value, d)
        if (shown > threshold if strict else shown >= threshold) == met:
            return d
    return decimals + MORE_DECIMALS


@dataclass(frozen=True)
class Kind:
    id: str
    # -- the value -------------------------------------------------------------------------------------------
    # "ratio": numerator / denominator x scale; "status": a county's 1/0 is numerator 1/0 over denominator 1
    # (so sums give the share of counties); "reduction": (baseline - count) / baseline x 100.
    value_from: str
    census_denominator: bool  # an empty denominator is the county's resident population (census)
    needs_baseline: bool  # the value compares this year's count with the baseline year's
    # -- what a county may report (the observation contract) ------------------------------------------------
    numerator_within_denominator: bool  # numerator <= denominator (a share cannot pass 100 %)
    binary: bool  # the county's value is 1 or 0; no denominator other than 1
    value_min: float  # bounds of a county's reported value (finite: no indicator can have inf or 1e308)
    value_max: float
    count_max: float  # largest numerator or denominator a region can report
    numerator_needs_denominator: bool  # a numerator alone cannot be used (a rate needs both)
    # -- shown values ----------------------------------------------------------------------------------------
    ceiling: float | None  # physical upper bound of a value at any level (projections are clipped to it)
    floor: float  # lower bound of a value at any level (a reduction goes negative when accidents rise)
    jump_points: float | None  # a change of more than this many points from the year before is flagged
    # -- one more unit: shortfall and what-if --------------------------------------------------------------
    unit_sign: int  # +1: one more person/service adds to the numerator; -1: one avoided accident removes one
    room: str  # how many units a county can still take: "to_denominator", "to_one", "count", "unbounded"
    shifts: bool  # add points / scale percent make sense (a 1/0 status only moves by whole counties)
    # -- submissions -----------------------------------------------------------------------------------------
    template_roles: tuple[str, ...]  # columns of the wide template, in order
    bare_column_role: str  # what an indicator-named column without (分子)/(分母) holds
    # -- uncertainty (declared for the interval issue) --------------------------------------------------------
    interval: str | None  # "wilson", "garwood", "clopper_pearson", or None

    @property
    def shortfall_key(self) -> str:
        """i18n key of the sentence naming a shortfall ("还差 5 人" / "需再减少 3 起")."""
        return "shortfall_fewer" if self.unit_sign < 0 else "shortfall_more"

    @property
    def label_key(self) -> str:
        return f"kind_{self.id}"

    @property
    def rule_key(self) -> str:
        return f"rule_{self.id}"

    def format_value(
        self,
        value,
        decimals: int,
        unit: str,
        lang: str = "zh",
        level: str = "region",
        against: tuple[float, bool, bool] | None = None,
    ) -> str:
        """A value as it is shown: "85.0%", "8.2 per 100,000", and for a 1/0 county status 达标 / 未达标 at
        county level (a share of counties, in %, above it). `against` = (threshold, strict, met): the value's
        exact status against its target; the value then gets the decimals it needs to read as that status
        (shown_decimals)."""
        from analytics.i18n import t

        if value is None or pd.isna(value) or not math.isfinite(float(value)) or abs(value) > LARGEST_SHOWN:
            return "—"  # no number, or one no indicator can have (inf, 1e308 from a store older than the contract)
        if self.binary and level == "county":
            return t("status_value_yes" if float(value) >= 1 else "status_value_no", lang)
        if against is not None:
            decimals = shown_decimals(float(value), decimals, *against)
        number = f"{float(value):,.{decimals}f}"
        return f"{number}{unit}" if unit == "%" else f"{number} {unit}".strip()

    def room_for(self, numerator, denominator, value):
        """Units each county can still take within physical bounds (vectorised over Series/arrays)."""
        num = pd.Series(numerator, dtype="float64") if not isinstance(numerator, pd.Series) else numerator
        index = num.index
        den = pd.Series(denominator, index=index, dtype="float64")
        val = pd.Series(value, index=index, dtype="float64")
        if self.room == "to_denominator":
            return (den - num).fillna(0).clip(lower=0)
        if self.room == "to_one":
            return (1 - val.fillna(0)).clip(lower=0)
        if self.room == "count":
            return num.fillna(0).clip(lower=0)  # cannot avoid more accidents than happen
        return pd.Series(math.inf, index=index).where(den.notna(), 0)

    def shifted_value(self, value, operation: str, amount: float) -> np.ndarray:
        """A value sent without its counts, moved as the counts would move it (vectorised), within [floor, ceiling]
        and the bounds a reported value has (value_min, value_max): `add_pp` adds X to the value; `scale_pct`
        multiplies the counted units by 1 + X/100, which scales a ratio by the same factor and, for a reduction,
        what is left of the baseline (100 - value). No whole-unit rounding: without a denominator there are no
        units to round."""
        v = np.asarray(value, dtype="float64")
        if operation == "scale_pct":
            factor = 1.0 + amount / 100.0
            moved = 100.0 - (100.0 - v) * factor if self.value_from == "reduction" else v * factor
        else:
            moved = v + amount
        top = self.value_max if self.ceiling is None else min(self.ceiling, self.value_max)
        return np.clip(moved, max(self.floor, self.value_min), top)

    def impossible(self, numerator, denominator, value) -> np.ndarray:
        """Where a region's numbers are ones no indicator of this kind can have (vectorised): not finite (inf,
        or 1e309 read as inf), a count beyond `count_max`, or a value sent without its count outside
        [value_min, value_max]. The contract refuses them; the engine reads such a stored row as no data."""
        num, den, val = (np.asarray(a, dtype="float64") for a in (numerator, denominator, value))
        with np.errstate(invalid="ignore"):
            out = np.isinf(num) | np.isinf(den) | np.isinf(val)
            out |= (np.abs(num) > self.count_max) | (np.abs(den) > self.count_max)
            out |= np.isnan(num) & ((val < self.value_min) | (val > self.value_max))
        return out

    def shortfall_cap(self, numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
        """The most units that can be added (vectorised): beyond it the target is unreachable."""
        if self.room == "to_denominator" or self.room == "to_one":
            return denominator - numerator
        if self.room == "count":
            return numerator
        return np.full(np.shape(numerator), np.inf)


KINDS: dict[str, Kind] = {
    k.id: k
    for k in (
        Kind(
            id="rate",
            value_from="ratio",
            census_denominator=False,
            needs_baseline=False,
            numerator_within_denominator=True,
            binary=False,
            value_min=0.0,
            value_max=100.0,
            count_max=MOST_COUNTED,
            numerator_needs_denominator=True,
            ceiling=100.0,
            floor=0.0,
            jump_points=20.0,
            unit_sign=1,
            room="to_denominator",
            shifts=True,
            template_roles=("numerator", "denominator"),
            bare_column_role="value",
            interval="wilson",
        ),
        Kind(
            id="per_population",
            value_from="ratio",
            census_denominator=True,
            needs_baseline=False,
            numerator_within_denominator=False,
            binary=False,
            value_min=0.0,
            value_max=MOST_PER_POPULATION,
            count_max=MOST_COUNTED,
            numerator_needs_denominator=False,
            ceiling=None,
            floor=0.0,
            jump_points=None,
            unit_sign=1,
            room="unbounded",
            shifts=True,
            template_roles=("numerator", "denominator"),
            bare_column_role="value",
            interval="garwood",
        ),
        Kind(
            id="county_status",
            value_from="status",
            census_denominator=False,
            needs_baseline=False,
            numerator_within_denominator=True,
            binary=True,
            value_min=0.0,
            value_max=1.0,
            count_max=MOST_COUNTED,  # its 1/0 over 1 is the status rules' call (status_not_binary)
            numerator_needs_denominator=False,
            ceiling=100.0,
            floor=0.0,
            jump_points=None,  # a county's 1/0 jumps by design
            unit_sign=1,
            room="to_one",
            shifts=False,
            template_roles=("value",),
            bare_column_role="value",
            interval=None,
        ),
        Kind(
            id="reduction_vs_baseline",
            value_from="reduction",
            census_denominator=False,
            needs_baseline=True,
            numerator_within_denominator=False,
            binary=False,
            value_min=LEAST_REDUCTION,
            value_max=100.0,
            count_max=MOST_COUNTED,
            numerator_needs_denominator=False,
            ceiling=100.0,
            floor=-math.inf,
            jump_points=None,
            unit_sign=-1,
            room="count",
            shifts=True,
            template_roles=("numerator",),
            bare_column_role="numerator",
            interval="clopper_pearson",
        ),
    )
}
KIND_IDS: tuple[str, ...] = tuple(KINDS)


def kind_of(indicator: Indicator) -> Kind:
    return KINDS[indicator.kind]


def kind_array(catalog: Catalog, attribute: str, dtype=None) -> np.ndarray:
    """One attribute of each indicator's kind, in catalog order, plus a trailing slot for "no indicator"."""
    values = [getattr(KINDS[i.kind], attribute) for i in catalog.indicators]
    blank = {bool: False, float: np.nan, str: ""}.get(type(values[0]) if values else float)
    return np.array([*values, blank], dtype=dtype)


def _per_row(obs: pd.DataFrame, per_id: dict, blank) -> np.ndarray:
    """A per-indicator value for each row, looked up once per distinct indicator id."""
    codes, uniques = pd.factorize(obs["indicator_id"])
    table = np.array([per_id.get(str(u), blank) for u in uniques] + [blank])
    return table[codes]


def impossible_rows(obs: pd.DataFrame, catalog: Catalog) -> np.ndarray:
    """For each row of `obs`: True where its numbers are ones its indicator's kind cannot have
    (Kind.impossible); rows of an unknown indicator are judged by no kind (False)."""
    out = np.zeros(len(obs), dtype=bool)
    if obs.empty:
        return out
    numbers = {
        c: pd.to_numeric(obs[c], errors="coerce").to_numpy(dtype="float64")
        if c in obs.columns
        else np.full(len(obs), np.nan)
        for c in ("numerator", "denominator", "value")
    }
    kind = _per_row(obs, {i.id: i.kind for i in catalog.indicators}, "")
    for kind_id in set(kind) - {""}:
        rows = kind == kind_id
        out[rows] = KINDS[kind_id].impossible(*(numbers[c][rows] for c in numbers))
    return out


def fill_census_denominators(obs: pd.DataFrame, catalog: Catalog, population: pd.Series) -> pd.DataFrame:
    """Per-population counts sent without a denominator are over the county's census residents (a copy)."""
    census = _per_row(obs, {i.id: KINDS[i.kind].census_denominator for i in catalog.indicators}, False)
    den = pd.to_numeric(obs["denominator"], errors="coerce").to_numpy(dtype="float64", copy=True)
    num = pd.to_numeric(obs["numerator"], errors="coerce").to_numpy(dtype="float64")
    fill = census.astype(bool) & np.isnan(den) & ~np.isnan(num)
    out = obs.copy()
    if fill.any():
        region_codes, regions = pd.factorize(out["region_code"])
        pop = population.reindex(pd.Index(regions).astype(str)).to_numpy(dtype="float64")
        den[fill] = np.append(pop, np.nan)[region_codes][fill]
    out["denominator"] = den
    return out


def baseline_years(catalog: Catalog, profile: TargetProfile) -> dict[str, int]:
    """The baseline year of each indicator whose kind needs one (a target may set its own)."""
    out = {}
    for ind in catalog.indicators:
        if KINDS[ind.kind].needs_baseline:
            target = profile.targets.get(ind.id)
            out[ind.id] = (target.baseline_year if target else None) or profile.baseline_year
    return out


def baselines(obs: pd.DataFrame, catalog: Catalog, profile: TargetProfile) -> np.ndarray:
    """For each row: the same region's count in its indicator's baseline year (NaN where the kind needs none
    or the baseline row is missing)."""
    years = baseline_years(catalog, profile)
    out = np.full(len(obs), np.nan)
    if not years or obs.empty:
        return out
    base_year = _per_row(obs, {k: float(v) for k, v in years.items()}, np.nan).astype("float64")
    needs = ~np.isnan(base_year)
    if not needs.any():
        return out
    region_codes, _ = pd.factorize(obs["region_code"])
    ind_codes, ind_labels = pd.factorize(obs["indicator_id"])
    key = region_codes.astype(np.int64) * len(ind_labels) + ind_codes
    num = pd.to_numeric(obs["numerator"], errors="coerce").to_numpy(dtype="float64")
    at_base = needs & (obs["year"].to_numpy() == base_year) & ~np.isnan(num)
    table = np.full((region_codes.max() + 1) * len(ind_labels), np.nan)
    table[key[at_base][::-1]] = num[at_base][::-1]  # the first baseline row of a key wins
    out[needs] = table[key[needs]]
    return out
