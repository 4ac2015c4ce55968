"""Altair chart builders (pure: they return charts, never render). One theme, colour-blind-safe palettes.

Maps follow the measured pattern (DESIGN.md "Rendering"): the indicator table is the chart's data and the
geometry joins by `transform_lookup` from a TopoJSON file the browser fetches from static/, so a rerun sends
a small spec. Status is never shown by colour alone: tooltips and tables carry ✓ / ✗ / –, and the maps
print the symbol on each county.
"""

from __future__ import annotations

import unicodedata

import altair as alt
import pandas as pd

FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
# Status colours: dark blue / orange / light grey. Blue-orange is safe for the common colour-vision
# deficiencies, and each pair differs by >= 3:1 in contrast (checked in tests/test_charts.py).
STATUS_COLORS = {"met": "#08306b", "not_met": "#d95f02", "no_data": "#f0f0f0"}
STATUS_ORDER = ["met", "not_met", "no_data"]
STATUS_SYMBOL = {"met": "✓", "not_met": "✗", "no_data": "–"}
DIVERGING = ["#b35806", "#f7f7f7", "#2166ac"]  # short of target (orange) .. at target .. beyond (blue)
PROGRESS_COLORS = {
    "target_met": "#08306b",
    "improving": "#6baed6",
    "little_or_no_change": "#fdd0a2",
    "getting_worse": "#d95f02",
    "baseline_only": "#bdbdbd",
    "no_data": "#f0f0f0",
}
TRAJECTORY_COLORS = {
    "maintaining": "#08306b",
    "on_track": "#2171b5",
    "moderately_improving": "#9ecae1",
    "stagnating": "#fdae6b",
    "worsening": "#d95f02",
    "insufficient_data": "#bdbdbd",
    "no_data": "#f0f0f0",
}
GAP_COLORS = ["#08306b", "#d95f02"]  # two comparisons: the status pair, colour-blind safe (blue, orange)
BINARY_COLORS = {"yes": DIVERGING[2], "no": DIVERGING[0]}  # a county's 1/0 status (e.g. provides the service)
OUTLINE = "#333333"
AXIS_LABEL_SIZE = 14
BAR_LABEL_LIMIT = 240  # px: the longest action name (15 characters) fits
THEME = "atlas"


@alt.theme.register(THEME, enable=True)
def atlas_theme() -> alt.theme.ThemeConfig:
    """Large type for a projector, CJK-capable fonts, no chart border."""
    return {
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "title": {"fontSize": 20, "font": FONT, "anchor": "start"},
            "axis": {
                "labelFontSize": AXIS_LABEL_SIZE,
                "titleFontSize": 15,
                "labelFont": FONT,
                "titleFont": FONT,
            },
            # whole legend titles ("达标状态（目标 ≥8 人/10万人口）"): Vega cuts them at 180 px by default
            "legend": {
                "labelFontSize": 14,
                "titleFontSize": 15,
                "labelFont": FONT,
                "titleFont": FONT,
                "titleLimit": 640,
                "labelLimit": 400,
            },
            "header": {"labelFontSize": 14, "titleFontSize": 15, "labelFont": FONT, "titleFont": FONT},
            # a county without a value keeps its place on a map, in the no-data fill (marks with invalid="show")
            "scale": {"invalid": {"color": {"value": STATUS_COLORS["no_data"]}}},
            "text": {"font": FONT},
        }
    }


