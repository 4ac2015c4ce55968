"""A meeting's slides as plain data: what the presentation mode shows and the PPTX deck prints, one list.

`build_slides(meeting, scenarios)` gives the headline "N / 25", the five actions, the sub-regions ranked, the map
of indicators met per county, one slide per indicator the region does not meet, the most lagging counties, each
chosen saved scenario and the method. Each `Slide` holds display-ready text (localized headings, text cells,
status as ✓ / ✗ / – symbols, never colour alone), Altair figures (analytics.figures), speaker notes with the
numbers behind it, and the footer and demo label every slide carries. Nothing here imports streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.errors import AtlasError
from analytics.i18n import t
from analytics.insights import (
    count_by_region,
    coverage_text,
    domain_summary,
    format_value,
    lagging_counties,
    reported_mark,
    scenario_changes,
    shortfall_text,
    status_labels,
    target_text,
)
from analytics.kinds import ROUNDING_KEY
from analytics.scenario_words import describe, submit_counts
from analytics.scenarios import Scenario, ScenarioView, levels_of, scenario_view, units_needed

TABLE_ROWS = 10  # rows of a county list on one slide (the rest is counted in a last row)
NOTES_ROWS = 30  # counties named in a slide's speaker notes


class ReportError(AtlasError):
    """A report that cannot be made as asked (report.error.<code> in data/i18n)."""

    prefix = "report.error"


@dataclass
class Slide:
    """One slide, plain data. `key`: "headline", "domains", "prefectures" (the sub-regions ranked: provinces of
    the country, prefectures of a province, counties of a prefecture), "met_map", "indicator:<id>", "lagging",
    "scenario:<name>", "method". `table` is display-ready (localized headings, text cells); `figures` are Altair
    charts; `footer` is the meeting's footer (plus the boundary note on map slides); `label` the demo label
    ("" for real data)."""

    key: str
    title: str
    subtitle: str = ""
    table: pd.DataFrame | None = None
    figures: list = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    notes: str = ""
    footer: str = ""
    label: str = ""


@dataclass
class ScenarioRun:
    """A saved scenario evaluated in the meeting's view: `view` (analytics.scenarios.ScenarioView) for the
    indicators it adjusts; `focus` the indicator its maps show (its first adjusted one)."""

    name: str
    scenario: Scenario
    view: ScenarioView
    focus: str
    context: str = ""  # the view it was saved in, in words ("" when unknown)

    @property
    def touched(self) -> list[str]:
        ids = list(dict.fromkeys(a.indicator_id for a in self.scenario.adjustments))
        return ids or [self.focus]


# --- scenarios ------------------------------------------------------------------------------------------
def run_scenario(meeting, scenario, obs: pd.DataFrame, context: str = "") -> ScenarioRun:
    """Evaluate one scenario (a Scenario or a scenario_library.SavedScenario) on the meeting's region and year;
    `obs` are the canonical observations the meeting was evaluated from."""
    if hasattr(scenario, "scenario"):  # a SavedScenario: the scenario and the view it was made in
        from analytics.scenario_library import context_words

        context = context or context_words(scenario.context, meeting.lang, meeting.regions)
        scenario = scenario.scenario
    if not scenario.adjustments:
        raise ReportError("empty_scenario", name=scenario.name)
    focus = scenario.adjustments[0].indicator_id
    code = None if meeting.national else meeting.region_code
    before = {lv: meeting.rows(lv) for lv in levels_of(meeting.regions, code)}
    view = scenario_view(
        obs,
        scenario,
        focus=focus,
        before_levels=before,
        catalog=meeting.catalog,
        profile=meeting.profile,
        regions=meeting.regions,
        region_code=code,
        year=meeting.year,
    )
    return ScenarioRun(scenario.name, scenario, view, focus, context)


def scenario_runs(meeting, scenarios: Sequence, obs: pd.DataFrame | None = None) -> list[ScenarioRun]:
    """ScenarioRuns for `scenarios` (ScenarioRun, Scenario or SavedScenario, in order), evaluated on `obs`, else
    on the observations the meeting was evaluated from (`meeting.observations`)."""
    runs = []
    for item in scenarios:
        if isinstance(item, ScenarioRun):
            runs.append(item)
            continue
        data = obs if obs is not None else meeting.observations
        if data is None:
            raise ReportError("needs_observations")
        runs.append(run_scenario(meeting, item, data))
    return runs


# --- helpers --------------------------------------------------------------------------------------------
def _by_indicator(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.set_index(rows["indicator_id"].astype(str))


def _value_text(row, ind, lang: str, profile=None) -> str:
    """A region's value as the pages print it (with `profile`: the decimals its status needs against the
    target), marked when it is the department's own figure."""
    if row is None:
        return format_value(np.nan, ind, lang)
    text = format_value(row["value"], ind, lang, status=str(row.get("status", "")), profile=profile)
    if row.get("value_source", "") == "reported" and row.get("level", "county") != "county":
        text += reported_mark(row.get("reported_by", ""), lang)
    units, reported = row.get("n_units", 1), row.get("n_reported", 1)
    if units == units and reported == reported and int(units) > 1 and int(reported) < int(units):
        text += t(
            "bracketed", lang, text="", note=coverage_text(reported, units, row.get("n_value_only", 0), lang)
        )
    return text


