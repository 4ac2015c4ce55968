"""Figures as files: PNG and SVG through vl-convert, offline, with the project's own CJK font.

Every figure is converted from its Vega-Lite spec with the geometry inlined (analytics.figures.inline_geometry:
no server, no network; vl-convert may fetch nothing). PNG text is drawn with data/fonts/ (WenQuanYi Micro Hei,
registered once per process), so Chinese never turns into boxes on a machine without CJK fonts. SVG keeps the
theme's font-family list and relies on the viewer's fonts.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import altair as alt
import vl_convert

from analytics.catalog import DATA_DIR
from analytics.errors import AtlasError
from analytics.figures import inline_geometry

FONTS_DIR = DATA_DIR / "fonts"
MIN_SCALE = 2.0  # a projector and a slide need at least twice the screen's pixels
CONTAINER_WIDTH = 640  # what `width: "container"` becomes in a file (there is no container)


class ExportError(AtlasError):
    """A figure vl-convert could not draw: cli.figure_render_failed in data/i18n."""

    prefix = "cli"


@cache
def register_fonts() -> bool:
    """Make data/fonts/ known to vl-convert (once per process); False if the folder is missing."""
    if not FONTS_DIR.is_dir():
        return False
    vl_convert.register_font_directory(str(FONTS_DIR.resolve()))
    return True


def vega_lite_spec(chart: alt.TopLevelMixin | dict) -> dict:
    """The chart's Vega-Lite spec as a file needs it: geometry inlined, container widths made fixed."""
    spec = chart if isinstance(chart, dict) else chart.to_dict()
    spec = inline_geometry(spec)
    return _fixed_widths(spec)


def _fixed_widths(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "datasets":
                out[key] = value
            elif key == "width" and value == "container":
                out[key] = CONTAINER_WIDTH
            else:
                out[key] = _fixed_widths(value)
        return out
    if isinstance(node, list):
        return [_fixed_widths(v) for v in node]
    return node


def to_png(chart: alt.TopLevelMixin | dict, *, scale: float = MIN_SCALE) -> bytes:
    """PNG bytes at `scale` times the chart's pixel size (at least 2x), Chinese in the shipped CJK font."""
    register_fonts()
    spec = vega_lite_spec(chart)
    try:
        return vl_convert.vegalite_to_png(spec, scale=max(float(scale), MIN_SCALE), allowed_base_urls=[])
    except ValueError as exc:
        raise ExportError("figure_render_failed", reason=_first_line(exc)) from None


def to_svg(chart: alt.TopLevelMixin | dict) -> str:
    """SVG text; text stays text (font-family from the theme), so titles remain searchable and editable."""
    register_fonts()
    spec = vega_lite_spec(chart)
    try:
        return vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    except ValueError as exc:
        raise ExportError("figure_render_failed", reason=_first_line(exc)) from None


def _first_line(exc: Exception) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[1] if len(lines) > 1 else (lines[0] if lines else type(exc).__name__)
