"""What-if scenarios as pure functions on the observation table: adjust, allocate units, re-evaluate.

An adjustment changes one indicator in one year for a scope of counties:
- `add_pp`     add X points to the value (a rate cannot pass 100 %; for the accident reduction, X more points of
               reduction, i.e. fewer accidents);
- `scale_pct`  multiply the counted numerator (people checked, surgeries, physicians, accidents) by 1 + X/100;
- `add_units`  N more units (people, surgeries, physicians, counties, avoided accidents) shared by a rule:
               `fewest-first` gives each lagging county its shortfall, smallest first (the most counties reach the
               target), then the rest to the next one; `population` splits N in proportion to residents;
- `set_target` replace the target threshold (comparator unchanged).
Counts stay whole and within physical bounds; units that cannot be used are reported as unallocated.
A county that sent only a value (no numerator and denominator) keeps being evaluated from it: points and
percent move the value itself (Kind.shifted_value); units cannot be given to it, and the result counts such
counties (`skipped_value_only`) so that the page and the CLI can ask for their counts.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from fractions import Fraction

import numpy as np
import pandas as pd

from analytics.attainment import attainment, evaluate, prepare, with_reported
from analytics.catalog import Catalog, Target, TargetProfile
from analytics.errors import AtlasError
from analytics.kinds import baselines, fill_census_denominators, impossible_rows, whole_units
from analytics.rollup import LEVEL_KEYS, rollup
from analytics.schema import ensure_valid

OPERATIONS = ("add_pp", "scale_pct", "add_units", "set_target")
# Steps of one scenario from outside (a link, a saved file): each is a whole re-evaluation of the region, so a
# link of 60 cost 36 s per rerun nationally. The page offers no more (pages/scenarios.py asks `room_for`).
MAX_STEPS = 20
ALLOCATIONS = ("fewest-first", "population")


class ScenarioError(AtlasError):
    """An adjustment that cannot be applied (unknown indicator, operation, scope): code + fields."""


@dataclass(frozen=True)
class Adjustment:
    indicator_id: str
    operation: str
    amount: float
    allocate: str = "fewest-first"
    scope: str = "all"  # "all", "lagging", or adcodes (counties or prefectures) joined by commas

    def __post_init__(self) -> None:
        if self.operation not in OPERATIONS:
            raise ScenarioError("unknown_operation", operation=self.operation, known=", ".join(OPERATIONS))
        if self.allocate not in ALLOCATIONS:
            raise ScenarioError("unknown_allocation", allocate=self.allocate, known=", ".join(ALLOCATIONS))
        if not math.isfinite(self.amount):
            raise ScenarioError("amount_not_finite", amount=str(self.amount))
        if self.operation == "add_units" and (self.amount < 0 or self.amount != int(self.amount)):
            raise ScenarioError("units_not_whole")
        if self.operation == "scale_pct" and self.amount < -100:
            raise ScenarioError("scale_below_minus_100", amount=f"{self.amount:g}")


@dataclass(frozen=True)
class Scenario:
    name: str
    adjustments: tuple[Adjustment, ...] = field(default_factory=tuple)

    def to_json(self) -> str:
        return json.dumps(
            {"name": self.name, "adjustments": [asdict(a) for a in self.adjustments]}, ensure_ascii=False
        )

    @staticmethod
    def from_json(text: str) -> Scenario:
        try:
            raw = json.loads(text)
            steps = raw["adjustments"]
            if isinstance(steps, list):
                check_steps(len(steps))  # before any step is built: a long list costs nothing to refuse
            return Scenario(name=str(raw["name"]), adjustments=tuple(Adjustment(**a) for a in steps))
        except ScenarioError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise ScenarioError("scenario_unreadable", reason=str(exc)) from None


def check_steps(n: int) -> None:
    """Refuse a scenario of more than MAX_STEPS adjustments (ScenarioError "too_many_steps")."""
    if n > MAX_STEPS:
        raise ScenarioError("too_many_steps", steps=n, max=MAX_STEPS)


def room_for(steps: int) -> bool:
    """Whether a scenario of `steps` adjustments can take one more (the page disables its add button)."""
    return steps < MAX_STEPS


@dataclass
class ScenarioResult:
    observations: pd.DataFrame  # adjusted county rows (all years; only `year` changed)
    profile: TargetProfile
    allocated: pd.DataFrame  # region_code, indicator_id, units given
    unallocated: dict[str, int]  # indicator_id -> units that could not be used
    # indicator_id -> counties in an add_units scope that sent only a value (no numerator and denominator):
    # units cannot be given to them, and they need their counts submitted to take part
    skipped_value_only: dict[str, int] = field(default_factory=dict)


def scope_counties(scope: str, counties: pd.Series, lagging: set[str], regions) -> set[str]:
    """The counties an adjustment touches, inside the region's counties."""
    inside = set(counties)
    if scope in ("", "all"):
        return inside
    if scope == "lagging":
        return inside & lagging
    chosen: set[str] = set()
    for code in (c.strip() for c in scope.split(",") if c.strip()):
        if code not in regions:
            raise ScenarioError("scope_unknown_code", code=code)
        level = regions.level(code)
        chosen |= set(regions.counties(code)["code"]) if level in ("prefecture", "province") else {code}
    outside = chosen - inside
    if outside and not (chosen & inside):
        raise ScenarioError("scope_outside", scope=scope)
    return chosen & inside