def _region_of(meeting, level: str, code: str) -> str:
    """A county's or prefecture's name; nationally with its province or prefecture, as names repeat."""
    regions = meeting.regions
    name = regions.name(code)
    if meeting.national and level == "county":
        parent = regions.prefecture_of(code)
        parent = regions.get(code).province_code if parent == code else parent  # no prefecture above it
        prefix = regions.name(parent)
        return name if prefix == name else prefix + name
    return name


def _more(table: pd.DataFrame, n_more: int, lang: str) -> pd.DataFrame:
    """A last row that counts what a slide's table leaves out."""
    if n_more <= 0:
        return table
    extra = {c: "" for c in table.columns}
    extra[table.columns[0]] = t("report.more_rows", lang, n=n_more)
    return pd.concat([table, pd.DataFrame([extra])], ignore_index=True)


def _join(items: list[str], lang: str) -> str:
    return t("list_sep", lang).join(items) if items else t("report.none", lang)


def _names(names: list[str], lang: str, limit: int = 5) -> str:
    shown = t("name_sep", lang).join(names[:limit])
    return shown + ("…" if len(names) > limit else "")


# --- the slides -----------------------------------------------------------------------------------------
def build_slides(meeting, scenarios: Sequence = (), *, inline: bool = False) -> list[Slide]:
    """Every slide of the meeting, in order. `scenarios`: ScenarioRun, Scenario or SavedScenario items (the
    last two are evaluated on `meeting.observations`, see scenario_runs); `inline` puts the map geometry into
    each figure (export without a server) instead of a static URL."""
    runs = scenario_runs(meeting, scenarios)
    slides = [
        headline_slide(meeting),
        *final_slides(meeting, inline=inline),
        domains_slide(meeting),
        sub_regions_slide(meeting),
        met_map_slide(meeting, inline=inline),
    ]
    region = _by_indicator(meeting.region_rows())
    for ind in meeting.catalog.indicators:
        if ind.id in region.index and str(region.loc[ind.id, "status"]) == "not_met":
            slides.append(indicator_slide(meeting, ind.id, inline=inline))
    slides.append(lagging_slide(meeting))
    slides += followup_slides(meeting)
    slides += [scenario_slide(meeting, run, inline=inline) for run in runs]
    slides.append(method_slide(meeting))
    label = t("demo_short", meeting.lang) if meeting.synthetic else ""  # zh words in both languages
    for s in slides:
        s.label = label
        s.footer = meeting.footer() + (f" · {meeting.map_note()}" if _has_map(s) else "")
    return slides


def _has_map(slide: Slide) -> bool:
    return slide.key in ("met_map",) or slide.key.startswith(("indicator:", "scenario:"))


