"""区县画像 County profile: all 25 indicators against the target, prefecture and province; trends; words."""

import streamlit as st

from analytics import figures, insights, peers
from analytics.errors import AtlasError
from analytics.i18n import t
from ui import render
from ui.downloads import figure_downloads, file_stem
from ui.loaders import catalog, regions
from ui.meeting import meeting_of
from ui.url_state import current, keep, write_url

VIEW, VIEWS = "w_profile_view", ("peers", "trends")  # the tabs under the bullets, the peers first
TAB_LABELS = {"peers": "peers.section", "trends": "profile_view_trends"}

ctx = current()
lang, cat, regs = ctx.lang, catalog(), regions()
render.banner(ctx)

counties = ctx.counties()
codes = list(counties["code"])
county_key = keep("county", codes[0], codes)
# "prefecture · county" for each option, looked up once for all counties (not twice per option per rerun)
prefectures = regs.prefectures_of(codes)
labels = {
    c: f"{p_name} · {c_name}" if p != c else c_name
    for c, p, c_name, p_name in zip(
        codes, prefectures, regs.names(codes), regs.names(prefectures), strict=True
    )
}
county = st.selectbox(t("choose_county", lang), codes, key=county_key, format_func=labels.get)
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
meeting = meeting_of(ctx)
this_year = {
    level: ctx.all_years(level)[lambda d: d["year"] == ctx.year] for level in ("prefecture", "province")
}
# all 25 indicators against the target, prefecture and province, with each value's data version and department
table = figures.bullet_rows(meeting, county)
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
shown = ["indicator", "value_text", "interval_text", "target_text", "status_label", "certainty_label"]
shown += ["shortfall_text", "trajectory_label"]
shown += ["prefecture_text", "province_text", *([] if ctx.is_demo else ["version_text", "department_text"])]
bullet_col, table_col = st.columns([3, 2])
with bullet_col:
    render.chart(figures.bullets(meeting, county, rows=table))
    stem = file_stem(meeting, county, "vs-target")
    figure_downloads(
        lambda: figures.bullets(meeting, county, rows=table), stem=stem, lang=lang, key="dl_bullets"
    )
with table_col:
    render.table(
        table[shown].rename(
            columns={
                "indicator": t("indicator", lang),
                "value_text": t("county_value", lang),
                "target_text": t("target", lang),
                "status_label": t("status", lang),
                "interval_text": t("interval", lang),
                "certainty_label": t("certainty", lang),
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

# --- below: the peers (the counties of the province most alike in size and urbanisation), and the trends with
# their projection to the target year; one at a time, only the open one built and sent: a click on a county paints
# its profile sooner (the trends' 25 small charts took a third of it, benchmarks/RESULTS.md)
views = render.lazy_tabs({v: t(TAB_LABELS[v], lang) for v in VIEWS}, VIEW)
with views["peers"]:
    if views["peers"].open:
        try:
            near = peers.peers(regs, county)
        except AtlasError as exc:  # no census population or urban share for this county
            st.info(render.escape_markdown(exc.message(lang)))
        else:
            st.caption(
                t("peers.section_help", lang, n=len(near), pool=peers.peer_pool_size(regs, county) - 1)
            )
            county_rows = ctx.all_years("county")
            comparison = peers.peer_comparison(
                county_rows[county_rows["year"] == ctx.year], cat, county, list(near["region_code"])
            )
            peer_col, compare_col = st.columns([2, 3])
            with peer_col:
                render.table(
                    near.assign(
                        population=near["population"].map("{:,.0f}".format),
                        urban_share=(near["urban_share"] * 100).map("{:.1f}%".format),
                        distance=near["distance"].map("{:.2f}".format),
                    )[["region_name", "prefecture", "population", "urban_share", "distance"]].rename(
                        columns={
                            "region_name": t("county", lang),
                            "prefecture": t("prefecture", lang),
                            "population": t("peers.population", lang),
                            "urban_share": t("peers.urban_share", lang),
                            "distance": t("peers.distance", lang),
                        }
                    ),
                    lang=lang,
                )
            with compare_col:
                render.table(
                    insights.peer_table(comparison, cat, ctx.profile, lang).rename(
                        columns={
                            "indicator": t("indicator", lang),
                            "value_text": t("county_value", lang),
                            "status_label": t("status", lang),
                            "median_text": t("peers.median", lang),
                            "peers_met_text": t("peers.met", lang),
                            "rank_text": t("peers.rank_column", lang),
                        }
                    ),
                    height=420,
                    lang=lang,
                )

with views["trends"]:
    if views["trends"].open:
        trend = figures.trend_rows(meeting, county)
        render.chart(figures.trends(meeting, county, rows=trend))
        stem = file_stem(meeting, county, "trends")
        figure_downloads(
            lambda: figures.trends(meeting, county, rows=trend), stem=stem, lang=lang, key="dl_trends"
        )
        wide = trend[trend["series"] == "observed"].pivot_table(
            index="indicator", columns="year", values="value", aggfunc="first"
        )
        wide.columns = [str(c) for c in wide.columns]  # one type of column name for the table
        render.table(
            wide.reindex([i.short(lang) for i in cat.indicators])
            .rename_axis(t("indicator", lang))
            .reset_index(),
            caption=t("table_of_chart", lang),
            lang=lang,
        )
