"""The figures layer (analytics/figures.py), tested on specs: every chart a page shows comes from one function of a
Meeting, with its heading, legend, tooltip and footer; `inline=True` carries its geometry (no URL, no server).

Pixels and files are in tests/test_export.py and tests/test_cli_figure.py.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pytest
from spec_helpers import row_values, walk

from analytics import charts, export, figures, scenarios, sources
from analytics.errors import AtlasError
from analytics.geo import STATIC_PREFIX
from analytics.i18n import t

JILIN, SIPING = "220000", "220300"
ROOT = Path(__file__).resolve().parent.parent
YEAR = 2024
COUNTY = "220102"  # 南关区
N_JILIN_COUNTIES = 60


def meeting_of(region: str = JILIN, lang: str = "zh"):
    from analytics.__main__ import load_meeting

    args = argparse.Namespace(
        data=None, db=None, region=region, year=YEAR, targets="jilin-2022-2025", lang=lang
    )
    return load_meeting(args)


@pytest.fixture(scope="module")
def jilin():
    return meeting_of()


@pytest.fixture(scope="module")
def jilin_en():
    return meeting_of(lang="en")


@pytest.fixture(scope="module")
def siping():
    return meeting_of(SIPING)


def urls(spec: dict) -> list[str]:
    return [d["url"] for d in walk({k: v for k, v in spec.items() if k != "datasets"}) if "url" in d]


def footer_of(spec: dict) -> list[str]:
    title = spec["title"]
    assert title["orient"] == "bottom", title
    return title["text"]


def unwrapped(text: str) -> str:
    """`text` without its spaces: a footer line may end where a space was (figures.wrap keeps Latin words whole)."""
    return text.replace(" ", "")


def heading_of(spec: dict) -> str | None:
    """The heading: a text mark added to the (first) layer, or the title of the vconcat's view."""
    layers = spec.get("layer") or (spec.get("hconcat") or [{}])[0].get("layer") or []
    for layer in layers:
        mark = layer.get("mark", {})
        if isinstance(mark, dict) and mark.get("type") == "text" and "text" in mark:
            text = mark["text"]  # a long heading is two lines, split at a " · "
            return " · ".join(text) if isinstance(text, list) else text
    if "vconcat" in spec:
        inner = spec["vconcat"][0].get("title")
        return inner["text"] if isinstance(inner, dict) else inner
    return None


def all_figures(meeting) -> dict[str, alt.TopLevelMixin]:
    return {
        "met_count_map": figures.met_count_map(meeting),
        "indicator_map": figures.indicator_map(meeting, "premarital_exam", "status"),
        "domain_bars": figures.domain_bars(meeting),
        "sub_region_bars": figures.sub_region_bars(meeting),
        "ranked_bars": figures.ranked_bars(meeting, "premarital_exam"),
        "status_grid": figures.status_grid(meeting),
        "bullets": figures.bullets(meeting, COUNTY),
        "trends": figures.trends(meeting, COUNTY),
    }


MAPS = {"met_count_map", "indicator_map"}


@pytest.fixture(scope="module")
def specs(jilin) -> dict[str, dict]:
    return {name: chart.to_dict(validate=True) for name, chart in all_figures(jilin).items()}


# --- heading and footer ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["met_count_map", "indicator_map", "domain_bars", "sub_region_bars"])
def test_every_figure_carries_the_meeting_footer(specs, jilin, name):
    footer = " · ".join(footer_of(specs[name]))
    for part in jilin.footer().split(" · "):
        assert part in footer, (part, footer)
    assert t("meeting.demo_label") in footer  # the demo data says so on every figure
    assert (jilin.map_note() in "".join(footer_of(specs[name]))) == (name in MAPS)  # wrapped to the width


@pytest.mark.parametrize(
    "name", ["met_count_map", "indicator_map", "ranked_bars", "status_grid", "bullets", "trends"]
)
def test_every_figure_has_a_heading_naming_its_region_or_county(specs, name):
    heading = heading_of(specs[name])
    assert heading, name
    assert "吉林省" in heading or "南关区" in heading, heading
    assert str(YEAR) in heading


