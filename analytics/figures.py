"""Each chart the pages show, built by one function from an analytics.meeting.Meeting, with its title, legend,
tooltip and footer: the pages, the PNG/SVG downloads and `python -m analytics figure` call the same functions.

A figure carries a heading and a footer (meeting.footer(), any notes such as the method, and for maps
meeting.map_note()). Both are added to the finished Vega-Lite dict (as Altair objects they cost a copy and a
schema validation of the whole chart on every rerun). Maps stay a layer (the national map an hconcat with the
南海诸岛 inset) so Streamlit's click selection still works: the heading is a text mark above the plot and the
footer is the title, placed at the bottom under the legend. Facets are wrapped in a one-view vconcat.

`inline=True` puts the TopoJSON into the spec itself (top-level `datasets`, plain dicts added after Altair's
to_dict, never an alt.InlineData: Altair would walk every vertex) so a file needs no server; `inline=False`
points at the file under static/ the way the pages need it. `title` overrides the heading ("" for none).
Each figure function also has a `*_rows` companion that gives the page the same rows for its table.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from functools import partial

import altair as alt
import numpy as np
import pandas as pd

from analytics import charts, insights, intervals, scenarios
from analytics.errors import AtlasError
from analytics.geo import (
    BOUNDARIES_DIR,
    MAINLAND_BBOX,
    SOUTH_CHINA_SEA_BBOX,
    SOUTH_CHINA_SEA_TITLE,
    STATIC_PREFIX,
    bbox_feature,
    codes_in_bbox,
    feature_codes,
    label_points,
    load_topology,
    topo_path,
    topo_url,
)
from analytics.i18n import t
from analytics.meeting import Meeting
from analytics.provenance import indicator_provenance, provenance_text
from analytics.scenario_words import units_heading

SHOWS = ("value", "status", "gap", "shortfall", "progress", "trajectory")
MAP_PADDING = {"left": 14, "right": 14, "top": 6, "bottom": 6}  # room for the legend's end labels
GLYPH_MIN_SHARE = 0.004  # of the mapped area: Jilin's smallest urban districts fall below it
REGION_MAP_SIZE = (760, 620)
NATIONAL_MAP_SIZE = (700, 560)
HEADING_SIZE = 20
MIN_HEADING_LIMIT = 240
HEADING_LINE = 26  # px between the lines of a two-line heading
HEADING_WRAP = 480  # px: a heading wider than this goes on two lines (a map's column at 1280x720 is ~560 px)
SUB_REGION_PICK = "region"  # the selection a click on a prefecture's (province's) bar makes
# the classes a map's text alternative counts, per indicator-map mode (value, gap, shortfall: the status)
MAP_CLASSES = {"status": "status_label", "progress": "progress_label", "trajectory": "trajectory_label"}
FOOTER_SIZE = 12
FOOTER_COLOR = "#555555"
FOOTER_WRAP = 480  # px: a map shares the page with its table, and Streamlit cuts a longer line with "…"
# px: a chart in a narrow column (the bars beside a map, bars or a map in half the page): Vega cuts a footer
# line at the chart's own width, without its label column (~390 px for the ranked bars at 1280x720)
SIDE_FOOTER_WRAP = 360
BARS_WIDTH = 420  # the count bars sit in half a page: their footer wraps to it
TOPO_DATASET = "atlas_topo"  # prefix of the inlined geometry's dataset names


# --- the map of a region -----------------------------------------------------------------------------
def region_map(
    rows: pd.DataFrame,
    *,
    province: str | None,
    prefecture: str | None,
    regions,
    color: alt.Color,
    tooltip: list,
    symbol: str | None = "symbol",
    highlight: list[str] | None = None,
) -> alt.LayerChart | alt.HConcatChart:
    """The county map of a province (`province` None: the whole country): prefecture outlines, a glyph per
    county from column `symbol`, zoomed to `prefecture` if given; nationally the mainland frame plus the
    南海诸岛 inset. `highlight`: counties ringed in black (a what-if's chosen counties). No heading, no footer."""
    rows = rows[_used_columns(rows, [color, *tooltip], extra=["region_code", symbol])]
    url = topo_url(province)
    if province is None:
        width, height = NATIONAL_MAP_SIZE
        main = charts.county_map(
            rows,
            topo_url=url,
            color=color,
            tooltip=tooltip,
            outline_codes=feature_codes(topo_path(None), "provinces"),  # 34, 台湾 included
            outline_feature="provinces",
            fit=bbox_feature(MAINLAND_BBOX),
            highlight=highlight,
            width=width,
            height=height,
        )
        in_inset = codes_in_bbox(topo_path(None), SOUTH_CHINA_SEA_BBOX)  # the inset draws only what it shows
        inset = charts.south_china_sea_inset(
            rows[rows["region_code"].isin(in_inset)],
            topo_url=url,
            color=color,
            fit=bbox_feature(SOUTH_CHINA_SEA_BBOX),
            title=SOUTH_CHINA_SEA_TITLE,
        )
        return charts.with_inset(main, inset, padding=MAP_PADDING)
    points = None
    if symbol:
        points = label_points(topo_path(province)).merge(rows[["region_code", symbol]], on="region_code")
        points = points.rename(columns={symbol: "symbol"})
        # no glyph where the county is too small to carry one legibly; tooltip and table still say its status
        points = points[points["area"] >= GLYPH_MIN_SHARE * points["area"].sum()]
    outlines = [prefecture] if prefecture else list(regions.prefectures(province)["code"])
    width, height = REGION_MAP_SIZE
    return charts.county_map(
        rows,
        topo_url=url,
        color=color,
        tooltip=tooltip,
        outline_codes=outlines,
        symbols=points,
        highlight=highlight,
        width=width,
        height=height,
        padding=MAP_PADDING,
    )


def _used_columns(rows: pd.DataFrame, channels: list, extra: list) -> list[str]:
    """Only the columns a chart encodes go into its spec (2,875 counties x unused columns is most of the bytes)."""
    used = set(extra)
    for channel in channels:
        shorthand = (
            channel
            if isinstance(channel, str)
            else getattr(channel, "shorthand", None) or getattr(channel, "field", None)
        )
        if isinstance(shorthand, str):
            used.add(shorthand.split(":")[0])
    return [c for c in rows.columns if c in used]


def _meeting_map(meeting: Meeting, rows: pd.DataFrame, **kwargs) -> alt.LayerChart | alt.HConcatChart:
    return region_map(
        rows, province=meeting.province, prefecture=meeting.prefecture, regions=meeting.regions, **kwargs
    )


def _map_width(meeting: Meeting) -> int:
    return NATIONAL_MAP_SIZE[0] + 134 if meeting.national else REGION_MAP_SIZE[0]  # + the inset


# --- heading, footer, inline geometry ------------------------------------------------------------------
def footer_lines(meeting: Meeting, *, is_map: bool, notes: Iterable[str] = (), width: int = 640) -> list[str]:
    """The footer of a figure as lines that fit `width` pixels: the meeting's footer (region, year, profile,
    source, date, demo label), any `notes` (a method), and for a map the boundary note."""
    lines: list[str] = []
    line = ""
    for part in meeting.footer().split(" · "):
        candidate = f"{line} · {part}" if line else part
        if line and charts.text_width(candidate, FOOTER_SIZE) > width:
            lines.append(line)
            candidate = part
        line = candidate
    lines.append(line)
    for note in [*notes, meeting.map_note() if is_map else ""]:
        lines += wrap(note, width) if note else []
    return lines


_BREAKS = ("；", "，", "。", "; ", ", ")


def wrap(text: str, width: int, size: float = FOOTER_SIZE) -> list[str]:
    """`text` in lines of at most `width` pixels, broken after a comma or semicolon (or anywhere if need be)."""
    lines, line = [], ""
    pieces, start = [], 0
    for i in range(len(text)):
        if any(text.startswith(b, i) for b in _BREAKS):
            end = i + next(len(b) for b in _BREAKS if text.startswith(b, i))
            pieces.append(text[start:end])
            start = end
    pieces.append(text[start:])
    for piece in filter(None, pieces):
        if charts.text_width(line + piece, size) <= width:
            line += piece
            continue
        if charts.text_width(piece, size) <= width:
            lines.append(line.rstrip())
            line = piece
            continue
        rest, line = line + piece, ""  # wider than the figure: fill the line, cut, go on
        while charts.text_width(rest, size) > width:
            cut = max(
                1, next(k for k in range(len(rest), 0, -1) if charts.text_width(rest[:k], size) <= width)
            )
            space = rest.rfind(" ", 0, cut + 1)
            cut = space + 1 if space > 0 else cut  # Latin words stay whole
            lines.append(rest[:cut].rstrip())
            rest = rest[cut:]
        line = rest
    if line:
        lines.append(line.rstrip())
    return lines


def footer_title(lines: list[str]) -> dict:
    """The footer as a Vega-Lite title at the bottom: Vega lays it out after the legend."""
    return {
        "text": list(lines),
        "orient": "bottom",
        "anchor": "start",
        "fontSize": FOOTER_SIZE,
        "fontWeight": "normal",
        "color": FOOTER_COLOR,
        "font": charts.FONT,
        "offset": 14,
    }


def _label_extent(layers: list[dict]) -> int:
    """The fixed width of the layers' left axis (charts.count_bars sets one), else 0."""
    for layer in layers:
        axis = layer.get("encoding", {}).get("y", {}).get("axis") or {}
        if isinstance(axis.get("maxExtent"), int | float):
            return int(axis["maxExtent"])
    return 0


def heading_lines(heading: str, wrap: float = HEADING_WRAP) -> str | list[str]:
    """The heading as one line, or, when wider than `wrap` pixels (a map in a 1280x720 column), two lines split
    at the " · " that balances them best."""
    parts = heading.split(" · ")
    if len(parts) < 2 or charts.text_width(heading, HEADING_SIZE) <= wrap:
        return heading
    splits = [(" · ".join(parts[:k]), " · ".join(parts[k:])) for k in range(1, len(parts))]
    return list(min(splits, key=lambda p: max(charts.text_width(line, HEADING_SIZE) for line in p)))


def heading_layer(heading: str, width: int | dict, *, x: int = 0) -> dict:
    """The heading as a text mark above a layer's plot (the layer's one title is its footer), starting `x`
    pixels right of the plot's left edge (negative: over the axis labels); in two lines when long (see
    heading_lines), each cut with "…" at `width` pixels (a number, or an expression such as the plot's width
    on a narrow screen)."""
    text = heading_lines(heading)
    extra = (
        len(text) - 1 if isinstance(text, list) else 0
    )  # Vega stacks the next lines downwards: start higher
    mark = {
        "type": "text",
        "text": text,
        "x": x,
        "y": -14 - extra * HEADING_LINE,
        "lineHeight": HEADING_LINE,
        "align": "left",
        "baseline": "bottom",
        "fontSize": HEADING_SIZE,
        "fontWeight": "bold",
        "font": charts.FONT,
        "color": "#000000",
        "limit": width,
        "tooltip": False,
    }
    return {"data": {"values": [{}]}, "mark": mark}


# the channels a figure's legends show
LEGEND_CHANNELS = ("color", "fill", "stroke", "shape", "size", "opacity")
# what stays on top when a spec is wrapped in a vconcat (the rest describes the view)
TOP_LEVEL_KEYS = (
    "$schema",
    "config",
    "datasets",
    "usermeta",
    "background",
    "padding",
    "autosize",
    "params",
    "description",
)


def frame_spec(spec: dict, heading: str, lines: list[str], *, width: int = 640) -> dict:
    """A Vega-Lite spec with its heading on top and `lines` as its footer. A layer stays a layer and the
    national map an hconcat (Streamlit reads their click selections; the pages' tests read their layers);
    anything else (facets) is wrapped in a one-view vconcat that carries both, its legends kept in the view."""
    spec = dict(spec)
    if spec.get("width") == "container":  # fit the width only: the heading and footer add to the height
        spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    if "layer" in spec:
        if heading:  # from the labels' left edge to the plot's right: Streamlit fits a layer into its column
            left = _label_extent(spec["layer"])
            limit = {"expr": f"max(width + {left}, {MIN_HEADING_LIMIT})"}
            spec["layer"] = [*spec["layer"], heading_layer(heading, limit, x=-left)]
        spec["title"] = footer_title(lines)
        return spec
    if "hconcat" in spec and spec["hconcat"] and "layer" in spec["hconcat"][0]:
        if heading:
            first = dict(spec["hconcat"][0])
            first["layer"] = [*first["layer"], heading_layer(heading, width)]
            spec["hconcat"] = [first, *spec["hconcat"][1:]]
        spec["title"] = footer_title(lines)
        return spec
    top = {key: spec.pop(key) for key in TOP_LEVEL_KEYS if key in spec}
    if heading:
        spec["title"] = {
            "text": heading,
            "anchor": "start",
            "fontSize": HEADING_SIZE,
            "font": charts.FONT,
            "offset": 16,
        }
    # the legends stay with the view, under its heading (the vconcat's own would sit above it)
    legends = {"legend": dict.fromkeys(LEGEND_CHANNELS, "independent")}
    return {**top, "vconcat": [spec], "title": footer_title(lines), "resolve": legends}


def _static_file(url: str):
    """The file under data/boundaries/ a static URL points at, or None."""
    prefix = f"{STATIC_PREFIX}/"
    if not (isinstance(url, str) and url.startswith(prefix) and url.endswith(".topo.json")):
        return None
    path = BOUNDARIES_DIR / url[len(prefix) :]
    return path if path.is_file() else None


def inline_geometry(spec: dict) -> dict:
    """The spec with every TopoJSON URL (static/…) replaced by the geometry itself: one top-level dataset per
    file and feature (a Vega data set name may not be shared by two formats), no server needed."""
    datasets: dict[str, dict] = {}

    def swap(node):
        if isinstance(node, dict):
            path = _static_file(node.get("url"))
            if path is not None:
                fmt = node.get("format", {})
                name = f"{TOPO_DATASET}_{path.name.split('.')[0]}_{fmt.get('feature', '')}"
                datasets[name] = load_topology(path)
                return {"name": name, **({"format": fmt} if fmt else {})}
            return {k: (v if k == "datasets" else swap(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    out = swap(spec)
    if datasets:
        out["datasets"] = {**out.get("datasets", {}), **datasets}
    return out


# steady(): the one row holding what changes from one view of a figure to the next, and the numbers it lifts
# into that row, by their parent
VIEW_DATASET = "atlas_view"
_NUMBERS = {"scale": ("domain", "domainMid"), "legend": ("values",)}


def steady(spec: dict, description: str) -> dict:
    """The figure as a page sends it: what changes from one indicator (region, year …) to the next is moved out of
    the spec into one data row (`VIEW_DATASET`), which the spec reads through expressions, and the datasets get
    names by their place, not by their content. From one view to the next the spec then stays the same text and
    Streamlit hands Vega the new rows instead of a new chart, which Vega would compile, fetch its geometry for and
    draw again (an indicator change repaints the Jilin map sooner, benchmarks/RESULTS.md).

    The same picture: the heading's text and height, the footer's lines, an axis's title, the value a predicate
    tests for (the picked county), the numbers of a scale's domain and of a legend's values come from the row.
    The text alternative (the spec's description) becomes the heading's own label, which a screen reader reads
    with it; the chart's label is `description`, the same for every view.
    A literal the row does not carry (a legend title, a category) still changes the spec: Vega then draws anew.
    `spec`: a finished figure's Vega-Lite dict (its datasets as rows, or as Streamlit's Arrow bytes)."""
    row: dict[str, object] = {}
    names: dict[str, str] = {}

    def field(value: object) -> str:
        key = f"v{sum(name.startswith('v') for name in row)}"  # by place: the same names for every view
        row[key] = value
        return f"data('{VIEW_DATASET}')[0].{key}"

    def walk(node: object, under: str = "") -> object:
        if isinstance(node, list):
            return [walk(item, under) for item in node]
        if not isinstance(node, dict):
            return node
        node = {key: (value if key == "datasets" else walk(value, key)) for key, value in node.items()}
        data, mark = node.get("data"), node.get("mark")
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            node["data"] = {**data, "name": names.setdefault(data["name"], f"atlas_{len(names)}")}
        if data == {"values": [{}]} and isinstance(mark, dict) and "text" in mark and "heading" not in row:
            text = mark["text"]  # frame_spec's heading (heading_layer)
            row["heading"] = "\n".join(text) if isinstance(text, list) else str(text)
            row["alt"] = spec.get("description") or ""
            node["data"] = {"name": VIEW_DATASET}
            node["mark"] = {k: v for k, v in mark.items() if k != "text"} | {
                "lineBreak": "\n",
                "y": {"expr": field(mark.get("y", 0))},
            }
            node["encoding"] = {
                "text": {"field": "heading", "type": "nominal"},
                "description": {"field": "alt", "type": "nominal"},
            }
        axis, title = node.get("axis", {}), node.get("title")
        if under in ("x", "y") and isinstance(title, str) and title and isinstance(axis, dict):
            # an axis's title (Vega-Lite takes no expression there: Vega's own signal, passed through)
            node = {k: v for k, v in node.items() if k != "title"} | {
                "axis": axis | {"title": {"signal": field(title)}}
            }
        if under in ("test", "filter") and set(node) == {"field", "equal"} and _is_literal(node["equal"]):
            # a predicate on one value (the picked county's outline in the bars): an expression of the row's value
            return f"datum[{json.dumps(node['field'])}] === {field(node['equal'])}"
        for key in _NUMBERS.get(under, ()):  # a scale's domain, a legend's values
            numbers = node.get(key)
            if _is_number(numbers):
                node[key] = {"expr": field(numbers)}
            elif isinstance(numbers, list) and numbers and all(_is_number(n) for n in numbers):
                node[key] = {"expr": "[" + ", ".join(field(n) for n in numbers) + "]"}
        return node

    out = walk(spec)
    title = out.get("title")
    if "heading" in row and isinstance(title, dict) and isinstance(title.get("text"), list | str):
        # the footer: read from the row too, and spoken with the heading (Vega writes a title's label for a
        # screen reader once, when it first draws: it would go on naming the first view's footer)
        text = "\n".join(title["text"]) if isinstance(title["text"], list) else title["text"]
        row["alt"] = " ".join(filter(None, (str(row["alt"]), text.replace("\n", " "))))
        out["title"] = {**title, "text": {"expr": f"split({field(text)}, '\\n')"}, "aria": False}
    if "datasets" in out:
        out["datasets"] = {names.get(name, name): rows for name, rows in out["datasets"].items()}
    if row:
        out["datasets"] = {**out.get("datasets", {}), VIEW_DATASET: [row]}
        if "alt" in row:
            out["description"] = description
    return out


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_literal(value: object) -> bool:
    return isinstance(value, str) or _is_number(value)


# Altair checks a finished chart against the Vega-Lite schema (20-70 ms a map, on every rerun), and each object
# it makes on the way (its debug mode: a fifth of a page's chart time): checks of our own code, which the test
# suite runs (check_specs), not the app
VALIDATE_ENV = "PREVENTION_ATLAS_VALIDATE_SPECS"
if os.environ.get(VALIDATE_ENV) != "1":
    alt.utils.schemapi.disable_debug_mode()


def check_specs() -> None:
    """Both of Altair's schema checks on, in this process and in the servers it starts (tests/conftest.py)."""
    os.environ[VALIDATE_ENV] = "1"
    alt.utils.schemapi.enable_debug_mode()


FIGURE_META = "atlas_figure"  # the usermeta key a figure keeps its heading, footer and inline flag under


class _Figure:
    """Mixin of the charts figures return: to_dict() (and so to_json, save, Streamlit, vl-convert) adds the
    heading and footer kept in usermeta, and inlines the geometry when asked. Done on the finished dict: as
    Altair objects they cost a copy and a schema validation of the whole chart (~100 ms for the status grid)."""

    def to_dict(self, *args, **kwargs) -> dict:
        if not args:
            kwargs.setdefault("validate", os.environ.get(VALIDATE_ENV) == "1")
        spec = super().to_dict(*args, **kwargs)
        if kwargs.get("format", "vega-lite") != "vega-lite":
            return spec
        meta = dict(spec.get("usermeta") or {})
        figure = meta.pop(FIGURE_META, None)
        if figure is None:
            return spec
        spec = {**spec, "usermeta": meta} if meta else {k: v for k, v in spec.items() if k != "usermeta"}
        spec = frame_spec(spec, figure["heading"], figure["footer"], width=figure["width"])
        if figure.get("description"):
            spec["description"] = figure["description"]
        top_level = (kwargs.get("context") or {}).get("top_level", True)
        return inline_geometry(spec) if figure["inline"] and top_level else spec


_FIGURE_CLASSES: dict[type, type] = {}


def as_figure(
    chart: alt.TopLevelMixin,
    heading: str,
    footer: list[str],
    *,
    inline: bool = False,
    width: int = 640,
    description: str | None = None,
) -> alt.TopLevelMixin:
    """`chart`, made a figure in place: its spec gets `heading` and `footer` (see frame_spec), its `description`
    (the text alternative) and, with `inline`, carries its geometry (see inline_geometry). Copies keep all of them
    (they live in usermeta and the class)."""
    cls = type(chart)
    base = next(c for c in cls.__mro__ if not issubclass(c, _Figure))
    if base not in _FIGURE_CLASSES:
        _FIGURE_CLASSES[base] = type(f"Figure{base.__name__}", (_Figure, base), {})
    # `chart` itself becomes the figure (each figure function builds its own): a copy, even a shallow one, of a
    # layered or faceted chart deep-copies all its layers (Altair re-combines the sub-charts' parameters)
    out = chart
    object.__setattr__(
        out, "__class__", _FIGURE_CLASSES[base]
    )  # SchemaBase.__setattr__ would store a property
    meta = out.usermeta if isinstance(out.usermeta, dict) else {}
    out.usermeta = {
        **meta,
        FIGURE_META: {
            "heading": heading,
            "footer": list(footer),
            "inline": bool(inline),
            "width": width,
            "description": description,
        },
    }
    return out


def _finish(
    chart: alt.TopLevelMixin,
    meeting: Meeting,
    heading: str,
    title: str | None,
    *,
    is_map: bool = False,
    inline: bool = False,
    notes: Iterable[str] = (),
    width: int = 640,
    description: str | None = None,
    footer_wrap: int = FOOTER_WRAP,
) -> alt.TopLevelMixin:
    """`chart` with its heading (or `title`), footer and, for a map, its text alternative (`description`:
    Vega puts it on the SVG as the aria-label a screen reader reads). `footer_wrap`: the footer's line width (px)."""
    lines = footer_lines(meeting, is_map=is_map, notes=notes, width=min(width, footer_wrap))
    heading = heading if title is None else title
    return as_figure(chart, heading, lines, inline=inline, width=width, description=description)


def _finish_map(
    chart: alt.TopLevelMixin,
    meeting: Meeting,
    heading: str,
    title: str | None,
    *,
    inline: bool,
    description: str,
    notes: Iterable[str] = (),
    footer_wrap: int = FOOTER_WRAP,
) -> alt.TopLevelMixin:
    """A map as a figure: the boundary note in its footer, its width (with the inset nationally), its text
    alternative. `footer_wrap`: SIDE_FOOTER_WRAP for a map drawn in half the page (a pair)."""
    width = _map_width(meeting)
    return _finish(
        chart,
        meeting,
        heading,
        title,
        is_map=True,
        inline=inline,
        notes=notes,
        width=width,
        description=description,
        footer_wrap=footer_wrap,
    )


def _finish_pair_map(*args, **kwargs) -> alt.TopLevelMixin:
    """A map drawn as one of a pair, in half the page (what-if: before / after, today's pace / with the scenario):
    its footer wraps narrower (SIDE_FOOTER_WRAP)."""
    return _finish_map(*args, **kwargs, footer_wrap=SIDE_FOOTER_WRAP)


def map_text(
    meeting: Meeting,
    heading: str,
    rows: pd.DataFrame,
    *,
    category: str | None,
    value: str | None = None,
    value_text: str = "value_text",
    name: str = "region_name",
) -> str:
    """A map's text alternative: what it shows, how many counties in each class of `category`, and the
    counties with the highest and lowest `value` (as `value_text` writes it)."""
    lang = meeting.lang
    classes = ""
    if category:
        counts = rows[category].value_counts()
        classes = t("list_sep", lang).join(
            t("figure.alt_class", lang, label=label, n=int(n)) for label, n in counts.items()
        )
    text = (
        t("figure.alt_counts", lang, heading=heading, n=len(rows), classes=classes)
        if classes
        else t("figure.alt_total", lang, heading=heading, n=len(rows))
    )
    valued = rows[rows[value].notna()] if value else rows.iloc[0:0]
    if len(valued):
        high, low = valued.loc[valued[value].idxmax()], valued.loc[valued[value].idxmin()]
        text += t(
            "figure.alt_extremes",
            lang,
            high=f"{high[name]} {high[value_text]}",
            low=f"{low[name]} {low[value_text]}",
        )
    return text


def _where(meeting: Meeting) -> dict:
    return {"region": meeting.region_name, "year": meeting.year}


# --- maps ----------------------------------------------------------------------------------------------
def _ringed(highlight: str | None) -> list[str] | None:
    """A map's `highlight`: None draws no ring; "" keeps the ring's layer with no county (a page's map is then
    the same spec whether a county is picked or not: steady)."""
    return None if highlight is None else [highlight] if highlight else []


def met_count_rows(meeting: Meeting) -> pd.DataFrame:
    """Per county: met / not_met / no_data, names, the "N / 25" label and the printed glyph (the count)."""
    total = len(meeting.catalog)
    summary = insights.county_summary(meeting.rows("county"), meeting.regions)
    no_data = summary["no_data"] == total  # grey on the map (no data), not the colour of "0 met"
    summary["label"] = summary["met"].astype(str) + " / " + str(total)
    summary["met"] = summary["met"].where(~no_data)
    summary["symbol"] = summary["met"].map(lambda m: "–" if m != m else str(int(m)))
    return summary


def met_count_map(
    meeting: Meeting,
    *,
    rows: pd.DataFrame | None = None,
    inline: bool = False,
    title: str | None = None,
    highlight: str | None = None,
) -> alt.TopLevelMixin:
    """Indicators met per county (the overview's map). `rows`: met_count_rows(meeting), if already made;
    `highlight`: a county ringed in black (the one picked beside the map; "": none yet, `_ringed`)."""
    lang, total = meeting.lang, len(meeting.catalog)
    summary = met_count_rows(meeting) if rows is None else rows
    tooltip = [
        alt.Tooltip("county:N", title=t("county", lang)),
        alt.Tooltip("prefecture:N", title=t("prefecture", lang)),
        alt.Tooltip("label:N", title=t("met_count", lang)),
        alt.Tooltip("not_met:Q", title=t("not_met_count", lang)),
        alt.Tooltip("no_data:Q", title=t("no_data_count", lang)),
    ]
    met = summary["met"].dropna()  # the scale spans what the counties have, not 0 .. 25
    domain = [int(met.min()), max(int(met.max()), int(met.min()) + 1)] if len(met) else [0, total]
    color = charts.sequential_color("met", t("met_count", lang), scheme="blues", domain=domain, counts=True)
    chart = _meeting_map(meeting, summary, color=color, tooltip=tooltip, highlight=_ringed(highlight))
    heading = t("figure.met_count_map", lang, **_where(meeting))
    text = map_text(meeting, heading, summary, category=None, value="met", value_text="label", name="county")
    return _finish_map(chart, meeting, heading, title, inline=inline, description=text)


def indicator_rows(meeting: Meeting, indicator_id: str) -> pd.DataFrame:
    """One indicator across the region's counties: value, status, gap, shortfall, progress, trajectory, texts,
    prefecture and provenance (the indicator map, its ranked bars and its table)."""
    cat, regs, lang = meeting.catalog, meeting.regions, meeting.lang
    ind = cat[indicator_id]
    rows = insights.indicator_table(
        meeting.rows("county"), meeting.progress(), cat, meeting.profile, ind, regs, lang
    )
    rows["prefecture"] = regs.names(regs.prefectures_of(rows["region_code"]))
    rows["gap_text"] = [insights.format_number(g, ind.decimals) for g in rows["gap"]]
    if ind.rules.binary:  # a county's 1/0 status reads 达标 / 未达标, not 100.0% / 0.0%
        shown = [insights.format_value(v, ind, lang, level="county") for v in rows["value"]]
        applies = rows["applicable"].astype(bool) if "applicable" in rows.columns else True
        rows["value_text"] = pd.Series(shown, index=rows.index).where(applies, rows["value_text"])
    return provenance_text(rows, lang)  # each county's data version and department (imported data)


def _check_indicator(meeting: Meeting, indicator_id: str) -> None:
    if indicator_id not in meeting.catalog:
        raise AtlasError("unknown_indicator", indicator_id=indicator_id)


def indicator_tooltip(meeting: Meeting, rows: pd.DataFrame) -> list[alt.Tooltip]:
    lang = meeting.lang
    fields = [
        ("region_name", "county"),
        ("prefecture", "prefecture"),
        ("value_text", "value"),
        ("target_text", "target"),
        ("status_label", "status"),
        ("interval_text", "interval"),
        ("certainty_label", "certainty"),
        ("gap_text", "gap"),
        ("shortfall_text", "shortfall"),
        ("progress_label", "show_progress"),
        ("trajectory_label", "show_trajectory"),
    ]
    if not meeting.synthetic:
        fields += [
            ("version_text", "provenance.version_column"),
            ("department_text", "provenance.department_column"),
        ]
    return [alt.Tooltip(f"{field}:N", title=t(key, lang)) for field, key in fields if field in rows.columns]


def indicator_map(
    meeting: Meeting,
    indicator_id: str,
    show: str,
    *,
    rows: pd.DataFrame | None = None,
    inline: bool = False,
    title: str | None = None,
    highlight: str | None = None,
) -> alt.TopLevelMixin:
    """One indicator across counties, coloured by `show` (value | status | gap | shortfall | progress |
    trajectory); `rows`: indicator_rows(meeting, indicator_id), if already made; `highlight`: a county ringed
    in black (the one picked beside the map, also marked in the ranked bars and the table; "": none yet,
    `_ringed`)."""
    _check_indicator(meeting, indicator_id)
    if show not in SHOWS:
        raise ValueError(f"show must be one of {SHOWS}: {show!r}")
    lang, cat, profile = meeting.lang, meeting.catalog, meeting.profile
    ind = cat[indicator_id]
    rows = indicator_rows(meeting, indicator_id) if rows is None else rows
    target_label = insights.target_text(profile, ind, lang)
    # the target is in the heading: a legend title the same for every indicator lets the page update the map in
    # place (steady); the value ramp's middle colour is the target
    ramp = show == "value" and not ind.rules.binary
    legend = t("legend_target_mid" if ramp else f"show_{show}", lang, show=t(f"show_{show}", lang))
    color = charts.indicator_color(
        show,
        rows["value"],
        float(profile.targets[indicator_id].threshold),
        legend,
        {
            "status": insights.status_labels(lang),
            "progress": {k: t(f"progress_{k}", lang) for k in charts.PROGRESS_COLORS},
            "trajectory": {k: t(f"trajectory_{k}", lang) for k in charts.TRAJECTORY_COLORS},
            "binary": {k: t(f"status_value_{k}", lang) for k in charts.BINARY_COLORS}
            if ind.rules.binary
            else {},
        },
    )
    drawn = rows
    if show in ("progress", "trajectory"):  # each class its own glyph on the map (its label starts with it)
        drawn = rows.assign(symbol=rows[MAP_CLASSES[show]].str[0])
    unclear = rows["certainty"].eq("unclear") if "certainty" in rows.columns else pd.Series(False, rows.index)
    if show == "status" and unclear.any():  # cannot tell: a symbol beside ✓ / ✗, not a colour of its own
        drawn = rows.assign(
            symbol=rows["symbol"].where(~unclear, rows["symbol"] + t("certainty_symbol", lang))
        )
    chart = _meeting_map(
        meeting,
        drawn,
        color=color,
        tooltip=indicator_tooltip(meeting, rows),
        highlight=_ringed(highlight),
    )
    notes = [method_note(meeting, indicator_id, show)] if show in ("progress", "trajectory") else []
    if show == "status" and unclear.any():
        notes.append(t("certainty_note", lang, symbol=t("certainty_symbol", lang), n=int(unclear.sum())))
    heading = t(
        "figure.indicator_map",
        lang,
        indicator=ind.name(lang),
        target=target_label,
        show=t(f"show_{show}", lang),
        **_where(meeting),
    )
    classes = "value_text" if ind.rules.binary else MAP_CLASSES.get(show, "status_label")
    text = map_text(meeting, heading, rows, category=classes, value=None if ind.rules.binary else "value")
    return _finish_map(chart, meeting, heading, title, inline=inline, notes=notes, description=text)


def method_note(meeting: Meeting, indicator_id: str | None, show: str) -> str:
    """Which method and years a progress status or trajectory came from (DESIGN.md: say so on screen)."""
    lang = meeting.lang
    method = t("method_progress" if show == "progress" else "method_trajectory", lang)
    prog = meeting.progress()
    return t(
        "method_note",
        lang,
        method=method,
        years=insights.method_years(prog, meeting.profile.target_year, indicator_id),
    )


def scenario_map(
    meeting: Meeting,
    county_rows: pd.DataFrame,
    indicator_id: str,
    side: str,
    *,
    highlight: list[str] | None = None,
    inline: bool = False,
    title: str | None = None,
    notes: Iterable[str] = (),
) -> alt.TopLevelMixin:
    """A what-if's status map, `side` 'before' or 'after'. `county_rows`: the scenario comparison's county rows
    of the indicator (status_/value_before, _after, units_added), as the what-if page has them; `notes`: footer
    lines such as the scenario's steps in words."""
    _check_indicator(meeting, indicator_id)
    lang, ind = meeting.lang, meeting.catalog[indicator_id]
    rows = insights.scenario_side(county_rows, side, ind, lang)
    titles = {
        "region_name": t("county", lang),
        "value_text": t("value", lang),
        "status_label": t("status", lang),
    }
    if "units_added" in rows.columns and rows["units_added"].gt(0).any():
        titles["units_added"] = units_heading(ind, lang)
    chart = _meeting_map(
        meeting,
        rows,
        color=charts.status_color("status_label", insights.status_labels(lang), t(side, lang)),
        tooltip=charts.scenario_tooltip(titles),
        highlight=highlight,
    )
    heading = t("figure.scenario_map", lang, indicator=ind.name(lang), side=t(side, lang), **_where(meeting))
    text = map_text(meeting, heading, rows, category="status_label")
    return _finish_pair_map(chart, meeting, heading, title, inline=inline, notes=notes, description=text)


def trajectory_rows(
    meeting: Meeting, county_rows: pd.DataFrame, indicator_id: str, view=None
) -> pd.DataFrame:
    """Each county's trajectory to the target year at today's pace (`view` None) or with a what-if's values."""
    lang = meeting.lang
    prog = scenarios.trajectory_with(
        meeting.all_years("county"),
        view,
        catalog=meeting.catalog,
        profile=meeting.profile,
        year=meeting.year,
        indicator_id=indicator_id,
    )
    labels = {k: t(f"trajectory_{k}", lang) for k in charts.TRAJECTORY_COLORS}
    rows = county_rows[["region_code", "region_name"]].merge(
        prog[["region_code", "trajectory"]], on="region_code", how="left"
    )
    rows["trajectory_label"] = rows["trajectory"].fillna("no_data").map(labels)
    rows["symbol"] = rows["trajectory_label"].str[0]
    return rows


def trajectory_map(
    meeting: Meeting,
    county_rows: pd.DataFrame,
    indicator_id: str,
    view=None,
    *,
    rows: pd.DataFrame | None = None,
    inline: bool = False,
    title: str | None = None,
    notes: Iterable[str] = (),
) -> alt.TopLevelMixin:
    """A what-if's trajectory map: today's pace (`view` None) or with the scenario (a ScenarioView); `rows`:
    trajectory_rows(...), if already made; `notes`: footer lines such as the scenario's steps in words."""
    _check_indicator(meeting, indicator_id)
    lang, ind = meeting.lang, meeting.catalog[indicator_id]
    rows = trajectory_rows(meeting, county_rows, indicator_id, view) if rows is None else rows
    side = "todays_pace" if view is None else "with_adjustment"
    labels = {k: t(f"trajectory_{k}", lang) for k in charts.TRAJECTORY_COLORS}
    color = alt.Color(
        "trajectory_label:N",
        scale=charts.categorical_scale(charts.TRAJECTORY_COLORS, labels),
        title=t(side, lang),
        legend=alt.Legend(orient="bottom", columns=2),
    )
    tooltip = [
        alt.Tooltip("region_name:N", title=t("county", lang)),
        alt.Tooltip("trajectory_label:N", title=t("show_trajectory", lang)),
    ]
    chart = _meeting_map(meeting, rows, color=color, tooltip=tooltip)
    heading = t(
        "figure.trajectory_map", lang, indicator=ind.name(lang), side=t(side, lang), **_where(meeting)
    )
    notes = [*notes, method_note(meeting, indicator_id, "trajectory")]
    text = map_text(meeting, heading, rows, category="trajectory_label")
    return _finish_pair_map(chart, meeting, heading, title, inline=inline, notes=notes, description=text)


# --- bars ----------------------------------------------------------------------------------------------
def domain_rows(meeting: Meeting) -> pd.DataFrame:
    """Per action domain: met, not_met and total indicators of the region."""
    return insights.domain_summary(meeting.region_rows(), meeting.catalog, meeting.lang)


def domain_bars(
    meeting: Meeting, *, rows: pd.DataFrame | None = None, title: str | None = None
) -> alt.TopLevelMixin:
    """The region's indicators met per action domain (of its total)."""
    domains = domain_rows(meeting) if rows is None else rows
    total = int(domains["total"].max()) if len(domains) else 1
    return _met_bars(meeting, domains, "domain", total, "figure.domain_bars", title)


def _met_bars(
    meeting: Meeting,
    rows: pd.DataFrame,
    category: str,
    total: int,
    heading_key: str,
    title: str | None,
    selection_name: str | None = None,
) -> alt.TopLevelMixin:
    """Indicators met per `category` (of `total`), in the rows' order, with the meeting's heading and footer;
    `selection_name`: a click on a bar selects its region_code."""
    chart = charts.count_bars(
        rows,
        category=category,
        value="met",
        total=total,
        title=t("met_count", meeting.lang),
        sort=list(rows[category]),
        selection_name=selection_name,
    )
    heading = t(heading_key, meeting.lang, **_where(meeting))
    return _finish(chart, meeting, heading, title, width=BARS_WIDTH, footer_wrap=SIDE_FOOTER_WRAP)


def sub_region_level(meeting: Meeting) -> str:
    """The units ranked under the region: provinces of the country, else prefectures."""
    return "province" if meeting.national else "prefecture"


def sub_region_rows(meeting: Meeting) -> pd.DataFrame:
    """Prefectures (provinces when national) with met / not_met / no_data, best first; units without any data
    (e.g. 台湾, 香港, 澳门 in the demo) are not ranked."""
    subs = insights.count_by_region(meeting.rows(sub_region_level(meeting)))
    subs = subs[subs["no_data"] < len(meeting.catalog)].copy()
    subs["name"] = meeting.regions.names(subs["region_code"])
    return subs.sort_values("met", ascending=False)


def sub_region_bars(
    meeting: Meeting, *, rows: pd.DataFrame | None = None, title: str | None = None
) -> alt.TopLevelMixin:
    """Prefectures ranked by indicators met (provinces when the meeting is about the whole country)."""
    subs = sub_region_rows(meeting) if rows is None else rows
    key = "figure.province_bars" if meeting.national else "figure.prefecture_bars"
    return _met_bars(meeting, subs, "name", len(meeting.catalog), key, title, selection_name=SUB_REGION_PICK)


NATIONAL_BARS = 40  # the whole country's ranked bars: its lowest counties (and the one picked)


def ranked_bars(
    meeting: Meeting,
    indicator_id: str,
    *,
    rows: pd.DataFrame | None = None,
    title: str | None = None,
    highlight: str | None = None,
) -> alt.TopLevelMixin:
    """Counties ranked by one indicator's value, the target as a dashed rule (nationally the 40 lowest, and
    the `highlight`ed county, outlined in black, wherever it ranks)."""
    _check_indicator(meeting, indicator_id)
    lang, ind = meeting.lang, meeting.catalog[indicator_id]
    rows = indicator_rows(meeting, indicator_id) if rows is None else rows
    ranked = rows[rows["value"].notna()]
    if meeting.national:  # thousands of bars do not help anyone: the 40 lowest (the page has a table of all)
        lowest = ranked.nsmallest(NATIONAL_BARS, "value")
        ranked = pd.concat(
            [lowest, ranked[ranked["region_code"].eq(highlight) & ~ranked.index.isin(lowest.index)]]
        )
    unclear = ranked["certainty"].eq("unclear") if "certainty" in ranked.columns else False
    mark = pd.Series("", index=ranked.index).where(~unclear, t("certainty_symbol", lang))
    width = partial(charts.text_width, size=charts.AXIS_LABEL_SIZE)
    chart = charts.ranked_bars(
        ranked.assign(label=ranked["region_name"] + " " + ranked["symbol"] + mark),
        value="value",
        label="label",
        color=charts.status_color(
            "status_label", insights.status_labels(lang), t("status", lang), legend=False
        ),
        target=float(meeting.profile.targets[indicator_id].threshold),
        tooltip=indicator_tooltip(meeting, rows),
        x_title=t("bracketed", lang, text=ind.short(lang), note=ind.unit_in(lang)),
        selection_name="bar",
        highlight=highlight,
        interval=("low", "high") if "low" in ranked.columns else None,
        # the same label column and height for every indicator of the region: the page's spec stays the same
        label_width=max((width(name) for name in rows["region_name"]), default=0)
        + max(width(f" {symbol}{t('certainty_symbol', lang)}") for symbol in charts.STATUS_SYMBOL.values()),
        height_rows=NATIONAL_BARS + 1 if meeting.national else len(rows),
    )
    heading = t("figure.ranked_bars", lang, indicator=ind.name(lang), **_where(meeting))
    text = map_text(meeting, heading, ranked, category="status_label", value="value")
    return _finish(chart, meeting, heading, title, description=text, footer_wrap=SIDE_FOOTER_WRAP)


# --- grid, bullets, trends -----------------------------------------------------------------------------
def distribution(
    meeting: Meeting, indicator_id: str, *, rows: pd.DataFrame | None = None, title: str | None = None
) -> alt.TopLevelMixin:
    """Counties' values of one indicator by prefecture (by province for the whole country), with the target."""
    _check_indicator(meeting, indicator_id)
    lang, ind, regs = meeting.lang, meeting.catalog[indicator_id], meeting.regions
    rows = indicator_rows(meeting, indicator_id) if rows is None else rows
    shown = rows[rows["value"].notna()].copy()
    if meeting.national:
        shown["prefecture"] = regs.names([f"{str(c)[:2]}0000" for c in shown["region_code"]])
    order = list(shown.groupby("prefecture")["value"].median().sort_values(ascending=False).index)
    chart = charts.distribution(
        shown,
        value="value",
        group="prefecture",
        color=charts.status_color("status_label", insights.status_labels(lang), t("status", lang)),
        target=float(meeting.profile.targets[indicator_id].threshold),
        tooltip=indicator_tooltip(meeting, rows),
        x_title=t("bracketed", lang, text=ind.short(lang), note=ind.unit_in(lang)),
        sort=order,
    )
    by = t("province" if meeting.national else "prefecture", lang).lower()
    heading = t("figure.distribution", lang, indicator=ind.name(lang), by=by, **_where(meeting))
    text = map_text(meeting, heading, shown, category="status_label", value="value")
    return _finish(chart, meeting, heading, title, description=text)


def funnel(
    meeting: Meeting, indicator_id: str, *, rows: pd.DataFrame | None = None, title: str | None = None
) -> alt.TopLevelMixin | None:
    """Each county's value against its size (denominator, or the baseline count of a reduction) with the target
    and the 95 % and 99.8 % funnels around it; None for an indicator without intervals (a county's 1/0 status)."""
    _check_indicator(meeting, indicator_id)
    lang, ind = meeting.lang, meeting.catalog[indicator_id]
    method = ind.rules.interval
    if method is None:
        return None
    rows = indicator_rows(meeting, indicator_id) if rows is None else rows
    size = intervals.FUNNELS[method][0]
    tooltip = indicator_tooltip(meeting, rows)
    keep = list(
        dict.fromkeys(
            [size, "value", "status", "status_label", *(tip.shorthand.split(":")[0] for tip in tooltip)]
        )
    )
    shown = rows.loc[rows["value"].notna() & (rows[size] > 0), keep]  # only what the chart draws or shows
    if shown.empty:
        return None
    target = float(meeting.profile.targets[indicator_id].threshold)
    grid = np.geomspace(shown[size].min(), shown[size].max(), 80) if len(shown) else np.array([])
    kind = ind.rules
    bands = intervals.funnel_limits(method, target, grid, ind.scale, kind.floor, kind.ceiling)
    limits = pd.concat(
        [
            pd.DataFrame(
                {
                    "size": grid,
                    "limit": edge,
                    "level": f"{level:.1%}".replace(".0%", "%"),
                    "band": f"{level}-{n}",
                }
            )
            for level, ends in bands.items()
            for n, edge in enumerate(ends)
        ],
        ignore_index=True,
    )
    labels = insights.status_labels(lang)
    chart = charts.funnel(
        shown,
        size=size,
        value="value",
        color=charts.status_color("status_label", labels, t("status", lang)),
        shape=alt.Shape(  # the colour's own scale and legend: one legend, status by shape and colour
            "status_label:N",
            scale=alt.Scale(
                domain=[labels[s] for s in charts.STATUS_SHAPES], range=list(charts.STATUS_SHAPES.values())
            ),
            title=t("status", lang),
            legend=alt.Legend(orient="bottom"),
        ),
        limits=limits,
        target=target,
        tooltip=tooltip,
        x_title=t(f"funnel.size_{size}", lang, what=ind.denominator_text(lang)),
        y_title=t("bracketed", lang, text=ind.short(lang), note=ind.unit_in(lang)),
        limit_title=t("funnel.limits", lang),
    )
    heading = t("funnel.heading", lang, indicator=ind.name(lang), **_where(meeting))
    outside = _outside(shown, size, method, target, ind)
    notes = [t("funnel.note", lang, n95=outside[0.95], n998=outside[0.998], total=len(shown))]
    text = map_text(meeting, heading, shown, category="status_label", value="value")
    return _finish(chart, meeting, heading, title, notes=notes, description=text)


def _outside(shown: pd.DataFrame, size: str, method: str, target: float, ind) -> dict[float, int]:
    """How many counties lie outside each funnel (at their own size)."""
    bands = intervals.funnel_limits(
        method, target, shown[size], ind.scale, ind.rules.floor, ind.rules.ceiling
    )
    value = shown["value"].to_numpy(dtype="float64")
    return {level: int(((value < low) | (value > high)).sum()) for level, (low, high) in bands.items()}


def gap_rows(meeting: Meeting, frame: pd.DataFrame) -> pd.DataFrame:
    """The gap (a - b) per year of each group comparison in a disparities frame, with its words."""
    from analytics import disparities

    lang = meeting.lang
    rows = frame[frame["comparison"].isin(list(disparities.COMPARISONS))].copy()
    rows["comparison"] = [
        t(
            "disparities.gap_label",
            lang,
            a=disparities.group_label(a, lang),
            b=disparities.group_label(b, lang),
        )
        for a, b in zip(rows["group_a"], rows["group_b"], strict=True)
    ]
    rows["year"] = rows["year"].astype(str)
    return rows


def gap_trend(
    meeting: Meeting, indicator_id: str, frame: pd.DataFrame, *, title: str | None = None
) -> alt.TopLevelMixin:
    """How the gap between districts and counties, and between autonomous areas and the rest, moved since 2020
    (`frame`: analytics.disparities.disparities for this indicator)."""
    lang, ind = meeting.lang, meeting.catalog[indicator_id]
    rows = gap_rows(meeting, frame)
    chart = charts.gap_lines(
        rows,
        titles={
            "comparison": t("disparities.gap_legend", lang),
            "y": t("bracketed", lang, text=t("disparities.gap_axis", lang), note=ind.unit_in(lang)),
            "tooltip": [
                alt.Tooltip("comparison:N", title=t("disparities.gap_legend", lang)),
                alt.Tooltip("year:N", title=t("year", lang)),
                alt.Tooltip(
                    "difference:Q", title=t("disparities.gap_axis", lang), format=f",.{ind.decimals}f"
                ),
                alt.Tooltip("diff_low:Q", title="95% ↓", format=f",.{ind.decimals}f"),
                alt.Tooltip("diff_high:Q", title="95% ↑", format=f",.{ind.decimals}f"),
            ],
        },
    )
    heading = t("disparities.gap_heading", lang, indicator=ind.name(lang), **_where(meeting))
    return _finish(chart, meeting, heading, title, notes=[t("disparities.method", lang)])


def probability_curve(
    meeting: Meeting, indicator_id: str, curve: pd.DataFrame, candidate: float, to_year: int, *, title=None
) -> alt.TopLevelMixin:
    """The probability that the region reaches each candidate target in `to_year` (analytics.outlook)."""
    lang, ind = meeting.lang, meeting.catalog[indicator_id]
    chart = charts.probability_line(
        curve,
        candidate=candidate,
        titles={
            "x": t("bracketed", lang, text=t("outlook.candidate", lang), note=ind.unit_in(lang)),
            "y": t("outlook.probability_axis", lang),
            "tooltip": [
                alt.Tooltip("target:Q", title=t("outlook.candidate", lang), format=f",.{ind.decimals}f"),
                alt.Tooltip("probability:Q", title=t("outlook.probability_axis", lang), format=".0%"),
            ],
        },
    )
    heading = t(
        "outlook.curve_heading", lang, indicator=ind.name(lang), region=meeting.region_name, year=to_year
    )
    return _finish(chart, meeting, heading, title, notes=[t("outlook.curve_note", lang)])


def status_grid_rows(meeting: Meeting) -> tuple[pd.DataFrame, list[str]]:
    """County x indicator rows with labels and value texts, and the counties in met-count order (provinces
    when the meeting is about the whole country)."""
    cat, regs, lang = meeting.catalog, meeting.regions, meeting.lang
    level = "province" if meeting.national else "county"
    ev = meeting.rows(level)
    labelled = insights.with_labels(ev, cat, regs, lang)
    labelled["county"] = labelled["region_name"]
    labelled["value_text"] = [
        insights.format_value(v, cat[i], lang, level=level, status=s, profile=meeting.profile)
        for v, i, s in zip(labelled["value"], labelled["indicator_id"], labelled["status"], strict=True)
    ]
    if "certainty" in labelled.columns:  # cannot tell: ？ beside the cell's ✓ / ✗ (not a colour of its own)
        unclear = labelled["certainty"].eq("unclear")
        labelled["symbol"] = labelled["symbol"].where(
            ~unclear, labelled["symbol"] + t("certainty_symbol", lang)
        )
        labelled["certainty_label"] = insights.certainty_labels(labelled["certainty"], lang)
    counts = insights.count_by_region(ev).sort_values(["met", "no_data"], ascending=[False, True])
    return labelled, list(regs.names(counts["region_code"]))


def status_grid(
    meeting: Meeting, *, rows: tuple[pd.DataFrame, list[str]] | None = None, title: str | None = None
) -> alt.TopLevelMixin:
    """County x indicator status cells with ✓ / ✗ / –, grouped under the five actions."""
    cat, lang = meeting.catalog, meeting.lang
    labelled, order = status_grid_rows(meeting) if rows is None else rows
    grid = charts.status_grid(
        labelled,
        county_order=order,
        indicator_order=[i.short(lang) for i in cat.indicators],
        domain_order=[d.name(lang) for d in cat.domains],
        labels=insights.status_labels(lang),
        titles={
            "status": t("status", lang),
            "tooltip": [
                alt.Tooltip("county:N", title=t("county", lang)),
                alt.Tooltip("indicator_name:N", title=t("indicator", lang)),
                alt.Tooltip("status_label:N", title=t("status", lang)),
                alt.Tooltip("value_text:N", title=t("value", lang)),
                *(
                    [alt.Tooltip("certainty_label:N", title=t("certainty", lang))]
                    if "certainty_label" in labelled.columns
                    else []
                ),
            ],
        },
    )
    unclear = int(labelled["certainty"].eq("unclear").sum()) if "certainty" in labelled.columns else 0
    notes = (
        [t("certainty_note_cells", lang, symbol=t("certainty_symbol", lang), n=unclear)] if unclear else []
    )
    heading = t("figure.status_grid", lang, **_where(meeting))
    return _finish(grid, meeting, heading, title, width=900, notes=notes)


def bullet_rows(meeting: Meeting, county_code: str) -> pd.DataFrame:
    """All indicators of one county next to the target, its prefecture and province, with provenance."""
    this_year = {
        level: meeting.all_years(level)[lambda d: d["year"] == meeting.year]
        for level in ("county", "prefecture", "province")
    }
    table = insights.profile_table(
        county_code,
        this_year["county"],
        this_year["prefecture"],
        this_year["province"],
        meeting.progress(),
        meeting.catalog,
        meeting.profile,
        meeting.regions,
        meeting.lang,
    )
    return provenance_text(indicator_provenance(table, this_year["county"], county_code), meeting.lang)


def bullets(
    meeting: Meeting, county_code: str, *, rows: pd.DataFrame | None = None, title: str | None = None
) -> alt.TopLevelMixin:
    """One county: a bar per indicator against the target tick, prefecture ◆ and province ○."""
    lang = meeting.lang
    table = bullet_rows(meeting, county_code) if rows is None else rows
    tooltip = [
        alt.Tooltip("indicator_name:N", title=t("indicator", lang)),
        alt.Tooltip("value_text:N", title=t("county_value", lang)),
        alt.Tooltip("target_text:N", title=t("target", lang)),
        alt.Tooltip("prefecture_text:N", title=t("prefecture_value", lang)),
        alt.Tooltip("province_text:N", title=t("province_value", lang)),
        alt.Tooltip("status_label:N", title=t("status", lang)),
        alt.Tooltip("trajectory_label:N", title=t("show_trajectory", lang)),
    ]
    if not meeting.synthetic:
        tooltip += [
            alt.Tooltip("version_text:N", title=t("provenance.version_column", lang)),
            alt.Tooltip("department_text:N", title=t("provenance.department_column", lang)),
        ]
    tooltip.insert(2, alt.Tooltip("interval_text:N", title=t("interval", lang)))
    tooltip.insert(3, alt.Tooltip("certainty_label:N", title=t("certainty", lang)))
    chart = charts.bullet_chart(
        with_whiskers(table),
        titles={
            "status": t("status", lang),
            "status_scale": charts.status_scale(insights.status_labels(lang)),
            "tooltip": tooltip,
            "order": list(table["indicator"]),
        },
    )
    heading = t("figure.bullets", lang, county=meeting.regions.name(county_code), year=meeting.year)
    return _finish(chart, meeting, heading, title, notes=[t("bullet_legend", lang)], width=760)


def with_whiskers(table: pd.DataFrame) -> pd.DataFrame:
    """`whisker_low` / `whisker_high`: each row's interval, cut a tenth of the row's span beyond its other marks
    (county, target, prefecture, province), so a reduction's interval to -10,000 % keeps the row readable."""
    marks = table[["county_value", "target", "prefecture_value", "province_value"]].astype("float64")
    lo, hi = marks.min(axis=1).clip(upper=0), marks.max(axis=1)
    pad = (hi - lo).where(hi > lo, 1.0) / 10
    return table.assign(
        whisker_low=table["county_low"].clip(lower=lo - pad, upper=hi + pad),
        whisker_high=table["county_high"].clip(lower=lo - pad, upper=hi + pad),
    )


def trend_rows(meeting: Meeting, county_code: str) -> pd.DataFrame:
    """Observed values per year up to the meeting's year and the dashed projection to the target year."""
    county_years = meeting.all_years("county")
    return insights.trend_frame(
        county_years[county_years["year"] <= meeting.year],
        meeting.progress(),
        county_code,
        meeting.catalog,
        meeting.lang,
    )


def trends(
    meeting: Meeting, county_code: str, *, rows: pd.DataFrame | None = None, title: str | None = None
) -> alt.TopLevelMixin:
    """Small multiples per indicator: observed line, dashed projection to the target year, target rule."""
    lang, cat = meeting.lang, meeting.catalog
    trend = trend_rows(meeting, county_code) if rows is None else rows
    chart = charts.trend_chart(
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
    prog = meeting.progress()
    years = insights.method_years(
        prog[prog["region_code"].astype(str) == str(county_code)], meeting.profile.target_year
    )
    note = t("method_note", lang, method=t("method_trajectory", lang), years=years)
    heading = t(
        "figure.trends",
        lang,
        county=meeting.regions.name(county_code),
        year=meeting.year,
        target_year=meeting.profile.target_year,
    )
    return _finish(chart, meeting, heading, title, notes=[note], width=760)


def final_met_change(meeting: Meeting, evaluation, *, title: str | None = None) -> alt.TopLevelMixin:
    """Indicators met per unit at the baseline and at the end of the plan (analytics.final_eval): the region
    first, then the level below in order of indicators met at the end."""
    lang, summary = meeting.lang, evaluation.summary
    data = summary.assign(unit=summary["region_name"].astype(str))
    data = pd.concat(
        [
            data[data["is_region"]],
            data[~data["is_region"]].sort_values("n_met", ascending=False, kind="stable"),
        ]
    )
    data["label"] = [
        t("final.chart_label", lang, met=m, total=n)
        for m, n in zip(data["n_met"], data["n_indicators"], strict=True)
    ]
    baseline = t("final.chart_baseline", lang, year=evaluation.baseline_year)
    final = t("final.chart_final", lang, year=evaluation.year)
    chart = charts.met_change(
        data[["unit", "n_met_baseline", "n_met", "n_indicators", "label"]],
        order=list(data["unit"]),
        titles={
            "baseline": baseline,
            "final": final,
            "x": t("final.chart_x", lang),
            "tooltip": [
                alt.Tooltip("unit:N", title=t("region", lang)),
                alt.Tooltip("when:N", title=t("year", lang)),
                alt.Tooltip("n:Q", title=t("final.chart_x", lang), format="d"),
            ],
        },
    )
    heading = t(
        "final.chart_heading",
        lang,
        region=meeting.region_name,
        baseline=evaluation.baseline_year,
        year=evaluation.year,
    )
    return _finish(chart, meeting, heading, title)
