"""Chart specs from analytics/charts.py, tested on `to_dict()` and compiled with vl-convert: no browser, no server.

The maps are the fragile part: geometry must come from the TopoJSON by `transform_lookup` (never inline), and
a spec that validates can still draw nothing (the classic empty map), so the Jilin map is compiled to SVG with
the committed TopoJSON inlined and its county paths are counted.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
import vl_convert
from spec_helpers import walk

from analytics import charts

ROOT = Path(__file__).resolve().parent.parent
JILIN = "220000"
JILIN_TOPO = ROOT / "data" / "boundaries" / "provinces" / f"{JILIN}.topo.json"
JILIN_URL = f"app/static/provinces/{JILIN}.topo.json"
LABELS = {"met": "✓ 达标", "not_met": "✗ 未达标", "no_data": "– 无数据"}


# --- helpers ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def jilin_topo() -> dict:
    return json.loads(JILIN_TOPO.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def jilin_counties(jilin_topo) -> pd.DataFrame:
    """One row per Jilin county, with a value, a status and its label (as the pages pass them)."""
    codes = [g["properties"]["adcode"] for g in jilin_topo["objects"]["counties"]["geometries"]]
    statuses = list(itertools.islice(itertools.cycle(charts.STATUS_ORDER), len(codes)))
    return pd.DataFrame(
        {
            "region_code": codes,
            "region_name": [g["properties"]["name"] for g in jilin_topo["objects"]["counties"]["geometries"]],
            "value": [50.0 + i for i in range(len(codes))],
            "status": statuses,
            "status_label": [LABELS[s] for s in statuses],
        }
    )


def jilin_map(data: pd.DataFrame, **kwargs) -> alt.LayerChart:
    kwargs.setdefault("color", charts.status_color("status_label", LABELS, "状态"))
    return charts.county_map(
        data,
        topo_url=JILIN_URL,
        tooltip=[alt.Tooltip("region_name:N", title="县（市、区）")],
        **kwargs,
    )


def lookups(spec: dict) -> list[dict]:
    """Every transform_lookup in a spec: {"lookup": field, "from": {"data": ..., "key": ...}, "as": ...}."""
    return [d for d in walk(spec) if "lookup" in d and "from" in d]


def rows_of(spec: dict, layer: dict) -> list[dict]:
    """The inline rows a layer draws (its own data, or the chart's when Altair hoisted it to the top)."""
    data = layer.get("data") or spec["data"]
    return spec["datasets"][data["name"]]


def roles(svg: str) -> dict[str, int]:
    """How many SVG elements Vega drew per ARIA role description ("bar", "rect mark", "geoshape" ...)."""
    return Counter(re.findall(r'aria-roledescription="([^"]+)"', svg))


def inline_topology(spec: dict, topo: dict) -> dict:
    """The same spec with every TopoJSON url replaced by the parsed file (vl-convert has no static server)."""

    def swap(node):
        if isinstance(node, dict):
            if str(node.get("url", "")).endswith(".topo.json"):
                return {"values": topo, "format": node["format"]}
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    return swap(spec)


def to_svg(chart: alt.TopLevelMixin, topo: dict | None = None) -> str:
    spec = chart.to_dict(validate=True)
    return vl_convert.vegalite_to_svg(inline_topology(spec, topo) if topo else spec)


def geoshape_paths(svg: str) -> list[str]:
    """The `d` of every drawn geoshape: the paths of Vega's shape-mark groups (the maps keep their shapes out
    of the accessibility tree, so there is no aria-roledescription to find them by)."""
    groups = re.findall(r'<g class="mark-shape role-mark[^"]*"[^>]*>(.*?)</g>', svg, flags=re.S)
    paths = [p for g in groups for p in re.findall(r"<path\b[^>]*>", g)]
    return [m.group(1) for p in paths if (m := re.search(r'\sd="([^"]+)"', p))]


def text_marks(svg: str) -> int:
    """How many text-mark groups Vega drew (the map's glyph layers)."""
    return len(re.findall(r'<g class="mark-text role-mark', svg))


# --- county map -------------------------------------------------------------------------------------
def test_county_map_joins_geometry_from_the_topojson_url(jilin_counties):
    spec = jilin_map(jilin_counties, outline_codes=["220100"]).to_dict()
    found = lookups(spec)
    counties = [f for f in found if f["from"]["data"]["format"]["feature"] == "counties"]
    assert counties, "the county layer has no transform_lookup"
    for f in found:
        assert f["lookup"] == "region_code"
        assert f["from"]["key"] == "properties.adcode"
        assert f["from"]["data"]["url"] == JILIN_URL
        assert f["from"]["data"]["format"]["type"] == "topojson"
    assert {f["from"]["data"]["format"]["feature"] for f in found} == {"counties", "prefectures"}
    # no inline geometry anywhere: the browser fetches the file, the spec carries only the indicator table
    text = json.dumps(spec)
    assert '"arcs"' not in text and '"coordinates"' not in text and '"geometry"' not in text
    assert not any("values" in d and isinstance(d["values"], dict) for d in walk(spec))


def test_county_map_data_is_the_indicator_table(jilin_counties):
    spec = jilin_map(jilin_counties).to_dict()
    first = spec["layer"][0]
    rows = rows_of(spec, first)
    assert len(rows) == len(jilin_counties)
    assert {r["region_code"] for r in rows} == set(jilin_counties["region_code"])
    assert first["mark"]["type"] == "geoshape"
    assert first["encoding"]["shape"] == {"field": "geo", "type": "geojson"}


@pytest.mark.parametrize("name", ["county", "pick"])
def test_county_map_click_selection_param(jilin_counties, name):
    spec = jilin_map(jilin_counties, selection_name=name).to_dict()
    params = [p for p in spec.get("params", []) if "select" in p]
    assert [p["name"] for p in params] == [name]
    select = params[0]["select"]
    assert select["type"] == "point" and select["fields"] == ["region_code"]
    # the clicked county is drawn with a thick black outline
    conditions = [d["condition"] for d in walk(spec["layer"][0]["encoding"]) if "condition" in d]
    assert {c["param"] for c in conditions} == {name}


def test_county_map_status_colours_in_status_order(jilin_counties):
    spec = jilin_map(jilin_counties).to_dict()
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale["domain"] == [LABELS[s] for s in charts.STATUS_ORDER]
    assert scale["range"] == [charts.STATUS_COLORS[s] for s in charts.STATUS_ORDER]


def test_county_map_symbols_layer_only_when_given(jilin_counties):
    without = jilin_map(jilin_counties).to_dict()
    assert not [layer for layer in without["layer"] if layer["mark"]["type"] == "text"]

    points = pd.DataFrame({"region_code": ["220102"], "lon": [125.3], "lat": [43.8], "symbol": ["✓"]})
    spec = jilin_map(jilin_counties, symbols=points).to_dict()
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert texts, "no symbol layer"
    for layer in texts:
        enc = layer["encoding"]
        assert enc["text"]["field"] == "symbol"
        assert enc["longitude"]["field"] == "lon" and enc["latitude"]["field"] == "lat"
        assert rows_of(spec, layer) == points.to_dict("records")


def test_county_map_compiles_to_a_drawn_map(jilin_counties, jilin_topo):
    """A map that compiles to an empty SVG (or one ring filling the frame) is the classic failure."""
    points = pd.DataFrame({"region_code": ["220102"], "lon": [125.3], "lat": [43.8], "symbol": ["✓"]})
    chart = jilin_map(jilin_counties, outline_codes=["220100", "220200"], symbols=points, width=720)
    svg = to_svg(chart, jilin_topo)
    drawn = geoshape_paths(svg)
    assert len(drawn) >= 60, f"only {len(drawn)} geoshape paths"
    # a flipped ring makes Vega fill the whole frame: no single county may span most of the width
    for d in drawn:
        xs = [float(x) for x in re.findall(r"[ML](-?[\d.]+),", d)]
        assert xs and max(xs) - min(xs) < 0.5 * 720, d[:80]
    # every county found its geometry (one fill per row), plus the two prefecture outlines
    assert len(drawn) == len(jilin_counties) + 2
    assert text_marks(svg) == 2  # the symbol, drawn twice (white halo, then black)


def test_national_map_with_inset_is_valid(jilin_counties):
    from analytics.geo import MAINLAND_BBOX, SOUTH_CHINA_SEA_BBOX, bbox_feature

    color = charts.sequential_color("value", "达标项数", scheme="blues", domain=[0, 25])
    main = charts.county_map(
        jilin_counties,
        topo_url="app/static/china_counties.topo.json",
        color=color,
        tooltip=[],
        fit=bbox_feature(MAINLAND_BBOX),
    )
    inset = charts.south_china_sea_inset(
        jilin_counties,
        topo_url="app/static/china_counties.topo.json",
        color=color,
        fit=bbox_feature(SOUTH_CHINA_SEA_BBOX),
        title="南海诸岛",
    )
    spec = charts.with_inset(main, inset).to_dict(validate=True)
    assert len(spec["hconcat"]) == 2
    assert spec["resolve"]["scale"]["color"] == "shared"
    features = {f["from"]["data"]["format"]["feature"] for f in lookups(spec)}
    assert features == {"counties"}
    assert '"arcs"' not in json.dumps(spec)


# --- colour ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ((60.0, 100.0), {"domain": [60.0, 80.0, 100.0]}),
        (None, {"domainMid": 80.0}),
    ],
)
def test_value_color_diverges_at_the_target(domain, expected):
    color = charts.value_color("value", 80.0, "指标值", domain=domain).to_dict()
    scale = color["scale"]
    assert scale["range"] == charts.DIVERGING
    for key, value in expected.items():
        assert scale[key] == value
    if "domain" in scale:
        lo, mid, hi = scale["domain"]
        assert mid == 80.0 and mid - lo == pytest.approx(hi - mid)
    assert 80.0 in color["legend"]["values"]


