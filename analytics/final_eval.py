"""The final evaluation (终期评估): for the target year, each indicator's baseline and final value at the region
and one level down, met or not at the end, progress status, how many counties met it, and a paragraph in words
per unit. Pure pandas: the page, the deck, the workbook and `python -m analytics final` share it.

- The year: the profile's target year when the data has it, else the newest year in the data (`year_source`
  "latest", with `year_note` saying so); a year asked for must be in the data.
- The levels: a province and its prefectures, the whole country (COUNTRY = "100000") and its provinces, or a
  prefecture alone (followup.levels_of). A county is refused.
- Baseline: the value in the target's baseline year (the profile's, 2020); where that year has no value, the
  first observed year (`baseline_source` "first_observed", `baseline_note` says so). `change` = final − baseline:
  every indicator reads higher-is-better (progress.py), so a positive change is an improvement.
- Status, interval, shortfall: attainment.py at `year`; progress status and trajectory: progress.py on the same
  level's rows of every year up to `year` (the judgement as it stood then).
- Counties: a county counts where its own status at `year` is met or not met (an indicator that applies only in
  some counties, or a county without data, is not counted); `n_counties` = met + not met.
- The paragraph names the indicator furthest behind relative to its target (gap ÷ target) and the indicator with
  the smallest share of counties met (ties: fewer counties met, then the plan's order).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.attainment import attainment
from analytics.catalog import Catalog, TargetProfile
from analytics.errors import AtlasError
from analytics.followup import levels_of, row_words
from analytics.i18n import t
from analytics.insights import coverage_text, format_number, format_value, with_unit
from analytics.progress import progress
from analytics.regions import COUNTRY

PARAGRAPH_NAMES = 5  # indicators named in a paragraph's list of those not met; more are "…等"
BASELINE_SOURCES = ("baseline_year", "first_observed", "none")
YEAR_SOURCES = ("asked", "target", "latest")

INDICATOR_COLUMNS = [
    "region_code",
    "region_name",
    "level",  # country, province or prefecture
    "is_region",  # the evaluated region's own row (True) or one of the level below (False)
    "indicator_id",
    "indicator_name",
    "indicator_short",
    "baseline_year",  # the year the baseline value is from (normally the target's baseline year, 2020)
    "baseline_value",
    "baseline_status",  # met / not_met / no_data in the baseline year
    "baseline_source",  # baseline_year | first_observed | none (BASELINE_SOURCES)
    "baseline_note",  # "" or, in words, why the baseline is not the target's baseline year
    "final_year",
    "final_value",
    "low",  # the final value's 95 % interval (analytics/intervals.py)
    "high",
    "certainty",
    "comparator",
    "target",
    "status",  # met / not_met / no_data at the final year
    "gap",
    "shortfall",  # units still needed (people, services …); empty for a survey (its gap is in points)
    "shortfall_unit",
    "unreachable",
    "change",  # final − baseline, in the indicator's unit
    "progress_status",  # analytics.progress: target_met, improving, … as it stood at the final year
    "trajectory",
    "n_counties_met",
    "n_counties_not_met",
    "n_counties",  # counties judged at the final year (met + not met)
    "n_units",
    "n_reported",
    "n_value_only",
    "value_source",
    "coverage",  # how many counties the final value rests on, in words ("58/60 县，缺 2 县")
    "baseline_text",
    "final_text",
    "target_text",
    "change_text",
    "shortfall_text",
    "status_label",
    "progress_label",
    "trajectory_label",
]
SUMMARY_COLUMNS = [
    "region_code",
    "region_name",
    "level",
    "is_region",
    "final_year",
    "n_indicators",
    "n_met",
    "n_not_met",
    "n_no_data",
    "met_text",  # "25项中达标21项" / "21 of 25 met"
    "baseline_year",  # the profile's baseline year
    "n_met_baseline",  # indicators met at their baseline
    "n_baseline_fallback",  # indicators whose baseline is the first observed year instead
    "n_improved",  # change > 0
    "n_worse",  # change < 0
    "n_unchanged",  # change == 0
    "not_met_ids",  # ";"-joined, in the plan's order
    "not_met_names",  # the names, joined as the language lists them
    "no_data_names",
]
PARAGRAPH_COLUMNS = ["region_code", "region_name", "level", "is_region", "paragraph"]


class FinalError(AtlasError):
    """A final evaluation that cannot be made as asked (final.error.<code> in data/i18n)."""

    prefix = "final.error"


@dataclass(frozen=True)
class FinalEvaluation:
    """The final evaluation of one region: `indicators` (INDICATOR_COLUMNS), `summary` (SUMMARY_COLUMNS) and
    `paragraphs` (PARAGRAPH_COLUMNS), each with the region's own rows first, then the level below by code."""

    region_code: str
    region_name: str
    level: str  # the region's level: country, province or prefecture
    sublevel: str | None  # the level listed below it (province, prefecture) or None
    year: int  # the year evaluated
    year_source: str  # asked | target | latest (YEAR_SOURCES)
    year_note: str  # "" or, in words, that the target year is not in the data and which year is shown
    target_year: int
    baseline_year: int
    profile_id: str
    lang: str
    indicators: pd.DataFrame
    summary: pd.DataFrame
    paragraphs: pd.DataFrame

    @property
    def target_year_missing(self) -> bool:
        return self.year_source == "latest"

    def paragraph(self, region_code: str) -> str:
        rows = self.paragraphs[self.paragraphs["region_code"] == str(region_code)]
        return str(rows["paragraph"].iloc[0]) if len(rows) else ""