def test_footer_lines_fit_the_figure(jilin):
    lines = figures.footer_lines(jilin, is_map=False, width=420)
    assert len(lines) >= 2  # the long footer is wrapped, not cut
    assert all(charts.text_width(line, figures.FOOTER_SIZE) <= 420 for line in lines)
    assert " · ".join(lines) == jilin.footer()


@pytest.mark.parametrize("width", [100, 240, 420, 760])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_notes_wrap_to_the_figure(width, lang):
    text = t("map_source", lang)
    lines = figures.wrap(text, width)
    assert all(charts.text_width(line, figures.FOOTER_SIZE) <= width for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost
    assert (len(lines) == 1) == (charts.text_width(text, figures.FOOTER_SIZE) <= width)


def test_title_override_and_no_heading(jilin):
    spec = figures.met_count_map(jilin, title="会议用图").to_dict()
    assert heading_of(spec) == "会议用图"
    bare = figures.met_count_map(jilin, title="").to_dict()
    assert heading_of(bare) is None
    assert footer_of(bare) == footer_of(spec)  # the footer stays


def test_english_figure_speaks_english(jilin_en):
    spec = figures.indicator_map(jilin_en, "premarital_exam", "status").to_dict()
    heading = heading_of(spec)
    assert heading.startswith(jilin_en.catalog["premarital_exam"].name("en"))
    assert t("meeting.demo_label", "en") in " ".join(footer_of(spec))
    legend = spec["layer"][0]["encoding"]["color"]["title"]
    assert legend.startswith(t("show_status", "en"))


def test_a_long_heading_goes_on_two_balanced_lines():
    long = "每10万人口康复医师人数 · 缺口（人数/服务量） · 吉林省 2024年"
    lines = figures.heading_lines(long)
    assert lines == ["每10万人口康复医师人数", "缺口（人数/服务量） · 吉林省 2024年"]
    assert figures.heading_lines("吉林省 2024年 · 五大行动达标项数") == "吉林省 2024年 · 五大行动达标项数"
    assert figures.heading_lines("一个没有分隔点的很长很长很长很长很长很长很长很长很长很长的标题") == (
        "一个没有分隔点的很长很长很长很长很长很长很长很长很长很长的标题"
    )


def test_a_two_line_heading_sits_above_the_plot_not_on_it():
    """Vega stacks a heading's next line downwards: it once covered the first bar's label."""
    layer = figures.heading_layer("每10万人口康复医师人数 · 缺口（人数/服务量） · 吉林省 2024年", 600)
    mark = layer["mark"]
    assert len(mark["text"]) == 2 and mark["baseline"] == "bottom"
    assert mark["y"] + mark["lineHeight"] <= -14  # the second line's bottom stays above the plot
    assert figures.heading_layer("吉林省 2024年", 600)["mark"]["y"] == -14


def test_a_copy_keeps_heading_and_footer(jilin):
    chart = figures.domain_bars(jilin)
    copied = chart.properties(height=300)
    assert heading_of(copied.to_dict()) == heading_of(chart.to_dict())
    assert footer_of(copied.to_dict()) == footer_of(chart.to_dict())


def test_a_bar_heading_starts_over_the_labels_and_is_whole_beside_a_narrow_plot(jilin):
    """On a 1280x720 screen the overview's domain chart is narrow beside its long action names: the heading
    starts where the labels start, so it is not cut to "…五大行动…"."""
    from analytics import export

    chart = figures.domain_bars(jilin)
    spec = chart.to_dict()
    heading = heading_of(spec)
    extent = spec["layer"][0]["encoding"]["y"]["axis"]["maxExtent"]
    longest = max(charts.text_width(d, charts.AXIS_LABEL_SIZE) for d in figures.domain_rows(jilin)["domain"])
    assert extent >= longest
    mark = next(
        layer["mark"]
        for layer in spec["layer"]
        if layer["mark"].get("text") in (heading, heading.split(" · "))
    )
    assert mark["x"] == -extent
    svg = export.to_svg(chart.properties(width=220))
    assert heading in svg and "…" not in svg


def drawn_texts(node: dict, y: float = 0) -> list[tuple[float, str]]:
    """(y, text) of every text Vega draws, from a scenegraph (vl_convert.vegalite_to_scenegraph), top down."""
    out = []
    for item in node.get("items", []):
        item_y = y + (item.get("y") or 0)
        if node.get("marktype") == "text" and item.get("text"):
            text = item["text"]
            out.append((item_y, " ".join(text) if isinstance(text, list) else str(text)))
        if node.get("marktype") == "group":
            for child in item.get("items", []):
                out += drawn_texts(child, item_y)
    return sorted(out)


@pytest.mark.parametrize("name", ["bullets", "status_grid"])
def test_a_facets_heading_comes_first_then_its_legend(jilin, name):
    """A facet's legend sits under its heading, not above it (it was: the wrapper's legend went on top)."""
    import vl_convert

    spec = export.vega_lite_spec(all_figures(jilin)[name])
    texts = drawn_texts(vl_convert.vegalite_to_scenegraph(spec)["scenegraph"])
    heading = heading_of(spec)
    legend_title = t("status")
    assert texts[0][1] == heading, texts[:3]
    ys = {text: y for y, text in reversed(texts)}  # the first (highest) place of each text
    assert ys[heading] < ys[legend_title], (ys[heading], ys[legend_title])


def test_facets_are_wrapped_with_config_and_data_on_top(specs):
    spec = specs["status_grid"]
    assert list(spec["vconcat"][0]) and "facet" in spec["vconcat"][0]
    assert "config" in spec and "datasets" in spec and "$schema" in spec
    assert "config" not in spec["vconcat"][0] and "datasets" not in spec["vconcat"][0]


# --- maps ----------------------------------------------------------------------------------------------
def test_maps_stay_a_layer_with_the_click_selection(specs):
    for name in MAPS:
        spec = specs[name]
        assert "layer" in spec, name  # Streamlit reads the selection; the page tests read the layers
        params = [p for p in spec.get("params", []) if "select" in p]
        assert [p["name"] for p in params] == ["county"], name


def test_maps_use_the_static_file_unless_inline(jilin):
    spec = figures.indicator_map(jilin, "premarital_exam", "status").to_dict()
    assert set(urls(spec)) == {f"{STATIC_PREFIX}/provinces/{JILIN}.topo.json"}
    assert '"arcs"' not in json.dumps(spec)


@pytest.mark.parametrize("inline_figure", ["met_count_map", "indicator_map", "scenario_map"])
def test_inline_spec_needs_no_server(jilin, inline_figure):
    if inline_figure == "met_count_map":
        chart = figures.met_count_map(jilin, inline=True)
    elif inline_figure == "indicator_map":
        chart = figures.indicator_map(jilin, "premarital_exam", "gap", inline=True)
    else:
        chart = figures.scenario_map(jilin, scenario_rows(jilin), "premarital_exam", "after", inline=True)
    spec = chart.to_dict(validate=True)
    assert urls(spec) == [], urls(spec)
    topo = [v for k, v in spec["datasets"].items() if k.startswith(figures.TOPO_DATASET)]
    assert topo and all(isinstance(v, dict) and v["type"] == "Topology" and v["arcs"] for v in topo)
    # the lookups name those datasets, each with its feature
    names = {d["from"]["data"]["name"] for d in walk(spec) if "lookup" in d and "from" in d}
    assert names and names <= set(spec["datasets"])
    assert json.loads(chart.to_json())["datasets"].keys() == spec["datasets"].keys()


def test_met_count_map_prints_the_count_on_each_county(jilin, specs):
    rows = figures.met_count_rows(jilin)
    assert len(rows) == N_JILIN_COUNTIES
    total = len(jilin.catalog)
    no_data = rows["no_data"] == total
    assert (rows.loc[~no_data, "symbol"] == rows.loc[~no_data, "met"].astype(int).astype(str)).all()
    color = specs["met_count_map"]["layer"][0]["encoding"]["color"]
    met = rows["met"].dropna()  # the scale spans what the counties have (13 .. 25 here), whole numbers only
    assert color["scale"]["domain"] == [int(met.min()), int(met.max())] and met.min() > 0
    assert color["legend"]["format"] == "d" and color["legend"]["tickMinStep"] == 1


@pytest.mark.parametrize("show", figures.SHOWS)
def test_every_map_mode_has_a_text_alternative(jilin, show):
    """What a screen reader reads for the map (Vega puts the description on the chart as its aria-label):
    the heading, how many counties in each class, the extremes; county shapes are left out of the
    accessibility tree (they read "geo: [object Object]")."""
    rows = figures.indicator_rows(jilin, "premarital_exam")
    spec = figures.indicator_map(jilin, "premarital_exam", show, rows=rows).to_dict()
    text = spec["description"]
    assert text.startswith(heading_of(spec)) and "共 60 个县（市、区）" in text
    field = figures.MAP_CLASSES.get(show, "status_label")
    for label, n in rows[field].value_counts().items():
        assert f"{label} {n} 个" in text, (label, n, text)
    high = rows.loc[rows["value"].idxmax()]
    assert f"最高：{high['region_name']} {high['value_text']}" in text
    geoshapes = [layer["mark"] for layer in spec["layer"] if layer["mark"]["type"] == "geoshape"]
    assert geoshapes and all(mark["aria"] is False for mark in geoshapes)


@pytest.mark.parametrize("show", ["progress", "trajectory"])
def test_progress_and_trajectory_maps_print_their_own_glyphs(jilin, show):
    """Not the met / not-met ✓ ✗ of the status: each class of the map's own legend by symbol as well as colour."""
    spec = figures.indicator_map(jilin, "premarital_exam", show).to_dict()
    glyph_layers = [
        layer for layer in spec["layer"] if layer["mark"]["type"] == "text" and "encoding" in layer
    ]
    data = [layer["data"].get("values") or spec["datasets"][layer["data"]["name"]] for layer in glyph_layers]
    drawn = {row["symbol"] for rows in data for row in rows}
    labels = figures.indicator_rows(jilin, "premarital_exam")[figures.MAP_CLASSES[show]]
    assert drawn and drawn <= {label[0] for label in labels}
    assert all(not label[0].isalnum() for label in labels)  # every label starts with its glyph
    assert len({label[0] for label in labels}) == labels.nunique()  # one glyph per class


def test_distribution_puts_every_county_with_a_value_on_its_prefectures_row(jilin):
    rows = figures.indicator_rows(jilin, "premarital_exam")
    spec = figures.distribution(jilin, "premarital_exam", rows=rows).to_dict()
    ticks = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "tick")
    data = ticks["data"].get("values") or spec["datasets"][ticks["data"]["name"]]
    assert len(data) == rows["value"].notna().sum() == N_JILIN_COUNTIES
    assert {d["prefecture"] for d in data} == set(rows["prefecture"])
    assert ticks["encoding"]["y"]["field"] == "prefecture"
    rule = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule")
    target = float(jilin.profile.targets["premarital_exam"].threshold)
    assert (rule.get("data", {}).get("values") or spec["datasets"][rule["data"]["name"]]) == [
        {"target": target}
    ]
    medians = rows.groupby("prefecture")["value"].median().sort_values(ascending=False)
    assert ticks["encoding"]["y"]["sort"] == list(medians.index)  # highest median first
    assert "共 60 个县（市、区）" in spec["description"]


