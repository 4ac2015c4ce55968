"""The 情景推演 page's trajectory maps: each county's trajectory to the target year at today's pace and with the
scenario, side by side, each with its counts table and the method note."""

from __future__ import annotations

import altair as alt
import streamlit as st

from analytics import charts, insights, scenarios
from analytics.i18n import t
from ui import render


def trajectory_pair(ctx, county, view: scenarios.ScenarioView, ind_id: str, *, catalog) -> None:
    """`county`: the scenario's county rows of the indicator (region_code, region_name)."""
    lang, cat = ctx.lang, catalog
    st.subheader(t("trajectory_title", lang, year=ctx.profile.target_year))
    traj_labels = {k: t(f"trajectory_{k}", lang) for k in charts.TRAJECTORY_COLORS}
    traj_scale = charts.categorical_scale(charts.TRAJECTORY_COLORS, traj_labels)
    cols = st.columns(2)
    for col, label, with_view in zip(cols, ("todays_pace", "with_adjustment"), (None, view), strict=True):
        prog = scenarios.trajectory_with(
            ctx.all_years("county"),
            with_view,
            catalog=cat,
            profile=ctx.profile,
            year=ctx.year,
            indicator_id=ind_id,
        )
        rows = county[["region_code", "region_name"]].merge(
            prog[["region_code", "trajectory"]], on="region_code", how="left"
        )
        rows["trajectory_label"] = rows["trajectory"].fillna("no_data").map(traj_labels)
        rows["symbol"] = rows["trajectory_label"].str[0]
        spec = render.region_map(
            ctx,
            rows,
            color=alt.Color(
                "trajectory_label:N",
                scale=traj_scale,
                title=t(label, lang),
                legend=alt.Legend(orient="bottom", columns=2),
            ),
            tooltip=[
                alt.Tooltip("region_name:N", title=t("county", lang)),
                alt.Tooltip("trajectory_label:N", title=t("show_trajectory", lang)),
            ],
        )
        with col:
            st.markdown(f"**{t(label, lang)}**")
            render.chart(spec, key=f"trajectory_{label}")
            counts_by_trajectory = rows["trajectory_label"].value_counts().rename(t("counties_count", lang))
            render.table(
                counts_by_trajectory.rename_axis(t("show_trajectory", lang)).reset_index(), lang=lang
            )
    st.caption(
        t(
            "method_note",
            lang,
            method=t("method_trajectory", lang),
            years=insights.method_years(ctx.progress(), ctx.profile.target_year, ind_id),
        )
    )
