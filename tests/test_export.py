"""PNG and SVG export (analytics/export.py), checked on the pixels and the text a person gets.

- The Jilin status map as a PNG: at least 1,200 px wide and at least twice the chart's size, with both the
  "met" and the "not met" fill of analytics/charts.py and the prefecture outlines (Streamlit's own toolbar PNG
  once gave every county the same fill and lost the borders).
- Chinese as glyphs, not boxes, with only the font the project ships: in a process whose fontconfig finds no
  font at all, two titles of different characters must render differently (boxes would be identical); the
  same check without the shipped font shows the test can fail.
- SVG keeps the Chinese title as text.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from analytics import charts, export, figures
from analytics.i18n import t

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2024


def hex_rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))


def pixel_counts(png: bytes) -> tuple[Image.Image, dict[tuple[int, int, int], int]]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return image, {rgb: n for n, rgb in image.getcolors(maxcolors=1 << 24)}


@pytest.fixture(scope="module")
def jilin():
    from analytics.__main__ import load_meeting

    args = argparse.Namespace(
        data=None, db=None, region="220000", year=YEAR, targets="jilin-2022-2025", lang="zh"
    )
    return load_meeting(args)


@pytest.fixture(scope="module")
def status_png(jilin) -> bytes:
    return export.to_png(figures.indicator_map(jilin, "premarital_exam", "status", inline=True))


# --- the status map ------------------------------------------------------------------------------------
def test_status_map_png_is_large_enough(status_png):
    image, _ = pixel_counts(status_png)
    assert image.width >= 1200
    assert image.width >= 2 * figures.REGION_MAP_SIZE[0]  # at least 2x the chart's own pixels
    assert image.height >= 2 * figures.REGION_MAP_SIZE[1]


def test_status_map_png_has_both_fills_and_the_outlines(jilin, status_png):
    rows = figures.indicator_rows(jilin, "premarital_exam")
    assert {"met", "not_met"} <= set(rows["status"])  # the data has both: so must the picture
    _, counts = pixel_counts(status_png)
    met = counts.get(hex_rgb(charts.STATUS_COLORS["met"]), 0)
    not_met = counts.get(hex_rgb(charts.STATUS_COLORS["not_met"]), 0)
    # each fill covers a real share of the map, in the same colour as on screen
    assert met > 20_000 and not_met > 20_000, (met, not_met)
    # the shares follow the data (not one colour everywhere, not swapped)
    share = met / (met + not_met)
    assert 0.1 < share < 0.9
    assert counts.get(hex_rgb(charts.OUTLINE), 0) > 2_000  # prefecture borders are drawn


def test_export_inlines_a_page_spec_itself(jilin):
    """A figure built for the page (geometry by URL) still exports: export never needs the server."""
    png = export.to_png(figures.met_count_map(jilin))
    image, counts = pixel_counts(png)
    assert image.width >= 1200
    blues = [rgb for rgb, n in counts.items() if n > 500 and rgb[2] > rgb[0] + 60]
    assert len(blues) >= 3  # several shades of the met-count scale


def test_bars_get_a_fixed_width_in_a_file(jilin):
    spec = export.vega_lite_spec(figures.domain_bars(jilin))
    assert "container" not in json.dumps(spec)
    image, _ = pixel_counts(export.to_png(spec))
    assert image.width >= 2 * export.CONTAINER_WIDTH


def test_scale_is_at_least_two(jilin):
    small, _ = pixel_counts(export.to_png(figures.domain_bars(jilin), scale=1))
    big, _ = pixel_counts(export.to_png(figures.domain_bars(jilin), scale=3))
    assert big.width > small.width >= 2 * export.CONTAINER_WIDTH


def test_a_spec_vl_convert_cannot_draw_is_a_clear_error():
    with pytest.raises(export.ExportError) as err:
        export.to_png({"mark": "no-such-mark", "data": {"values": [{}]}})
    message = err.value.message("en")
    assert message.startswith("Could not make the image: ") and "\n" not in message


def test_export_fetches_nothing_from_outside():
    """Offline by construction: a spec pointing at a remote file is refused, not fetched."""
    spec = {"data": {"url": "https://example.invalid/data.json"}, "mark": "point"}
    with pytest.raises(export.ExportError):
        export.to_png(spec)


# --- Chinese text ---------------------------------------------------------------------------------------
def test_svg_keeps_the_chinese_title_and_footer(jilin):
    svg = export.to_svg(figures.indicator_map(jilin, "premarital_exam", "status", inline=True))
    heading = f"{jilin.catalog['premarital_exam'].name('zh')}（目标 ＞70%） · 达标状态 · 吉林省 {YEAR}年"
    lines = figures.heading_lines(heading)  # a long heading is two lines, each its own text in the SVG
    assert isinstance(lines, list) and all(line in svg for line in lines)
    assert "示例数据（模拟，非真实统计）" in svg
    assert "WenQuanYi Micro Hei" in svg  # the font family travels with the text


NO_FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{empty}</dir><cachedir>{empty}/cache</cachedir></fontconfig>
"""