def evaluation_year(obs: pd.DataFrame, profile: TargetProfile, year: int | None = None) -> tuple[int, str]:
    """(the year to evaluate, how it was chosen): `year` when given (it must be in the data), else the profile's
    target year when the data has it, else the newest year in the data."""
    years = sorted({int(y) for y in obs["year"].unique()}) if len(obs) else []
    if not years:
        raise FinalError("no_data")
    if year is not None:
        if int(year) not in years:
            raise FinalError("year_missing", year=year, known=", ".join(map(str, years)))
        return int(year), "asked"
    if profile.target_year in years:
        return profile.target_year, "target"
    return years[-1], "latest"


def final_evaluation(
    obs: pd.DataFrame,
    regions,
    catalog: Catalog,
    profile: TargetProfile,
    region: str | None,
    year: int | None = None,
    lang: str = "zh",
) -> FinalEvaluation:
    """The final evaluation of `region` (a province, a prefecture, or COUNTRY / None for the whole country) from
    canonical observations `obs` covering it (every year from the baseline on, for baselines and trajectories)."""
    code = COUNTRY if region is None else str(region).strip()
    place = None if code == COUNTRY else regions.get(code)  # an unknown code: RegionError
    if (
        place is not None and place.level == "county"
    ):  # before levels_of, which words it for the follow-up list
        raise FinalError("region_is_county", name=place.name, code=place.code)
    top, sub, scope = levels_of(regions, code)
    code = COUNTRY if scope is None else scope
    inside = _inside(obs, regions, scope)
    year, year_source = evaluation_year(inside, profile, year)
    upto = sorted(int(y) for y in inside["year"].unique() if int(y) <= year)

    county = _county_counts(inside, regions, catalog, profile, scope, year)
    frames = []
    for level in (top, sub):
        if level is None:
            continue
        every = attainment(inside, regions, catalog, profile, scope, level, years=upto)
        every = every.assign(
            region_code=every["region_code"].astype(str),
            indicator_id=every["indicator_id"].astype(str),
            status=every["status"].astype(str),
        )
        if level == top:
            every = every[every["region_code"] == code]
        frames.append(_level_rows(every, county, catalog, profile, level, level == top, year))
    table = pd.concat(frames, ignore_index=True)
    if code == COUNTRY:
        table.loc[table["region_code"] == COUNTRY, "region_name"] = t("final.country", lang)
    table = _with_words(table, catalog, profile, lang)
    order = {i: n for n, i in enumerate(catalog.ids)}
    table = table.assign(_r=~table["is_region"], _i=table["indicator_id"].map(order)).sort_values(
        ["_r", "region_code", "_i"], kind="stable"
    )
    indicators = table[INDICATOR_COLUMNS].reset_index(drop=True)
    summary = _summary(indicators, profile, lang)
    paragraphs = _paragraphs(indicators, summary, lang)
    note = (
        ""
        if year_source != "latest"
        else t("final.year_note", lang, target_year=profile.target_year, year=year)
    )
    return FinalEvaluation(
        region_code=code,
        region_name=str(indicators.loc[indicators["is_region"], "region_name"].iloc[0]),
        level=top,
        sublevel=sub,
        year=year,
        year_source=year_source,
        year_note=note,
        target_year=profile.target_year,
        baseline_year=profile.baseline_year,
        profile_id=profile.id,
        lang=lang,
        indicators=indicators,
        summary=summary,
        paragraphs=paragraphs,
    )