def apply(
    obs: pd.DataFrame,
    scenario: Scenario,
    *,
    catalog: Catalog,
    profile: TargetProfile,
    regions,
    region_code: str | None,
    year: int,
) -> ScenarioResult:
    """Apply every adjustment, in order, to the county rows of `year` inside `region_code`.

    The rows a scenario starts from are held to the observation contract like every other input."""
    out = ensure_valid(obs, catalog=catalog, source="scenario").copy()
    for col in ("numerator", "denominator", "value"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64") if col in out else np.nan
    out["region_code"] = out["region_code"].astype(str)
    out = fill_census_denominators(out, catalog, regions.frame["population"])
    # numbers no indicator can have (a store older than the contract) are no data: a what-if never turns
    # 1e308 or inf into a figure (np.minimum(inf, den) made such a county 100 % "met")
    out.loc[impossible_rows(out, catalog), ["numerator", "denominator", "value"]] = np.nan
    counties = regions.counties(region_code)["code"]  # region_code None: every county of China
    allocated: list[dict] = []
    unallocated: dict[str, int] = {}
    skipped: dict[str, int] = {}
    for adj in scenario.adjustments:
        if adj.indicator_id not in catalog:
            raise ScenarioError("unknown_indicator", indicator_id=adj.indicator_id)
        rules = catalog[adj.indicator_id].rules
        if adj.operation == "set_target":
            if adj.scope not in ("", "all"):
                raise ScenarioError("target_scope")
            floor, ceiling = rules.floor, rules.ceiling if rules.ceiling is not None else math.inf
            if not floor <= adj.amount <= ceiling:
                raise ScenarioError(
                    "target_out_of_range",
                    indicator_id=adj.indicator_id,
                    target=f"{adj.amount:g}",
                    low=f"{floor:g}",
                    high=f"{ceiling:g}",
                )
            old = profile.targets[adj.indicator_id]
            new = Target(
                **{**old.__dict__, "threshold": Fraction(str(adj.amount)), "text_zh": f"情景：{adj.amount:g}"}
            )
            profile = replace(profile, targets={**profile.targets, adj.indicator_id: new})
            continue
        if not rules.shifts and adj.operation in ("add_pp", "scale_pct") and adj.amount != 0:
            raise ScenarioError("no_shift", indicator_id=adj.indicator_id)
        before = _evaluate_counties(out, catalog, profile, counties, year, adj.indicator_id)
        lagging = set(before.loc[before["status"] == "not_met", "region_code"])
        scope = scope_counties(adj.scope, counties, lagging, regions)
        rows = out.index[
            (out["year"] == year) & (out["indicator_id"] == adj.indicator_id) & out["region_code"].isin(scope)
        ]
        if adj.operation == "add_units":
            value_only = rows[_value_only(out, rows, catalog, profile, adj.indicator_id)]
            if len(value_only):
                skipped[adj.indicator_id] = skipped.get(adj.indicator_id, 0) + len(value_only)
            rows = rows.difference(value_only)
            given, left = _allocate(out, rows, adj, before, catalog, regions)
            allocated += [
                {"region_code": c, "indicator_id": adj.indicator_id, "units": u}
                for c, u in given.items()
                if u
            ]
            unallocated[adj.indicator_id] = unallocated.get(adj.indicator_id, 0) + left
            _refresh_values(out, rows, catalog, profile, adj.indicator_id)
        else:
            _shift(out, rows, adj, catalog, profile)
            _refresh_values(out, rows, catalog, profile, adj.indicator_id)
    return ScenarioResult(
        out,
        profile,
        pd.DataFrame(allocated, columns=["region_code", "indicator_id", "units"]),
        unallocated,
        skipped,
    )


def _evaluate_counties(obs, catalog, profile, counties: pd.Series, year, indicator_id) -> pd.DataFrame:
    """This year's county rows of one indicator, evaluated (all years go in: a reduction needs its baseline)."""
    part = obs[(obs["indicator_id"] == indicator_id) & obs["region_code"].isin(counties)]
    ev = evaluate(prepare(part, catalog, profile), catalog, profile)  # denominators filled by apply()
    ev = ev[ev["year"] == year].copy()
    ev["region_code"] = ev["region_code"].astype(str)
    ev["status"] = ev["status"].astype(str)
    return ev


def _baseline_of(out: pd.DataFrame, rows: pd.Index, catalog: Catalog, profile: TargetProfile) -> pd.Series:
    """The baseline-year count of each row in `rows` (the kind's baseline rule, analytics.kinds)."""
    return pd.Series(baselines(out, catalog, profile), index=out.index).loc[rows]


def _counted(out: pd.DataFrame, rows: pd.Index, catalog: Catalog, profile: TargetProfile, indicator_id: str):
    """Rows whose counts give their value: a numerator over a positive denominator (for a reduction, over a
    positive baseline count). A 1/0 status is its own count."""
    rules = catalog[indicator_id].rules
    if rules.binary:
        return pd.Series(True, index=rows)
    weight = (
        _baseline_of(out, rows, catalog, profile) if rules.needs_baseline else out.loc[rows, "denominator"]
    )
    return out.loc[rows, "numerator"].notna() & (weight > 0)


def _value_only(
    out: pd.DataFrame, rows: pd.Index, catalog: Catalog, profile: TargetProfile, indicator_id: str
):
    """Rows with a value but without the counts behind it: a what-if moves the value, never erases it."""
    return ~_counted(out, rows, catalog, profile, indicator_id) & out.loc[rows, "value"].notna()


def _shift(
    out: pd.DataFrame, rows: pd.Index, adj: Adjustment, catalog: Catalog, profile: TargetProfile
) -> None:
    """Add points or scale the counted numerator, within the kind's bounds (whole units); a county that sent
    only a value has that value moved instead (analytics.kinds Kind.shifted_value)."""
    ind = catalog[adj.indicator_id]
    rules = ind.rules
    if not rules.shifts:
        return  # a county's 1/0 does not move by points or percent: add_units brings counties up to standard
    value_only = _value_only(out, rows, catalog, profile, adj.indicator_id)
    moved = rows[value_only]
    out.loc[moved, "value"] = rules.shifted_value(out.loc[moved, "value"], adj.operation, adj.amount)
    rows = rows[_counted(out, rows, catalog, profile, adj.indicator_id)]
    num = out.loc[rows, "numerator"]
    den = out.loc[rows, "denominator"]
    if adj.operation == "scale_pct":
        change = num * adj.amount / 100.0
    elif rules.needs_baseline:  # X more points of reduction = X % of the baseline count fewer events
        change = -adj.amount * _baseline_of(out, rows, catalog, profile) / 100.0
    else:
        change = adj.amount * den / ind.scale
    new = (num + whole_units(change)).clip(lower=0)
    if rules.numerator_within_denominator:
        new = np.minimum(new, den)  # a share cannot pass 100 %
    out.loc[rows, "numerator"] = new


def _allocate(out, rows, adj, before, catalog, regions) -> tuple[dict[str, int], int]:
    """Share N units among the scope's counties; returns units per county and what could not be used."""
    rules = catalog[adj.indicator_id].rules
    n = int(adj.amount)
    frame = out.loc[rows].copy()
    frame["shortfall"] = frame["region_code"].map(
        before.set_index("region_code")["shortfall"].astype("Float64")
    )
    room = rules.room_for(frame["numerator"], frame["denominator"], frame["value"])
    given = dict.fromkeys(frame["region_code"], 0)
    if adj.allocate == "fewest-first":
        lag = frame[frame["shortfall"].fillna(0) > 0].sort_values(["shortfall", "region_code"])
        left = n
        for idx, rec in lag.iterrows():
            if left <= 0:
                break
            take = int(min(left, rec["shortfall"], room[idx]))
            given[rec["region_code"]] += take
            left -= take
    else:
        pop = regions.population(frame["region_code"]).astype("float64").fillna(0).to_numpy()
        share = pop / pop.sum() * n if pop.sum() > 0 else np.zeros(len(frame))
        base = np.floor(share)
        remainder = int(n - base.sum())
        order = np.argsort(-(share - base), kind="stable")[:remainder]
        base[order] += 1  # largest remainders get the last units
        left = 0
        for (idx, rec), units in zip(frame.iterrows(), base.astype(int), strict=True):
            take = int(min(units, room[idx]))
            given[rec["region_code"]] += take
            left += units - take
        left = int(left)
    for idx, rec in frame.iterrows():
        units = given[rec["region_code"]]
        if units:
            _add_units(out, idx, units, rules)
    return given, int(left)


def _add_units(out: pd.DataFrame, idx, units: int, rules) -> None:
    """One unit is what the kind says: a county brought up to standard (1/0 status), one more person or
    service, or one avoided event (unit_sign -1)."""
    if rules.binary:
        out.at[idx, "value"] = 1.0  # its room is one: the county now meets the standard
    else:
        out.at[idx, "numerator"] = out.at[idx, "numerator"] + rules.unit_sign * units


def _refresh_values(
    out: pd.DataFrame, rows: pd.Index, catalog: Catalog, profile: TargetProfile, indicator_id: str
) -> None:
    """Keep the displayed value in step with the changed counts (the engine recomputes it from them anyway);
    a value sent without counts is left as it is."""
    ind = catalog[indicator_id]
    rules = ind.rules
    if rules.binary:
        return
    rows = rows[_counted(out, rows, catalog, profile, indicator_id)]
    count = out.loc[rows, "numerator"]
    if rules.needs_baseline:
        base = _baseline_of(out, rows, catalog, profile)
        out.loc[rows, "value"] = np.where(base > 0, (base - count) * 100.0 / base, np.nan)
    else:
        den = out.loc[rows, "denominator"]
        out.loc[rows, "value"] = np.where(den > 0, count * ind.scale / den, np.nan)


def levels_of(regions, region_code: str | None) -> list[str]:
    """County up to the chosen region itself: a prefecture, a province, or (None) the country."""
    if region_code is None:
        return ["county", "prefecture", "province", "country"]
    return (
        ["county", "prefecture", "province"]
        if regions.level(region_code) == "province"
        else ["county", "prefecture"]
    )


def compare(
    before_obs: pd.DataFrame,
    result: ScenarioResult,
    *,
    catalog: Catalog,
    profile: TargetProfile,
    regions,
    region_code: str | None,
    year: int,
    indicator_ids: list[str] | None = None,
    before_levels: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Before/after rows for every county, prefecture and the province (or the prefecture chosen).

    `before_levels` (level -> this year's evaluated rows, e.g. the app's cache) saves evaluating "before" again.
    """
    ids = indicator_ids or catalog.ids
    levels = levels_of(regions, region_code)
    before_obs = before_obs[before_obs["indicator_id"].isin(ids)]
    after_obs = result.observations[result.observations["indicator_id"].isin(ids)]
    # "after": one prepare of the touched rows, then a roll-up per level (no full attainment() per level)
    groups = regions.county_groups(region_code)
    prepared = prepare(after_obs, catalog, result.profile, population=regions.frame["population"])
    prepared = prepared[prepared["year"] == year]
    keys = ["region_code", "indicator_id"]
    parts = []
    for level in levels:
        if before_levels is not None and level in before_levels:
            b = before_levels[level]
        else:
            b = attainment(before_obs, regions, catalog, profile, region_code, level, years=[year])
        b = b[b["indicator_id"].astype(str).isin(ids)]
        b = b[[*keys, "region_name", "value", "status", "shortfall", "target"]].astype(
            {"region_code": str, "indicator_id": str, "status": str}
        )
        a = evaluate(rollup(prepared, groups, level), catalog, result.profile)
        # a region whose counties cannot sum shows the department's own figure, before as after
        a = with_reported(a, after_obs, regions, catalog, result.profile, level, [year])
        a = a[[*keys, "value", "status", "shortfall", "target", "n_value_only"]].astype(
            {"region_code": str, "indicator_id": str, "status": str}
        )
        merged = b.merge(a, on=keys, how="left", suffixes=("_before", "_after"))
        merged["status_after"] = merged["status_after"].fillna("no_data")  # a unit without rows has no data
        # counties that sent only a value: shown, but left out of every sum above them
        merged["n_value_only"] = merged["n_value_only"].fillna(0).astype("int64")
        merged["units_added"] = _units_per_unit(result.allocated, groups, level, merged)
        merged.insert(0, "level", level)
        parts.append(merged)
    out = pd.concat(parts, ignore_index=True)
    out["indicator_id"] = out["indicator_id"].astype(str)
    for col in ("status_before", "status_after"):
        out[col] = out[col].astype(str)
    out["changed"] = out["status_before"] != out["status_after"]
    return out


def _units_per_unit(
    allocated: pd.DataFrame, groups: pd.DataFrame, level: str, rows: pd.DataFrame
) -> np.ndarray:
    """Units given to each row's region (a county's own, or the sum over a prefecture's or province's counties)."""
    if allocated.empty:
        return np.zeros(len(rows), dtype="int64")
    county = groups["region_code"].astype(str)
    to_unit = pd.Series(groups[LEVEL_KEYS[level]].astype(str).to_numpy(), index=county.to_numpy())
    given = allocated.assign(unit=allocated["region_code"].astype(str).map(to_unit))
    per_unit = given.groupby(["unit", "indicator_id"])["units"].sum()
    index = pd.MultiIndex.from_arrays([rows["region_code"].astype(str), rows["indicator_id"].astype(str)])
    return per_unit.reindex(index).fillna(0).to_numpy(dtype="int64")


def met_counts(comparison: pd.DataFrame, level: str = "county") -> pd.DataFrame:
    """Per indicator: how many units meet it before and after."""
    part = comparison[comparison["level"] == level]
    return (
        part.groupby("indicator_id")
        .agg(
            met_before=("status_before", lambda s: int((s == "met").sum())),
            met_after=("status_after", lambda s: int((s == "met").sum())),
        )
        .reset_index()
    )


def units_needed(region_shortfall, county_status: pd.Series, county_shortfall: pd.Series) -> dict:
    """The fewest units that meet the target region-wide (one pool), the units that bring every county to it,
    how many lagging counties cannot reach it, and how many still lag. One rule for "before" and "after"."""
    status = county_status.astype(str)
    reachable = status != "no_data"
    return {
        "region": None if region_shortfall is None or pd.isna(region_shortfall) else int(region_shortfall),
        "every_county": int(county_shortfall[reachable].fillna(0).sum()),
        "unreachable_counties": int((reachable & county_shortfall.isna() & (status == "not_met")).sum()),
        "counties_not_met": int((status == "not_met").sum()),
    }


def minimum_units(
    obs: pd.DataFrame,
    *,
    catalog: Catalog,
    profile: TargetProfile,
    regions,
    region_code: str | None,
    year: int,
    indicator_id: str,
) -> dict[str, int | None]:
    """The fewest units that meet the target region-wide (one pool), and that bring every county to it."""
    part = obs[obs["indicator_id"] == indicator_id]
    top = levels_of(regions, region_code)[-1]  # the chosen region itself
    region = attainment(part, regions, catalog, profile, region_code, top, years=[year])
    region = region[region["indicator_id"].astype(str) == indicator_id]
    county = attainment(part, regions, catalog, profile, region_code, "county", years=[year])
    county = county[county["indicator_id"].astype(str) == indicator_id]
    return units_needed(
        region["shortfall"].iloc[0] if len(region) else None, county["status"], county["shortfall"]
    )


# --- what the 情景推演 page shows ----------------------------------------------------------------
@dataclass
class ScenarioView:
    result: ScenarioResult
    comparison: pd.DataFrame  # before/after for the adjusted indicators and the focus, every level
    region_met_before: int
    region_met_after: int
    counties_met: pd.DataFrame  # per indicator: counties meeting it before / after
    changed: pd.DataFrame  # county rows whose status changes
    minimum: dict  # fewest units for the focus indicator: region-wide and in every county (before)
    remaining: dict  # shortfall left after the scenario for the focus indicator


def scenario_view(
    obs: pd.DataFrame,
    scenario: Scenario,
    *,
    focus: str,
    before_levels: dict[str, pd.DataFrame],
    catalog: Catalog,
    profile: TargetProfile,
    regions,
    region_code: str | None,
    year: int,
) -> ScenarioView:
    """Everything the page needs, computed only for the indicators the scenario touches (and the focus).

    `before_levels` holds this year's evaluated rows for each level from county up to the region itself
    (the app caches them): "before" is not evaluated again, and "N / 25 met" after = before with the touched
    indicators replaced.
    """
    touched = sorted({a.indicator_id for a in scenario.adjustments} | {focus}, key=catalog.ids.index)
    subset = obs[obs["indicator_id"].isin(touched)]
    result = apply(
        subset,
        scenario,
        catalog=catalog,
        profile=profile,
        regions=regions,
        region_code=region_code,
        year=year,
    )
    table = compare(
        subset,
        result,
        catalog=catalog,
        profile=profile,
        regions=regions,
        region_code=region_code,
        year=year,
        indicator_ids=touched,
        before_levels=before_levels,
    )
    top_level = levels_of(regions, region_code)[-1]
    top = table[table["level"] == top_level].set_index("indicator_id")
    region_before = before_levels[top_level]
    status_before = region_before.set_index(region_before["indicator_id"].astype(str))["status"].astype(str)
    status_after = status_before.copy()
    for ind_id in touched:
        if ind_id in top.index:
            status_after[ind_id] = top.loc[ind_id, "status_after"]
    focus_rows = table[table["indicator_id"] == focus]
    county_focus = focus_rows[focus_rows["level"] == "county"]
    top_focus = top.loc[focus] if focus in top.index else None
    return ScenarioView(
        result=result,
        comparison=table,
        region_met_before=int((status_before == "met").sum()),
        region_met_after=int((status_after == "met").sum()),
        counties_met=met_counts(table),
        changed=table[(table["level"] == "county") & table["changed"]],
        minimum=units_needed(
            None if top_focus is None else top_focus["shortfall_before"],
            county_focus["status_before"],
            county_focus["shortfall_before"],
        ),
        remaining=units_needed(
            None if top_focus is None else top_focus["shortfall_after"],
            county_focus["status_after"],
            county_focus["shortfall_after"],
        ),
    )


def trajectory_with(
    county_all_years: pd.DataFrame,
    view: ScenarioView | None,
    *,
    catalog: Catalog,
    profile: TargetProfile,
    year: int,
    indicator_id: str,
) -> pd.DataFrame:
    """County trajectories for one indicator at today's pace, or with the scenario's values in `year`.

    `county_all_years` are the evaluated county rows of every year (the app caches them); with a scenario,
    the chosen year's value and status are replaced by the scenario's, and the trend is recomputed.
    """
    from analytics.progress import progress

    ev = county_all_years[
        (county_all_years["indicator_id"].astype(str) == indicator_id) & (county_all_years["year"] <= year)
    ]
    ev = ev[["region_code", "indicator_id", "year", "value", "status"]].copy()
    ev["region_code"] = ev["region_code"].astype(str)
    ev["indicator_id"] = ev["indicator_id"].astype(str)
    ev["status"] = ev["status"].astype(str)
    if view is None:
        return progress(ev, catalog, profile, year)
    after = view.comparison[
        (view.comparison["level"] == "county") & (view.comparison["indicator_id"] == indicator_id)
    ]
    after = after.set_index("region_code")
    at_year = ev["year"] == year
    ev.loc[at_year, "value"] = ev.loc[at_year, "region_code"].map(after["value_after"]).to_numpy()
    ev.loc[at_year, "status"] = (
        ev.loc[at_year, "region_code"].map(after["status_after"]).fillna("no_data").to_numpy()
    )
    return progress(ev, catalog, view.result.profile, year)


def is_noop(adj: Adjustment, profile: TargetProfile) -> bool:
    """An adjustment that changes nothing (zero amount, or the target it already has)."""
    if adj.operation == "set_target":
        current = profile.targets.get(adj.indicator_id)
        return current is not None and Fraction(str(adj.amount)) == current.threshold
    return adj.amount == 0


# --- sharing scenarios (saved ones: analytics.scenario_library) ----------------------------------------
def to_param(scenario: Scenario) -> str:
    """A URL-safe token for the `scenario` query parameter (a link reopens the scenario)."""
    import base64

    return base64.urlsafe_b64encode(scenario.to_json().encode("utf-8")).decode("ascii").rstrip("=")


def from_link(token: str, catalog: Catalog) -> Scenario:
    """A scenario from a link, checked like a CLI argument: readable, within MAX_STEPS, every indicator known
    (ScenarioError otherwise: the page says it and keeps the default view)."""
    scenario = from_param(token)
    for adj in scenario.adjustments:
        if adj.indicator_id not in catalog:
            raise ScenarioError("unknown_indicator", indicator_id=str(adj.indicator_id)[:80])
    return scenario


def from_param(token: str) -> Scenario:
    import base64

    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise ScenarioError("link_unreadable") from None
    return Scenario.from_json(text)
