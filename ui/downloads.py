"""Our own PNG / SVG downloads beside every chart and map, built from the same analytics.figures function as
the chart on screen (with the geometry inlined) and drawn only when asked: a rerun pays for one button, not for
a PNG (vl-convert takes about a second for a province, several nationally).

Two steps, "make" then "download": the files exist only in the run the button started, so a download is never
of an older view. (Streamlit's deferred `data=callable` would save the click, but its random
`deferred_file_id` reaches the page's text fields.) Streamlit's own toolbar "Download as PNG" re-renders the
live view and lost the map's fills and county borders; these buttons are the export the app stands behind.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import altair as alt
import streamlit as st

from analytics import export
from analytics.i18n import t
from analytics.meeting import Meeting

Build = Callable[[], alt.TopLevelMixin]


def file_stem(meeting: Meeting, *parts: str) -> str:
    """A file name that says what the figure is: 220000_2024_premarital_exam_status (ASCII: every OS, every
    mail client)."""
    words = [meeting.region_code, str(meeting.year), *parts]
    return "_".join(re.sub(r"[^A-Za-z0-9_-]+", "-", w).strip("-") for w in words if w)


def figure_files(build: Build) -> dict[str, bytes]:
    """{"png": …, "svg": …} of the figure `build` makes (one spec for both)."""
    spec = export.vega_lite_spec(build())
    return {"png": export.to_png(spec), "svg": export.to_svg(spec).encode("utf-8")}


MIME = {"png": "image/png", "svg": "image/svg+xml"}


def figure_downloads(build: Build, *, stem: str, lang: str, key: str) -> None:
    """A small "download image" menu: a button makes the PNG and SVG of `build()` (pass inline=True where the
    figure takes it), then a download button for each appears."""
    with st.popover(t("figure.download", lang), icon=":material/download:", key=key):
        if not st.button(t("figure.make", lang), key=f"{key}_make", help=t("figure.download_help", lang)):
            return
        with st.spinner(t("figure.making", lang)):
            files = figure_files(build)
        for kind, data in files.items():
            st.download_button(
                t(f"figure.{kind}", lang),
                data=data,
                file_name=f"{stem}.{kind}",
                mime=MIME[kind],
                on_click="ignore",
                key=f"{key}_{kind}",
                icon=":material/download:",
            )