def test_status_palette_pairs_differ_by_at_least_3_to_1():
    for a, b in itertools.combinations(charts.STATUS_ORDER, 2):
        ratio = charts.contrast_ratio(charts.STATUS_COLORS[a], charts.STATUS_COLORS[b])
        assert ratio >= 3, f"{a} vs {b}: {ratio:.2f}"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("#ffffff", "#000000", 21.0),
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#777777", "#ffffff", 4.48),  # the usual "just under AA" grey
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes AA on white
        ("#ff0000", "#ffffff", 4.0),
        ("#0000ff", "#ffffff", 8.59),
    ],
)
def test_contrast_ratio_known_values(a, b, expected):
    assert charts.contrast_ratio(a, b) == pytest.approx(expected, abs=0.01)


# --- bars, grid, bullets, trends ---------------------------------------------------------------------
def test_ranked_bars_mark_the_target_with_a_rule(jilin_counties):
    bars = charts.ranked_bars(
        jilin_counties.head(5),
        value="value",
        label="region_name",
        color=charts.status_color("status_label", LABELS, "状态"),
        target=52.5,
        tooltip=["region_name:N", "value:Q"],
        x_title="值",
        selection_name="bar",
    )
    spec = bars.to_dict(validate=True)
    rules = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    assert len(rules) == 1
    assert rules[0]["encoding"]["x"]["field"] == "target"
    assert rows_of(spec, rules[0]) == [{"target": 52.5}]
    assert [p["name"] for p in spec["params"]] == ["bar"]
    assert spec["params"][0]["select"]["fields"] == ["region_code"]
    svg = vl_convert.vegalite_to_svg(spec)
    bars_drawn = re.findall(r'<g class="mark-rect role-mark[^"]*"[^>]*>(.*?)</g>', svg, flags=re.S)
    assert sum(g.count("<path") for g in bars_drawn) == 5 and roles(svg)["rule mark"] == 1

    no_target = charts.ranked_bars(
        jilin_counties.head(5),
        value="value",
        label="region_name",
        color=alt.Color("status_label:N"),
        target=None,
        tooltip=[],
        x_title="值",
    ).to_dict()
    assert not [layer for layer in no_target["layer"] if layer["mark"]["type"] == "rule"]


