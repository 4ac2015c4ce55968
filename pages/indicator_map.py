"""指标地图 Indicator map: one indicator across counties — map, ranked bars with the target, and a table, in sync."""

import altair as alt
import streamlit as st

from analytics import charts, insights
from analytics.i18n import t
from analytics.provenance import provenance_text
from ui import render
from ui.loaders import catalog, regions
from ui.url_state import current, keep, write_url

SHOWS = ["value", "status", "gap", "shortfall", "progress", "trajectory"]

ctx = current()
lang, cat, regs = ctx.lang, catalog(), regions()
render.banner(ctx)

# --- controls ----------------------------------------------------------------------------------
ids = cat.ids
ind_key = keep("indicator", ids[0], ids)
show_key = keep("map_show", "value", SHOWS)
c1, c2 = st.columns([3, 2])
with c1:
    ind_id = st.selectbox(
        t("indicator", lang),
        ids,
        key=ind_key,
        format_func=lambda i: f"{cat.domain(cat[i].domain).name(lang)} · {cat[i].name(lang)}",
    )
with c2:
    show = st.radio(
        t("show", lang), SHOWS, key=show_key, horizontal=True, format_func=lambda s: t(f"show_{s}", lang)
    )
st.session_state["indicator"], st.session_state["map_show"] = ind_id, show
write_url(ctx, ind=ind_id, show=show)
ind = cat[ind_id]
target_label = insights.target_text(ctx.profile, ind, lang)
st.title(t("map_title", lang, indicator=ind.name(lang), region=ctx.region_name, year=ctx.year))
st.caption(t("target_caption", lang, target=target_label, profile=ctx.profile.name(lang)))
if ind.applies_where:  # indicator 22 counts only counties with community rehabilitation (indicator 21)
    st.caption(t("applies_where_note", lang, condition=cat[ind.applies_where].name(lang)))
region_rows = ctx.region_rows()
for note in insights.reported_notes(region_rows[region_rows["indicator_id"] == ind_id], cat, ctx.region_name, lang):
    st.caption(note)  # the region's figure reported by a department; counties its sum leaves out


render.back_to_province_button(ctx)

# --- data --------------------------------------------------------------------------------------
rows = insights.indicator_table(ctx.level_rows("county"), ctx.progress(), cat, ctx.profile, ind, regs, lang)
rows["prefecture"] = regs.names([regs.prefecture_of(c) for c in rows["region_code"]])
rows["gap_text"] = [insights.format_number(g, ind.decimals) for g in rows["gap"]]
rows = provenance_text(rows, lang)  # each county's data version and department (imported data)
if rows["value"].notna().sum() == 0:
    st.info(t("no_data_here", lang))

labels = insights.status_labels(lang)
target = float(ctx.profile.targets[ind_id].threshold)
legend_title = t("legend_with_target", lang, show=t(f"show_{show}", lang), target=target_label)
color = charts.indicator_color(
    show,
    rows["value"],
    target,
    legend_title,
    {
        "status": labels,
        "progress": {k: t(f"progress_{k}", lang) for k in charts.PROGRESS_COLORS},
        "trajectory": {k: t(f"trajectory_{k}", lang) for k in charts.TRAJECTORY_COLORS},
    },
)

tooltip = [
    alt.Tooltip("region_name:N", title=t("county", lang)),
    alt.Tooltip("prefecture:N", title=t("prefecture", lang)),
    alt.Tooltip("value_text:N", title=t("value", lang)),
    alt.Tooltip("target_text:N", title=t("target", lang)),
    alt.Tooltip("status_label:N", title=t("status", lang)),
    alt.Tooltip("gap_text:N", title=t("gap", lang)),
    alt.Tooltip("shortfall_text:N", title=t("shortfall", lang)),
    alt.Tooltip("progress_label:N", title=t("show_progress", lang)),
    alt.Tooltip("trajectory_label:N", title=t("show_trajectory", lang)),
]
if not ctx.is_demo:
    tooltip += [
        alt.Tooltip("version_text:N", title=t("provenance.version_column", lang)),
        alt.Tooltip("department_text:N", title=t("provenance.department_column", lang)),
    ]
# --- map + ranked bars + table -----------------------------------------------------------------
map_spec = render.region_map(ctx, rows, color=color, tooltip=tooltip)
map_col, bar_col = (st.container(), st.container()) if ctx.national else st.columns([3, 2])
with map_col:
    event = render.chart(map_spec, key="indicator_map", selectable=True)
    st.caption(t("click_hint", lang))
    render.map_caption(ctx)
    if show in ("progress", "trajectory"):
        method = t("method_progress" if show == "progress" else "method_trajectory", lang)
        st.caption(
            t(
                "method_note",
                lang,
                method=method,
                years=insights.method_years(ctx.progress(), ctx.profile.target_year, ind_id),
            )
        )
with bar_col:
    st.subheader(t("rank_title", lang))
    ranked = rows[rows["value"].notna()]
    if ctx.national:  # thousands of bars do not help anyone: the 40 lowest and a table of all
        ranked = ranked.nsmallest(40, "value")
    bars = charts.ranked_bars(
        ranked.assign(label=ranked["region_name"] + " " + ranked["symbol"]),
        value="value",
        label="label",
        color=charts.status_color("status_label", labels, t("status", lang), legend=False),
        target=target,
        tooltip=tooltip,
        x_title=t("bracketed", lang, text=ind.short(lang), note=ind.unit_in(lang)),
        selection_name="bar",
    )
    bar_event = render.chart(bars, key="indicator_bars", selectable=True)

render.open_profile(render.selected_code(event, "county") or render.selected_code(bar_event, "bar"))

table = rows.sort_values("value", na_position="last")[
    [
        "region_name",
        "prefecture",
        "value_text",
        "status_label",
        "gap_text",
        "shortfall_text",
        "progress_label",
        "trajectory_label",
        *([] if ctx.is_demo else ["version_text", "department_text"]),
    ]
]
render.table(
    table.rename(
        columns={
            "region_name": t("county", lang),
            "prefecture": t("prefecture", lang),
            "value_text": t("value", lang),
            "status_label": t("status", lang),
            "gap_text": t("gap", lang),
            "shortfall_text": t("shortfall", lang),
            "progress_label": t("show_progress", lang),
            "trajectory_label": t("show_trajectory", lang),
            "version_text": t("provenance.version_column", lang),
            "department_text": t("provenance.department_column", lang),
        }
    ),
    caption=t("table_of_chart", lang),
    lang=lang,
)