def relative_luminance(hex_color: str) -> float:
    rgb = [int(hex_color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def status_scale(labels: dict[str, str]) -> alt.Scale:
    return alt.Scale(domain=[labels[s] for s in STATUS_ORDER], range=[STATUS_COLORS[s] for s in STATUS_ORDER])


def categorical_scale(colors: dict[str, str], labels: dict[str, str]) -> alt.Scale:
    return alt.Scale(domain=[labels[k] for k in colors], range=list(colors.values()))


def channels(**encodings: object) -> dict[str, object]:
    """The keyword arguments of every chart's .encode(), each made an Altair channel object here.

    Handed a shorthand ("value:Q"), an alt.value() or an alt.condition(), encode() finds the channel's class
    by matching the dict against the Vega-Lite schema: 5-10 ms each, 28-37 ms for the map's county layer on
    every indicator change (benchmarks/RESULTS.md). The class named after the channel costs 0.05 ms and
    writes the same spec.
    """
    return {name: _channel(name, obj) for name, obj in encodings.items()}


def _channel(name: str, obj: object) -> object:
    if isinstance(obj, list | tuple):
        return [_channel(name, item) for item in obj]
    kind = name[0].upper() + name[1:]  # strokeWidth -> alt.StrokeWidth, x2 -> alt.X2
    if isinstance(obj, str):
        return getattr(alt, kind)(obj)
    if isinstance(obj, dict):  # alt.value(v) or alt.condition(...): a value (with its condition) or a field
        return getattr(alt, kind + "Value" if "value" in obj else kind)(**obj)
    return obj


# --- maps -------------------------------------------------------------------------------------------
def _geo(url: str, feature: str) -> alt.LookupData:
    return alt.LookupData(data=alt.topo_feature(url, feature), key="properties.adcode")


def county_map(
    data: pd.DataFrame,
    *,
    topo_url: str,
    color: alt.Color,
    tooltip: list,
    selection_name: str = "county",
    outline_codes: list[str] | None = None,
    symbols: pd.DataFrame | None = None,
    title: str = "",
    width: int = 720,
    height: int = 560,
    fit: dict | None = None,
    highlight: str | list[str] | None = None,
    outline_feature: str = "prefectures",
    padding: int | dict | None = None,
) -> alt.LayerChart:
    """Counties coloured by `color`, outlines of `outline_codes` (features of `outline_feature`: prefectures,
    or provinces on the whole-country map), status symbols, click-to-select by adcode.

    `data` needs a `region_code` column; `symbols` (lon, lat, symbol) prints a glyph on each county;
    `highlight` rings one county or several (a what-if's chosen counties) in black; an empty list keeps the ring's
    layer with no county in it (a page's map then stays the same spec whether a county is picked or not).
    """
    select = alt.selection_point(fields=["region_code"], name=selection_name, on="click", clear="dblclick")
    projection = alt.Projection(type="mercator", **({"fit": fit} if fit else {}))
    base = (
        alt.Chart(data, name=f"{selection_name}_marks")  # a named view: see ranked_bars
        # invalid="show": a county without a value is drawn in the no-data fill (config.scale.invalid), not dropped
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.6, clip=bool(fit), invalid="show", aria=False)
        .transform_lookup(lookup="region_code", from_=_geo(topo_url, "counties"), as_="geo")
        .encode(
            **channels(
                shape="geo:G",
                color=color,
                tooltip=tooltip,
                strokeWidth=alt.condition(select, alt.value(2.5), alt.value(0.6), empty=False),
                stroke=alt.condition(select, alt.value("#000000"), alt.value("#ffffff"), empty=False),
            )
        )
        .add_params(select)
    )
    layers: list[alt.Chart] = [base]
    if outline_codes:
        outlines = (
            alt.Chart(pd.DataFrame({"region_code": outline_codes}))
            .mark_geoshape(
                filled=False,
                fill="none",
                stroke=OUTLINE,
                strokeWidth=1.6,
                clip=bool(fit),
                tooltip=False,
                aria=False,
            )
            .transform_lookup(lookup="region_code", from_=_geo(topo_url, outline_feature), as_="geo")
            .encode(**channels(shape="geo:G"))
        )
        layers.append(outlines)
    if highlight is not None:
        ringed = [highlight] if isinstance(highlight, str) else list(highlight)
        ring = (
            alt.Chart(pd.DataFrame({"region_code": pd.Series(ringed, dtype=object)}))
            .mark_geoshape(
                filled=False, fill="none", stroke="#000000", strokeWidth=3, tooltip=False, aria=False
            )
            .transform_lookup(lookup="region_code", from_=_geo(topo_url, "counties"), as_="geo")
            .encode(**channels(shape="geo:G"))
        )
        layers.append(ring)
    if symbols is not None and len(symbols):
        # black glyph on a white halo: readable on every fill colour without a second colour scale
        glyph = alt.Chart(symbols).encode(**channels(longitude="lon:Q", latitude="lat:Q", text="symbol:N"))
        # tooltip=False keeps these layers out of pointer events: a click goes to the county underneath
        text = {"fontSize": 13, "fontWeight": "bold", "clip": bool(fit), "tooltip": False, "aria": False}
        layers.append(glyph.mark_text(stroke="#ffffff", strokeWidth=3, **text))
        layers.append(glyph.mark_text(color="#000000", **text))
    # one LayerChart with all its properties: each .project() / .properties() would copy all the layers again
    props = {"title": title, "padding": padding}
    return alt.layer(
        *layers,
        projection=projection,
        width=width,
        height=height,
        **{k: v for k, v in props.items() if v is not None and v != ""},
    )


SCENARIO_TOOLTIP = (("region_name", "N"), ("value_text", "N"), ("status_label", "N"), ("units_added", "Q"))


def scenario_tooltip(titles: dict[str, str]) -> list[alt.Tooltip]:
    """A what-if map's tooltip: county, value, status and, when units were allocated, the units it receives.
    A field is shown when `titles` names it (leave out `units_added` when nothing was allocated)."""
    return [
        alt.Tooltip(f"{name}:{vtype}", title=titles[name], **({"format": ",d"} if vtype == "Q" else {}))
        for name, vtype in SCENARIO_TOOLTIP
        if name in titles
    ]


def status_color(field: str, labels: dict[str, str], title: str, legend: bool = True) -> alt.Color:
    """Status colours; pass legend=False where every mark already carries its ✓ / ✗ / – in a label."""
    return alt.Color(
        f"{field}:N",
        scale=status_scale(labels),
        title=title,
        legend=alt.Legend(orient="bottom") if legend else None,
    )


def value_color(
    field: str, target: float, title: str, domain: tuple[float, float] | None = None
) -> alt.Color:
    """Diverging around the target: orange below, blue above; the legend marks the target."""
    lo, hi = domain if domain else (None, None)
    scale_domain = [lo, target, hi] if lo is not None and hi is not None else None
    scale = (
        alt.Scale(domain=scale_domain, range=DIVERGING)
        if scale_domain
        else alt.Scale(range=DIVERGING, domainMid=target)
    )
    legend_values = sorted({round(v, 1) for v in (lo, target, hi) if v is not None})
    return alt.Color(
        f"{field}:Q",
        scale=scale,
        title=title,
        legend=alt.Legend(orient="bottom", gradientLength=320, values=legend_values or None),
    )


def sequential_color(
    field: str, title: str, scheme: str = "oranges", domain: list | None = None, counts: bool = False
) -> alt.Color:
    """A one-hue ramp; `counts`: whole numbers on the legend (no 12.5 indicators)."""
    whole = {"format": "d", "tickMinStep": 1} if counts else {}
    return alt.Color(
        f"{field}:Q",
        scale=alt.Scale(scheme=scheme, domain=domain) if domain else alt.Scale(scheme=scheme),
        title=title,
        legend=alt.Legend(orient="bottom", gradientLength=320, **whole),
    )


# --- bars, bullets, trends, grids -----------------------------------------------------------------------
def used_fields(data: pd.DataFrame, *channels: object, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """`data` with only the columns the channels name (shorthands "name:Q", Altair channel objects and lists of
    them) and `keep`: a chart carries its data to the browser, and a page's rows have dozens of columns that
    one chart never reads (60 counties x 49 columns were 50 KB a chart on every indicator change)."""
    names: set[str] = set(keep)

    def walk(item: object) -> None:
        if isinstance(item, str):
            names.add(item.split(":", 1)[0])
        elif isinstance(item, list | tuple):
            for part in item:
                walk(part)
        elif hasattr(item, "to_dict"):
            # only its field names: no schema check here (the whole chart is checked in the tests: check_specs)
            spec = item.to_dict(validate=False)
            for found in (spec, spec.get("condition") or {}):
                if isinstance(found, dict) and isinstance(found.get("field"), str):
                    names.add(found["field"])

    walk(channels)
    out = data[[c for c in data.columns if c in names]].reset_index(drop=True)  # no index column sent
    # a text repeated down the rows (a county's name in its 25 cells) goes once, as an Arrow dictionary: the
    # overview's 1,500-cell grid was 322 KB as plain text
    repeated = [
        c
        for c in out.columns
        if (out[c].dtype == object or pd.api.types.is_string_dtype(out[c]))
        and out[c].nunique() * 2 < len(out)
    ]
    return out.astype(dict.fromkeys(repeated, "category")) if repeated else out


def ranked_bars(
    data: pd.DataFrame,
    *,
    value: str,
    label: str,
    color: alt.Color,
    target: float | None,
    tooltip: list,
    x_title: str,
    selection_name: str = "bar",
    height_per_row: int = 18,
    highlight: str | None = None,
    interval: tuple[str, str] | None = None,
    label_width: float | None = None,
    height_rows: int | None = None,
) -> alt.LayerChart:
    """Counties sorted by value, target as a dashed rule; click selects a county (same field as the map);
    the `highlight`ed county's bar is outlined in black; `interval` = (low, high) fields: each value's 95 %
    interval as a whisker across the bar's end.

    The order is a rank field in the rows, not a list in the spec; `label_width` (px, default: the widest
    label's) and `height_rows` (default: the rows') fix the label column and the height: a page that keeps
    them from one indicator to the next sends the same spec with new rows (figures.steady), which the browser
    redraws in place."""
    data = used_fields(data, color, tooltip, keep=(value, label, "region_code", *(interval or ())))
    data = data.sort_values(value, ascending=False, kind="stable").assign(rank=range(len(data)))
    select = alt.selection_point(fields=["region_code"], name=selection_name, on="click")
    picked = alt.FieldEqualPredicate(field="region_code", equal=str(highlight or ""))
    # a fixed label column, so the figure's heading can start over the labels (see count_bars)
    if label_width is None:
        label_width = max((text_width(str(v), AXIS_LABEL_SIZE) for v in data[label]), default=0)
    extent = int(min(label_width, 220)) + 10
    axis = alt.Axis(labelLimit=220, minExtent=extent, maxExtent=extent)
    order = alt.EncodingSortField(field="rank", op="min", order="ascending")  # every layer's order
    bars = (
        # named: a view with a selection has a name, which Altair would otherwise make by hashing the chart
        # with its data printed (20 ms for a map)
        alt.Chart(name=f"{selection_name}_marks")
        .mark_bar(aria=False)  # the figure's description and the table beside it say it in words
        .encode(
            **channels(
                y=alt.Y(f"{label}:N", sort=order, title=None, axis=axis),
                x=alt.X(f"{value}:Q", title=x_title),
                color=color,
                tooltip=tooltip,
                opacity=alt.condition(select, alt.value(1.0), alt.value(0.85)),
                stroke=alt.condition(picked, alt.value("#000000"), alt.value(None)),
                strokeWidth=alt.condition(picked, alt.value(3), alt.value(0)),
            )
        )
        .add_params(select)
    )
    layers: list[alt.Chart] = [bars]
    if interval is not None:
        low, high = interval
        # a whisker far past every bar (a few accidents: a reduction's interval runs to -10,000 %) is cut at a
        # tenth of the bars' span beyond them, so the bars keep their scale
        ends = [data[value].min(), data[value].max(), 0.0, *([target] if target is not None else [])]
        ends = [e for e in ends if pd.notna(e)]
        span = (max(ends) - min(ends)) or 1.0
        lo_end, hi_end = min(ends) - span / 10, max(ends) + span / 10
        data = data.assign(**{low: data[low].clip(lo_end, hi_end), high: data[high].clip(lo_end, hi_end)})
        whiskers = (
            alt.Chart()
            .mark_rule(color="#333333", strokeWidth=1.5, aria=False)
            .encode(
                **channels(
                    y=alt.Y(f"{label}:N", sort=order),
                    x=f"{low}:Q",
                    x2=f"{high}:Q",
                    tooltip=tooltip,
                )
            )
            .transform_filter(f"isValid(datum.{low}) && isValid(datum.{high})")
        )
        layers.append(whiskers)
    if target is not None:
        rule = alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(
            strokeDash=[6, 4], strokeWidth=2, color="#000000"
        )
        layers.append(rule.encode(**channels(x="target:Q")))
    rows = len(data) if height_rows is None else height_rows
    return alt.layer(*layers, data=data, height=max(160, height_per_row * rows), width="container")


def status_grid(
    data: pd.DataFrame,
    *,
    county_order: list[str],
    indicator_order: list[str],
    labels: dict[str, str],
    titles: dict,
    domain_order: list[str] | None = None,
) -> alt.LayerChart | alt.FacetChart:
    """County x indicator cells coloured by status with the ✓/✗/– symbol printed in each cell; with
    `domain_order` (and a `domain` column) the indicators are grouped under their five actions."""
    data = used_fields(
        data, titles["tooltip"], keep=("indicator", "county", "status", "status_label", "symbol", "domain")
    )
    base = alt.Chart().encode(
        **channels(  # the data goes to the layer: see trend_chart
            x=alt.X(
                "indicator:N",
                sort=indicator_order,
                title=None,
                axis=alt.Axis(labelAngle=-60, labelLimit=160, orient="top"),
            ),
            y=alt.Y("county:N", sort=county_order, title=None),
            tooltip=titles["tooltip"],
        )
    )
    cells = base.mark_rect(stroke="#ffffff", strokeWidth=1).encode(
        **channels(color=status_color("status_label", labels, titles["status"]))
    )
    marks = base.mark_text(fontSize=11).encode(
        **channels(  # 11 px: "✓？" fits a 20 px cell
            text="symbol:N",
            color=alt.condition(alt.datum.status == "met", alt.value("#ffffff"), alt.value("#000000")),
        )
    )
    height = max(200, 20 * len(county_order))
    if domain_order:
        return faceted(
            alt.layer(cells, marks, height=height, width=alt.Step(20)),
            data,
            alt.FacetMapping(
                column=alt.Column(
                    "domain:N",
                    sort=domain_order,
                    title=None,
                    # slanted, so a one-indicator action's long name does not run over its neighbour
                    header=alt.Header(labelAngle=-25, labelAlign="left", labelLimit=220, labelFontSize=12),
                )
            ),
            independent="x",
            spacing=8,
        )
    return alt.layer(cells, marks, data=data, height=height, width=max(400, 30 * len(indicator_order)))


def faceted(
    layer: alt.LayerChart, data: pd.DataFrame, facet, *, independent: str, **properties
) -> alt.FacetChart:
    """`layer` repeated by `facet` (alt.Facet or alt.FacetMapping) over `data`, each panel with its own `independent`
    scale ("x" or "y"), built in one step: `.facet()` and then `.resolve_scale()` would deep-copy all the layers
    twice more (Altair copies the sub-charts whenever it makes a compound chart: ~40 ms for a county's bullets)."""
    resolve = alt.Resolve(scale=alt.ScaleResolveMap(**{independent: "independent"}))
    return alt.FacetChart(spec=layer, data=data, facet=facet, resolve=resolve, **properties)


def bullet_chart(data: pd.DataFrame, *, titles: dict) -> alt.FacetChart:
    """One row per indicator: county bar, target tick, prefecture (◆) and province (●) markers; own scales."""
    drawn = ("indicator", "status_label", "county_value", "target", "prefecture_value", "province_value")
    data = used_fields(data, titles["tooltip"], keep=(*drawn, "whisker_low", "whisker_high"))
    base = alt.Chart()  # the data goes to the layer: see trend_chart
    bar = base.mark_bar(height=14).encode(
        **channels(
            # five ticks, no grid: 25 rows of own axes read as well, and a county's profile paints ~0.1 s sooner
            x=alt.X("county_value:Q", title=None, axis=alt.Axis(tickCount=5, grid=False)),
            color=alt.Color(
                "status_label:N",
                scale=titles["status_scale"],
                title=titles["status"],
                legend=alt.Legend(orient="top"),
            ),
            tooltip=titles["tooltip"],
        )
    )
    target = base.mark_tick(thickness=3, size=26, color="#000000").encode(**channels(x="target:Q"))
    pref = base.mark_point(shape="diamond", size=90, filled=True, color="#6a3d9a").encode(
        **channels(x="prefecture_value:Q")
    )
    prov = base.mark_point(shape="circle", size=70, filled=False, strokeWidth=2, color="#000000").encode(
        **channels(x="province_value:Q")
    )
    layers = [bar, target, pref, prov]
    if "whisker_low" in data.columns:  # the county value's 95 % interval
        layers.insert(
            1,
            base.mark_rule(color="#333333", strokeWidth=1.5).encode(
                **channels(x="whisker_low:Q", x2="whisker_high:Q")
            ),
        )
    return faceted(
        alt.layer(*layers, width=420, height=28),
        data,
        alt.FacetMapping(
            row=alt.Row(
                "indicator:N",
                sort=titles["order"],
                title=None,
                header=alt.Header(labelAngle=0, labelAlign="left", labelLimit=340),
            )
        ),
        independent="x",
    )


def trend_chart(data: pd.DataFrame, *, titles: dict, columns: int = 4) -> alt.FacetChart:
    """Small multiples: observed line with points, dashed projection to the target year, target rule."""
    # the data is given to the layer only: layers holding the same frame make Altair hash each one by printing
    # the frame (0.1 s for a county's 25 indicators)
    base = alt.Chart().encode(
        **channels(
            x=alt.X("year:O", title=None),
            # ",.4~r": 100 not "100.000000" when a facet's values are all equal; 6.6 and 12,350 as they read
            y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(format=",.4~r")),
            tooltip=titles[
                "tooltip"
            ],  # on the lines only: on the rule it would split the max(target) aggregate
        )
    )
    observed = base.transform_filter(alt.datum.series == "observed").mark_line(
        point=True, strokeWidth=2.5, color="#08306b"
    )
    projected = base.transform_filter(alt.datum.series == "projection").mark_line(
        strokeDash=[5, 4], strokeWidth=2, color="#08306b"
    )
    target = (
        alt.Chart()
        .mark_rule(color="#d95f02", strokeDash=[2, 2], strokeWidth=2)
        .encode(**channels(y="max(target):Q"))
    )
    return faceted(
        alt.layer(observed, projected, target, width=160, height=110),
        data,
        alt.Facet("indicator:N", sort=titles["order"], title=None, header=alt.Header(labelLimit=170)),
        independent="y",
        columns=columns,
    )


def text_width(text: str, size: float) -> float:
    """Rough width in pixels: a CJK character is square, Latin about half as wide."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else 0.56 * size for c in text)


def distribution(
    data: pd.DataFrame,
    *,
    value: str,
    group: str,
    color: alt.Color,
    target: float | None,
    tooltip: list,
    x_title: str,
    sort: list | None = None,
) -> alt.LayerChart:
    """Every county's value as a tick on its prefecture's row (provinces nationally), coloured by status, the
    target as a dashed rule: how the counties spread, not only where they rank."""
    data = used_fields(data, color, tooltip, keep=(value, group, "region_code"))
    ticks = (
        alt.Chart(data)
        .mark_tick(thickness=3, size=20, opacity=0.85, aria=False)
        .encode(
            **channels(
                x=alt.X(f"{value}:Q", title=x_title, scale=alt.Scale(zero=False)),
                y=alt.Y(f"{group}:N", title=None, sort=sort, axis=alt.Axis(labelLimit=220)),
                color=color,
                tooltip=tooltip,
            )
        )
    )
    layers: list[alt.Chart] = [ticks]
    if target is not None:
        rule = alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(
            strokeDash=[6, 4], strokeWidth=2, color="#000000"
        )
        layers.append(rule.encode(**channels(x="target:Q")))
    rows = data[group].nunique()
    return alt.layer(*layers, height=max(120, 26 * rows), width="container")


STATUS_SHAPES = {"met": "circle", "not_met": "triangle-down", "no_data": "square"}  # status by shape too


def funnel(
    data: pd.DataFrame,
    *,
    size: str,
    value: str,
    color: alt.Color,
    shape: alt.Shape,
    limits: pd.DataFrame,
    target: float,
    tooltip: list,
    x_title: str,
    y_title: str,
    limit_title: str,
) -> alt.LayerChart:
    """Each county's value against its size (log axis), the target as a dashed rule and the funnels around it
    (`limits`: size, limit, level, band): where a county lies outside a funnel, chance alone hardly explains
    its distance from the target."""
    x = alt.X(f"{size}:Q", title=x_title, scale=alt.Scale(type="log"))
    points = (
        alt.Chart(data)
        .mark_point(filled=True, size=70, opacity=0.9, aria=False)
        .encode(
            **channels(
                x=x,
                y=alt.Y(f"{value}:Q", title=y_title, scale=alt.Scale(zero=False)),
                color=color,
                shape=shape,
            )
        )
        .encode(**channels(tooltip=tooltip))
    )
    levels = list(dict.fromkeys(limits["level"]))
    lines = (
        alt.Chart(limits)
        .mark_line(color="#444444", strokeWidth=1.5, aria=False)
        .encode(
            **channels(
                x=alt.X("size:Q", scale=alt.Scale(type="log")),
                y="limit:Q",
                detail="band:N",
                order="size:Q",
                strokeDash=alt.StrokeDash(
                    "level:N",
                    scale=alt.Scale(domain=levels, range=[[6, 3], [2, 2]][: len(levels)]),
                    legend=alt.Legend(title=limit_title, orient="bottom"),
                ),
            )
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"target": [target]}))
        .mark_rule(strokeDash=[6, 4], strokeWidth=2, color="#000000", aria=False)
        .encode(**channels(y="target:Q"))
    )
    return alt.layer(lines, rule, points, height=360, width="container")


def count_bars(
    data: pd.DataFrame,
    *,
    category: str,
    value: str,
    total: int,
    title: str,
    sort: list | None = None,
    selection_name: str | None = None,
) -> alt.LayerChart:
    """Horizontal bars of 'N met' with the total as a light background bar and the number printed. The label
    column has a fixed width (`maxExtent`), so a heading can start where the labels start."""
    widest = max((text_width(str(v), AXIS_LABEL_SIZE) for v in data[category]), default=0)
    extent = int(min(widest, BAR_LABEL_LIMIT)) + 10  # + tick and padding
    axis = alt.Axis(labelLimit=BAR_LABEL_LIMIT, minExtent=extent, maxExtent=extent)
    base = alt.Chart().encode(**channels(y=alt.Y(f"{category}:N", sort=sort or "-x", title=None, axis=axis)))
    back = base.mark_bar(color="#e5e5e5").encode(
        **channels(
            x=alt.X(
                "total:Q",
                title=title,
                scale=alt.Scale(domain=[0, total]),
                axis=alt.Axis(tickMinStep=1, format="d"),  # counts: no 0.5 ticks
            )
        )
    )
    pointer = {"cursor": "pointer"} if selection_name else {}
    front = base.mark_bar(color=STATUS_COLORS["met"], **pointer).encode(
        **channels(x=f"{value}:Q", tooltip=[f"{category}:N", f"{value}:Q", "total:Q"])
    )
    if selection_name:  # a click on a bar picks its region (e.g. zooms the pages to that prefecture)
        select = alt.selection_point(fields=["region_code"], name=selection_name, on="click")
        front = front.add_params(select).properties(name=f"{selection_name}_marks")  # see ranked_bars
    label = base.mark_text(align="left", dx=4, fontSize=14).encode(
        **channels(x=f"{value}:Q", text=f"{value}:Q")
    )
    return alt.layer(
        back,
        front,
        label,
        data=data.assign(total=data.get("total", total)),
        height=max(120, 28 * len(data)),
        width="container",
    )


def south_china_sea_inset(
    data: pd.DataFrame, *, topo_url: str, color: alt.Color, fit: dict, title: str
) -> alt.LayerChart:
    """The 南海诸岛 inset standard Chinese maps carry: the islands' counties and the dashed boundary line."""
    islands = (
        alt.Chart(data)
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.4, clip=True, invalid="show", aria=False)
        .transform_lookup(lookup="region_code", from_=_geo(topo_url, "counties"), as_="geo")
        .encode(**channels(shape="geo:G", color=color))
    )
    line = alt.Chart(alt.topo_feature(topo_url, "scs_line")).mark_geoshape(
        filled=False, stroke="#000000", strokeWidth=1.2, clip=True, aria=False
    )
    return alt.layer(
        islands,
        line,
        projection=alt.Projection(type="mercator", fit=fit),
        view=alt.ViewBackground(stroke="#666666", strokeWidth=1),
        width=130,
        height=170,
        title=alt.TitleParams(title, fontSize=13, anchor="middle"),
    )