def test_bars_and_distribution_carry_only_the_columns_they_draw(jilin_counties):
    """A page's rows have dozens of columns: each chart sends the browser only those its encodings name."""
    wide = jilin_counties.assign(
        status="met", note="不画", low=40.0, high=60.0, **{f"extra_{i}": i for i in range(30)}
    )
    color = charts.status_color("status_label", LABELS, "状态")
    tooltip = [alt.Tooltip("region_name:N", title="县"), "value:Q"]
    kept = charts.used_fields(wide, color, tooltip, keep=("low",))
    assert list(kept.columns) == ["region_name", "value", "status_label", "low"]  # the data's own order
    bars = charts.ranked_bars(
        wide,
        value="value",
        label="region_name",
        color=color,
        target=52.5,
        tooltip=tooltip,
        x_title="值",
        interval=("low", "high"),
    ).to_dict()
    assert set(rows_of(bars, bars["layer"][0])[0]) == {
        "region_code",
        "region_name",
        "value",
        "status_label",
        "low",
        "high",
        "rank",  # the bars' order (a field, not a list in the spec: figures.steady)
    }
    spread = charts.distribution(
        wide.assign(prefecture="长春市"),
        value="value",
        group="prefecture",
        color=color,
        target=None,
        tooltip=tooltip,
        x_title="值",
    ).to_dict()
    assert set(rows_of(spread, spread["layer"][0])[0]) == {
        "region_code",
        "region_name",
        "prefecture",
        "value",
        "status_label",
    }


