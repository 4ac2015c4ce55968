"""总览 Overview: N / 25 met for the region and its prefectures, met-count map, status grid, lagging counties."""

import altair as alt
import streamlit as st

from analytics import charts, insights
from analytics.i18n import t
from ui import render
from ui.loaders import catalog, regions
from ui.url_state import current, write_url

ctx = current()
lang, cat, regs = ctx.lang, catalog(), regions()
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

# --- per action domain, per prefecture (or province) ---------------------------------------------
left, right = st.columns(2)
with left:
    st.subheader(t("by_domain", lang))
    domains = insights.domain_summary(region_rows, cat, lang)
    render.chart(
        charts.count_bars(
            domains,
            category="domain",
            value="met",
            total=int(domains["total"].max()),
            title=t("met_count", lang),
            sort=list(domains["domain"]),
        )
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
    sub_level = "province" if ctx.national else "prefecture"
    st.subheader(t("by_prefecture", lang) if not ctx.national else t("province", lang))
    subs = insights.count_by_region(ctx.level_rows(sub_level))
    subs = subs[
        subs["no_data"] < total
    ]  # units without any data (e.g. 台湾, 香港, 澳门 in the demo) are not ranked
    subs["name"] = regs.names(subs["region_code"])
    subs = subs.sort_values("met", ascending=False)
    if subs.empty:  # e.g. a department sent only county values and a 全省 row: no prefecture has a figure
        st.info(t("no_sub_region_figures", lang))
    else:
        render.chart(
            charts.count_bars(
                subs,
                category="name",
                value="met",
                total=total,
                title=t("met_count", lang),
                sort=list(subs["name"]),
            )
        )
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
st.subheader(t("map_met_count", lang))
county_ev = ctx.level_rows("county")
summary = insights.county_summary(county_ev, regs)
no_data = summary["no_data"] == total  # grey on the map (no data), not the colour of "0 met"
summary["label"] = summary["met"].astype(str) + " / " + str(total)
summary["met"] = summary["met"].where(~no_data)
tooltip = [
    alt.Tooltip("county:N", title=t("county", lang)),
    alt.Tooltip("prefecture:N", title=t("prefecture", lang)),
    alt.Tooltip("label:N", title=t("met_count", lang)),
    alt.Tooltip("not_met:Q", title=t("not_met_count", lang)),
    alt.Tooltip("no_data:Q", title=t("no_data_count", lang)),
]
summary["symbol"] = summary["met"].map(lambda m: "–" if m != m else str(int(m)))  # printed, not only coloured
color = charts.sequential_color("met", t("met_count", lang), scheme="blues", domain=[0, total])
map_spec = render.region_map(ctx, summary, color=color, tooltip=tooltip)
map_col, table_col = (st.container(), st.container()) if ctx.national else st.columns([3, 2])
with map_col:
    event = render.chart(map_spec, key="overview_map", selectable=True)
    st.caption(t("click_hint", lang))
    render.map_caption(ctx)
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
render.open_profile(render.selected_code(event, "county"))

# --- lagging counties --------------------------------------------------------------------------
st.subheader(t("lagging_title", lang))
st.caption(t("lagging_caption", lang))
lagging = insights.lagging_counties(county_ev, cat, regs, lang, n=10)
render.table(lagging.drop(columns=["region_code"]), lang=lang)

# --- county x indicator grid -------------------------------------------------------------------
if not ctx.national:
    st.subheader(t("grid_title", lang))
    labelled = insights.with_labels(county_ev, cat, regs, lang)
    labelled["county"] = labelled["region_name"]
    labelled["value_text"] = [
        insights.format_value(v, cat[i], lang)
        for v, i in zip(labelled["value"], labelled["indicator_id"], strict=True)
    ]
    order = list(summary["county"])
    grid = charts.status_grid(
        labelled,
        county_order=order,
        indicator_order=[i.short(lang) for i in cat.indicators],
        domain_order=[d.name(lang) for d in cat.domains],
        labels=insights.status_labels(lang),
        titles={
            "status": t("status", lang),
            "tooltip": [
                alt.Tooltip("county:N", title=t("county", lang)),
                alt.Tooltip("indicator_name:N", title=t("indicator", lang)),
                alt.Tooltip("status_label:N", title=t("status", lang)),
                alt.Tooltip("value_text:N", title=t("value", lang)),
            ],
        },
    )
    render.chart(grid)
    wide = labelled.pivot_table(index="county", columns="indicator", values="symbol", aggfunc="first")
    wide = wide.reindex(index=order, columns=[i.short(lang) for i in cat.indicators])
    wide = wide.rename_axis(index=t("county", lang), columns=None).reset_index()
    render.table(wide, caption=t("table_of_chart", lang), lang=lang)