def with_inset(
    main: alt.LayerChart, inset: alt.LayerChart, padding: int | dict | None = None
) -> alt.HConcatChart:
    extra = {} if padding is None else {"padding": padding}
    return alt.hconcat(main, inset, spacing=4, resolve=alt.Resolve(scale={"color": "shared"}), **extra)


def indicator_color(
    show: str, values: pd.Series, target: float, title: str, labels: dict[str, dict[str, str]]
) -> alt.Color:
    """The colour channel of the indicator map for what it shows (value / status / gap / shortfall /
    progress / trajectory). `labels` holds the display labels: {"status": ..., "progress": ..., "trajectory": ...}."""
    if show == "value" and labels.get("binary"):  # a county's 1/0 status: two categories, not a 0–100 % ramp
        return alt.Color(
            "value_text:N",
            title=title,
            legend=alt.Legend(orient="bottom"),
            scale=categorical_scale(BINARY_COLORS, labels["binary"]),
        )
    if show == "value":  # diverging with the target in the middle colour, the ends at the data's extremes
        lo, hi = values.min(), values.max()
        lo = target - 1e-9 if lo != lo or lo >= target else lo
        hi = target + 1e-9 if hi != hi or hi <= target else hi
        return value_color("value", target, title, domain=(lo, hi))
    if show == "status":
        return status_color("status_label", labels["status"], title)
    if show in ("gap", "shortfall"):
        return sequential_color("gap_pos" if show == "gap" else "shortfall_num", title)
    colors = PROGRESS_COLORS if show == "progress" else TRAJECTORY_COLORS
    return alt.Color(
        f"{show}_label:N",
        title=title,
        legend=alt.Legend(orient="bottom", columns=3),
        scale=categorical_scale(colors, labels[show]),
    )