# Renders two charts that differ only in their (Chinese) title and prints whether the title bands differ and
# how much ink they hold. Run in a fresh process: fonts are registered per process.
TITLE_PROBE = textwrap.dedent(
    """
    import io, json, sys
    import vl_convert
    from PIL import Image, ImageChops
    use_shipped = sys.argv[1] == "shipped"
    if use_shipped:
        from analytics import export
        assert export.register_fonts()
    def render(title):
        spec = {"title": {"text": title, "fontSize": 28, "font": "WenQuanYi Micro Hei, sans-serif"},
                "data": {"values": [{"a": 1}]}, "mark": "bar", "encoding": {"x": {"field": "a", "type": "quantitative"}},
                "width": 300, "height": 20}
        png = vl_convert.vegalite_to_png(spec, scale=2)
        image = Image.open(io.BytesIO(png)).convert("L")
        return image.crop((0, 0, image.width, 70))
    a, b = render("吉林省长春市"), render("四平市辽源市")
    differ = ImageChops.difference(a, b).getbbox() is not None
    ink = sum(1 for p in a.getdata() if p < 128)
    print(json.dumps({"differ": differ, "ink": ink}))
    """
)


def probe(tmp_path: Path, mode: str) -> dict:
    empty = tmp_path / "no-fonts"
    empty.mkdir(exist_ok=True)
    conf = tmp_path / "fonts.conf"
    conf.write_text(NO_FONTS_CONF.format(empty=empty), encoding="utf-8")
    env = {"FONTCONFIG_FILE": str(conf), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    done = subprocess.run(
        [sys.executable, "-c", TITLE_PROBE, mode],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_chinese_renders_as_glyphs_with_only_the_shipped_font(tmp_path):
    assert (export.FONTS_DIR / "wqy-microhei.ttc").is_file()
    shipped = probe(tmp_path, "shipped")
    assert shipped["differ"], "two different Chinese titles drew the same pixels: boxes, not glyphs"
    assert shipped["ink"] > 200


def test_without_the_shipped_font_the_probe_sees_boxes(tmp_path):
    """The check above can fail: with no font at all the two titles are the same row of boxes."""
    bare = probe(tmp_path, "bare")
    assert not bare["differ"]


# --- the pages' download buttons --------------------------------------------------------------------------
def test_figure_files_are_a_png_and_an_svg(jilin):
    from ui.downloads import figure_files, file_stem

    files = figure_files(lambda: figures.domain_bars(jilin))
    assert files["png"].startswith(b"\x89PNG") and files["svg"].lstrip().startswith(b"<svg")
    stem = file_stem(jilin, "premarital_exam", "what if / 调整后")
    assert stem.isascii() and stem.startswith("220000_2024_premarital_exam_what-if")


PAGE_DOWNLOADS = {
    "overview": {"dl_domains", "dl_subs", "dl_map", "dl_grid"},
    "indicator_map": {"dl_map", "dl_bars"},  # and one in each tab under the map: see TAB_DOWNLOADS
    "county_profile": {"dl_bullets"},  # and the trends' in their tab: see TAB_DOWNLOADS
    "scenarios": {"dl_scenario_before", "dl_scenario_after"},
    "final": {"dl_final"},
}


@pytest.fixture(scope="module")
def app():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    return at


@pytest.mark.apptest
@pytest.mark.parametrize("page", sorted(PAGE_DOWNLOADS))
def test_every_chart_has_its_download_menu(app, page):
    at = app.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    makes = {b.key.removesuffix("_make") for b in at.button if (b.key or "").endswith("_make")}
    assert makes == PAGE_DOWNLOADS[page]
    figure_files = [b for b in at.get("download_button") if not (b.key or "").startswith("dl_csv_")]
    assert not figure_files  # nothing is drawn until someone asks (a table's CSV is there at once)


# (page, its tabs' state key, the tab, the tab's first tab): the chart a tab holds has its menu when it is open
TAB_DOWNLOADS = {
    ("indicator_map", "w_map_view", "map_view_distribution", "map_view_table"): "dl_distribution",
    ("indicator_map", "w_map_view", "map_view_funnel", "map_view_table"): "dl_funnel",
    ("county_profile", "w_profile_view", "profile_view_trends", "peers.section"): "dl_trends",
}


@pytest.mark.apptest
@pytest.mark.parametrize("tab", sorted(TAB_DOWNLOADS), ids=lambda tab: tab[2])
def test_the_charts_in_a_pages_tabs_have_their_download_menus(app, tab):
    page, key, label, first = tab
    at = app.switch_page(f"pages/{page}.py")
    at.session_state[key] = t(label)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    makes = {b.key.removesuffix("_make") for b in at.button if (b.key or "").endswith("_make")}
    assert makes == PAGE_DOWNLOADS[page] | {TAB_DOWNLOADS[tab]}
    at.session_state[key] = t(first)
    at.run()


@pytest.mark.apptest
def test_make_then_download_png_and_svg(app):
    at = app.switch_page("pages/indicator_map.py").run()
    next(b for b in at.button if b.key == "dl_map_make").click().run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = at.get("download_button")
    assert sorted(Path(b.proto.url).suffix for b in buttons) == [".png", ".svg"]
    at.run()  # any other rerun: the files are gone, so a later download is never of an older view
    assert not at.get("download_button")


# --- the page's steady spec (analytics.figures.steady) draws what the figure draws ----------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda m: figures.indicator_map(m, "rehab_physicians", "status"),
        lambda m: figures.indicator_map(m, "rehab_physicians", "value"),
        lambda m: figures.indicator_map(m, "premarital_exam", "trajectory", highlight="220102"),
        lambda m: figures.ranked_bars(m, "premarital_exam"),
        lambda m: figures.ranked_bars(m, "premarital_exam", highlight="220102"),
        lambda m: figures.distribution(m, "premarital_exam"),
        lambda m: figures.bullets(m, "220102"),
        lambda m: figures.status_grid(m),
    ],
    ids=[
        "status_map",
        "value_map",
        "trajectory_map",
        "ranked_bars",
        "ranked_bars_picked",
        "distribution",
        "bullets",
        "grid",
    ],
)
def test_the_steady_spec_draws_the_same_pixels(jilin, make):
    figure = export.vega_lite_spec(make(jilin))
    same = export.to_png(figures.steady(figure, "图表"), scale=2)
    image, _ = pixel_counts(same)
    assert image.tobytes() == pixel_counts(export.to_png(figure, scale=2))[0].tobytes()
