"""What the pages show, computed from evaluated attainment rows: summaries, lagging counties, profiles, words."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analytics.catalog import Catalog, Indicator, TargetProfile
from analytics.charts import STATUS_SYMBOL
from analytics.i18n import t
from analytics.kinds import LARGEST_SHOWN

STATUSES = ("met", "not_met", "no_data")
COMPARATOR_KEYS = {">": "comparator_gt", ">=": "comparator_ge"}


def status_labels(lang: str) -> dict[str, str]:
    return {s: t(f"status_{s}", lang) for s in STATUSES}


def format_number(value: float, decimals: int = 1) -> str:
    """1,234.5; "—" for no number, and for one no indicator can have (inf, 1e308): that is no data."""
    if value is None or pd.isna(value) or not math.isfinite(float(value)) or abs(value) > LARGEST_SHOWN:
        return "—"
    return f"{value:,.{decimals}f}"


def format_value(
    value: float,
    ind: Indicator,
    lang: str = "zh",
    level: str = "region",
    status: str | None = None,
    profile: TargetProfile | None = None,
) -> str:
    """A region's value with its unit, as the indicator's kind formats it ("72.5%", "6.6 人/10万人口"; a county's
    1/0 status as 达标 / 未达标 with level="county"). With its `status` and the `profile`: as many decimals as it
    takes to read as that status against the target (80.04 % against "> 80 %", not 80.0 %)."""
    target = profile.targets.get(ind.id) if profile is not None and status in ("met", "not_met") else None
    against = (float(target.threshold), target.comparator == ">", status == "met") if target else None
    return ind.rules.format_value(value, ind.decimals, ind.unit_in(lang), lang, level, against)


def interval_texts(low, high, ind: Indicator, lang: str = "zh") -> list[str]:
    """ "76.3–83.4%" per row (the indicator's decimals, one more below 10 units); "" where there is none."""
    out = []
    for lo, hi in zip(low, high, strict=True):
        if pd.isna(lo) or pd.isna(hi) or not (math.isfinite(lo) and math.isfinite(hi)):
            out.append("")
            continue
        d = ind.decimals + (1 if abs(hi - lo) < 10**-ind.decimals * 10 else 0)
        out.append(with_unit(f"{lo:,.{d}f}–{hi:,.{d}f}", ind.unit_in(lang)))
    return out


def impossible_note(evaluated: pd.DataFrame, lang: str = "zh") -> str:
    """Why some counties show no data although the store holds numbers for them: numbers no indicator can have
    (inf, 1e308, stored before the contract refused them; attainment's `impossible`). "" when there are none."""
    if "impossible" not in evaluated.columns:
        return ""
    n = int(evaluated["impossible"].fillna(False).astype(bool).sum())
    return t("engine.impossible_note", lang, n=n) if n else ""


def certainty_labels(certainty, lang: str = "zh") -> list[str]:
    """ "？无法判定" where the target lies inside the 95 % interval, "确定" where outside, "" without one."""
    words = {c: t(f"certainty_{c}", lang) for c in ("clear", "unclear")}
    return [words.get(c, "") if isinstance(c, str) else "" for c in certainty]


def with_unit(number: str, unit: str) -> str:
    """A number with its unit: a percent sign sticks to the number (72.5%), any other unit is a word apart
    (6.6 人/10万人口)."""
    return f"{number}{'' if unit == '%' else ' '}{unit}"


def target_text(profile: TargetProfile, ind: Indicator, lang: str = "zh") -> str:
    target = profile.targets.get(ind.id)
    if target is None:
        return "—"
    sign = t(COMPARATOR_KEYS[target.comparator], lang)
    text = sign + with_unit(f"{float(target.threshold):g}", ind.unit_in(lang))
    if target.aspirational:
        text = t("bracketed", lang, text=text, note=t("aspirational", lang))
    return text


def shortfall_text(shortfall, ind: Indicator, lang: str = "zh", gap=None) -> str:
    """ "还差 61 人" / "需再减少 3 起"; for an indicator whose units no one can act on (a survey's respondents,
    Indicator.shortfall_actionable) the `gap` in points instead ("还差 1.9 个百分点"), or "" without it."""
    if not ind.shortfall_actionable:
        if gap is None or pd.isna(gap) or not math.isfinite(float(gap)) or float(gap) <= 0:
            return ""
        unit = t("percentage_points", lang) if ind.unit_in(lang) == "%" else ind.unit_in(lang)
        return t("shortfall_more", lang, n=format_number(float(gap), ind.decimals), unit=unit)
    if pd.isna(shortfall) or not math.isfinite(float(shortfall)) or int(shortfall) <= 0:
        return ""
    return t(ind.rules.shortfall_key, lang, n=f"{int(shortfall):,}", unit=ind.numerator_unit(lang))


def with_labels(ev: pd.DataFrame, catalog: Catalog, regions, lang: str) -> pd.DataFrame:
    """Add display columns: region name, indicator short name, status label and symbol."""
    out = ev.copy()
    out["indicator_id"] = out["indicator_id"].astype(str)
    out["status"] = out["status"].astype(str)
    labels = status_labels(lang)
    out["status_label"] = out["status"].map(labels)
    out["symbol"] = out["status"].map(STATUS_SYMBOL)
    out["indicator"] = out["indicator_id"].map({i.id: i.short(lang) for i in catalog.indicators})
    out["indicator_name"] = out["indicator_id"].map({i.id: i.name(lang) for i in catalog.indicators})
    out["domain"] = out["indicator_id"].map(
        {i.id: catalog.domain(i.domain).name(lang) for i in catalog.indicators}
    )
    out["region_name"] = regions.names(out["region_code"].astype(str))
    return out


def count_by_region(ev: pd.DataFrame) -> pd.DataFrame:
    """met / not_met / no_data per region_code (one year)."""
    status = ev["status"].astype(str)
    counts = pd.crosstab(ev["region_code"].astype(str), status).reindex(columns=list(STATUSES), fill_value=0)
    return counts.reset_index().rename_axis(None, axis=1)


def county_summary(ev_county: pd.DataFrame, regions) -> pd.DataFrame:
    counts = count_by_region(ev_county)
    counts["county"] = regions.names(counts["region_code"])
    counts["prefecture_code"] = regions.prefectures_of(counts["region_code"])
    counts["prefecture"] = regions.names(counts["prefecture_code"])
    return counts.sort_values(["met", "no_data"], ascending=[False, True]).reset_index(drop=True)


def domain_summary(ev_region: pd.DataFrame, catalog: Catalog, lang: str) -> pd.DataFrame:
    """For one region: per action domain, how many of its indicators are met."""
    status = ev_region.set_index(ev_region["indicator_id"].astype(str))["status"].astype(str)
    rows = []
    for d in catalog.domains:
        ids = [i.id for i in catalog.in_domain(d.id)]
        rows.append(
            {
                "domain": d.name(lang),
                "met": int((status.reindex(ids) == "met").sum()),
                "not_met": int((status.reindex(ids) == "not_met").sum()),
                "total": len(ids),
            }
        )
    return pd.DataFrame(rows)


def reported_mark(department: str, lang: str) -> str:
    """ "（省残联报送）" after a value the department sent for a whole region (not computed from sums)."""
    if isinstance(department, str) and department.strip():
        return t("value_source_reported", lang, department=department.strip())
    return t("value_source_reported_plain", lang)


def reported_notes(region_rows: pd.DataFrame, catalog: Catalog, region_name: str, lang: str) -> list[str]:
    """Sentences under a region's headline: which of its values are the department's reported figures (its
    counties could not be summed), and where a reported figure differs from the sum (the sum is shown)."""
    if "value_source" not in region_rows.columns:
        return []
    from analytics.attainment import reported_differences

    def names(rows: pd.DataFrame, marked: bool) -> str:
        parts = []
        for r in rows.itertuples():
            ind = catalog[str(r.indicator_id)]
            text = f"{ind.short(lang)} {format_value(r.value, ind, lang)}"
            parts.append(text + (reported_mark(getattr(r, "reported_by", ""), lang) if marked else ""))
        return t("list_sep", lang).join(parts)

    notes = []
    reported = region_rows[region_rows["value_source"] == "reported"]
    if len(reported):
        text = names(reported, True)
        notes.append(t("reported_headline", lang, n=len(reported), region=region_name, indicators=text))
    differ = reported_differences(region_rows)
    if len(differ):
        notes.append(t("reported_differs_note", lang, region=region_name, indicators=names(differ, False)))
    lacking = value_only_counts(region_rows, catalog, lang)
    if lacking:
        notes.append(t("value_only_rollup", lang, region=region_name, indicators=lacking))
    return notes


def value_only_counts(region_rows: pd.DataFrame, catalog: Catalog, lang: str) -> str:
    """'居家患者康复率 50 / 60 个县；…': per indicator of a prefecture's or province's rows, how many of its
    counties sent only a value (no numerator and denominator) and so are not in its sum; '' when none."""
    if "n_value_only" not in region_rows.columns:
        return ""
    rows = region_rows[(region_rows["n_value_only"] > 0) & (region_rows["level"] != "county")]
    return t("list_sep", lang).join(
        t(
            "value_only_rollup_item",
            lang,
            indicator=catalog[str(r.indicator_id)].short(lang),
            n=int(r.n_value_only),
            units=int(r.n_units),
        )
        for r in rows.itertuples()
    )


def lagging_counties(
    ev_county: pd.DataFrame,
    catalog: Catalog,
    regions,
    lang: str,
    n: int = 10,
    *,
    gaps: int = 3,
    brief: bool = False,
) -> pd.DataFrame:
    """Counties with the most indicators not met, with their `gaps` largest shortfalls in people/services
    (`brief`: the shortfall without the county's value, for a projector's narrow column)."""
    summary = (
        county_summary(ev_county, regions).sort_values(["not_met", "met"], ascending=[False, True]).head(n)
    )
    rows = []
    ev = ev_county.assign(
        indicator_id=ev_county["indicator_id"].astype(str), status=ev_county["status"].astype(str)
    )
    for rec in summary.itertuples():
        lag = ev[(ev["region_code"].astype(str) == rec.region_code) & (ev["status"] == "not_met")].copy()
        lag["rel_gap"] = lag["gap"] / lag["target"].abs().replace(0, np.nan)
        lag = lag.sort_values("rel_gap", ascending=False).head(gaps)
        parts = []
        for r in lag.itertuples():
            ind = catalog[r.indicator_id]
            parts.append(
                t(
                    "lagging_gap_brief" if brief else "lagging_gap",
                    lang,
                    indicator=ind.short(lang),
                    value=format_value(r.value, ind, lang),
                    shortfall=shortfall_text(r.shortfall, ind, lang, gap=r.gap) or "—",
                )
            )
        rows.append(
            {
                "region_code": rec.region_code,
                t("county", lang): rec.county,
                t("prefecture", lang): rec.prefecture,
                t("not_met_count", lang): rec.not_met,
                t("met_count", lang): rec.met,
                t("largest_gaps", lang): t("list_sep", lang).join(parts),
            }
        )
    return pd.DataFrame(rows)


def indicator_table(
    ev: pd.DataFrame,
    prog: pd.DataFrame | None,
    catalog: Catalog,
    profile: TargetProfile,
    ind: Indicator,
    regions,
    lang: str,
) -> pd.DataFrame:
    """One indicator across counties: value, status, gap, shortfall, progress, trajectory, display text."""
    rows = ev[ev["indicator_id"].astype(str) == ind.id].copy()
    rows = with_labels(rows, catalog, regions, lang)
    rows["region_code"] = rows["region_code"].astype(str)
    rows["value_text"] = [
        format_value(v, ind, lang, status=s, profile=profile)
        for v, s in zip(rows["value"], rows["status"], strict=True)
    ]
    if "applicable" in rows.columns:  # a county where the indicator does not apply (Indicator.applies_where)
        rows["value_text"] = rows["value_text"].where(rows["applicable"], t("not_applicable_mark", lang))
    rows["target_text"] = target_text(profile, ind, lang)
    if "certainty" in rows.columns:  # how sure: the 95 % interval and whether the target lies inside it
        rows["interval_text"] = interval_texts(rows["low"], rows["high"], ind, lang)
        rows["certainty_label"] = certainty_labels(rows["certainty"], lang)
    rows["shortfall_text"] = [
        t("unreachable", lang) if unreachable else shortfall_text(s, ind, lang, gap=g)
        for s, g, unreachable in zip(
            rows["shortfall"], rows["gap"], rows["unreachable"].fillna(False), strict=True
        )
    ]
    rows["shortfall_num"] = rows["shortfall"].astype("Float64").astype("float64")
    rows["gap_pos"] = rows["gap"].clip(lower=0)
    if prog is not None and len(prog):
        p = prog[prog["indicator_id"].astype(str) == ind.id]
        p = p.set_index(p["region_code"].astype(str))
        # as objects first: a column mapped to nothing but NaN is float, and float takes no text
        rows["progress_status"] = (
            rows["region_code"].map(p["progress_status"]).astype(object).fillna("no_data")
        )
        rows["trajectory"] = rows["region_code"].map(p["trajectory"]).astype(object).fillna("no_data")
        rows["projected"] = rows["region_code"].map(p["projected_target_year"])
    else:
        rows["progress_status"] = "no_data"
        rows["trajectory"] = "no_data"
        rows["projected"] = np.nan
    rows["progress_label"] = rows["progress_status"].map(lambda s: t(f"progress_{s}", lang))
    rows["trajectory_label"] = rows["trajectory"].map(lambda s: t(f"trajectory_{s}", lang))
    return rows.reset_index(drop=True)


# what profile_table reads of a county's, its prefecture's and its province's evaluated rows
_PROFILE_FIELDS = ("value", "low", "high", "certainty", "status", "gap", "shortfall")
_PROFILE_FIELDS += ("value_source", "reported_by")


def profile_table(
    county: str,
    ev_county: pd.DataFrame,
    ev_prefecture: pd.DataFrame,
    ev_province: pd.DataFrame,
    prog: pd.DataFrame,
    catalog: Catalog,
    profile: TargetProfile,
    regions,
    lang: str,
) -> pd.DataFrame:
    """All 25 indicators for one county next to its prefecture, province and the target."""
    pref_code = regions.prefecture_of(county)

    def pick(ev: pd.DataFrame, code: str, fields: tuple[str, ...] = _PROFILE_FIELDS) -> dict[str, dict]:
        """indicator id -> the region's row as a dict of `fields` (read once, not a row Series per lookup; column by
        column, so a missing count stays <NA>, not NaN)."""
        mask = (ev["region_code"].astype(str) == code).to_numpy()
        columns = {c: ev[c].array[mask].tolist() for c in fields if c in ev.columns}
        records = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
        return dict(zip(map(str, ev["indicator_id"].to_numpy()[mask]), records, strict=True))

    own, pref, prov, p = (
        pick(ev_county, county),
        pick(ev_prefecture, pref_code),
        pick(ev_province, regions.get(county).province_code),
        pick(prog, county, ("trajectory", "projected_target_year")),
    )
    labels = status_labels(lang)
    rows = []
    for ind in catalog.indicators:
        r = own.get(ind.id)
        status = str(r["status"]) if r is not None else "no_data"
        trajectory = p.get(ind.id, {})
        rows.append(
            {
                "indicator_id": ind.id,
                "indicator": ind.short(lang),
                "indicator_name": ind.name(lang),
                "domain": catalog.domain(ind.domain).name(lang),
                "county_value": r["value"] if r is not None else np.nan,
                "county_low": r.get("low", np.nan) if r is not None else np.nan,
                "county_high": r.get("high", np.nan) if r is not None else np.nan,
                "certainty": r.get("certainty", "") if r is not None else "",
                "prefecture_value": pref[ind.id]["value"] if ind.id in pref else np.nan,
                "province_value": prov[ind.id]["value"] if ind.id in prov else np.nan,
                "target": float(profile.targets[ind.id].threshold) if ind.id in profile.targets else np.nan,
                "target_text": target_text(profile, ind, lang),
                "status": status,
                "status_label": labels[status],
                "symbol": STATUS_SYMBOL[status],
                "gap": r["gap"] if r is not None else np.nan,
                "shortfall": r["shortfall"] if r is not None else pd.NA,
                "shortfall_text": shortfall_text(r["shortfall"], ind, lang, gap=r["gap"])
                if r is not None
                else "",
                "trajectory": trajectory.get("trajectory", "no_data"),
                "projected": trajectory.get("projected_target_year", np.nan),
            }
        )
    out = pd.DataFrame(rows)
    out["trajectory_label"] = out["trajectory"].map(lambda s: t(f"trajectory_{s}", lang))
    out["value_text"] = [
        format_value(v, catalog[i], lang, level="county", status=s, profile=profile)
        for v, i, s in zip(out["county_value"], out["indicator_id"], out["status"], strict=True)
    ]
    out["interval_text"] = [
        interval_texts([lo], [hi], catalog[i], lang)[0]
        for lo, hi, i in zip(out["county_low"], out["county_high"], out["indicator_id"], strict=True)
    ]
    out["certainty_label"] = certainty_labels(out["certainty"], lang)
    # a region's figure, marked when reported
    for level, level_rows in (("prefecture", pref), ("province", prov)):
        texts = []
        for ind in catalog.indicators:
            r = level_rows.get(ind.id)
            text = format_value(r["value"], ind, lang) if r is not None else format_value(np.nan, ind, lang)
            if r is not None and r.get("value_source", "") == "reported":
                text += reported_mark(r.get("reported_by", ""), lang)
            texts.append(text)
        out[f"{level}_text"] = texts
    return out


def strengths_and_gaps(
    table: pd.DataFrame, catalog: Catalog, lang: str, n: int = 5
) -> tuple[list[str], list[str]]:
    """Sentences, with numbers: where the county does best against the province, and what it must close."""
    strengths, gaps = [], []
    met = table[table["status"] == "met"].copy()
    met["lead"] = (met["county_value"] - met["province_value"]) / met["province_value"].abs().replace(
        0, np.nan
    )
    for r in met.sort_values("lead", ascending=False).head(n).itertuples():
        ind = catalog[r.indicator_id]
        s = t(
            "strength",
            lang,
            indicator=ind.name(lang),
            value=format_value(r.county_value, ind, lang),
            target=r.target_text,
        )
        if not pd.isna(r.province_value):
            s += t("strength_province", lang, value=format_value(r.province_value, ind, lang))
        strengths.append(s)
    lag = table[table["status"] == "not_met"].copy()
    lag["rel_gap"] = lag["gap"] / lag["target"].abs().replace(0, np.nan)
    for r in lag.sort_values("rel_gap", ascending=False).itertuples():
        ind = catalog[r.indicator_id]
        unit = ind.unit_in(lang)
        s = t(
            "gap_sentence",
            lang,
            indicator=ind.name(lang),
            value=format_value(r.county_value, ind, lang),
            target=r.target_text,
            gap=format_number(r.gap, ind.decimals),
            points=t("percentage_points", lang) if unit == "%" else unit,
        )
        short = shortfall_text(r.shortfall, ind, lang)
        if short:
            s += t("gap_shortfall", lang, shortfall=short)
        s += t("gap_trajectory", lang, trajectory=t(f"trajectory_{r.trajectory}", lang))
        gaps.append(s)
    return strengths, gaps


def trend_frame(
    ev_county: pd.DataFrame, prog: pd.DataFrame, county: str, catalog: Catalog, lang: str
) -> pd.DataFrame:
    """Observed values per year plus a two-point dashed projection (latest -> target year) per indicator."""
    part = ev_county[(ev_county["region_code"].astype(str) == county) & ev_county["value"].notna()]
    obs = pd.DataFrame(
        {
            "indicator_id": part["indicator_id"].astype(str).to_numpy(),
            "year": part["year"].to_numpy(),
            "value": part["value"].to_numpy(),
            "target": part["target"].to_numpy(),
            "series": "observed",
        }
    )
    p = prog[prog["region_code"].astype(str) == county]
    proj = []
    for r in p.itertuples():
        if pd.isna(r.projected_target_year) or r.target_year <= r.latest_year:
            continue
        proj.append(
            {
                "indicator_id": str(r.indicator_id),
                "year": int(r.latest_year),
                "value": r.latest,
                "target": r.target,
                "series": "projection",
            }
        )
        proj.append(
            {
                "indicator_id": str(r.indicator_id),
                "year": int(r.target_year),
                "value": r.projected_target_year,
                "target": r.target,
                "series": "projection",
            }
        )
    out = pd.concat([obs, pd.DataFrame(proj)], ignore_index=True)
    out["indicator"] = out["indicator_id"].map({i.id: i.short(lang) for i in catalog.indicators})
    out["series_label"] = out["series"].map(
        {"observed": t("observed", lang), "projection": t("projection", lang)}
    )
    out["value"] = out["value"].astype(float).round(2)
    return out


def completeness(ev_county: pd.DataFrame, catalog: Catalog, regions, lang: str) -> pd.DataFrame:
    """County x indicator for one year: ✓ where the numbers to evaluate it are there, – where they are missing."""
    rows = with_labels(ev_county, catalog, regions, lang)
    rows["present"] = rows["status"] != "no_data"
    rows["mark"] = np.where(rows["present"], "✓", "–")
    return rows[["region_code", "region_name", "indicator_id", "indicator", "present", "mark"]]


def quality_flags(
    ev_all_years: pd.DataFrame, catalog: Catalog, regions, year: int, lang: str
) -> pd.DataFrame:
    """Rows to check before a meeting: values without counts (cannot be summed upward) and changes against the
    previous year larger than the indicator's kind allows (`jump_points`; kinds without it, such as a county's
    1/0 status, are not flagged)."""
    ev = ev_all_years[ev_all_years["year"].isin([year, year - 1])].copy()
    ev["indicator_id"] = ev["indicator_id"].astype(str)
    ev["region_code"] = ev["region_code"].astype(str)
    now = ev[ev["year"] == year].set_index(["region_code", "indicator_id"])
    before = ev[ev["year"] == year - 1].set_index(["region_code", "indicator_id"])["value"]
    flags = []
    value_only = now[now.get("n_value_only", pd.Series(0, index=now.index)) > 0]
    for (code, ind_id), _ in value_only.iterrows():
        flags.append((code, ind_id, "value_only"))
    limit = {i.id: i.rules.jump_points for i in catalog.indicators if i.rules.jump_points is not None}
    jump = (now["value"] - before.reindex(now.index)).abs()
    allowed = pd.Series(
        now.index.get_level_values("indicator_id").map(limit), index=now.index, dtype="float64"
    )
    for (code, ind_id), change in jump[jump > allowed].items():
        flags.append((code, ind_id, f"jump:{change:.1f}"))
    out = []
    for code, ind_id, flag in flags:
        if flag == "value_only":
            text = t("flag_value_only", lang)
        else:
            text = t("flag_jump", lang, points=flag.split(":")[1])
        out.append(
            {
                "region_code": code,
                "county": regions.name(code),
                "indicator": catalog[ind_id].short(lang),
                "flag": text,
            }
        )
    return pd.DataFrame(out, columns=["region_code", "county", "indicator", "flag"])


def method_years(prog: pd.DataFrame, target_year: int | None = None, indicator_id: str | None = None) -> str:
    """The years a progress status or trajectory came from, as progress() used them (baseline may fall back)."""
    part = prog if indicator_id is None else prog[prog["indicator_id"].astype(str) == indicator_id]
    if part.empty:
        return "—"
    first, last = int(part["baseline_year"].min()), int(part["latest_year"].max())
    text = f"{first}–{last}" if first != last else str(first)
    return f"{text} → {target_year}" if target_year else text


# --- what-if tables ----------------------------------------------------------------------------------
def scenario_side(county_rows: pd.DataFrame, side: str, ind: Indicator, lang: str) -> pd.DataFrame:
    """County rows of a scenario comparison as one map's data: 'before' or 'after' status, symbol, value."""
    return county_rows.assign(
        status_label=county_rows[f"status_{side}"].map(status_labels(lang)),
        symbol=county_rows[f"status_{side}"].map(STATUS_SYMBOL),
        value_text=[format_value(v, ind, lang) for v in county_rows[f"value_{side}"]],
    )


def scenario_changes(
    changed: pd.DataFrame, ind: Indicator, lang: str, units_heading: str | None = None
) -> pd.DataFrame:
    """Counties whose status changes: value and status before and after, in words with ✓ / ✗; with
    `units_heading`, a column of the units each county receives (`units_added`)."""
    labels = status_labels(lang)

    def text(side: str) -> list[str]:
        values, statuses = changed[f"value_{side}"], changed[f"status_{side}"]
        return [f"{format_value(v, ind, lang)} {labels[s]}" for v, s in zip(values, statuses, strict=True)]

    out = pd.DataFrame(
        {
            t("county", lang): changed["region_name"],
            t("before", lang): text("before"),
            t("after", lang): text("after"),
        }
    )
    if units_heading:
        out[units_heading] = changed["units_added"].fillna(0).astype("int64").to_numpy()
    return out


def scenario_summary(name: str, view, catalog: Catalog, lang: str) -> dict:
    """One row of the side-by-side comparison of saved scenarios."""
    return {
        t("scenario_name", lang): name,
        t("region_met_change", lang): f"{view.region_met_before} → {view.region_met_after}",
        **{
            catalog[r.indicator_id].short(lang): f"{r.met_before} → {r.met_after}"
            for r in view.counties_met.itertuples()
        },
    }


def in_its_language(text: str, written_in: str, lang: str) -> str:
    """Free text kept in one language only (the plan's wording of a target, a note on the sources) is shown in
    the UI of that language; the other UI shows nothing rather than words its reader may not read."""
    return text if written_in == lang else ""


# --- the data page's tables ----------------------------------------------------------------------------
VERSION_COLUMNS = (
    "version_id",
    "dataset",
    "department",
    "source_name",
    "imported_at",
    "rows",
    "status",
    "note",
)
CHANGED_VALUES = ("numerator", "denominator", "value")


def versions_table(versions: pd.DataFrame, lang: str, tz: str | None = None) -> pd.DataFrame:
    """The store's history as the data page shows it: headings and statuses in words, times in local time
    (`tz`: the browser's zone), no checksum."""
    from analytics.provenance import local_time

    out = versions[[c for c in VERSION_COLUMNS if c in versions.columns]].copy()
    if "imported_at" in out:
        out["imported_at"] = [local_time(s, tz) for s in out["imported_at"]]
    if "status" in out:
        out["status"] = out["status"].astype(str).map(lambda s: t(f"version_status.{s}", lang))
    return out.rename(columns={c: t(f"versions_table.{c}", lang) for c in out.columns})


def changes_table(diff: pd.DataFrame, catalog: Catalog, regions, lang: str) -> pd.DataFrame:
    """Rows an import would change (store.diff's `changed` rows): county, year, indicator, old → new."""

    def number(v) -> str:
        return "—" if pd.isna(v) else f"{float(v):,.6g}"

    out = pd.DataFrame(
        {
            t("changes_table.region", lang): list(regions.names(diff["region_code"].astype(str))),
            t("changes_table.year", lang): diff["year"].to_numpy(),
            t("changes_table.indicator", lang): [
                catalog[i].short(lang) if i in catalog else i for i in diff["indicator_id"].astype(str)
            ],
        }
    )
    for col in CHANGED_VALUES:
        out[t(f"changes_table.{col}", lang)] = [
            f"{number(old)} → {number(new)}" for old, new in zip(diff[f"old_{col}"], diff[col], strict=True)
        ]
    return out


def problems_table(problems: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A submission's problems (severity, row, column, message) with headings and severities in words."""
    out = problems[["severity", "row", "column", "message"]].copy()
    out["severity"] = out["severity"].astype(str).map(lambda s: t(f"severity_{s}", lang))
    return out.rename(columns={c: t(f"problems_table.{c}", lang) for c in out.columns})


def peer_table(comparison: pd.DataFrame, catalog: Catalog, profile: TargetProfile, lang: str) -> pd.DataFrame:
    """analytics.peers.peer_comparison as it reads: indicator, the county's value and status, the peers' median
    ("met"/"not met" counts for a county status), how many peers meet it, and the county's rank "2 / 6"."""
    labels = status_labels(lang)
    rows = []
    for r in comparison.itertuples(index=False):
        ind = catalog[r.indicator_id]
        if r.binary:  # 1/0 per county: the county's status, and how many of the peers meet it
            value = format_value(r.value, ind, lang, level="county")
            median = t("peers.binary_median", lang, median=format_number(r.peer_median, 1))
        else:
            value = format_value(r.value * 1.0, ind, lang, status=r.status, profile=profile)
            median = format_value(r.peer_median, ind, lang)
        ranked = not pd.isna(r.rank)
        rows.append(
            {
                "indicator": ind.short(lang),
                "value_text": value,
                "status_label": labels.get(r.status, r.status),
                "median_text": median,
                "peers_met_text": f"{int(r.peers_met)} / {int(r.n_peers)}",
                "rank_text": t("peers.rank", lang, rank=int(r.rank), of=int(r.n_ranked)) if ranked else "—",
            }
        )
    return pd.DataFrame(rows)


def coverage_text(n_reported, n_units, n_value_only, lang: str = "zh") -> str:
    """How many counties a roll-up rests on: "60/60 县", "58/60 县（缺 2 县）", with the counties that sent only a
    value (not in the sum) named too; "" for a county's own row (n_units 1)."""
    if pd.isna(n_units) or int(n_units) <= 1:
        return ""
    n, total, values_only = int(n_reported), int(n_units), int(n_value_only or 0)
    text = t("coverage", lang, n=n, total=total)
    if n < total:
        text += (
            t("coverage_missing", lang, missing=total - n - values_only) if total - n - values_only else ""
        )
        text += t("coverage_values_only", lang, n=values_only) if values_only else ""
    return text


def incomplete(rows: pd.DataFrame) -> pd.Series:
    """Roll-up rows whose status rests on fewer counties than the region has."""
    return (
        (rows["n_units"] > 1)
        & (rows["n_reported"] < rows["n_units"])
        & (rows["status"].astype(str) != "no_data")
    )


def region_values(rows: pd.DataFrame, catalog: Catalog, profile: TargetProfile, lang: str) -> pd.DataFrame:
    """A region's 25 rows as they read: indicator, value (with the decimals its status needs), 95 % interval,
    target, status, certainty and the counties it rests on."""
    rows = rows.set_index(rows["indicator_id"].astype(str))
    out = []
    for ind in catalog.indicators:
        if ind.id not in rows.index:
            continue
        r = rows.loc[ind.id]
        status = str(r["status"])
        out.append(
            {
                "indicator": ind.short(lang),
                "value_text": format_value(r["value"], ind, lang, status=status, profile=profile),
                "interval_text": interval_texts([r.get("low")], [r.get("high")], ind, lang)[0] or "—",
                "target_text": target_text(profile, ind, lang),
                "status_label": t(f"status_{status}", lang),
                "certainty_label": certainty_labels([r.get("certainty", "")], lang)[0],
                "coverage_text": coverage_text(r["n_reported"], r["n_units"], r.get("n_value_only", 0), lang)
                or "—",
            }
        )
    return pd.DataFrame(out)


def values_by_region(rows: pd.DataFrame, catalog: Catalog, profile: TargetProfile, lang: str) -> pd.DataFrame:
    """Sub-regions x the 25 indicators, each cell the value and its status symbol ("72.5% ✓"), a "*" where the
    value rests on fewer counties than the sub-region has."""
    rows = rows.assign(
        region_code=rows["region_code"].astype(str), indicator_id=rows["indicator_id"].astype(str)
    )
    short = incomplete(rows)
    cells = [
        f"{format_value(v, catalog[i], lang, status=str(s), profile=profile)} {STATUS_SYMBOL[str(s)]}"
        + ("*" if partial else "")
        for v, i, s, partial in zip(rows["value"], rows["indicator_id"], rows["status"], short, strict=True)
    ]
    wide = rows.assign(cell=cells).pivot_table(
        index="region_name", columns="indicator_id", values="cell", aggfunc="first"
    )
    wide = wide.reindex(columns=[i.id for i in catalog.indicators if i.id in wide.columns])
    wide.columns = [catalog[i].short(lang) for i in wide.columns]
    return wide.rename_axis(t("region", lang)).reset_index()