def test_met_count_map_text_names_the_extremes(jilin):
    text = figures.met_count_map(jilin).to_dict()["description"]
    rows = figures.met_count_rows(jilin)
    top = rows.loc[rows["met"].idxmax()]
    assert f"最高：{top['county']} {top['label']}" in text and "：。" not in text


@pytest.mark.parametrize("show", figures.SHOWS)
def test_indicator_map_for_every_mode(jilin, show):
    spec = figures.indicator_map(jilin, "prenatal_screening", show).to_dict(validate=True)
    color = spec["layer"][0]["encoding"]["color"]
    assert color["title"].startswith(t(f"show_{show}"))
    method = "".join(footer_of(spec))
    assert (t("method_trajectory") in method or t("method_progress") in method) == (
        show in ("progress", "trajectory")
    )


def test_indicator_map_status_colours(specs):
    scale = specs["indicator_map"]["layer"][0]["encoding"]["color"]["scale"]
    assert scale["range"] == [charts.STATUS_COLORS[s] for s in charts.STATUS_ORDER]


def test_a_prefecture_map_is_zoomed_to_it(siping):
    spec = figures.indicator_map(siping, "premarital_exam", "status").to_dict()
    county_rows = figures.indicator_rows(siping, "premarital_exam")
    assert set(county_rows["region_code"]) == set(siping.regions.counties(SIPING)["code"])
    outline_rows = [
        spec["datasets"][layer["data"]["name"]]
        for layer in spec["layer"]
        if isinstance(layer.get("data"), dict)
        and "name" in layer["data"]
        and layer["mark"].get("filled") is False
    ]
    assert outline_rows and outline_rows[0] == [{"region_code": SIPING}]
    assert "四平市" in heading_of(spec)