def _inside(obs: pd.DataFrame, regions, scope: str | None) -> pd.DataFrame:
    """The rows of the region: its counties' and its own or its sub-regions' reported totals (None: all)."""
    if scope is None or obs.empty:
        return obs
    codes = set(regions.county_groups(scope)["region_code"]) | {scope}
    if regions.get(scope).level == "province":
        codes |= set(regions.prefectures(scope)["code"])
    return obs[obs["region_code"].astype(str).isin(codes)]


def _county_counts(
    obs: pd.DataFrame, regions, catalog: Catalog, profile: TargetProfile, scope: str | None, year: int
) -> pd.DataFrame:
    """Counties met / not met at `year` per indicator and per enclosing unit of every level (country, province,
    prefecture): columns unit_code, indicator_id, n_counties_met, n_counties_not_met."""
    ev = attainment(obs, regions, catalog, profile, scope, "county", years=[year])
    status = ev["status"].astype(str)
    groups = regions.county_groups(scope).set_index("region_code")
    codes = ev["region_code"].astype(str)
    frames = []
    for key in ("country_code", "province_code", "prefecture_code"):
        part = pd.DataFrame(
            {
                "unit_code": codes.map(groups[key]).astype(str).to_numpy(),
                "indicator_id": ev["indicator_id"].astype(str).to_numpy(),
                "n_counties_met": (status == "met").to_numpy(dtype="int64"),
                "n_counties_not_met": (status == "not_met").to_numpy(dtype="int64"),
            }
        )
        frames.append(part.groupby(["unit_code", "indicator_id"], as_index=False).sum())
    # a one-county province (台湾省 710000 in the region table) is its own prefecture group: the same counts
    return pd.concat(frames, ignore_index=True).drop_duplicates(["unit_code", "indicator_id"])


def _baselines(every: pd.DataFrame, catalog: Catalog, profile: TargetProfile) -> pd.DataFrame:
    """Per region x indicator: baseline_year, baseline_value, baseline_status, baseline_source (the target's
    baseline year where it has a value, else the first observed year)."""
    keys = ["region_code", "indicator_id"]
    wanted = {i.id: _baseline_year(profile, i.id) for i in catalog.indicators}
    seen = every[every["value"].notna()].sort_values([*keys, "year"], kind="stable")
    at_wanted = seen[seen["year"] == seen["indicator_id"].map(wanted)].drop_duplicates(keys)
    first = seen.drop_duplicates(keys)
    at_wanted = at_wanted.assign(baseline_source="baseline_year").set_index(keys)
    first = first.assign(baseline_source="first_observed").set_index(keys)
    chosen = pd.concat([at_wanted, first[~first.index.isin(at_wanted.index)]])
    return chosen[["year", "value", "status", "baseline_source"]].rename(
        columns={"year": "baseline_year", "value": "baseline_value", "status": "baseline_status"}
    )


def _baseline_year(profile: TargetProfile, indicator_id: str) -> int:
    target = profile.targets.get(indicator_id)
    return (target.baseline_year if target else None) or profile.baseline_year


def _level_rows(
    every: pd.DataFrame,
    county: pd.DataFrame,
    catalog: Catalog,
    profile: TargetProfile,
    level: str,
    is_region: bool,
    year: int,
) -> pd.DataFrame:
    """One level's rows at `year`, with baseline, progress, change and the county counts."""
    keys = ["region_code", "indicator_id"]
    now = every[every["year"] == year].copy()
    where = pd.MultiIndex.from_frame(now[keys])
    base = _baselines(every, catalog, profile).reindex(where)
    for col in base.columns:
        now[col] = base[col].to_numpy()
    now["baseline_source"] = now["baseline_source"].fillna("none")
    now["baseline_status"] = now["baseline_status"].fillna("no_data")
    now["baseline_year"] = now["baseline_year"].astype("Int64")
    trend = progress(every, catalog, profile, year)
    if len(trend):
        trend = trend.assign(
            region_code=trend["region_code"].astype(str), indicator_id=trend["indicator_id"].astype(str)
        ).set_index(keys)
    for col in ("progress_status", "trajectory"):
        found = trend[col].reindex(where).to_numpy() if len(trend) else np.full(len(now), np.nan)
        now[col] = pd.Series(found, index=now.index).fillna("no_data").astype(str)
    counts = county.set_index(["unit_code", "indicator_id"]).reindex(where)
    for col in ("n_counties_met", "n_counties_not_met"):
        now[col] = counts[col].fillna(0).astype("int64").to_numpy()
    now["n_counties"] = now["n_counties_met"] + now["n_counties_not_met"]
    now["final_year"] = year
    now["final_value"] = now["value"]
    now["change"] = now["final_value"] - now["baseline_value"]
    now["level"] = level
    now["is_region"] = is_region
    now["unreachable"] = now["unreachable"].fillna(False).astype(bool)
    return now


