"""总览 Overview: N / 25 met for the region and its prefectures, met-count map, status grid, lagging counties."""

import streamlit as st

from analytics import figures, insights
from analytics.i18n import t
from ui import render
from ui.downloads import figure_downloads, file_stem
from ui.loaders import catalog, regions
from ui.meeting import meeting_of
from ui.url_state import current, write_url

ctx = current()
lang, cat, regs = ctx.lang, catalog(), regions()
meeting = meeting_of(ctx)
write_url(ctx)
render.header(ctx, t("overview_title", lang, region=ctx.region_name, year=ctx.year))
render.back_to_province_button(ctx)

# --- headline: N / 25 for the region -----------------------------------------------------------
region_rows = ctx.region_rows()
counts = insights.count_by_region(region_rows)
met = int(counts["met"].sum())
total = len(cat)
c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
c1.metric(ctx.region_name, t("headline_met", lang, met=met, total=total), border=True)
c2.metric(t("status_met", lang), met, border=True)
c3.metric(t("status_not_met", lang), int(counts["not_met"].sum()), border=True)
c4.metric(t("status_no_data", lang), int(counts["no_data"].sum()), border=True)
st.caption(
    t(
        "headline_detail",
        lang,
        not_met=int(counts["not_met"].sum()),
        no_data=int(counts["no_data"].sum()),
        profile=ctx.profile.name(lang),
    )
)
for note in insights.reported_notes(region_rows, cat, ctx.region_name, lang):  # 全省 rows sent by departments
    st.caption(note)
partial = region_rows[insights.incomplete(region_rows)]
if len(partial):  # a status resting on fewer counties than the region has says so
    names = "、".join(cat[str(i)].short(lang) for i in partial["indicator_id"])
    st.warning(t("coverage_incomplete", lang, n=len(partial), region=ctx.region_name, names=names))

# --- the region's 25 values against target, and each prefecture's (province's) -------------------------------
with st.expander(t("region_values_title", lang, region=ctx.region_name), expanded=False):
    render.table(
        insights.region_values(region_rows, cat, ctx.profile, lang).rename(
            columns={
                "indicator": t("indicator", lang),
                "value_text": t("value", lang),
                "interval_text": t("interval", lang),
                "target_text": t("target", lang),
                "status_label": t("status", lang),
                "certainty_label": t("certainty", lang),
                "coverage_text": t("coverage_column", lang),
            }
        ),
        lang=lang,
    )
    sub_level = "province" if ctx.national else "prefecture"
    if not ctx.prefecture:
        st.caption(t("sub_values_title", lang, level=t(sub_level, lang)))
        render.table(insights.values_by_region(ctx.level_rows(sub_level), cat, ctx.profile, lang), lang=lang)

# --- per action domain, per prefecture (or province) ---------------------------------------------
left, right = st.columns(2)
with left:
    domains = figures.domain_rows(meeting)
    render.chart(figures.domain_bars(meeting, rows=domains))
    figure_downloads(
        lambda: figures.domain_bars(meeting), stem=file_stem(meeting, "domains"), lang=lang, key="dl_domains"
    )
    render.table(
        domains.rename(
            columns={
                "domain": t("domain_filter", lang),
                "met": t("met_count", lang),
                "not_met": t("not_met_count", lang),
                "total": t("indicators_total", lang),
            }
        ),
        lang=lang,
    )
with right:
    subs = figures.sub_region_rows(meeting)  # units without any data (台湾, 香港, 澳门 in the demo) left out
    if subs.empty:  # e.g. a department sent only county values and a 全省 row: no prefecture has a figure
        st.info(t("no_sub_region_figures", lang))
    else:
        bars = figures.sub_region_bars(meeting, rows=subs)  # a click on a bar zooms to that region
        render.chart(bars, key="sub_bars", on_select=render.drill_down("sub_bars", ctx.national))
        if not ctx.prefecture:  # a prefecture's own bar has nowhere further to zoom
            st.caption(t("bar_click_hint", lang))
        stem = file_stem(meeting, "sub-regions")
        figure_downloads(lambda: figures.sub_region_bars(meeting), stem=stem, lang=lang, key="dl_subs")
    render.table(
        subs[["name", "met", "not_met", "no_data"]].rename(
            columns={
                "name": t("region", lang),
                "met": t("met_count", lang),
                "not_met": t("not_met_count", lang),
                "no_data": t("no_data_count", lang),
            }
        ),
        lang=lang,
    )

# --- map of indicators met per county ----------------------------------------------------------
summary = figures.met_count_rows(meeting)  # the count is printed on each county, not only coloured
names = dict(zip(summary["region_code"], summary["prefecture"] + " · " + summary["county"], strict=True))
picked = render.picked_county(names, "w_overview_pick")
map_col, table_col = (st.container(), st.container()) if ctx.national else st.columns([3, 2])
with map_col:
    met_map = figures.met_count_map(meeting, rows=summary, highlight=picked or "")
    render.chart(met_map, key="overview_map", on_select=render.map_click(ctx, "overview_map"))
    render.map_click_hint(ctx)
    render.county_picker(names, "w_overview_pick", lang)
    stem = file_stem(meeting, "met-count-map")
    figure_downloads(lambda: figures.met_count_map(meeting, inline=True), stem=stem, lang=lang, key="dl_map")
with table_col:
    render.table(
        summary[["county", "prefecture", "met", "not_met", "no_data"]].rename(
            columns={
                "county": t("county", lang),
                "prefecture": t("prefecture", lang),
                "met": t("met_count", lang),
                "not_met": t("not_met_count", lang),
                "no_data": t("no_data_count", lang),
            }
        ),
        height=600,
        lang=lang,
    )

# --- lagging counties --------------------------------------------------------------------------
st.subheader(t("lagging_title", lang))
st.caption(t("lagging_caption", lang))
lagging = insights.lagging_counties(ctx.level_rows("county"), cat, regs, lang, n=10)
render.table(lagging.drop(columns=["region_code"]), lang=lang)

# --- county x indicator grid -------------------------------------------------------------------
if not ctx.national:
    labelled, order = grid_rows = figures.status_grid_rows(meeting)
    render.chart(figures.status_grid(meeting, rows=grid_rows))
    figure_downloads(
        lambda: figures.status_grid(meeting), stem=file_stem(meeting, "status-grid"), lang=lang, key="dl_grid"
    )
    wide = labelled.pivot_table(index="county", columns="indicator", values="symbol", aggfunc="first")
    wide = wide.reindex(index=order, columns=[i.short(lang) for i in cat.indicators])
    wide = wide.rename_axis(index=t("county", lang), columns=None).reset_index()
    render.table(wide, caption=t("table_of_chart", lang), lang=lang)