def test_unknown_indicator_is_a_refusal(jilin):
    with pytest.raises(AtlasError) as err:
        figures.indicator_map(jilin, "no_such_indicator", "value")
    assert "no_such_indicator" in err.value.message("en")
    with pytest.raises(ValueError):
        figures.indicator_map(jilin, "premarital_exam", "colour")


# --- what-if maps -----------------------------------------------------------------------------------------
def scenario_rows(meeting, units: int = 0) -> pd.DataFrame:
    """County rows of a what-if comparison of premarital_exam as the page passes them (+5 points, or units)."""
    obs = sources.observations("demo", JILIN, catalog=meeting.catalog, regions=meeting.regions, store=None)
    op, amount = ("add_units", units) if units else ("add_pp", 5.0)
    scenario = scenarios.Scenario("t", (scenarios.Adjustment("premarital_exam", op, amount),))
    run = {
        "catalog": meeting.catalog,
        "profile": meeting.profile,
        "regions": meeting.regions,
        "region_code": JILIN,
    }
    result = scenarios.apply(obs, scenario, year=YEAR, **run)
    table = scenarios.compare(obs, result, year=YEAR, indicator_ids=["premarital_exam"], **run)
    return table[table["level"] == "county"].copy()


def test_scenario_maps_before_and_after(jilin):
    county = scenario_rows(jilin)
    before = figures.scenario_map(jilin, county, "premarital_exam", "before", highlight=[COUNTY]).to_dict()
    after = figures.scenario_map(jilin, county, "premarital_exam", "after", notes=["+5 个百分点"]).to_dict()
    assert "layer" in before and "layer" in after
    assert t("before") in heading_of(before) and t("after") in heading_of(after)
    assert "+5 个百分点" in footer_of(after)
    rings = [
        layer
        for layer in before["layer"]
        if layer.get("mark", {}).get("type") == "geoshape" and layer["mark"].get("strokeWidth") == 3
    ]
    assert len(rings) == 1 and before["datasets"][rings[0]["data"]["name"]] == [{"region_code": COUNTY}]

    def met(spec):
        rows = spec["datasets"][spec["layer"][0]["data"]["name"]]
        return sum(r["status_label"] == t("status_met") for r in rows)

    assert met(after) > met(before)  # 5 more points bring counties over the target


