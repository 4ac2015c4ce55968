"""汇报模式: one analytics.slides.Slide on the screen, sized for a projector (1280x720) and a wide screen.

The page (pages/present.py) picks the slide; this module draws it: title, figures beside their table, bullets,
the footer (source, version, profile, date, demo label). Text from files and users is escaped, never HTML.
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import streamlit as st

from analytics.figures import FIGURE_META
from analytics.i18n import t
from ui import render

CSS = Path(__file__).with_name("present.css")
ROWS_PER_COLUMN = 13  # rows a table shows on a 720 px slide without scrolling
ROW_HEIGHT = 34  # px, a table row (set, not left to the font size)
FIGURE_HEIGHT = 400  # px of plot: nav row, title, legend and footer share the rest of a 720 px screen


def hide_chrome() -> None:
    """No sidebar, header or toolbars: the slide is the whole screen."""
    st.html(CSS)


def fit(chart: alt.TopLevelMixin, height: int = FIGURE_HEIGHT) -> alt.TopLevelMixin:
    """A figure for the slide: without its own footer (the slide's footer says the same once) and no taller
    than the slide allows (a single or layered chart is scaled to `height`, keeping its aspect; a
    concatenation, such as the national map and its inset, keeps its size)."""
    chart = chart.copy(deep=False)
    meta = chart.usermeta if isinstance(chart.usermeta, dict) else {}
    if FIGURE_META in meta:  # the figures layer draws these footer lines under the figure
        chart.usermeta = {**meta, FIGURE_META: {**meta[FIGURE_META], "footer": []}}
    spec_height = getattr(chart, "height", alt.Undefined)
    spec_width = getattr(chart, "width", alt.Undefined)
    if isinstance(spec_height, int | float) and spec_height > height:
        scale = height / spec_height
        width = int(spec_width * scale) if isinstance(spec_width, int | float) else spec_width
        return chart.properties(height=height, width=width)
    return chart


def draw(slide, lang: str, key: str) -> None:
    """One analytics.slides.Slide: title, figures beside their table, bullets, footer, speaker notes."""
    head, label = st.columns([2, 1], vertical_alignment="center")
    head.title(render.escape_markdown(slide.title), anchor=False)
    if slide.label:  # the demo label, on every slide of synthetic data
        label.warning(slide.label, icon=":material/science:")
    if slide.subtitle:
        st.caption(render.escape_markdown(slide.subtitle))
    figures = list(slide.figures or [])
    table = slide.table
    has_table = table is not None and not table.empty
    if figures and (has_table or slide.bullets):
        left, right = st.columns([3, 2])
    else:
        left = right = st.container()
    fixed = all(not isinstance(getattr(f, "width", None), str) for f in figures)  # no "container" width
    with left, st.container(key=f"magnify_{key}" if fixed else None):  # a wide screen magnifies these
        if len(figures) > 1:  # before / after
            for col, (n, fig) in zip(st.columns(len(figures)), enumerate(figures), strict=True):
                with col:
                    render.chart(fit(fig, FIGURE_HEIGHT - 40), key=f"{key}_fig{n}")
        elif figures:
            render.chart(fit(figures[0]), key=f"{key}_fig0")
    with right:
        if has_table and not figures and len(table) > ROWS_PER_COLUMN:  # e.g. the 25 indicators: two halves
            half = (len(table) + 1) // 2
            for col, part in zip(st.columns(2), (table.iloc[:half], table.iloc[half:]), strict=True):
                with col:
                    render.table(
                        part, lang=lang, height=ROW_HEIGHT * (len(part) + 1) + 3, row_height=ROW_HEIGHT
                    )
        elif has_table:
            room = FIGURE_HEIGHT + 50 - 40 * len(slide.bullets)  # the bullets go under the table
            render.table(table, lang=lang, height=max(room, 5 * ROW_HEIGHT), row_height=ROW_HEIGHT)
        if slide.bullets:
            st.markdown("\n".join(f"- {render.escape_markdown(b)}" for b in slide.bullets))
    st.caption(render.escape_markdown(slide.footer))


def notes(slide, lang: str) -> None:
    """The speaker notes (the numbers behind the slide), in a popover: they take no room on the slide."""
    with st.popover(t("present.notes", lang), disabled=not slide.notes):
        st.text(slide.notes)


def exports(meeting, slides: list, scenarios: list, lang: str) -> None:
    """The meeting deck (PPTX) and workbook (Excel) of what is on screen: built when the button is clicked."""
    from analytics import deck, workbook

    stem = t("present.file_stem", lang, region=meeting.region_name, year=meeting.year)
    st.download_button(
        t("present.download_deck", lang),
        data=lambda: deck.build_deck(meeting, scenarios, slides=slides),
        file_name=f"{stem}.pptx",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        icon=":material/slideshow:",
    )
    st.download_button(
        t("present.download_workbook", lang),
        data=lambda: workbook.build_workbook(meeting, scenarios),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table:",
    )
    st.caption(t("present.export_note", lang))