@pytest.fixture(scope="module")
def grid_data() -> pd.DataFrame:
    rows = [
        ("南关区", "婚前检查", "met"),
        ("南关区", "产前筛查", "not_met"),
        ("宽城区", "婚前检查", "no_data"),
        ("宽城区", "产前筛查", "met"),
    ]
    frame = pd.DataFrame(rows, columns=["county", "indicator", "status"])
    frame["status_label"] = frame["status"].map(LABELS)
    frame["symbol"] = frame["status"].map(charts.STATUS_SYMBOL)
    frame["indicator_name"] = frame["indicator"]
    frame["value_text"] = ["75.0%", "60.0%", "—", "99.0%"]
    return frame


def test_status_grid_spec_and_svg(grid_data):
    grid = charts.status_grid(
        grid_data,
        county_order=["南关区", "宽城区"],
        indicator_order=["婚前检查", "产前筛查"],
        labels=LABELS,
        titles={"status": "状态", "tooltip": ["county:N", "indicator:N", "status_label:N", "value_text:N"]},
    )
    spec = grid.to_dict(validate=True)
    cells = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rect")
    assert cells["encoding"]["color"]["scale"]["domain"] == [LABELS[s] for s in charts.STATUS_ORDER]
    drawn = roles(vl_convert.vegalite_to_svg(spec))
    assert drawn["rect mark"] == 4 and drawn["text mark"] == 4


def test_bullet_chart_spec_and_svg():
    data = pd.DataFrame(
        {
            "indicator": ["婚前检查", "产前筛查"],
            "indicator_name": ["婚前医学检查率", "产前筛查率"],
            "county_value": [75.0, 60.0],
            "target": [70.0, 75.0],
            "prefecture_value": [72.0, 65.0],
            "province_value": [71.0, 70.0],
            "status_label": [LABELS["met"], LABELS["not_met"]],
            "value_text": ["75.0%", "60.0%"],
            "target_text": ["≥70%", "≥75%"],
        }
    )
    chart = charts.bullet_chart(
        data,
        titles={
            "status": "状态",
            "status_scale": charts.status_scale(LABELS),
            "tooltip": ["indicator_name:N", "value_text:N", "target_text:N"],
            "order": ["婚前检查", "产前筛查"],
        },
    )
    spec = chart.to_dict(validate=True)
    assert spec["facet"]["row"]["field"] == "indicator"
    assert spec["resolve"]["scale"]["x"] == "independent"
    marks = [layer["mark"]["type"] for layer in spec["spec"]["layer"]]
    assert marks == ["bar", "tick", "point", "point"]
    drawn = roles(vl_convert.vegalite_to_svg(spec))
    assert drawn["bar"] == 2 and drawn["tick"] == 2  # county bar and target tick per indicator
    assert drawn["point"] == 4  # prefecture and province markers