def _counts(rows: pd.DataFrame) -> dict[str, int]:
    status = rows["status"].astype(str)
    return {s: int((status == s).sum()) for s in ("met", "not_met", "no_data")}


def headline_slide(meeting) -> Slide:
    """'N / 25': the 25 indicators with value, target and status (✓ ✗ –)."""
    lang, cat, profile = meeting.lang, meeting.catalog, meeting.profile
    rows = _by_indicator(meeting.region_rows())
    counts = _counts(rows)
    labels = status_labels(lang)
    table, not_met, no_data = [], [], []
    for ind in cat.indicators:
        row = rows.loc[ind.id] if ind.id in rows.index else None
        status = str(row["status"]) if row is not None else "no_data"
        value = _value_text(row, ind, lang, profile)
        target = target_text(profile, ind, lang)
        table.append(
            {
                t("report.col_no", lang): str(ind.order),
                t("report.col_indicator", lang): ind.short(lang),
                t("report.col_value", lang): value,
                t("report.col_target", lang): target,
                t("report.col_status", lang): labels[status],
            }
        )
        if status == "not_met":
            short = shortfall_text(row["shortfall"], ind, lang, gap=row["gap"])
            key = "report.notes_item_shortfall" if short else "report.notes_item"
            not_met.append(
                t(key, lang, indicator=ind.name(lang), value=value, target=target, shortfall=short)
            )
        elif status == "no_data":
            no_data.append(ind.name(lang))
    total = len(cat)
    notes = [
        t("report.headline_notes_met", lang, total=total, profile=profile.name(lang), **counts),
        t("report.headline_notes_not_met", lang, items=_join(not_met, lang)),
    ]
    if no_data:
        notes.append(t("report.headline_notes_no_data", lang, items=_join(no_data, lang)))
    return Slide(
        key="headline",
        title=t(
            "report.headline_title",
            lang,
            region=meeting.region_name,
            year=meeting.year,
            met=counts["met"],
            total=total,
        ),
        subtitle=t(
            "report.headline_subtitle",
            lang,
            not_met=counts["not_met"],
            no_data=counts["no_data"],
            profile=profile.name(lang),
        ),
        table=pd.DataFrame(table),
        notes="\n".join(notes),
    )


def domains_slide(meeting) -> Slide:
    """The five actions: indicators met of each."""
    from analytics import figures

    lang, cat = meeting.lang, meeting.catalog
    region = meeting.region_rows()
    summary = domain_summary(region, cat, lang)
    status = _by_indicator(region)["status"].astype(str)
    table = pd.DataFrame(
        {
            t("report.col_domain", lang): summary["domain"],
            t("report.col_met", lang): summary["met"].astype(str),
            t("report.col_not_met", lang): summary["not_met"].astype(str),
            t("report.col_total", lang): summary["total"].astype(str),
        }
    )
    notes = []
    for d, rec in zip(cat.domains, summary.itertuples(), strict=True):
        lagging = [i.short(lang) for i in cat.in_domain(d.id) if status.get(i.id) == "not_met"]
        rest = t("report.domains_notes_rest", lang, items=_join(lagging, lang)) if lagging else ""
        notes.append(
            t("report.domains_notes_line", lang, domain=rec.domain, met=rec.met, total=rec.total, rest=rest)
        )
    return Slide(
        key="domains",
        title=t("report.domains_title", lang),
        subtitle=t(
            "report.domains_subtitle", lang, region=meeting.region_name, year=meeting.year, total=len(cat)
        ),
        table=table,
        figures=[figures.domain_bars(meeting)],
        notes="\n".join(notes),
    )


def sub_region_ranking(meeting) -> pd.DataFrame:
    """The sub-regions (provinces, prefectures or counties) with met / not_met / no_data, ranked by met (ties
    share a rank), then fewest without data, then code. Units without any data (台湾, 香港, 澳门 in the demo)
    are not ranked (see unranked_sub_regions)."""
    level = meeting.sub_level()
    counts = count_by_region(meeting.rows(level))
    counts = counts[counts["no_data"] < len(meeting.catalog)].copy()
    counts["name"] = [_region_of(meeting, level, c) for c in counts["region_code"]]
    counts = counts.sort_values(["met", "no_data", "region_code"], ascending=[False, True, True])
    counts["rank"] = counts["met"].rank(method="min", ascending=False).astype(int)
    return counts.reset_index(drop=True)