def test_scenario_tooltip_names_units_only_when_allocated(jilin):
    def fields(county):
        spec = figures.scenario_map(jilin, county, "premarital_exam", "after").to_dict()
        return [tip["field"] for tip in spec["layer"][0]["encoding"]["tooltip"]]

    assert "units_added" not in fields(scenario_rows(jilin))
    assert "units_added" in fields(scenario_rows(jilin, units=500))


def test_trajectory_maps_today_and_with_the_scenario(jilin):
    county = scenario_rows(jilin)
    today = figures.trajectory_map(jilin, county, "premarital_exam").to_dict(validate=True)
    assert t("todays_pace") in heading_of(today)
    assert unwrapped(t("method_trajectory")) in unwrapped("".join(footer_of(today)))  # wrapped at a space
    legend = today["layer"][0]["encoding"]["color"]["scale"]
    assert legend["range"] == list(charts.TRAJECTORY_COLORS.values())


# --- the national map -------------------------------------------------------------------------------------
@pytest.mark.national
def test_national_map_keeps_the_inset_and_gets_heading_and_footer():
    meeting = meeting_of("100000")
    spec = figures.met_count_map(meeting, inline=True).to_dict()
    assert len(spec["hconcat"]) == 2  # mainland + the 南海诸岛 inset
    assert t("whole_country") in heading_of(spec)
    assert meeting.map_note() in "".join(footer_of(spec))
    assert urls(spec) == []
    assert len(figures.met_count_rows(meeting)) > 2800


