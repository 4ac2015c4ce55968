"""Rendering pieces every page uses: demo banner, chart + data table side by side, map clicks -> profile."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from analytics.i18n import t
from ui.context import Context

PROFILE_PAGE = "pages/county_profile.py"


def banner(ctx: Context) -> None:
    """The synthetic-data notice, on every page that shows demo numbers."""
    if ctx.is_demo:
        st.warning(t("demo_banner", ctx.lang), icon=":material/science:")


def header(ctx: Context, title: str) -> None:
    banner(ctx)
    st.title(title)


def chart(spec: alt.TopLevelMixin, *, key: str | None = None, selectable: bool = False):
    """Render with our own theme (theme=None keeps the registered Altair theme, not Streamlit's)."""
    if selectable:
        return st.altair_chart(
            spec, theme=None, key=key, on_select="rerun", selection_mode=None, width="stretch"
        )
    st.altair_chart(spec, theme=None, key=key, width="stretch")
    return None


def table(frame: pd.DataFrame, *, caption: str | None = None, height: int | str = "auto", **kwargs) -> None:
    if caption:
        st.caption(caption)
    st.dataframe(frame, hide_index=True, height=height, **kwargs)


def selected_code(event, name: str) -> str | None:
    """The region_code a click selected in an Altair chart event, if any."""
    if not event:
        return None
    selection = event.get("selection", {}) if isinstance(event, dict) else getattr(event, "selection", {})
    picked = selection.get(name) if isinstance(selection, dict) else None
    if isinstance(picked, list) and picked:
        first = picked[0]
        return str(first.get("region_code")) if isinstance(first, dict) and first.get("region_code") else None
    if isinstance(picked, dict) and picked.get("region_code"):
        value = picked["region_code"]
        return str(value[0] if isinstance(value, list) else value)
    return None


def open_profile(code: str | None) -> None:
    """A click on a county opens its profile page."""
    if code:
        st.session_state["county"] = code
        st.session_state.pop("w_county", None)
        st.switch_page(PROFILE_PAGE)


def map_caption(ctx: Context) -> None:
    st.caption(t("map_source", ctx.lang))