def unranked_sub_regions(meeting) -> list[str]:
    """Names of the sub-regions without any data."""
    level = meeting.sub_level()
    counts = count_by_region(meeting.rows(level))
    empty = counts[counts["no_data"] >= len(meeting.catalog)]
    return [_region_of(meeting, level, c) for c in empty["region_code"]]


def sub_regions_slide(meeting) -> Slide:
    from analytics import figures

    lang, level = meeting.lang, meeting.sub_level()
    ranked = sub_region_ranking(meeting)
    name_head = t(level, lang)
    table = pd.DataFrame(
        {
            t("report.col_rank", lang): ranked["rank"].astype(str),
            name_head: ranked["name"],
            t("report.col_met", lang): ranked["met"].astype(str),
            t("report.col_not_met", lang): ranked["not_met"].astype(str),
            t("report.col_no_data", lang): ranked["no_data"].astype(str),
        }
    )
    notes = [
        t(
            "report.sub_notes_line",
            lang,
            rank=r.rank,
            name=r.name,
            met=r.met,
            not_met=r.not_met,
            no_data=r.no_data,
        )
        for r in ranked.head(NOTES_ROWS).itertuples()
    ]
    if len(ranked) > NOTES_ROWS:
        notes.append(t("report.more_rows", lang, n=len(ranked) - NOTES_ROWS))
    unranked = unranked_sub_regions(meeting)
    bullets = [t("report.sub_no_data", lang, names=_names(unranked, lang))] if unranked else []
    notes += bullets
    return Slide(
        key="prefectures",
        title=t(f"report.sub_title_{level}", lang),
        subtitle=t("report.sub_subtitle", lang, year=meeting.year, total=len(meeting.catalog), n=len(ranked)),
        table=table,
        # the bars rank the same units as the table (a prefecture's counties, too)
        figures=[
            figures.sub_region_bars(
                meeting,
                rows=ranked,
                title=t(f"report.sub_title_{level}", lang) if level == "county" else None,
            )
        ],
        bullets=bullets,
        notes="\n".join(notes),
    )


def met_map_slide(meeting, *, inline: bool = False) -> Slide:
    """The map of indicators met per county, with the extremes and the median in words."""
    from analytics import figures

    lang, total = meeting.lang, len(meeting.catalog)
    counts = count_by_region(meeting.rows("county"))
    counts["name"] = [_region_of(meeting, "county", c) for c in counts["region_code"]]
    n_all = len(counts)
    empty = counts["no_data"] == total  # nothing to evaluate: not "0 met"
    counts = counts[~empty]
    bullets = []
    if len(counts):
        most, least = counts["met"].max(), counts["met"].min()
        top = counts[counts["met"] == most]["name"].tolist()
        bottom = counts[counts["met"] == least]["name"].tolist()
        bullets = [
            t("report.met_map_most", lang, names=_names(top, lang), met=int(most)),
            t("report.met_map_least", lang, names=_names(bottom, lang), met=int(least)),
            t("report.met_map_median", lang, median=f"{counts['met'].median():g}"),
        ]
        if most == total:
            bullets.append(t("report.met_map_all_met", lang, n=len(top), total=total))
    if empty.any():
        bullets.append(t("report.met_map_no_data", lang, n=int(empty.sum())))
    spread = counts["met"].value_counts().sort_index(ascending=False)
    notes = [t("report.met_map_notes_line", lang, met=int(k), n=int(v)) for k, v in spread.items()]
    return Slide(
        key="met_map",
        title=t("report.met_map_title", lang),
        subtitle=t(
            "report.met_map_subtitle",
            lang,
            region=meeting.region_name,
            year=meeting.year,
            n=n_all,
            total=total,
        ),
        figures=[figures.met_count_map(meeting, inline=inline)],
        bullets=bullets,
        notes="\n".join(notes),
    )