def _with_words(table: pd.DataFrame, catalog: Catalog, profile: TargetProfile, lang: str) -> pd.DataFrame:
    """Names, values, target, shortfall, change and labels as the pages say them (followup's words)."""
    rows = []
    for rec in table.to_dict("records"):
        ind = catalog[rec["indicator_id"]]
        said = row_words(rec, ind, profile, lang)  # shortfall empty for a survey, said in points instead
        base_status = rec["baseline_status"]
        note = ""
        if rec["baseline_source"] == "first_observed":
            note = t(
                "final.baseline_first",
                lang,
                wanted=_baseline_year(profile, ind.id),
                year=rec["baseline_year"],
            )
        elif rec["baseline_source"] == "none":
            note = t("final.baseline_none", lang)
        rows.append(
            {
                "indicator_name": said["indicator_name"],
                "indicator_short": ind.short(lang),
                "shortfall": said["shortfall"],
                "shortfall_unit": said["shortfall_unit"],
                "shortfall_text": said["shortfall_text"],
                "final_text": said["value_text"],
                "target_text": said["target_text"],
                "trajectory_label": said["trajectory_label"],
                "baseline_text": format_value(
                    rec["baseline_value"], ind, lang, status=base_status, profile=profile
                ),
                "change_text": change_text(rec["change"], ind, lang),
                "baseline_note": note,
                "status_label": t(f"status_{rec['status']}", lang),
                "progress_label": t(f"progress_{rec['progress_status']}", lang),
                "coverage": coverage_text(rec["n_reported"], rec["n_units"], rec["n_value_only"], lang),
            }
        )
    words = pd.DataFrame(rows, index=table.index)
    out = table.drop(columns=[c for c in words.columns if c in table.columns]).join(words)
    out["shortfall"] = out["shortfall"].astype("Int64")
    return out


def change_text(change, ind, lang: str = "zh") -> str:
    """ "+7.5 个百分点", "−1.2 人/10万人口", "0.0 个百分点" (no sign where it rounds to zero); "—" without a
    baseline or a final value."""
    if change is None or pd.isna(change):
        return "—"
    unit = t("percentage_points", lang) if ind.unit_in(lang) == "%" else ind.unit_in(lang)
    number = format_number(abs(float(change)), ind.decimals)
    moved = any(c in "123456789" for c in number)
    sign = ("+" if change > 0 else "−") if moved else ""
    return with_unit(sign + number, unit)


def _summary(table: pd.DataFrame, profile: TargetProfile, lang: str) -> pd.DataFrame:
    """One row per unit: how many indicators met, not met, without data, at the end and at the baseline."""
    status = table["status"]
    flags = pd.DataFrame(
        {
            "region_code": table["region_code"],
            "n_indicators": 1,
            "n_met": status == "met",
            "n_not_met": status == "not_met",
            "n_no_data": status == "no_data",
            "n_met_baseline": table["baseline_status"] == "met",
            "n_baseline_fallback": table["baseline_source"] == "first_observed",
            "n_improved": table["change"] > 0,
            "n_worse": table["change"] < 0,
            "n_unchanged": table["change"] == 0,
        }
    )
    counts = flags.groupby("region_code", sort=False).sum().astype("int64")
    units = table.drop_duplicates("region_code").set_index("region_code")
    sep = t("final.name_sep", lang)

    def listed(which: str) -> tuple[pd.Series, pd.Series]:
        part = table[status == which]
        ids = part.groupby("region_code", sort=False)["indicator_id"].agg(";".join)
        names = part.groupby("region_code", sort=False)["indicator_name"].agg(sep.join)
        return ids, names

    not_met_ids, not_met_names = listed("not_met")
    _, no_data_names = listed("no_data")
    out = units[["region_name", "level", "is_region", "final_year"]].join(counts)
    out["baseline_year"] = profile.baseline_year
    out["met_text"] = [
        t("final.met_of", lang, met=m, total=n)
        for m, n in zip(out["n_met"], out["n_indicators"], strict=True)
    ]
    out["not_met_ids"] = not_met_ids.reindex(out.index).fillna("")
    out["not_met_names"] = not_met_names.reindex(out.index).fillna("")
    out["no_data_names"] = no_data_names.reindex(out.index).fillna("")
    return out.reset_index()[SUMMARY_COLUMNS]