def test_trend_chart_spec_and_svg():
    data = pd.DataFrame(
        {
            "indicator": ["婚前检查"] * 5 + ["产前筛查"] * 3,
            "year": [2020, 2021, 2022, 2022, 2025, 2020, 2021, 2022],
            "value": [50.0, 55.0, 60.0, 60.0, 75.0, 70.0, 72.0, 74.0],
            "target": [70.0] * 5 + [75.0] * 3,
            "series": ["observed"] * 3 + ["projection"] * 2 + ["observed"] * 3,
        }
    )
    data["series_label"] = data["series"].map({"observed": "实际", "projection": "预测"})
    chart = charts.trend_chart(
        data,
        titles={"order": ["婚前检查", "产前筛查"], "tooltip": ["indicator:N", "year:O", "value:Q"]},
    )
    spec = chart.to_dict(validate=True)
    assert spec["facet"]["field"] == "indicator"
    dashes = [layer["mark"].get("strokeDash") for layer in spec["spec"]["layer"]]
    assert [5, 4] in dashes  # the projection is dashed
    drawn = roles(vl_convert.vegalite_to_svg(spec))
    assert drawn["line mark"] == 3  # observed in both panels, projection in one
    assert drawn["point"] == 6  # the observed years
    assert drawn["rule mark"] == 2  # one target rule per indicator


def test_a_flat_trend_reads_100_on_its_axis():
    """A county at 100 % every year: the facet's axis once read "100.000000" (a near-zero span of values)."""
    data = pd.DataFrame(
        {
            "indicator": ["残疾人家庭无障碍改造"] * 3,
            "year": [2020, 2021, 2022],
            "value": [100.0, 100.00000001, 99.99999999],
            "target": [100.0] * 3,
            "series": ["observed"] * 3,
        }
    )
    chart = charts.trend_chart(data, titles={"order": ["残疾人家庭无障碍改造"], "tooltip": ["value:Q"]})
    svg = vl_convert.vegalite_to_svg(chart.to_dict(validate=True))
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "100" in labels and not any(re.fullmatch(r"\d+\.\d{3,}", x) for x in labels), labels


def test_trend_chart_draws_one_target_rule_per_indicator():
    """A tooltip on the whole layer would become group-by fields of the rule's max(target): one stacked rule
    per data row, each hovering with an arbitrary year and value."""
    data = pd.DataFrame(
        {
            "indicator": ["婚前检查"] * 4 + ["产前筛查"] * 3,
            "year": [2020, 2021, 2022, 2025, 2020, 2021, 2022],
            "value": [50.0, 55.0, 60.0, 75.0, 70.0, 72.0, 74.0],
            "target": [70.0] * 4 + [75.0] * 3,
            "series": ["observed"] * 3 + ["projection"] + ["observed"] * 3,
        }
    )
    data["series_label"] = data["series"].map({"observed": "实际", "projection": "预测"})
    # the tooltip the county-profile page passes
    tooltip = ["indicator:N", "year:O", "value:Q", "series_label:N", "target:Q"]
    chart = charts.trend_chart(data, titles={"order": ["婚前检查", "产前筛查"], "tooltip": tooltip})
    drawn = roles(vl_convert.vegalite_to_svg(chart.to_dict(validate=True)))
    assert drawn["rule mark"] == 2