def indicator_slide(meeting, indicator_id: str, *, inline: bool = False) -> Slide:
    """One indicator the region does not meet: its map, the region's value and shortfall, the counties with the
    largest shortfalls in people or services."""
    from analytics import figures

    lang, cat, profile = meeting.lang, meeting.catalog, meeting.profile
    ind = cat[indicator_id]
    region = _by_indicator(meeting.region_rows())
    row = region.loc[indicator_id] if indicator_id in region.index else None
    county = meeting.rows("county")
    county = county[county["indicator_id"].astype(str) == indicator_id].copy()
    county["region_code"] = county["region_code"].astype(str)
    county["status"] = county["status"].astype(str)
    counts = _counts(county)
    target = target_text(profile, ind, lang)
    needed = units_needed(
        None if row is None else row["shortfall"], county["status"], county["shortfall"].astype("Float64")
    )
    bullets = [
        t(
            "report.indicator_region",
            lang,
            region=meeting.region_name,
            value=_value_text(row, ind, lang, profile),
            target=target,
        )
    ]
    region_short = shortfall_text(row["shortfall"], ind, lang, gap=row["gap"]) if row is not None else ""
    if region_short:
        bullets.append(t("report.indicator_region_shortfall", lang, shortfall=region_short))
    bullets.append(
        t(
            "report.indicator_counties",
            lang,
            not_met=counts["not_met"],
            total=len(county),
            no_data=counts["no_data"],
        )
    )
    if needed["every_county"]:
        units = f"{needed['every_county']:,} {ind.numerator_unit(lang)}"
        bullets.append(t("report.indicator_every", lang, units=units))
    if needed["unreachable_counties"]:
        bullets.append(t("report.indicator_unreachable", lang, n=needed["unreachable_counties"]))
    lagging = county[county["status"] == "not_met"].copy()
    lagging["short"] = lagging["shortfall"].astype("Float64").fillna(-1)
    lagging = lagging.sort_values(["short", "region_code"], ascending=[False, True])
    shown = lagging.head(TABLE_ROWS)
    table = pd.DataFrame(
        {
            t("county", lang): [_region_of(meeting, "county", c) for c in shown["region_code"]],
            t("report.col_value", lang): [
                format_value(v, ind, lang, status=st, profile=profile)
                for v, st in zip(shown["value"], shown["status"], strict=True)
            ],
            t("report.col_shortfall", lang): [
                t("unreachable", lang) if bool(u) else (shortfall_text(s, ind, lang, gap=g) or "—")
                for s, g, u in zip(
                    shown["shortfall"], shown["gap"], shown["unreachable"].fillna(False), strict=True
                )
            ],
        }
    )
    table = _more(table, len(lagging) - len(shown), lang)
    domain = cat.domain(ind.domain).name(lang)
    departments = t("name_sep", lang).join(ind.lead_departments_zh) if lang == "zh" else ""
    notes = [ind.name(lang), *bullets]
    if ind.formula(lang):
        notes.append(t("report.indicator_notes_formula", lang, formula=ind.formula(lang)))
    notes += [
        t(
            "report.indicator_notes_county",
            lang,
            county=_region_of(meeting, "county", r.region_code),
            value=format_value(r.value, ind, lang),
            shortfall=shortfall_text(r.shortfall, ind, lang, gap=r.gap) or "—",
        )
        for r in lagging.head(NOTES_ROWS).itertuples()
    ]
    return Slide(
        key=f"indicator:{indicator_id}",
        title=t("report.indicator_title", lang, indicator=ind.name(lang)),
        subtitle=t("report.indicator_subtitle", lang, domain=domain, departments=departments)
        if departments  # the plan names its lead departments in Chinese only
        else domain,
        table=table,
        figures=[figures.indicator_map(meeting, indicator_id, "status", inline=inline)],
        bullets=bullets,
        notes="\n".join(notes),
    )


