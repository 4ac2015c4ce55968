"""差异分析 Disparities: districts against counties, autonomous areas against the rest (by sums, with 95 %
intervals), how each gap moved since 2020, and the highest and lowest prefecture — one indicator at a time."""

import streamlit as st

from analytics import disparities, figures
from analytics.i18n import t
from ui import render
from ui.downloads import figure_downloads, file_stem
from ui.loaders import catalog, disparity_frame
from ui.meeting import meeting_of
from ui.url_state import current, keep, write_url

ctx = current()
lang, cat = ctx.lang, catalog()
render.banner(ctx)
ids = cat.ids
ind_id = st.selectbox(
    t("indicator", lang),
    ids,
    key=keep("indicator", ids[0], ids),
    format_func=lambda i: f"{cat.domain(cat[i].domain).name(lang)} · {cat[i].name(lang)}",
)
st.session_state["indicator"] = ind_id
write_url(ctx, ind=ind_id)
st.title(t("disparities.page_title", lang, region=ctx.region_name, year=ctx.year))
st.caption(t("disparities.page_help", lang))

frame = disparity_frame(ctx.data_key, ctx.province, ctx.profile_key, ctx.region, ctx.year, ind_id)
meeting = meeting_of(ctx)

# --- the two comparisons this year: each group by sums, the difference and ratio with 95 % intervals ------
shown = disparities.display_rows(frame, ctx.year, cat, lang)
render.table(
    shown.drop(columns=["indicator", "group_a", "group_b"]).rename(  # the comparison names both, A first
        columns={
            "comparison": t("disparities.col_comparison", lang),
            "value_a": t("disparities.col_value", lang),
            "counties_a": t("disparities.col_counties", lang),
            "value_b": t("disparities.col_value_b", lang),
            "counties_b": t("disparities.col_counties_b", lang),
            "difference": t("disparities.col_difference", lang),
            "ratio": t("disparities.col_ratio", lang),
        }
    ),
    lang=lang,
)

# --- the gap since 2020 ---------------------------------------------------------------------------------
chart_col, table_col = st.columns([3, 2])
with chart_col:
    render.chart(figures.gap_trend(meeting, ind_id, frame), key="gap_trend")
    figure_downloads(
        lambda: figures.gap_trend(meeting, ind_id, frame),
        stem=file_stem(meeting, ind_id, "gap-trend"),
        lang=lang,
        key="dl_gap_trend",
    )
with table_col:
    gaps = figures.gap_rows(meeting, frame)
    gaps["gap"] = [disparities.number_text(g, cat[ind_id].decimals, sign=True) for g in gaps["difference"]]
    wide = gaps.pivot_table(index="comparison", columns="year", values="gap", aggfunc="first")
    render.table(
        wide.rename_axis(t("disparities.gap_legend", lang)).reset_index(),
        caption=t("table_of_chart", lang),
        lang=lang,
    )

# --- the spread one level below the region ---------------------------------------------------------------
spread = frame[~frame["comparison"].isin(list(disparities.COMPARISONS))]
for row in spread.itertuples():
    ind = cat[row.indicator_id]
    d, unit = ind.decimals, ind.unit_in(lang)
    st.subheader(disparities.comparison_label(row.comparison, lang))
    st.text(
        t(
            "disparities.spread_text",
            lang,
            high_name=row.name_a or "—",
            high=disparities.value_text(row.value_a, row.low_a, row.high_a, d, unit, lang),
            low_name=row.name_b or "—",
            low=disparities.value_text(row.value_b, row.low_b, row.high_b, d, unit, lang),
            difference=disparities.number_text(row.difference, d),
            ratio=disparities.number_text(row.ratio, disparities.RATIO_DECIMALS),
        )
    )