def test_count_bars_spec_and_svg():
    data = pd.DataFrame(
        {"domain": ["源头防控", "早期干预", "康复服务"], "met": [3, 5, 0], "total": [4, 6, 5]}
    )
    chart = charts.count_bars(data, category="domain", value="met", total=6, title="达标项数", sort=None)
    spec = chart.to_dict(validate=True)
    back = spec["layer"][0]
    assert back["encoding"]["x"]["scale"]["domain"] == [0, 6]
    drawn = roles(vl_convert.vegalite_to_svg(spec))
    assert drawn["bar"] == 6  # the total behind, the met count in front, per row
    assert drawn["text mark"] == 3  # the number printed on each row


# --- size --------------------------------------------------------------------------------------------
def test_jilin_indicator_map_spec_is_small():
    """The map as the indicator-map page builds it (60 counties, all tooltips, symbols): <= 250 KB of JSON."""
    from analytics import insights
    from analytics.i18n import t
    from ui.loaders import catalog, regions
    from ui.render import region_map
    from ui.sidebar import Context

    ctx = Context(
        lang="zh",
        source="demo",
        province=JILIN,
        prefecture=None,
        year=2024,
        profile_id="jilin-2022-2025",
        years=(2020, 2021, 2022, 2023, 2024),
    )
    cat, regs = catalog(), regions()
    ind = cat["knowledge_awareness"]
    rows = insights.indicator_table(
        ctx.level_rows("county"), ctx.progress(), cat, ctx.profile, ind, regs, "zh"
    )
    rows["prefecture"] = regs.names([regs.prefecture_of(c) for c in rows["region_code"]])
    rows["gap_text"] = [insights.format_number(g, ind.decimals) for g in rows["gap"]]
    target = float(ctx.profile.targets[ind.id].threshold)
    color = charts.value_color("value", target, t("show_value"), domain=(target - 20, target + 20))
    tooltip = [
        alt.Tooltip(f"{field}:N", title=field)
        for field in (
            "region_name",
            "prefecture",
            "value_text",
            "target_text",
            "status_label",
            "gap_text",
            "shortfall_text",
            "progress_label",
            "trajectory_label",
        )
    ]
    spec = region_map(ctx, rows, color=color, tooltip=tooltip).to_dict()
    size = len(json.dumps(spec).encode("utf-8"))
    assert size <= 250_000, f"{size / 1000:.0f} KB"
    features = [f["from"]["data"]["format"]["feature"] for f in lookups(spec)]
    assert features == ["counties", "prefectures"] and '"arcs"' not in json.dumps(spec)


@pytest.mark.parametrize("show", ["value", "status", "gap", "shortfall", "progress", "trajectory"])
def test_indicator_color_for_every_map_mode(show):
    values = pd.Series([60.0, 72.0, 90.0])
    labels = {
        "status": {"met": "✓ 达标", "not_met": "✗ 未达标", "no_data": "– 无数据"},
        "progress": {k: k for k in charts.PROGRESS_COLORS},
        "trajectory": {k: k for k in charts.TRAJECTORY_COLORS},
    }
    color = charts.indicator_color(show, values, 70.0, "目标 ＞70%", labels).to_dict()
    assert color["title"] == "目标 ＞70%"
    if show == "value":  # fitted to the data, the target the middle colour (not 50 .. 90, never seen)
        assert color["scale"]["domain"] == [60.0, 70.0, 90.0]
        assert color["legend"]["values"] == [60.0, 70.0, 90.0]
    if show in ("status", "progress", "trajectory"):
        assert len(color["scale"]["domain"]) == len(color["scale"]["range"])


def test_a_county_status_indicator_maps_its_two_values_as_categories():
    """Indicator 21-like 1/0 county statuses: two colours with their words, not a 0–100–200 % ramp."""
    labels = {"binary": {"yes": "是（1）", "no": "否（0）"}}
    color = charts.indicator_color("value", pd.Series([100.0, 0.0]), 80.0, "指标值", labels).to_dict()
    assert color["field"] == "value_text" and color["type"] == "nominal"
    assert color["scale"]["domain"] == ["是（1）", "否（0）"]
    assert color["scale"]["range"] == list(charts.BINARY_COLORS.values())