def lagging_slide(meeting) -> Slide:
    """The counties with the most indicators not met, with their largest gaps in people or services."""
    lang = meeting.lang
    county = meeting.rows("county")
    lag = lagging_counties(county, meeting.catalog, meeting.regions, lang, n=TABLE_ROWS, gaps=2, brief=True)
    notes = []
    if len(lag):  # the slide: the two largest gaps, briefly; the notes: three, with the county's values
        lag = lag.drop(columns="region_code")
        full = lagging_counties(county, meeting.catalog, meeting.regions, lang, n=TABLE_ROWS)
        notes = [
            " · ".join(str(v) for v in rec)
            for rec in full.drop(columns="region_code").itertuples(index=False)
        ]
    return Slide(
        key="lagging",
        title=t("lagging_title", lang),
        subtitle=t("report.lagging_subtitle", lang, n=len(lag), year=meeting.year),
        table=lag,
        bullets=[t("lagging_caption", lang)],
        notes="\n".join(notes),
    )


def final_slides(meeting, *, inline: bool = False) -> list[Slide]:
    """In the profile's target year, the final evaluation (analytics.final_eval): the region's 25 indicators at
    baseline and at the end, then indicators met per area (dumbbell + table), each area's paragraph in the notes.
    Other years: none."""
    from analytics import figures

    ev = meeting.final() if meeting.is_final_year() else None
    if ev is None or ev.year != meeting.year:
        return []
    lang, cat = meeting.lang, meeting.catalog
    own = ev.indicators[ev.indicators["is_region"]].set_index("indicator_id")
    region = ev.summary[ev.summary["is_region"]].iloc[0]
    table = pd.DataFrame(
        {
            t("report.col_no", lang): [str(i.order) for i in cat.indicators],
            t("report.col_indicator", lang): [i.short(lang) for i in cat.indicators],
            t("report.col_baseline", lang): [own.at[i.id, "baseline_text"] for i in cat.indicators],
            t("report.col_final", lang): [own.at[i.id, "final_text"] for i in cat.indicators],
            t("report.col_target", lang): [own.at[i.id, "target_text"] for i in cat.indicators],
            t("report.col_status", lang): [own.at[i.id, "status_label"] for i in cat.indicators],
            t("report.col_counties", lang): [
                f"{own.at[i.id, 'n_counties_met']}/{own.at[i.id, 'n_counties']}"
                if own.at[i.id, "n_counties"]
                else "–"
                for i in cat.indicators
            ],
        }
    )
    words = {"baseline_year": ev.baseline_year, "year": ev.year, "total": len(cat)}
    title = t(
        "report.final_title",
        lang,
        region=meeting.region_name,
        met=int(region["n_met"]),
        baseline_met=int(region["n_met_baseline"]),
        **words,
    )
    subtitle = t(
        "report.final_subtitle",
        lang,
        profile=meeting.profile.name(lang),
        not_met=int(region["n_not_met"]),
        no_data=int(region["n_no_data"]),
        **words,
    )
    # seven columns do not fit beside each other in halves: the 25 rows go on two slides, whole
    half = math.ceil(len(table) / 2)
    parts = [table.iloc[:half], table.iloc[half:]]
    slides = [
        Slide(
            key=f"final:{k}",
            title=title,
            subtitle=t("report.final_part", lang, text=subtitle, k=k, n=len(parts)),
            table=part.reset_index(drop=True),
            notes=ev.paragraph(ev.region_code),
        )
        for k, part in enumerate(parts, start=1)
    ]
    areas = ev.summary[~ev.summary["is_region"]]
    if areas.empty:
        return slides
    areas = areas.sort_values("n_met", ascending=False, kind="stable")
    sep = t("name_sep", lang)
    area_table = pd.DataFrame(
        {
            t(meeting.sub_level(), lang): areas["region_name"].astype(str),
            t("report.col_baseline", lang): areas["n_met_baseline"].astype(str),
            t("report.col_final", lang): areas["n_met"].astype(str),
            t("report.col_not_met_names", lang): [
                sep.join(ids_names) or t("report.none", lang) for ids_names in _short_names(meeting, areas)
            ],
        }
    )
    notes = list(ev.paragraphs.loc[~ev.paragraphs["is_region"], "paragraph"])
    second = Slide(
        key="final_areas",
        title=t("report.final_areas_title", lang),
        subtitle=t("report.final_areas_subtitle", lang, **words),
        table=area_table,
        figures=[figures.final_met_change(meeting, ev)],
        notes="\n".join(notes),
    )
    return [*slides, second]


