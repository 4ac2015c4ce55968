"""指标地图 Indicator map: one indicator across counties — map, ranked bars with the target, and a table, in sync."""

from functools import partial

import streamlit as st

from analytics import figures, insights
from analytics.i18n import t
from ui import render
from ui.downloads import figure_downloads, file_stem
from ui.guard import page_body
from ui.loaders import catalog
from ui.meeting import meeting_of
from ui.url_state import current, keep, write_url

SHOWS = list(figures.SHOWS)
PICK = "w_map_pick"  # the county picked beside the map (or by a click on its table row)
VIEW, VIEWS = "w_map_view", ("table", "distribution", "funnel")  # the tabs under the map, the table first


def pick_from_table(codes: list[str]) -> None:
    """A row clicked in the table becomes the picked county."""
    chosen = st.session_state["indicator_table"].selection.rows
    st.session_state[PICK] = codes[chosen[0]] if chosen else None


def body() -> None:
    """The page, run as a fragment (ui.guard.page_body): a change of the indicator, the mode, a tab or the picked
    county reruns only this."""
    ctx = current()
    lang, cat = ctx.lang, catalog()
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
        show = st.selectbox(t("show", lang), SHOWS, key=show_key, format_func=lambda s: t(f"show_{s}", lang))
    st.session_state["indicator"], st.session_state["map_show"] = ind_id, show
    write_url(ctx, ind=ind_id, show=show)
    ind = cat[ind_id]
    target_label = insights.target_text(ctx.profile, ind, lang)
    st.title(t("map_title", lang, indicator=ind.name(lang), region=ctx.region_name, year=ctx.year))
    st.caption(t("target_caption", lang, target=target_label, profile=ctx.profile.name(lang)))
    if ind.applies_where:  # indicator 22 counts only counties with community rehabilitation (indicator 21)
        st.caption(t("applies_where_note", lang, condition=cat[ind.applies_where].name(lang)))
    region_rows = ctx.region_rows()
    own = insights.region_values(region_rows[region_rows["indicator_id"] == ind_id], cat, ctx.profile, lang)
    if len(
        own
    ):  # the region's own figure, its status and the counties it rests on (a shortfall of coverage shows)
        st.caption(t("region_value_line", lang, region=ctx.region_name, **own.iloc[0].to_dict()))
    for note in insights.reported_notes(
        region_rows[region_rows["indicator_id"] == ind_id], cat, ctx.region_name, lang
    ):
        st.caption(note)  # the region's figure reported by a department; counties its sum leaves out

    render.back_to_province_button(ctx)

    # --- data --------------------------------------------------------------------------------------
    meeting = meeting_of(ctx)
    rows = figures.indicator_rows(meeting, ind_id)  # with each county's data version and department
    if rows["value"].notna().sum() == 0:
        st.info(t("no_data_here", lang))

    # --- the picked county: ringed on the map, outlined in the bars, highlighted in the table (keyboard too) ---
    names = dict(zip(rows["region_code"], rows["prefecture"] + " · " + rows["region_name"], strict=True))
    picked = render.picked_county(names, PICK)

    # --- map + ranked bars + table -----------------------------------------------------------------
    map_col, bar_col = (st.container(), st.container()) if ctx.national else st.columns([3, 2])
    with map_col:
        map_spec = figures.indicator_map(meeting, ind_id, show, rows=rows, highlight=picked or "")
        render.chart(map_spec, key="indicator_map", on_select=render.map_click(ctx, "indicator_map"))
        render.map_click_hint(ctx)
        render.county_picker(names, PICK, lang)
        figure_downloads(
            lambda: figures.indicator_map(meeting, ind_id, show, rows=rows, inline=True),
            stem=file_stem(meeting, ind_id, show),
            lang=lang,
            key="dl_map",
        )
    with bar_col:
        bars = figures.ranked_bars(meeting, ind_id, rows=rows, highlight=picked)
        render.chart(bars, key="indicator_bars", on_select=render.profile_click("indicator_bars", "bar"))
        st.caption(t("click_hint", lang))
        figure_downloads(
            lambda: figures.ranked_bars(meeting, ind_id, rows=rows),
            stem=file_stem(meeting, ind_id, "ranked"),
            lang=lang,
            key="dl_bars",
        )

    # --- below: the table, the counties' spread by prefecture (province) with the target, the funnel plot ------------
    # one at a time, and only the open one is built and sent: an indicator change repaints the map sooner
    # (benchmarks/RESULTS.md)
    views = render.lazy_tabs({v: t(f"map_view_{v}", lang) for v in VIEWS}, VIEW)
    with views["distribution"]:
        if views["distribution"].open:
            render.chart(figures.distribution(meeting, ind_id, rows=rows), key="indicator_distribution")
            figure_downloads(
                lambda: figures.distribution(meeting, ind_id, rows=rows),
                stem=file_stem(meeting, ind_id, "distribution"),
                lang=lang,
                key="dl_distribution",
            )

    with views[
        "funnel"
    ]:  # how far each county is from the target for its size (not for a county's 1/0 status)
        if views["funnel"].open:
            funnel = figures.funnel(meeting, ind_id, rows=rows)
            if funnel is None:
                st.caption(t("funnel.not_applicable", lang))
            else:
                render.chart(funnel, key="indicator_funnel")
                figure_downloads(
                    lambda: figures.funnel(meeting, ind_id, rows=rows),
                    stem=file_stem(meeting, ind_id, "funnel"),
                    lang=lang,
                    key="dl_funnel",
                )

    with views["table"]:  # every county: value, interval, status, gap …; a click on a row picks the county
        if views["table"].open:
            ordered = rows.sort_values("value", na_position="last")
            table = ordered[
                [
                    "region_name",
                    "prefecture",
                    "value_text",
                    "interval_text",
                    "status_label",
                    "certainty_label",
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
                        "interval_text": t("interval", lang),
                        "certainty_label": t("certainty", lang),
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
                picked=ordered["region_code"].eq(picked),
                key="indicator_table",
                on_select=partial(pick_from_table, list(ordered["region_code"])),
                selection_mode="single-row",
                lazy=False,  # selections and the picked row's style need the rows in the browser
            )


page_body(body)
