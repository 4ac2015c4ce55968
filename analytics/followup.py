"""The department follow-up list (督办清单): for one year and region, every indicator not met at the region itself
or one level down, under each of its lead departments, with the shortfall, the counties furthest behind and
the trajectory to the target year. Pure pandas: the app, the deck and `python -m analytics followup` share it.

- The region is a province (its rows and its prefectures'), the whole country (COUNTRY = "100000": the
  country's rows and its provinces') or a prefecture (its own rows only). A county is refused.
- Listed: rows with status `not_met` at the region and at the level below; the region's own `no_data` rows too
  (status `no_data`: nothing to judge, the department is asked for its figures), never a lower level's.
- An indicator appears under each of its lead departments (`Indicator.lead_departments_zh`, in the order the
  plan names them); departments come in order of first appearance in the catalog.
- The shortfall is the evaluated one (people, services … `Indicator.numerator_unit`); a survey's
  (`Indicator.shortfall_actionable` False) is said as its gap in points (`insights.shortfall_text`) and its
  `shortfall` is left empty, so no one adds its respondents to people who need a service.
- The counties furthest behind: the `worst` not-met counties inside the row's region with the largest
  shortfall, or, where no shortfall in units is known (a survey, a value sent without counts), the largest gap.
- The trajectory is analytics.progress run on the same level's rows of every year up to `year`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.attainment import attainment
from analytics.catalog import Catalog, Indicator, TargetProfile
from analytics.errors import AtlasError
from analytics.i18n import t
from analytics.insights import format_value, shortfall_text, target_text
from analytics.progress import progress
from analytics.regions import COUNTRY

WORST_N = 3
LISTED = ("not_met", "no_data")  # no_data: the region's own rows only
FOLLOWUP_COLUMNS = [
    "department",
    "indicator_id",
    "indicator_name",
    "region_code",
    "region_name",
    "level",
    "is_region",  # the listed region's own row (True) or one of the level below (False)
    "year",
    "status",
    "value",
    "value_text",
    "target",
    "target_text",
    "comparator",
    "gap",
    "shortfall",
    "shortfall_unit",
    "shortfall_text",
    "shortfall_actionable",
    "unreachable",
    "worst_counties",
    "worst_county_codes",
    "n_counties_not_met",  # the not-met counties inside the row's region (the worst are the first of them)
    "trajectory",
    "trajectory_label",
    "progress_status",
    "n_units",
    "n_reported",
]
SUMMARY_COLUMNS = [
    "department",
    "n_indicators",
    "n_region_not_met",
    "n_subregion_not_met",
    "n_no_data",
    "n_off_track",
    "total_shortfall",
    "total_unit",
    "shortfall_totals",
    "subregion_shortfall_totals",
]
OFF_TRACK = ("stagnating", "worsening")  # trajectories that will not reach the target at the pace seen


class FollowupError(AtlasError):
    """A follow-up list that cannot be made as asked (followup.error.<code> in data/i18n)."""

    prefix = "followup.error"


def levels_of(regions, region_code: str | None) -> tuple[str, str | None, str | None]:
    """(the region's level, the level listed below it or None, the scope attainment takes: None = China)."""
    if region_code is None or str(region_code) == COUNTRY:
        return "country", "province", None
    region = regions.get(str(region_code))  # an unknown code: RegionError
    if region.level == "province":
        return "province", "prefecture", region.code
    if region.level == "prefecture":
        return "prefecture", None, region.code
    raise FollowupError("region_is_county", name=region.name, code=region.code)


def departments(catalog: Catalog, lang: str = "zh") -> list[str]:
    """Every lead department, in order of first appearance in the catalog (the plan's order); indicators the
    plan gives no lead department fall under followup.no_department."""
    seen: list[str] = []
    for ind in catalog.indicators:
        for dept in _leads(ind, lang):
            if dept not in seen:
                seen.append(dept)
    return seen


def _leads(ind: Indicator, lang: str) -> tuple[str, ...]:
    return ind.lead_departments_zh or (t("followup.no_department", lang),)


def followup(
    obs: pd.DataFrame,
    regions,
    catalog: Catalog,
    profile: TargetProfile,
    region_code: str | None,
    year: int,
    lang: str = "zh",
    *,
    worst: int = WORST_N,
) -> pd.DataFrame:
    """The follow-up list: one row per department x indicator x region not met (or the region's own no_data),
    sorted by department, indicator (catalog order), the region before the level below, then region code.
    Columns: FOLLOWUP_COLUMNS. `obs` are canonical observations covering the region (several years for the
    trajectory); `region_code` a province, a prefecture, or COUNTRY / None for the whole country."""
    if worst < 1:
        raise FollowupError("worst_below_one", n=worst)
    top, sub, scope = levels_of(regions, region_code)
    years = sorted({int(y) for y in obs["year"].unique()}) if len(obs) else []
    if int(year) not in years:
        raise FollowupError("year_missing", year=year, known=", ".join(map(str, years)) or "—")
    year = int(year)
    upto = [y for y in years if y <= year]

    frames = []
    for level in (top, sub):
        if level is None:
            continue
        every = attainment(obs, regions, catalog, profile, scope, level, years=upto)
        if level == top and scope is not None:
            every = every[every["region_code"].astype(str) == scope]
        now = every[every["year"] == year].copy()
        status = now["status"].astype(str)
        now = now[(status == "not_met") | ((status == "no_data") & (level == top))]
        if now.empty:
            continue
        trend = progress(every, catalog, profile, year)
        if len(trend):
            trend = trend.assign(
                region_code=trend["region_code"].astype(str), indicator_id=trend["indicator_id"].astype(str)
            ).set_index(["region_code", "indicator_id"])
        now["region_code"] = now["region_code"].astype(str)
        now["indicator_id"] = now["indicator_id"].astype(str)
        now["status"] = now["status"].astype(str)
        keys = pd.MultiIndex.from_frame(now[["region_code", "indicator_id"]])
        for col in ("trajectory", "progress_status"):
            found = trend[col].reindex(keys).to_numpy() if len(trend) else np.full(len(now), np.nan)
            now[col] = pd.Series(found, index=now.index).fillna("no_data").astype(str)
        now["is_region"] = level == top
        frames.append(now)
    if not frames:
        return pd.DataFrame(columns=FOLLOWUP_COLUMNS)
    listed = pd.concat(frames, ignore_index=True)

    counties = _counties(obs, regions, catalog, profile, scope, year, listed)
    rows = []
    for rec in listed.to_dict("records"):
        ind = catalog[rec["indicator_id"]]
        rec.update(row_words(rec, ind, profile, lang))
        if rec["status"] == "not_met":
            names, codes, n = _worst_counties(counties, rec, ind, profile, lang, worst)
        else:
            names, codes, n = "", "", 0
        rec["worst_counties"], rec["worst_county_codes"], rec["n_counties_not_met"] = names, codes, n
        for dept in _leads(ind, lang):
            rows.append({**rec, "department": dept})
    out = pd.DataFrame(rows)
    dept_order = {d: n for n, d in enumerate(departments(catalog, lang))}
    ind_order = {i: n for n, i in enumerate(catalog.ids)}
    out = out.assign(
        _d=out["department"].map(dept_order), _i=out["indicator_id"].map(ind_order), _r=~out["is_region"]
    ).sort_values(["_d", "_i", "_r", "region_code"], kind="stable")
    out["shortfall"] = out["shortfall"].astype("Int64")
    out["n_units"] = out["n_units"].astype("int64")
    out["n_reported"] = out["n_reported"].astype("int64")
    out["n_counties_not_met"] = out["n_counties_not_met"].astype("int64")
    out["unreachable"] = out["unreachable"].fillna(False).astype(bool)
    return out[FOLLOWUP_COLUMNS].reset_index(drop=True)


def row_words(rec: dict, ind: Indicator, profile: TargetProfile, lang: str) -> dict:
    """Name, value, target and shortfall as the pages say them; a survey's shortfall in points, not people."""
    actionable = bool(ind.shortfall_actionable)
    status = rec["status"]
    shortfall = rec["shortfall"] if actionable and status == "not_met" else pd.NA
    if status != "not_met":
        said = ""
    elif _true(rec.get("unreachable")):
        said = t("unreachable", lang)
    else:
        said = shortfall_text(shortfall, ind, lang, gap=rec["gap"])
    return {
        "indicator_name": ind.name(lang),
        "value_text": format_value(rec["value"], ind, lang, status=status, profile=profile),
        "target_text": target_text(profile, ind, lang),
        "shortfall": shortfall,
        "shortfall_unit": ind.numerator_unit(lang) if actionable else "",
        "shortfall_text": said,
        "shortfall_actionable": actionable,
        "trajectory_label": t(f"trajectory_{rec['trajectory']}", lang),
    }


def _true(flag) -> bool:
    """A flag that may be missing (NaN, which bool() would call True)."""
    return bool(pd.notna(flag) and flag)


def _counties(
    obs: pd.DataFrame,
    regions,
    catalog: Catalog,
    profile: TargetProfile,
    scope: str | None,
    year: int,
    listed: pd.DataFrame,
) -> pd.DataFrame:
    """The year's not-met county rows of the listed indicators, with the prefecture and province they are in."""
    listed_ids = set(listed.loc[listed["status"] == "not_met", "indicator_id"])
    if not listed_ids:
        return pd.DataFrame(columns=["region_code", "indicator_id"])
    ev = attainment(obs, regions, catalog, profile, scope, "county", years=[year])
    ev = ev[(ev["status"].astype(str) == "not_met") & ev["indicator_id"].astype(str).isin(listed_ids)].copy()
    ev["region_code"] = ev["region_code"].astype(str)
    ev["indicator_id"] = ev["indicator_id"].astype(str)
    groups = regions.county_groups(scope).set_index("region_code")
    for col in ("prefecture_code", "province_code", "country_code"):
        ev[col] = ev["region_code"].map(groups[col]).astype(str)
    return ev


def _worst_counties(
    counties: pd.DataFrame, rec: dict, ind: Indicator, profile: TargetProfile, lang: str, n: int
) -> tuple[str, str, int]:
    """The `n` not-met counties of the row's region furthest behind: largest shortfall in units (a survey's
    or where none is known: largest gap), as "通化县 61.2%（还差 40 人）；…", their codes "220521;…" and how many
    counties of the region are not met."""
    if counties.empty:
        return "", "", 0
    inside = f"{rec['level']}_code"
    part = counties[
        (counties["indicator_id"] == rec["indicator_id"]) & (counties[inside] == rec["region_code"])
    ]
    if part.empty:
        return "", "", 0
    total = len(part)
    units = part["shortfall"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    if not ind.shortfall_actionable:
        units = np.full(len(part), np.nan)
    part = part.assign(
        _known=~np.isnan(units), _units=np.nan_to_num(units, nan=-1.0), _gap=part["gap"].fillna(-np.inf)
    ).sort_values(["_known", "_units", "_gap", "region_code"], ascending=[False, False, False, True])
    part = part.head(n)
    items = []
    for r in part.itertuples():
        value = format_value(r.value, ind, lang, level="county", status="not_met", profile=profile)
        if ind.rules.binary:  # a county's 1/0 status: "未达标" says it all, "还差 1 个县" would not
            said = ""
        elif _true(r.unreachable):
            said = t("unreachable", lang)
        else:
            short = r.shortfall if ind.shortfall_actionable else pd.NA
            said = shortfall_text(short, ind, lang, gap=r.gap)
        key = "followup.county_item" if said else "followup.county_item_plain"
        items.append(t(key, lang, county=r.region_name, value=value, shortfall=said))
    return t("followup.county_sep", lang).join(items), ";".join(part["region_code"]), total


def department_summary(table: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """One row per department of a follow-up list (in its order): how many indicators, how many not met at the
    region itself and below, how many without data, how many off track (stagnating or worsening), and the
    region's own shortfall summed where the units agree: `total_shortfall` / `total_unit` when every
    shortfall of the department's region rows is in one unit (else empty), `shortfall_totals` per unit in
    words ("640 人；2 起"), `subregion_shortfall_totals` the same over the level below (the sum of what each
    prefecture lacks: not the same number as the region's own)."""
    if table.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    is_top = table["is_region"].astype(bool)
    rows = []
    for dept, part in table.groupby("department", sort=False):
        mine = is_top.loc[part.index]
        status = part["status"]
        top_rows = part[mine & (status == "not_met")]
        sub_rows = part[~mine & (status == "not_met")]
        sums = _sums(top_rows)
        total, unit = (sums[0][1], sums[0][0]) if len(sums) == 1 else (pd.NA, "")
        rows.append(
            {
                "department": dept,
                "n_indicators": part["indicator_id"].nunique(),
                "n_region_not_met": len(top_rows),
                "n_subregion_not_met": len(sub_rows),
                "n_no_data": int((mine & (status == "no_data")).sum()),
                "n_off_track": int(part.loc[status == "not_met", "trajectory"].isin(OFF_TRACK).sum()),
                "total_shortfall": total,
                "total_unit": unit,
                "shortfall_totals": _sums_text(sums, lang),
                "subregion_shortfall_totals": _sums_text(_sums(sub_rows), lang),
            }
        )
    out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    out["total_shortfall"] = out["total_shortfall"].astype("Int64")
    return out


def _sums(rows: pd.DataFrame) -> list[tuple[str, int]]:
    """(unit, summed shortfall) over rows with a shortfall in units, units in order of first appearance."""
    known = rows[rows["shortfall"].notna() & (rows["shortfall_unit"] != "")]
    if known.empty:
        return []
    sums = known.groupby("shortfall_unit", sort=False)["shortfall"].sum()
    return [(str(unit), int(n)) for unit, n in sums.items()]


def _sums_text(sums: list[tuple[str, int]], lang: str) -> str:
    return t("followup.county_sep", lang).join(
        t("followup.amount", lang, n=f"{n:,}", unit=unit) for unit, n in sums
    )