def _short_names(meeting, summary: pd.DataFrame) -> list[list[str]]:
    """Each unit's indicators not met, by their short names (the slide's narrow column)."""
    cat, lang = meeting.catalog, meeting.lang
    return [[cat[i].short(lang) for i in str(ids).split(";") if i] for ids in summary["not_met_ids"]]


def followup_slides(meeting) -> list[Slide]:
    """The department follow-up list (督办清单): one line per lead department; every line in the notes. None when
    nothing is left to follow up."""
    from analytics.followup import department_summary

    table = meeting.followup()
    if table is None or table.empty:
        return []
    lang = meeting.lang
    summary = department_summary(table, lang)
    shown = pd.DataFrame(
        {
            t("report.col_department", lang): summary["department"],
            t("report.col_indicators", lang): summary["n_indicators"].astype(str),
            t("report.col_region_not_met", lang): summary["n_region_not_met"].astype(str),
            t("report.col_sub_not_met", lang): summary["n_subregion_not_met"].astype(str),
            t("report.col_off_track", lang): summary["n_off_track"].astype(str),
            t("report.col_shortfall_total", lang): summary["shortfall_totals"].replace("", "–"),
        }
    )
    lines = [
        t(
            "report.followup_notes_line",
            lang,
            department=r.department,
            indicator=r.indicator_name,
            region=r.region_name,
            value=r.value_text,
            target=r.target_text,
            shortfall=t("report.followup_notes_shortfall", lang, text=r.shortfall_text)
            if r.shortfall_text
            else "",
        )
        for r in table.itertuples()
    ]
    return [
        Slide(
            key="followup",
            title=t("report.followup_slide_title", lang, n=len(summary)),
            subtitle=t("report.followup_slide_subtitle", lang, region=meeting.region_name, year=meeting.year),
            table=shown,
            notes="\n".join(lines),
        )
    ]