def test_values_all_beyond_the_target_keep_the_target_in_the_domain():
    color = charts.indicator_color("value", pd.Series([82.0, 95.0]), 80.0, "t", {}).to_dict()
    lo, mid, hi = color["scale"]["domain"]
    assert lo < mid == 80.0 < hi == 95.0


def test_status_grid_grouped_by_the_five_actions(grid_data):
    data = grid_data.assign(
        domain=grid_data["indicator"].map({"婚前检查": "出生缺陷", "产前筛查": "出生缺陷"})
    )
    grid = charts.status_grid(
        data,
        county_order=["南关区", "宽城区"],
        indicator_order=["婚前检查", "产前筛查"],
        labels=LABELS,
        titles={"status": "状态", "tooltip": ["county:N"]},
        domain_order=["知识普及", "出生缺陷"],
    )
    spec = grid.to_dict(validate=True)
    assert spec["facet"]["column"]["field"] == "domain"
    assert spec["resolve"]["scale"]["x"] == "independent"
    drawn = roles(vl_convert.vegalite_to_svg(spec))
    assert drawn["rect mark"] == 4


def test_scenario_tooltip_shows_units_only_when_some_were_given():
    titles = {"region_name": "县（市、区）", "value_text": "值", "status_label": "状态"}
    assert [tip.to_dict()["field"] for tip in charts.scenario_tooltip(titles)] == [
        "region_name",
        "value_text",
        "status_label",
    ]
    with_units = charts.scenario_tooltip({**titles, "units_added": "新增数量（人）"})
    assert with_units[-1].to_dict() == {
        "field": "units_added",
        "type": "quantitative",
        "title": "新增数量（人）",
        "format": ",d",
    }


# --- channels(): the channel classes, not the schema lookup, and the same spec ---------------------------------
SELECT = alt.selection_point(fields=["region_code"], name="county")
SHORTHANDS = {
    "shape": "geo:G",
    "x": "value:Q",
    "x2": "high:Q",
    "longitude": "lon:Q",
    "text": "symbol:N",
    "tooltip": ["region_name:N", alt.Tooltip("value:Q", title="值", format=".1f")],
    "opacity": alt.value(0.5),
    "strokeWidth": alt.condition(SELECT, alt.value(2.5), alt.value(0.6), empty=False),
    "stroke": alt.condition(alt.datum.status == "met", alt.value("#000000"), alt.value(None)),
    "color": alt.condition(SELECT, alt.Color("value:Q"), alt.value("#dddddd")),
}


@pytest.mark.parametrize("name", SHORTHANDS)
def test_channels_write_the_spec_encode_writes(name):
    """Each kind encode() takes (a shorthand, a list, alt.value, a condition on a selection or a test, an object)
    becomes the same encoding through channels() as through Altair's own lookup."""
    base = alt.Chart(pd.DataFrame({"value": [1.0]})).mark_point()
    own = base.encode(**charts.channels(**{name: SHORTHANDS[name]})).to_dict()
    altair = base.encode(**{name: SHORTHANDS[name]}).to_dict()
    assert own["encoding"] == altair["encoding"]
    built = charts.channels(**{name: SHORTHANDS[name]})[name]
    for item in built if isinstance(built, list) else [built]:
        assert isinstance(item, alt.utils.schemapi.SchemaBase)  # a channel object: encode() looks nothing up


def test_named_selectable_views_keep_their_names(jilin_counties):
    """A view holding a selection is named by us (Altair would hash the chart, data included, to name it)."""
    spec = charts.county_map(
        jilin_counties, topo_url=JILIN_URL, color=alt.Color("value:Q"), tooltip=[], selection_name="pick"
    ).to_dict()
    assert spec["layer"][0]["name"] == "pick_marks"
    assert spec["params"][0]["views"] == ["pick_marks"]
