"""The 情景推演 page's map pairs: each county's status before and after the scenario, or its trajectory to the
target year at today's pace and with the scenario, side by side, each with its download buttons."""

from __future__ import annotations

import streamlit as st

from analytics import figures, scenarios
from analytics.i18n import t
from analytics.meeting import Meeting
from ui import render
from ui.downloads import figure_downloads, file_stem


def status_pair(
    meeting: Meeting,
    county,
    ind_id: str,
    picked: list[str] | None,
    before_key: str,
    notes: list[str] = (),
) -> None:
    """`county`: the scenario's county rows of the indicator; `picked`: the chosen counties, ringed on the
    "before" map, whose clicks (under `before_key`) choose or unchoose a county; `notes`: the steps in words."""
    lang = meeting.lang
    for col, side in zip(st.columns(2), ("before", "after"), strict=True):
        highlight = picked if side == "before" else None

        def build(side=side, highlight=highlight, inline=False):
            return figures.scenario_map(
                meeting, county, ind_id, side, highlight=highlight, inline=inline, notes=notes
            )

        with col:
            if side == "before":
                render.chart(build(), key=before_key, selectable=True)
            else:
                render.chart(build(), key="scenario_map_after")
            figure_downloads(
                lambda build=build: build(inline=True),
                stem=file_stem(meeting, ind_id, "what-if", side),
                lang=lang,
                key=f"dl_scenario_{side}",
            )


def trajectory_pair(
    meeting: Meeting, county, view: scenarios.ScenarioView, ind_id: str, notes: list[str] = ()
) -> None:
    """`county`: the scenario's county rows of the indicator (region_code, region_name)."""
    lang = meeting.lang
    for col, side, with_view in zip(
        st.columns(2), ("todays_pace", "with_adjustment"), (None, view), strict=True
    ):
        rows = figures.trajectory_rows(meeting, county, ind_id, with_view)
        spec = figures.trajectory_map(meeting, county, ind_id, with_view, rows=rows, notes=notes)
        with col:
            render.chart(spec, key=f"trajectory_{side}")
            figure_downloads(
                lambda with_view=with_view, rows=rows: figures.trajectory_map(
                    meeting, county, ind_id, with_view, rows=rows, notes=notes, inline=True
                ),
                stem=file_stem(meeting, ind_id, "trajectory", side),
                lang=lang,
                key=f"dl_trajectory_{side}",
            )
            counts = rows["trajectory_label"].value_counts().rename(t("counties_count", lang))
            render.table(counts.rename_axis(t("show_trajectory", lang)).reset_index(), lang=lang)