def scenario_slide(meeting, run: ScenarioRun, *, inline: bool = False) -> Slide:
    """A saved scenario: its assumptions in words, the focus indicator's map before and after, the counties
    that newly meet a target, and the units still missing."""
    from analytics import figures

    lang, cat, regions = meeting.lang, meeting.catalog, meeting.regions
    view, total = run.view, len(cat)
    comparison = view.comparison
    county = comparison[comparison["level"] == "county"]
    n_counties = len(meeting.rows("county")["region_code"].unique())
    bullets = [
        t("report.scenario_step", lang, text=describe(a, cat, regions, lang, meeting.profile))
        for a in run.scenario.adjustments
    ] or [t("report.scenario_no_steps", lang)]
    met = view.counties_met.set_index("indicator_id")
    newly = county[(county["status_before"] != "met") & (county["status_after"] == "met")]
    remaining = []
    top_level = levels_of(regions, None if meeting.national else meeting.region_code)[-1]
    for ind_id in run.touched:
        ind = cat[ind_id]
        if ind_id in met.index:
            bullets.append(
                t(
                    "report.scenario_counties_met",
                    lang,
                    indicator=ind.short(lang),
                    before=int(met.loc[ind_id, "met_before"]),
                    after=int(met.loc[ind_id, "met_after"]),
                    total=n_counties,
                )
            )
        rows = county[county["indicator_id"] == ind_id]
        top = comparison[(comparison["level"] == top_level) & (comparison["indicator_id"] == ind_id)]
        left = units_needed(
            top["shortfall_after"].iloc[0] if len(top) else None,
            rows["status_after"],
            rows["shortfall_after"].astype("Float64"),
        )
        unit = ind.numerator_unit(lang)
        fmt = lambda n, unit=unit: "—" if n is None else f"{n:,} {unit}"  # noqa: E731
        remaining.append(
            t(
                "report.scenario_remaining",
                lang,
                indicator=ind.short(lang),
                region=fmt(left["region"]),
                every=fmt(left["every_county"]),
                counties=left["counties_not_met"],
            )
        )
        unused = view.result.unallocated.get(ind_id, 0)
        if unused:
            remaining.append(t("report.scenario_unallocated", lang, n=f"{unused:,}", unit=unit))
        skipped = submit_counts(ind, view.result.skipped_value_only.get(ind_id, 0), lang)
        if skipped:
            remaining.append(skipped)
    bullets.append(
        t("report.scenario_newly_met", lang, n=newly["region_code"].nunique())
        if len(newly)
        else t("report.scenario_none_newly_met", lang)
    )
    bullets += remaining
    parts = []
    for ind_id in run.touched:
        changed = newly[newly["indicator_id"] == ind_id]
        if len(changed):
            part = scenario_changes(changed, cat[ind_id], lang)
            part.insert(1, t("report.col_indicator", lang), cat[ind_id].short(lang))
            parts.append(part)
    table = pd.concat(parts, ignore_index=True) if parts else None
    if table is not None:
        n_more = len(table) - TABLE_ROWS
        table = _more(table.head(TABLE_ROWS), n_more, lang)
    focus_rows = county[county["indicator_id"] == run.focus]
    changed_codes = sorted(set(newly.loc[newly["indicator_id"] == run.focus, "region_code"]))
    maps = [
        figures.scenario_map(meeting, focus_rows, run.focus, "before", inline=inline),
        figures.scenario_map(
            meeting, focus_rows, run.focus, "after", highlight=changed_codes or None, inline=inline
        ),
    ]
    region_words = meeting.region_name
    notes = [
        t(
            "report.scenario_met_notes",
            lang,
            region=region_words,
            before=view.region_met_before,
            after=view.region_met_after,
            total=total,
        ),
        *bullets,
    ]
    if run.context:
        notes.append(t("report.scenario_saved_in", lang, context=run.context))
    if len(newly):
        named = [
            t("bracketed", lang, text=r.region_name, note=cat[r.indicator_id].short(lang))
            for r in newly.head(NOTES_ROWS).itertuples()
        ]
        notes.append(
            t(
                "labelled",
                lang,
                label=t("report.scenario_newly_met", lang, n=newly["region_code"].nunique()),
                text=t("name_sep", lang).join(named),
            )
        )
    notes.append(t(ROUNDING_KEY, lang))
    return Slide(
        key=f"scenario:{run.name}",
        title=t("report.scenario_title", lang, name=run.name),
        subtitle=t(
            "report.scenario_subtitle",
            lang,
            region=region_words,
            before=view.region_met_before,
            after=view.region_met_after,
            total=total,
        ),
        table=table,
        figures=maps,
        bullets=bullets,
        notes="\n".join(notes),
    )


def method_slide(meeting) -> Slide:
    lang, profile = meeting.lang, meeting.profile
    bullets = [
        t("report.method_targets", lang, profile=profile.name(lang), source=profile.source),
        t("report.method_data", lang, source=meeting.source_text),
        t("report.method_status", lang, rule=t("rule_compare", lang)),
        t("report.method_rollup", lang),
        t("report.method_shortfall", lang),
        t("report.method_maps", lang, note=meeting.map_note()),
        t("report.method_made", lang, date=meeting.made_on.isoformat()),
    ]
    if meeting.synthetic:
        bullets.insert(0, t("demo_banner", lang))
    return Slide(
        key="method",
        title=t("report.method_title", lang),
        subtitle=t("report.method_subtitle", lang, profile=profile.name(lang)),
        bullets=bullets,
        notes="\n".join(bullets),
    )
