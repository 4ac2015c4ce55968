"""汇报模式: one analytics.slides.Slide on the screen, sized for a projector (1280x720) and a wide screen.

The page (pages/present.py) picks the slide; this module draws it: title, figures beside their table, bullets,
the footer (source, version, profile, date, demo label). Text from files and users is escaped, never HTML.
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import streamlit as st

from analytics.i18n import t
from ui import render

CSS = Path(__file__).with_name("present.css")
FIGURE_HEIGHT = 470  # px: title, nav row and footer leave this much of a 720 px screen for a figure


def hide_chrome() -> None:
    """No sidebar, header or toolbars: the slide is the whole screen."""
    st.html(CSS)


def fit(chart: alt.TopLevelMixin, height: int = FIGURE_HEIGHT) -> alt.TopLevelMixin:
    """A figure no taller than the slide allows: a single or layered chart is scaled to `height` (keeping its
    aspect); a concatenation (the national map and its inset) keeps its size."""
    spec_height = getattr(chart, "height", alt.Undefined)
    spec_width = getattr(chart, "width", alt.Undefined)
    if isinstance(spec_height, int | float) and spec_height > height:
        scale = height / spec_height
        width = int(spec_width * scale) if isinstance(spec_width, int | float) else spec_width
        return chart.properties(height=height, width=width)
    return chart


def draw(slide, lang: str, key: str) -> None:
    """One analytics.slides.Slide: title, figures beside their table, bullets, footer, speaker notes."""
    if slide.label:  # the demo label, on every slide of synthetic data
        st.warning(slide.label, icon=":material/science:")
    st.title(render.escape_markdown(slide.title), anchor=False)
    if slide.subtitle:
        st.caption(render.escape_markdown(slide.subtitle))
    figures = list(slide.figures or [])
    table = slide.table
    has_table = table is not None and not table.empty
    if figures and has_table:
        left, right = st.columns([3, 2])
    else:
        left = right = st.container()
    with left:
        if len(figures) > 1:  # before / after
            for col, (n, fig) in zip(st.columns(len(figures)), enumerate(figures), strict=True):
                with col:
                    render.chart(fit(fig, FIGURE_HEIGHT - 40), key=f"{key}_fig{n}")
        elif figures:
            render.chart(fit(figures[0]), key=f"{key}_fig0")
    with right:
        if has_table:
            render.table(table, lang=lang, height=FIGURE_HEIGHT if figures else FIGURE_HEIGHT + 60)
        if slide.bullets:
            st.markdown("\n".join(f"- {render.escape_markdown(b)}" for b in slide.bullets))
    st.caption(render.escape_markdown(slide.footer))
    if slide.notes:
        with st.expander(t("present.notes", lang)):
            st.text(slide.notes)
