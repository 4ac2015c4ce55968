"""What the pages show, computed from evaluated attainment rows: summaries, lagging counties, profiles, words."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analytics.catalog import Catalog, Indicator, TargetProfile
from analytics.charts import STATUS_SYMBOL
from analytics.i18n import t

STATUSES = ("met", "not_met", "no_data")


def status_labels(lang: str) -> dict[str, str]:
    return {s: t(f"status_{s}", lang) for s in STATUSES}


def format_number(value: float, decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "—"
    return f"{value:,.{decimals}f}"


def format_value(value: float, ind: Indicator, lang: str = "zh") -> str:
    if pd.isna(value):
        return "—"
    unit = ind.unit if lang == "zh" else ind.unit_en
    sep = "" if unit == "%" else " "
    return f"{format_number(value, ind.decimals)}{sep}{unit}"


def target_text(profile: TargetProfile, ind: Indicator, lang: str = "zh") -> str:
    target = profile.targets.get(ind.id)
    if target is None:
        return "—"
    unit = ind.unit if lang == "zh" else ind.unit_en
    sign = "＞" if target.comparator == ">" else "≥"
    text = f"{sign}{float(target.threshold):g}{'' if unit == '%' else ' '}{unit}"
    if target.aspirational:
        text += f"（{t('aspirational', lang)}）" if lang == "zh" else f" ({t('aspirational', lang)})"
    return text


def shortfall_text(shortfall, ind: Indicator, lang: str = "zh") -> str:
    if pd.isna(shortfall) or int(shortfall) <= 0:
        return ""
    unit = ind.numerator_unit_zh if lang == "zh" else ind.numerator_unit_en
    if ind.kind == "reduction_vs_baseline":
        return (
            f"需再减少 {int(shortfall):,} {unit}"
            if lang == "zh"
            else f"{int(shortfall):,} fewer {unit} needed"
        )
    return f"还差 {int(shortfall):,} {unit}" if lang == "zh" else f"{int(shortfall):,} more {unit} needed"


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
    counts["prefecture_code"] = [regions.prefecture_of(c) for c in counts["region_code"]]
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


def lagging_counties(
    ev_county: pd.DataFrame, catalog: Catalog, regions, lang: str, n: int = 10
) -> pd.DataFrame:
    """Counties with the most indicators not met, with their largest shortfalls in people/services."""
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
        lag = lag.sort_values("rel_gap", ascending=False).head(3)
        parts = []
        for r in lag.itertuples():
            ind = catalog[r.indicator_id]
            parts.append(
                f"{ind.short(lang)} {format_value(r.value, ind, lang)}（{shortfall_text(r.shortfall, ind, lang) or '—'}）"
            )
        rows.append(
            {
                "region_code": rec.region_code,
                t("county", lang): rec.county,
                t("prefecture", lang): rec.prefecture,
                t("not_met_count", lang): rec.not_met,
                t("met_count", lang): rec.met,
                t("largest_gaps", lang): "；".join(parts) if lang == "zh" else "; ".join(parts),
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
    rows["value_text"] = [format_value(v, ind, lang) for v in rows["value"]]
    rows["target_text"] = target_text(profile, ind, lang)
    rows["shortfall_text"] = [
        t("unreachable", lang) if unreachable else shortfall_text(s, ind, lang)
        for s, unreachable in zip(rows["shortfall"], rows["unreachable"].fillna(False), strict=True)
    ]
    rows["shortfall_num"] = rows["shortfall"].astype("Float64").astype("float64")
    rows["gap_pos"] = rows["gap"].clip(lower=0)
    if prog is not None and len(prog):
        p = prog[prog["indicator_id"].astype(str) == ind.id]
        p = p.set_index(p["region_code"].astype(str))
        rows["progress_status"] = rows["region_code"].map(p["progress_status"]).fillna("no_data")
        rows["trajectory"] = rows["region_code"].map(p["trajectory"]).fillna("no_data")
        rows["projected"] = rows["region_code"].map(p["projected_target_year"])
    else:
        rows["progress_status"] = "no_data"
        rows["trajectory"] = "no_data"
        rows["projected"] = np.nan
    rows["progress_label"] = rows["progress_status"].map(lambda s: t(f"progress_{s}", lang))
    rows["trajectory_label"] = rows["trajectory"].map(lambda s: t(f"trajectory_{s}", lang))
    return rows.reset_index(drop=True)


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

    def pick(ev: pd.DataFrame, code: str) -> pd.DataFrame:
        part = ev[ev["region_code"].astype(str) == code]
        return part.set_index(part["indicator_id"].astype(str))

    own, pref, prov = (
        pick(ev_county, county),
        pick(ev_prefecture, pref_code),
        pick(ev_province, regions.get(county).province_code),
    )
    p = prog[prog["region_code"].astype(str) == county]
    p = p.set_index(p["indicator_id"].astype(str)) if len(p) else None
    labels = status_labels(lang)
    rows = []
    for ind in catalog.indicators:
        r = own.loc[ind.id] if ind.id in own.index else None
        status = str(r["status"]) if r is not None else "no_data"
        rows.append(
            {
                "indicator_id": ind.id,
                "indicator": ind.short(lang),
                "indicator_name": ind.name(lang),
                "domain": catalog.domain(ind.domain).name(lang),
                "county_value": r["value"] if r is not None else np.nan,
                "prefecture_value": pref.loc[ind.id, "value"] if ind.id in pref.index else np.nan,
                "province_value": prov.loc[ind.id, "value"] if ind.id in prov.index else np.nan,
                "target": float(profile.targets[ind.id].threshold) if ind.id in profile.targets else np.nan,
                "target_text": target_text(profile, ind, lang),
                "status": status,
                "status_label": labels[status],
                "symbol": STATUS_SYMBOL[status],
                "gap": r["gap"] if r is not None else np.nan,
                "shortfall": r["shortfall"] if r is not None else pd.NA,
                "shortfall_text": shortfall_text(r["shortfall"], ind, lang) if r is not None else "",
                "trajectory": p.loc[ind.id, "trajectory"]
                if p is not None and ind.id in p.index
                else "no_data",
                "projected": p.loc[ind.id, "projected_target_year"]
                if p is not None and ind.id in p.index
                else np.nan,
            }
        )
    out = pd.DataFrame(rows)
    out["trajectory_label"] = out["trajectory"].map(lambda s: t(f"trajectory_{s}", lang))
    out["value_text"] = [
        format_value(v, catalog[i], lang)
        for v, i in zip(out["county_value"], out["indicator_id"], strict=True)
    ]
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
        if lang == "zh":
            s = f"{ind.name_zh} {format_value(r.county_value, ind)}，达到目标（{r.target_text}）"
            if not pd.isna(r.province_value):
                s += f"，全省为 {format_value(r.province_value, ind)}"
        else:
            s = f"{ind.name_en}: {format_value(r.county_value, ind, 'en')}, target {r.target_text} met"
            if not pd.isna(r.province_value):
                s += f"; province {format_value(r.province_value, ind, 'en')}"
        strengths.append(s)
    lag = table[table["status"] == "not_met"].copy()
    lag["rel_gap"] = lag["gap"] / lag["target"].abs().replace(0, np.nan)
    for r in lag.sort_values("rel_gap", ascending=False).itertuples():
        ind = catalog[r.indicator_id]
        unit = ind.unit if lang == "zh" else ind.unit_en
        gap = format_number(r.gap, ind.decimals)
        points = "个百分点" if unit == "%" else unit
        short = shortfall_text(r.shortfall, ind, lang)
        traj = t(f"trajectory_{r.trajectory}", lang)
        if lang == "zh":
            s = f"{ind.name_zh} {format_value(r.county_value, ind)}，距目标（{r.target_text}）差 {gap} {points}"
            s += f"，{short}" if short else ""
            s += f"；趋势：{traj}"
        else:
            pts = "points" if unit == "%" else unit
            s = f"{ind.name_en}: {format_value(r.county_value, ind, 'en')}, {gap} {pts} short of {r.target_text}"
            s += f"; {short}" if short else ""
            s += f"; trajectory: {traj}"
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


JUMP_POINTS = 20.0  # a change of more than this many points from the previous year is worth a second look


def completeness(ev_county: pd.DataFrame, catalog: Catalog, regions, lang: str) -> pd.DataFrame:
    """County x indicator for one year: ✓ where the numbers to evaluate it are there, – where they are missing."""
    rows = with_labels(ev_county, catalog, regions, lang)
    rows["present"] = rows["status"] != "no_data"
    rows["mark"] = np.where(rows["present"], "✓", "–")
    return rows[["region_code", "region_name", "indicator_id", "indicator", "present", "mark"]]


def quality_flags(
    ev_all_years: pd.DataFrame, catalog: Catalog, regions, year: int, lang: str
) -> pd.DataFrame:
    """Rows to check before a meeting: values without counts (cannot be summed upward) and jumps of more than
    JUMP_POINTS points against the previous year (rates and shares only)."""
    ev = ev_all_years[ev_all_years["year"].isin([year, year - 1])].copy()
    ev["indicator_id"] = ev["indicator_id"].astype(str)
    ev["region_code"] = ev["region_code"].astype(str)
    now = ev[ev["year"] == year].set_index(["region_code", "indicator_id"])
    before = ev[ev["year"] == year - 1].set_index(["region_code", "indicator_id"])["value"]
    flags = []
    value_only = now[now.get("n_value_only", pd.Series(0, index=now.index)) > 0]
    for (code, ind_id), _ in value_only.iterrows():
        flags.append((code, ind_id, "value_only"))
    percent = {i.id for i in catalog.indicators if i.kind == "rate"}  # 1/0 county flags jump by design
    jump = (now["value"] - before.reindex(now.index)).abs()
    for (code, ind_id), change in jump[jump > JUMP_POINTS].items():
        if ind_id in percent:
            flags.append((code, ind_id, f"jump:{change:.1f}"))
    out = []
    for code, ind_id, flag in flags:
        if flag == "value_only":
            text = (
                "只有数值，没有分子分母：无法按求和汇总"
                if lang == "zh"
                else "value only, no counts: cannot be summed upward"
            )
        else:
            pts = flag.split(":")[1]
            text = (
                f"比上一年变化 {pts} 个百分点，请核实"
                if lang == "zh"
                else f"changed {pts} points since last year: please check"
            )
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


def scenario_changes(changed: pd.DataFrame, ind: Indicator, lang: str) -> pd.DataFrame:
    """Counties whose status changes: value and status before and after, in words with ✓ / ✗."""
    labels = status_labels(lang)

    def text(side: str) -> list[str]:
        values, statuses = changed[f"value_{side}"], changed[f"status_{side}"]
        return [f"{format_value(v, ind, lang)} {labels[s]}" for v, s in zip(values, statuses, strict=True)]

    return pd.DataFrame(
        {
            t("county", lang): changed["region_name"],
            t("before", lang): text("before"),
            t("after", lang): text("after"),
        }
    )


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