def gap_lines(data: pd.DataFrame, *, titles: dict) -> alt.LayerChart:
    """The gap between two groups per year (one line per comparison, dash and point shape telling them apart
    as well as colour), its 95 % interval as a band, and the zero line (no gap)."""
    comparisons = list(dict.fromkeys(data["comparison"]))
    colour = alt.Color(
        "comparison:N",
        scale=alt.Scale(domain=comparisons, range=GAP_COLORS[: len(comparisons)]),
        title=titles["comparison"],
        legend=alt.Legend(orient="bottom", direction="vertical"),
    )
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0))
    band = (
        alt.Chart(data)
        .mark_area(opacity=0.18, aria=False)
        .encode(
            **channels(x=x, y="diff_low:Q", y2="diff_high:Q", color=alt.Color("comparison:N", legend=None))
        )
    )
    lines = (
        alt.Chart(data)
        .mark_line(point=True, strokeWidth=2.5, aria=False)
        .encode(
            **channels(
                x=x,
                y=alt.Y("difference:Q", title=titles["y"]),
                color=colour,
                strokeDash=alt.StrokeDash("comparison:N", legend=None),
                shape=alt.Shape("comparison:N", legend=None),
                tooltip=titles["tooltip"],
            )
        )
    )
    zero = (
        alt.Chart(pd.DataFrame({"zero": [0]}))
        .mark_rule(color="#000000", strokeWidth=1)
        .encode(**channels(y="zero:Q"))
    )
    return alt.layer(band, zero, lines, height=260, width="container")


