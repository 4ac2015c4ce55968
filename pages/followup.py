"""督办清单 Follow-up list: every indicator not met by the region or one of its prefectures, under each lead
department, with the shortfall, the trajectory and the counties furthest behind."""

import streamlit as st

from analytics import followup
from analytics.cells import formula_safe
from analytics.errors import AtlasError
from analytics.i18n import t
from ui import render
from ui.loaders import followup_frame
from ui.url_state import current, write_url

ctx = current()
lang = ctx.lang
write_url(ctx)
render.header(ctx, t("followup.page_title", lang, region=ctx.region_name, year=ctx.year))
st.caption(t("followup.page_help", lang, region=ctx.region_name))

try:
    table = followup_frame(ctx.data_key, ctx.province, ctx.profile_key, ctx.region, ctx.year, lang)
except AtlasError as exc:  # no data for the year (an empty store): said, not raised
    st.info(render.escape_markdown(exc.message(lang)))
    st.stop()
if table.empty:
    st.success(t("followup.nothing", lang, region=ctx.region_name, year=ctx.year))
    st.stop()

# --- one line per department: how much it is asked to follow up ------------------------------------------
summary = followup.department_summary(table, lang)
render.table(
    summary[
        [
            "department",
            "n_indicators",
            "n_region_not_met",
            "n_subregion_not_met",
            "n_off_track",
            "shortfall_totals",
        ]
    ].rename(
        columns={
            "department": t("followup.col_department", lang),
            "n_indicators": t("followup.col_indicators", lang),
            "n_region_not_met": t("followup.col_region_not_met", lang, region=ctx.region_name),
            "n_subregion_not_met": t("followup.col_subregion_not_met", lang),
            "n_off_track": t("followup.col_off_track", lang),
            "shortfall_totals": t("followup.col_shortfall_total", lang),
        }
    ),
    lang=lang,
)
st.download_button(
    t("followup.download", lang),
    table.map(formula_safe).to_csv(index=False).encode("utf-8-sig"),  # no cell runs as a formula
    file_name=f"followup-{ctx.region}-{ctx.year}.csv",
    mime="text/csv",
    key="dl_followup_csv",
)

# --- each department's list --------------------------------------------------------------------------------
departments = list(summary["department"])
chosen = st.selectbox(
    t("followup.choose_department", lang),
    ["", *departments],
    key="w_followup_department",
    format_func=lambda d: d or t("followup.all_departments", lang),
)
for department in [chosen] if chosen else departments:
    rows = table[table["department"] == department]
    st.subheader(department)
    render.table(
        rows[
            [
                "indicator_name",
                "region_name",
                "value_text",
                "target_text",
                "shortfall_text",
                "trajectory_label",
            ]
        ]
        .assign(worst=rows["worst_counties"])
        .rename(
            columns={
                "indicator_name": t("indicator", lang),
                "region_name": t("region", lang),
                "value_text": t("value", lang),
                "target_text": t("target", lang),
                "shortfall_text": t("shortfall", lang),
                "trajectory_label": t("show_trajectory", lang),
                "worst": t("followup.col_worst", lang),
            }
        ),
        lang=lang,
    )
