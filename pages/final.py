"""终期评估 Final evaluation: in the plan's target year, each indicator's baseline and final value for the region
and one level down, met or not at the end, progress status and counties meeting it, and a paragraph per area."""

import streamlit as st

from analytics import figures
from analytics.cells import formula_safe
from analytics.errors import AtlasError
from analytics.i18n import t
from ui import render
from ui.downloads import figure_downloads, file_stem
from ui.loaders import final_evaluation
from ui.meeting import meeting_of
from ui.url_state import current, write_url

ctx = current()
lang = ctx.lang
write_url(ctx)
target_year = ctx.profile.target_year
year = target_year if target_year in ctx.years else None  # else the newest year, said in a note
try:
    ev = final_evaluation(ctx.data_key, ctx.province, ctx.profile_key, ctx.region, year, lang)
except AtlasError as exc:  # no data to evaluate (an empty store): said, not raised
    render.header(ctx, t("page_final", lang))
    st.info(render.escape_markdown(exc.message(lang)))
    st.stop()
render.header(ctx, t("final.page_title", lang, region=ctx.region_name, year=ev.year))
st.caption(t("final.page_help", lang, baseline=ev.baseline_year))
if ev.year_note:
    st.info(ev.year_note)

# --- the region's paragraph, then indicators met at baseline and at the end (chart + table) ------------------
st.markdown(render.escape_markdown(ev.paragraph(ev.region_code)))
summary = ev.summary
left, right = st.columns([1, 1])
with left:
    meeting = meeting_of(ctx)
    render.chart(figures.final_met_change(meeting, ev), key="final_chart")
    figure_downloads(
        lambda: figures.final_met_change(meeting, ev),
        stem=file_stem(meeting, "final"),
        lang=lang,
        key="dl_final",
    )
with right:
    render.table(
        summary[
            ["region_name", "n_met_baseline", "n_met", "n_not_met", "n_no_data", "n_improved", "n_worse"]
        ].rename(
            columns={
                "region_name": t("final.col_region", lang),
                "n_met_baseline": t("final.col_met_baseline", lang),
                "n_met": t("final.col_met", lang),
                "n_not_met": t("final.col_not_met", lang),
                "n_no_data": t("final.col_no_data", lang),
                "n_improved": t("final.col_improved", lang),
                "n_worse": t("final.col_worse", lang),
            }
        ),
        lang=lang,
    )

# --- one area's 25 indicators ----------------------------------------------------------------------------------
names = dict(zip(summary["region_code"], summary["region_name"], strict=True))
unit = st.selectbox(
    t("final.choose_unit", lang), list(names), key="w_final_unit", format_func=lambda c: names[c]
)
rows = ev.indicators[ev.indicators["region_code"] == unit]
st.subheader(t("final.indicators_of", lang, region=names[unit]))
render.table(
    rows.assign(
        counties=[
            f"{m}/{n}" if n else "" for m, n in zip(rows["n_counties_met"], rows["n_counties"], strict=True)
        ]
    )[
        [
            "indicator_name",
            "baseline_text",
            "final_text",
            "target_text",
            "status_label",
            "change_text",
            "progress_label",
            "counties",
            "shortfall_text",
        ]
    ].rename(
        columns={
            "indicator_name": t("indicator", lang),
            "baseline_text": t("final.col_baseline", lang),
            "final_text": t("final.col_final", lang),
            "target_text": t("target", lang),
            "status_label": t("status", lang),
            "change_text": t("final.col_change", lang),
            "progress_label": t("show_progress", lang),
            "counties": t("final.col_counties", lang),
            "shortfall_text": t("shortfall", lang),
        }
    ),
    lang=lang,
    height=400,
)
st.download_button(
    t("final.download", lang),
    ev.indicators.map(formula_safe).to_csv(index=False).encode("utf-8-sig"),  # no cell runs as a formula
    file_name=f"final-{ctx.region}-{ev.year}.csv",
    mime="text/csv",
    key="dl_csv_final",
)

# --- a paragraph per area ------------------------------------------------------------------------------------
st.subheader(t("final.paragraphs", lang))
for text in ev.paragraphs.loc[~ev.paragraphs["is_region"], "paragraph"]:
    st.markdown(render.escape_markdown(text))