def probability_line(data: pd.DataFrame, *, candidate: float, titles: dict) -> alt.LayerChart:
    """The probability of reaching each candidate target (a line), the candidate chosen (a dashed rule), and the
    50 % and 80 % levels (dotted rules)."""
    line = (
        alt.Chart(data)
        .mark_line(strokeWidth=2.5, color=STATUS_COLORS["met"], aria=False)
        .encode(
            **channels(
                x=alt.X("target:Q", title=titles["x"], scale=alt.Scale(zero=False)),
                y=alt.Y(
                    "probability:Q",
                    title=titles["y"],
                    axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1]),
                ),
                tooltip=titles["tooltip"],
            )
        )
    )
    levels = (
        alt.Chart(pd.DataFrame({"p": [0.5, 0.8]}))
        .mark_rule(strokeDash=[2, 3], color="#555555", aria=False)
        .encode(**channels(y="p:Q"))
    )
    chosen = (
        alt.Chart(pd.DataFrame({"target": [candidate]}))
        .mark_rule(strokeDash=[6, 4], strokeWidth=2, color="#000000", aria=False)
        .encode(**channels(x="target:Q"))
    )
    return alt.layer(levels, line, chosen, height=280, width="container")


def met_change(data: pd.DataFrame, *, order: list[str], titles: dict) -> alt.LayerChart:
    """Indicators met per unit at the baseline and at the end (a dumbbell): a grey rule between a hollow circle
    (baseline) and a filled diamond (end), the end's count printed beside it. The two years differ by shape
    and fill as well as colour; `data` has unit, n_met_baseline, n_met, n_indicators."""
    long = pd.concat(
        [
            data.assign(when=titles["baseline"], n=data["n_met_baseline"]),
            data.assign(when=titles["final"], n=data["n_met"]),
        ],
        ignore_index=True,
    )
    widest = max((text_width(str(v), AXIS_LABEL_SIZE) for v in data["unit"]), default=0)
    extent = int(min(widest, BAR_LABEL_LIMIT)) + 10  # fixed label column: the heading starts over it
    axis = alt.Axis(labelLimit=BAR_LABEL_LIMIT, minExtent=extent, maxExtent=extent)
    y = alt.Y("unit:N", sort=order, title=None, axis=axis)
    total = int(data["n_indicators"].max())
    x_scale = alt.Scale(domain=[0, total + 3], nice=False)  # room right of the end for its "22/25" label
    ticks = list(range(0, total + 1, 5 if total > 12 else 1))
    rule = (
        alt.Chart(data)
        .mark_rule(color="#9e9e9e", strokeWidth=3, aria=False)
        .encode(**channels(y=y, x=alt.X("n_met_baseline:Q", scale=x_scale), x2="n_met:Q"))
    )
    points = (
        alt.Chart(long)
        .mark_point(size=180, strokeWidth=2.5, opacity=1)
        .encode(
            **channels(
                y=y,
                x=alt.X("n:Q", title=titles["x"], scale=x_scale, axis=alt.Axis(values=ticks, format="d")),
                shape=alt.Shape(
                    "when:N",
                    title=None,
                    scale=alt.Scale(
                        domain=[titles["baseline"], titles["final"]], range=["circle", "diamond"]
                    ),
                    legend=alt.Legend(orient="bottom", direction="horizontal", labelLimit=400),
                ),
                color=alt.Color(
                    "when:N",
                    title=None,
                    scale=alt.Scale(
                        domain=[titles["baseline"], titles["final"]],
                        range=["#6b6b6b", STATUS_COLORS["met"]],
                    ),
                    legend=alt.Legend(orient="bottom", direction="horizontal", labelLimit=400),
                ),
                fill=alt.Fill(
                    "when:N",
                    title=None,
                    scale=alt.Scale(
                        domain=[titles["baseline"], titles["final"]], range=["#ffffff", STATUS_COLORS["met"]]
                    ),
                    legend=alt.Legend(orient="bottom", direction="horizontal", labelLimit=400),
                ),
                tooltip=titles["tooltip"],
            )
        )
    )
    labels = (
        alt.Chart(data)
        .mark_text(align="left", dx=12, fontSize=AXIS_LABEL_SIZE, color="#1a1a1a", aria=False)
        .encode(**channels(y=y, x=alt.X("n_met:Q", scale=x_scale), text="label:N"))
    )
    height = max(120, 34 * len(data))
    return alt.layer(rule, points, labels, height=height, width="container")