def test_the_tests_check_every_chart_against_the_schema(jilin):
    """The app skips Altair's schema check (figures.VALIDATE_ENV); the suite turns it on, so a chart that
    breaks the Vega-Lite schema fails here."""
    spec = figures.indicator_map(jilin, "premarital_exam", "status")
    broken = spec.copy(deep=False)
    broken.width = "wide"  # not a number
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        broken.to_dict()


def test_the_app_skips_altairs_object_checks_and_the_tests_run_them():
    """Altair's debug mode (every object checked against the schema as it is made) is off in a process started
    without figures.VALIDATE_ENV (the app, the CLI) and on with it (the suite's servers; figures.check_specs).
    Asked of fresh processes: Altair's own copies switch the flag off and back without a lock, so threads (a
    page's script, the test) can leave it off, which the schema check of every finished chart still covers."""
    env = {k: v for k, v in os.environ.items() if k != figures.VALIDATE_ENV}
    probe = "import altair as alt, analytics.figures; print(alt.utils.schemapi.DEBUG_MODE)"
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
    on = subprocess.run(
        [sys.executable, "-c", probe],
        env={**env, figures.VALIDATE_ENV: "1"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert on.stdout.strip() == "True", on.stderr


# --- cannot tell (issue 12.2): a symbol, not a colour; intervals as whiskers --------------------------------
def glyph_rows(spec: dict) -> list[dict]:
    """The rows of the map's glyph layer (the one printing `symbol`)."""
    for node in walk(spec):
        if (
            node.get("mark", {}).get("type") == "text"
            and node.get("encoding", {}).get("text", {}).get("field") == "symbol"
        ):
            data = node.get("data", {})
            name = data.get("name")
            return spec["datasets"][name] if name else data.get("values", [])
    return []


def test_the_status_map_marks_the_counties_it_cannot_tell(jilin):
    rows = figures.indicator_rows(jilin, "rehab_physicians")
    unclear = set(rows.loc[rows["certainty"] == "unclear", "region_code"])
    assert 0 < len(unclear) < len(rows)
    spec = figures.indicator_map(jilin, "rehab_physicians", "status", rows=rows).to_dict()
    glyphs = glyph_rows(spec)
    assert glyphs, "no glyph layer"
    marked = {g["region_code"] for g in glyphs if str(g["symbol"]).endswith("？")}
    assert marked and marked <= unclear  # (the smallest districts carry no glyph at all)
    assert all(not str(g["symbol"]).endswith("？") for g in glyphs if g["region_code"] not in unclear)
    footer = " ".join(str(x) for d in walk(spec) if d.get("orient") == "bottom" for x in d.get("text", []))
    assert f"无法判定（{len(unclear)} 个县）" in footer
    value_map = figures.indicator_map(jilin, "rehab_physicians", "value", rows=rows).to_dict()
    assert not any(str(g["symbol"]).endswith("？") for g in glyph_rows(value_map))


def test_ranked_bars_carry_each_interval_as_a_whisker_in_the_bars_order(jilin):
    spec = figures.ranked_bars(jilin, "rehab_physicians").to_dict()
    rules = [
        d for d in walk(spec) if d.get("mark", {}).get("type") == "rule" and "x2" in d.get("encoding", {})
    ]
    assert len(rules) == 1
    whisker = rules[0]["encoding"]
    assert whisker["x"]["field"] == "low" and whisker["x2"]["field"] == "high"
    bars = next(d for d in walk(spec) if d.get("mark", {}).get("type") == "bar")
    assert whisker["y"]["sort"] == bars["encoding"]["y"]["sort"]  # one order for both layers
    assert bars["encoding"]["y"]["sort"] == {"field": "rank", "op": "min", "order": "ascending"}
    drawn = pd.DataFrame(bars_rows(spec)).sort_values("rank")
    rows = figures.indicator_rows(jilin, "rehab_physicians").dropna(subset=["value"])
    assert drawn["rank"].tolist() == list(range(len(rows)))
    assert drawn["value"].is_monotonic_decreasing  # rank 0 the highest value
    assert sorted(drawn["value"]) == sorted(rows["value"])


def bars_rows(spec: dict) -> list[dict]:
    """The rows the ranked bars' layers share (the one dataset with their rank)."""
    (rows,) = [rows for rows in spec["datasets"].values() if rows and "rank" in rows[0]]
    return rows


def test_a_reduction_whisker_is_cut_near_the_bars(jilin):
    """A few accidents give intervals to -10,000 %: the whiskers stop a tenth of the bars' span beyond them."""
    spec = figures.ranked_bars(jilin, "work_safety_accidents").to_dict()
    rule = next(
        d for d in walk(spec) if d.get("mark", {}).get("type") == "rule" and "x2" in d.get("encoding", {})
    )
    assert rule["transform"] == [{"filter": "isValid(datum.low) && isValid(datum.high)"}]
    data = [d for d in bars_rows(spec) if d["low"] is not None and d["high"] is not None]
    rows = figures.indicator_rows(jilin, "work_safety_accidents").dropna(subset=["value"])
    span = max(rows["value"].max(), 10, 0) - min(rows["value"].min(), 0)
    assert min(d["low"] for d in data) >= min(rows["value"].min(), 0) - span / 10 - 1e-9
    assert min(rows["low"]) < -1000  # uncut, it would have squashed the bars


def test_the_funnel_plot_counts_the_counties_outside_each_funnel(jilin):

    spec = figures.funnel(jilin, "premarital_exam").to_dict()
    rows = figures.indicator_rows(jilin, "premarital_exam").dropna(subset=["value"])
    target = float(jilin.profile.targets["premarital_exam"].threshold)
    sd = np.sqrt(target / 100 * (1 - target / 100) / rows["denominator"]) * 100
    outside95 = int(((rows["value"] - target).abs() > 1.959964 * sd).sum())
    footer = " ".join(str(x) for d in walk(spec) if d.get("orient") == "bottom" for x in d.get("text", []))
    assert f"{outside95} 个落在 95% 范围之外" in footer.replace(" ", " ")
    marks = {d["mark"]["type"] for d in walk(spec) if isinstance(d.get("mark"), dict)}
    assert {"point", "line", "rule"} <= marks
    assert figures.funnel(jilin, "endemic_disease_control") is None  # a county's 1/0 status: no funnel


# --- steady: the spec a page sends stays the same text from one indicator to the next -------------------
STEADY_INDICATORS = ["premarital_exam", "rehab_physicians", "knowledge_awareness", "hypertension_management"]


@pytest.mark.parametrize("show", figures.SHOWS)
def test_a_steady_map_is_the_same_spec_for_every_indicator(jilin, show):
    """Only the data differs, so Streamlit hands Vega new rows and the map is redrawn in place."""
    sent = [
        figures.steady(figures.indicator_map(jilin, i, show).to_dict(), "图表") for i in STEADY_INDICATORS
    ]
    assert_one_spec(sent)


def assert_one_spec(sent: list[dict]) -> None:
    """The views' specs are one text but for their rows, each view's heading its own."""
    assert (
        len({json.dumps({k: v for k, v in s.items() if k != "datasets"}, sort_keys=True) for s in sent}) == 1
    )
    rows = [s["datasets"][figures.VIEW_DATASET][0] for s in sent]
    assert len({row["heading"] for row in rows}) == len(sent)
    assert all(set(s["datasets"]) == set(sent[0]["datasets"]) for s in sent)  # names by place, not content


@pytest.mark.parametrize("region", [JILIN, SIPING, "100000"])
def test_steady_ranked_bars_are_the_same_spec_for_every_indicator(region, jilin):
    """The bars' order is a field, their label column and height the region's: only the rows change; the axis's
    title (each indicator's name and unit) is read from the view's row."""
    meeting = jilin if region == JILIN else meeting_of(region)
    sent = [figures.steady(figures.ranked_bars(meeting, i).to_dict(), "图表") for i in STEADY_INDICATORS]
    assert_one_spec(sent)
    for spec, i in zip(sent, STEADY_INDICATORS, strict=True):
        bars = next(d for d in walk(spec) if d.get("mark", {}).get("type") == "bar")
        ind = meeting.catalog[i]
        row = spec["datasets"][figures.VIEW_DATASET][0]
        assert row_values(row, bars["encoding"]["x"]["axis"]["title"]["signal"]) == [
            f"{ind.short('zh')}（{ind.unit_in('zh')}）"
        ]


def test_a_picked_county_changes_the_rows_not_the_spec(jilin):
    """Picking a county beside the map (or another) rings it on the map and outlines its bar: new rows, the same
    spec, so the browser redraws both in place; the bars' outline tests the row's value."""
    picks = [None, "220102", "220183"]  # the page passes "" for none (figures._ringed)
    maps = [
        figures.steady(
            figures.indicator_map(jilin, "premarital_exam", "status", highlight=h or "").to_dict(), "图表"
        )
        for h in picks
    ]
    bars = [
        figures.steady(figures.ranked_bars(jilin, "premarital_exam", highlight=h).to_dict(), "图表")
        for h in picks
    ]
    for sent in (maps, bars):
        assert len({json.dumps({k: v for k, v in s.items() if k != "datasets"}) for s in sent}) == 1
    ringed = []
    for sent in maps:
        ring = next(
            d for d in walk(sent) if d.get("mark", {}).get("strokeWidth") == 3
        )  # the black ring's layer
        ringed.append([r["region_code"] for r in sent["datasets"][ring["data"]["name"]]])
    assert ringed == [[], ["220102"], ["220183"]]
    picked = bars[2]  # 220183
    stroke = next(d for d in walk(picked) if d.get("mark", {}).get("type") == "bar")["encoding"]["stroke"]
    test = stroke["condition"]["test"]
    assert test.startswith('datum["region_code"] === ')
    assert row_values(picked["datasets"][figures.VIEW_DATASET][0], test) == ["220183"]


def test_steady_moves_the_words_and_numbers_of_a_view_into_its_row(jilin):
    spec = figures.indicator_map(jilin, "rehab_physicians", "value").to_dict()
    sent = figures.steady(spec, "图表")
    row = sent["datasets"][figures.VIEW_DATASET][0]
    assert row["heading"].replace("\n", " · ") == heading_of(spec)
    assert "（目标 ≥8 人/10万人口（力争））" in row["heading"]  # the target: in the heading, not the legend
    # the text alternative and the footer, spoken with the heading; the chart's own label is the same for all
    assert row["alt"].startswith(spec["description"]) and all(line in row["alt"] for line in footer_of(spec))
    assert sent["description"] == "图表" and "description" in sent["layer"][-1]["encoding"]
    color, literal = sent["layer"][0]["encoding"]["color"], spec["layer"][0]["encoding"]["color"]
    assert row_values(row, color["scale"]["domain"]["expr"]) == literal["scale"]["domain"]
    assert row_values(row, color["legend"]["values"]["expr"]) == literal["legend"]["values"]
    assert row_values(row, sent["title"]["text"]["expr"])[0].split("\n") == footer_of(spec)
    assert sent["title"]["aria"] is False  # Vega would go on reading the first view's footer
    assert row_values(row, sent["layer"][-1]["mark"]["y"]["expr"]) == [heading_layer_of(spec)["mark"]["y"]]


def heading_layer_of(spec: dict) -> dict:
    return next(layer for layer in spec["layer"] if layer.get("data") == {"values": [{}]})


def test_steady_leaves_a_chart_without_a_heading_its_own_description(jilin):
    spec = figures.indicator_map(jilin, "premarital_exam", "status", title="").to_dict()
    sent = figures.steady(spec, "图表")
    assert sent["description"] == spec["description"]
    assert sent["title"] == spec["title"]  # no heading to speak the footer with: the footer stays as it is


def test_bullets_rows_have_few_ticks_and_no_grid(jilin):
    """25 rows of own axes: five ticks or so each and no grid lines (fewer marks for the browser to draw, the
    profile paints sooner; benchmarks/RESULTS.md)."""
    import vl_convert

    spec = export.vega_lite_spec(all_figures(jilin)["bullets"])
    texts = drawn_texts(vl_convert.vegalite_to_scenegraph(spec)["scenegraph"])
    numbers = [text for _, text in texts if re.fullmatch(r"[-−]?[\d,.]+", text)]
    rows = len(figures.bullet_rows(jilin, COUNTY))
    assert rows == 25 and len(numbers) <= 7 * rows, len(numbers)
    assert spec["vconcat"][0]["spec"]["layer"][0]["encoding"]["x"]["axis"]["grid"] is False
