"""区县画像 County profile: all 25 indicators against the target, prefecture and province; trends; words."""

import altair as alt
import streamlit as st

from analytics import charts, insights
from analytics.i18n import t
from analytics.provenance import indicator_provenance, provenance_text
from ui import render
from ui.loaders import catalog, regions
from ui.url_state import current, keep, write_url

ctx = current()
lang, cat, regs = ctx.lang, catalog(), regions()
render.banner(ctx)

counties = ctx.counties()
codes = list(counties["code"])
county_key = keep("county", codes[0], codes)
county = st.selectbox(
    t("choose_county", lang),
    codes,
    key=county_key,
    format_func=lambda c: (
        f"{regs.name(regs.prefecture_of(c))} · {regs.name(c)}" if regs.prefecture_of(c) != c else regs.name(c)
    ),
)
st.session_state["county"] = county
write_url(ctx, county=county)

# --- breadcrumb: province › prefecture › county (each a way back up) ----------------------------
path = regs.path(county)


def go_to(province: str, prefecture: str) -> None:
    st.session_state["province"], st.session_state["prefecture"] = province, prefecture


crumbs = st.columns([1, 1, 3])
for col, region in zip(crumbs, path[:-1], strict=False):
    prefecture = "" if region.level == "province" else region.code
    if col.button(
        f"{region.name} ›",
        key=f"crumb_{region.code}",
        on_click=go_to,
        args=(region.province_code, prefecture),
    ):
        st.switch_page("pages/overview.py")
st.title(t("profile_title", lang, county=path[-1].name))

# --- data --------------------------------------------------------------------------------------
this_year = {
    level: ctx.all_years(level)[lambda d: d["year"] == ctx.year]
    for level in ("county", "prefecture", "province")
}
table = insights.profile_table(
    county,
    this_year["county"],
    this_year["prefecture"],
    this_year["province"],
    ctx.progress(),
    cat,
    ctx.profile,
    regs,
    lang,
)
# each county value's data version and department (imported data)
table = provenance_text(indicator_provenance(table, this_year["county"], county), lang)
met = int((table["status"] == "met").sum())
st.metric(path[-1].name, t("headline_met", lang, met=met, total=len(cat)), border=True)

strengths, gaps = insights.strengths_and_gaps(table, cat, lang)
left, right = st.columns(2)
with left:
    st.subheader(t("strengths", lang))
    st.markdown("\n".join(f"- ✓ {s}" for s in strengths) or t("none", lang))
with right:
    st.subheader(t("gaps_to_close", lang))
    st.markdown("\n".join(f"- ✗ {g}" for g in gaps) or t("none", lang))

# --- bullets: county vs target, prefecture, province --------------------------------------------
st.subheader(t("vs_target", lang))
st.caption(t("bullet_legend", lang))
labels = insights.status_labels(lang)
tooltip = [
    alt.Tooltip("indicator_name:N", title=t("indicator", lang)),
    alt.Tooltip("value_text:N", title=t("county_value", lang)),
    alt.Tooltip("target_text:N", title=t("target", lang)),
    alt.Tooltip("prefecture_text:N", title=t("prefecture_value", lang)),
    alt.Tooltip("province_text:N", title=t("province_value", lang)),
    alt.Tooltip("status_label:N", title=t("status", lang)),
    alt.Tooltip("trajectory_label:N", title=t("show_trajectory", lang)),
]
shown = ["indicator", "value_text", "target_text", "status_label", "shortfall_text", "trajectory_label"]
shown += ["prefecture_text", "province_text"]
if not ctx.is_demo:
    tooltip += [
        alt.Tooltip("version_text:N", title=t("provenance.version_column", lang)),
        alt.Tooltip("department_text:N", title=t("provenance.department_column", lang)),
    ]
    shown += ["version_text", "department_text"]
bullet_col, table_col = st.columns([3, 2])
with bullet_col:
    render.chart(
        charts.bullet_chart(
            table,
            titles={
                "status": t("status", lang),
                "status_scale": charts.status_scale(labels),
                "tooltip": tooltip,
                "order": list(table["indicator"]),
            },
        )
    )
with table_col:
    render.table(
        table[shown].rename(
            columns={
                "indicator": t("indicator", lang),
                "value_text": t("county_value", lang),
                "target_text": t("target", lang),
                "status_label": t("status", lang),
                "shortfall_text": t("shortfall", lang),
                "trajectory_label": t("show_trajectory", lang),
                "prefecture_text": t("prefecture_value", lang),
                "province_text": t("province_value", lang),
                "version_text": t("provenance.version_column", lang),
                "department_text": t("provenance.department_column", lang),
            }
        ),
        height=900,
        lang=lang,
    )
# the prefecture's and province's figures: which the department reported, which counties the sums leave out
for level, region in (("prefecture", path[-2]), ("province", path[0])):
    if region.level == level:
        rows = this_year[level][this_year[level]["region_code"].astype(str) == region.code]
        for note in insights.reported_notes(rows, cat, region.name, lang):
            st.caption(note)

# --- trends with projection to the target year ---------------------------------------------------
st.subheader(t("trends", lang))
trend = insights.trend_frame(
    ctx.all_years("county")[lambda d: d["year"] <= ctx.year], ctx.progress(), county, cat, lang
)
render.chart(
    charts.trend_chart(
        trend,
        titles={
            "order": [i.short(lang) for i in cat.indicators],
            "tooltip": [
                alt.Tooltip("indicator:N", title=t("indicator", lang)),
                alt.Tooltip("year:O", title=t("year", lang)),
                alt.Tooltip("value:Q", title=t("value", lang), format=".1f"),
                alt.Tooltip("series_label:N", title=""),
                alt.Tooltip("target:Q", title=t("target", lang)),
            ],
        },
    )
)
st.caption(
    t(
        "method_note",
        lang,
        method=t("method_trajectory", lang),
        years=insights.method_years(
            ctx.progress()[lambda d: d["region_code"].astype(str) == county], ctx.profile.target_year
        ),
    )
)
wide = trend[trend["series"] == "observed"].pivot_table(
    index="indicator", columns="year", values="value", aggfunc="first"
)
wide.columns = [str(c) for c in wide.columns]  # one type of column name for the table
render.table(
    wide.reindex([i.short(lang) for i in cat.indicators]).rename_axis(t("indicator", lang)).reset_index(),
    caption=t("table_of_chart", lang),
    lang=lang,
)