PARAGRAPH_FIELDS = [  # what a paragraph reads of its unit's rows
    "status",
    "gap",
    "target",
    "n_counties",
    "n_counties_met",
    "indicator_short",
    "final_text",
    "target_text",
    "shortfall_text",
]


def _paragraphs(table: pd.DataFrame, summary: pd.DataFrame, lang: str) -> pd.DataFrame:
    parts = dict(tuple(table[["region_code", *PARAGRAPH_FIELDS]].groupby("region_code", sort=False)))
    texts = [unit_paragraph(s, parts[s["region_code"]], lang) for s in summary.to_dict("records")]
    return summary[PARAGRAPH_COLUMNS[:-1]].assign(paragraph=texts)[PARAGRAPH_COLUMNS]


def largest_gap(part: pd.DataFrame) -> pd.Series | None:
    """The not-met row furthest behind relative to its target (gap ÷ target; ties in the plan's order)."""
    short = part[(part["status"] == "not_met") & part["gap"].notna() & (part["target"] > 0)]
    if short.empty:
        return None
    relative = (short["gap"] / short["target"]).to_numpy()
    return short.iloc[int(np.argmax(relative))]  # argmax keeps the first of equals: rows are in plan order


def fewest_counties(part: pd.DataFrame) -> pd.Series | None:
    """The row with the smallest share of its judged counties met (ties: fewer met, then the plan's order);
    None where no indicator was judged in more than one county."""
    judged = part[part["n_counties"] > 1]
    if judged.empty:
        return None
    met = judged["n_counties_met"].to_numpy(dtype="float64")
    share = met / judged["n_counties"].to_numpy(dtype="float64")
    return judged.iloc[int(np.lexsort((np.arange(len(judged)), met, share))[0])]


def unit_paragraph(s: dict, part: pd.DataFrame, lang: str) -> str:
    """One unit's paragraph: met at the end (and at the baseline), the indicators not met and the one furthest
    behind, the indicator with the fewest counties met, and how many moved up or down since the baseline."""
    sentences = []
    later = s["final_year"] > s["baseline_year"]  # a final year at the baseline has nothing to compare
    if not later:
        baseline = ""
    elif s["n_baseline_fallback"]:
        baseline = t(
            "final.p_baseline_fallback",
            lang,
            met=s["n_met_baseline"],
            n=s["n_baseline_fallback"],
            year=s["baseline_year"],
        )
    else:
        baseline = t("final.p_baseline", lang, met=s["n_met_baseline"], year=s["baseline_year"])
    no_data = t("final.p_no_data", lang, n=s["n_no_data"]) if s["n_no_data"] else ""
    sentences.append(
        t(
            "final.p_head",
            lang,
            region=s["region_name"],
            year=s["final_year"],
            total=s["n_indicators"],
            met=s["n_met"],
            baseline=baseline,
            no_data=no_data,
        )
    )
    n_not_met = s["n_not_met"]
    if n_not_met:
        names = part.loc[part["status"] == "not_met", "indicator_short"].tolist()
        worst = largest_gap(part)
        said = {}
        if worst is not None:
            shortfall = worst["shortfall_text"]
            said = {
                "name": worst["indicator_short"],
                "value": worst["final_text"],
                "target": worst["target_text"],
                "shortfall": t("final.p_shortfall", lang, text=shortfall) if shortfall else "",
            }
        if len(names) == 1 and said:  # the only one is the one furthest behind: said once
            text = t("final.p_not_met_one", lang, **said)
        else:
            listed = t("final.name_sep", lang).join(names[:PARAGRAPH_NAMES])
            key = "final.p_not_met" if len(names) <= PARAGRAPH_NAMES else "final.p_not_met_more"
            text = t(key, lang, n=n_not_met, names=listed)
            if said:
                text += t("final.p_largest_gap", lang, **said)
        sentences.append(text + t("final.p_end", lang))
    elif not s["n_no_data"]:
        sentences.append(t("final.p_all_met", lang))
    fewest = fewest_counties(part)
    if fewest is not None:
        sentences.append(
            t(
                "final.p_fewest_counties",
                lang,
                name=fewest["indicator_short"],
                met=format_number(fewest["n_counties_met"], 0),
                total=format_number(fewest["n_counties"], 0),
            )
        )
    if later and s["n_improved"] + s["n_worse"] + s["n_unchanged"]:
        sentences.append(
            t("final.p_changes", lang, year=s["baseline_year"], improved=s["n_improved"], worse=s["n_worse"])
        )
    return t("final.p_join", lang).join(sentences)
