"""`python -m analytics report … --out FILE.pptx|FILE.xlsx [--scenario NAME …]` (DESIGN.md): the deck or the
workbook from the demo data, saved scenarios by name from $PREVENTION_ATLAS_SCENARIOS; bad input (unknown
scenario, bad extension, unwritable path) is a clear message in Chinese or English and exit status 1, no
traceback, and no file written. In process through main(argv), plus one real process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation

from analytics import export
from analytics.__main__ import main
from analytics.scenario_library import ViewContext, save
from analytics.scenarios import Adjustment, Scenario

ROOT = Path(__file__).resolve().parents[1]
INTERNAL = ("Traceback", "内部错误", "Internal error")
SOURCE = ["--region", "220000", "--year", "2024"]
# a 1x1 PNG: the CLI tests check the command, not vl-convert (tests/test_deck.py draws the real maps)
TINY_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _own_store(tmp_path, monkeypatch):
    """Saved scenarios live in the store: each test its own, so one test's scenarios are not another's."""
    monkeypatch.setenv("PREVENTION_ATLAS_DB", str(tmp_path / "atlas.sqlite"))


@pytest.fixture
def library(tmp_path, monkeypatch) -> Path:
    """Two saved scenarios, one named like a formula."""
    path = tmp_path / "scenarios.json"
    view = ViewContext("demo", "220000", None, 2024, "jilin-2022-2025")
    save(path, Scenario("康复医师+40", (Adjustment("rehab_physicians", "add_units", 40),)), view)
    save(path, Scenario("=SUM(A1)", (Adjustment("premarital_exam", "add_pp", 3, scope="lagging"),)), view)
    monkeypatch.setenv("PREVENTION_ATLAS_SCENARIOS", str(path))
    monkeypatch.setenv("LANG", "C.UTF-8")
    return path


@pytest.fixture
def cli(capsys):
    def call(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code
        out = capsys.readouterr()
        return code, out.out, out.err

    return call


def test_workbook_with_scenarios(cli, library, tmp_path):
    out = tmp_path / "会议.xlsx"
    old_umask = os.umask(0o022)
    try:
        code, stdout, err = cli(
            "report", *SOURCE, "--scenario", "=SUM(A1)", "--scenario", "康复医师+40", "--out", str(out)
        )
    finally:
        os.umask(old_umask)
    assert code == 0, err
    assert (
        f"已写入 {out}" in stdout and "9 个工作表" in stdout
    )  # 说明, 3 levels, 2 grids, 2 scenarios, 督办清单
    # an ordinary new file (umask 022), not private like the temporary file it was written through
    assert out.stat().st_mode & 0o777 == 0o644
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[-3:] == ["情景1", "情景2", "督办清单"]
    assert book["情景1"].cell(1, 1).value == "情景：=SUM(A1)"  # the order asked for; the name stays text
    assert book["情景2"].cell(1, 1).value == "情景：康复医师+40"


def test_deck_in_english(cli, library, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "to_png", lambda chart, scale=2.0: TINY_PNG)
    out = tmp_path / "meeting.pptx"
    code, stdout, err = cli("report", *SOURCE, "--scenario", "康复医师+40", "--lang", "en", "--out", str(out))
    assert code == 0, err
    prs = Presentation(out)
    assert f"Wrote {out} ({len(prs.slides)} slides)" in stdout
    titles = [sh.text_frame.text for sh in prs.slides[-2].shapes if sh.has_text_frame]
    assert "Scenario: 康复医师+40" in titles
    assert any("indicators met" in sh.text_frame.text for sh in prs.slides[0].shapes if sh.has_text_frame)


@pytest.mark.parametrize(
    "lang,words",
    [
        ("zh", ["没有名为“不存在”的已保存情景", "=SUM(A1)", "康复医师+40"]),
        ("en", ["No saved scenario is called “不存在”"]),
    ],
)
def test_unknown_scenario(cli, library, tmp_path, lang, words):
    out = tmp_path / "r.xlsx"
    code, _, err = cli("report", *SOURCE, "--scenario", "不存在", "--lang", lang, "--out", str(out))
    assert code == 1 and not out.exists()
    assert all(w in err for w in words), err
    assert not any(s in err for s in INTERNAL)


def test_no_library(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PREVENTION_ATLAS_SCENARIOS", str(tmp_path / "none.json"))
    code, _, err = cli("report", *SOURCE, "--scenario", "x", "--out", str(tmp_path / "r.xlsx"))
    assert code == 1 and "还没有保存的情景" in err


@pytest.mark.parametrize(
    "lang,words",
    [("zh", "输出文件必须以 .pptx（演示文稿）或 .xlsx（工作簿）结尾"), ("en", "must end in .pptx")],
)
def test_bad_extension(cli, library, tmp_path, lang, words):
    out = tmp_path / "r.docx"
    code, _, err = cli("report", *SOURCE, "--lang", lang, "--out", str(out))
    assert code == 1 and words in err and not out.exists()


@pytest.mark.parametrize("lang,words", [("zh", "无法写入"), ("en", "Cannot write")])
def test_unwritable(cli, library, tmp_path, lang, words):
    missing = tmp_path / "no" / "such" / "dir" / "r.xlsx"
    code, _, err = cli("report", *SOURCE, "--lang", lang, "--out", str(missing))
    assert code == 1 and words in err and str(missing) in err
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    code, _, err = cli("report", *SOURCE, "--lang", lang, "--out", str(folder))
    assert code == 1 and words in err
    assert not any(s in err for s in INTERNAL)


def test_bad_region_and_year(cli, library, tmp_path):
    code, _, err = cli("report", "--region", "220000", "--year", "1999", "--out", str(tmp_path / "r.xlsx"))
    assert code == 1 and "1999" in err
    code, _, err = cli("report", "--region", "220102", "--year", "2024", "--out", str(tmp_path / "r.xlsx"))
    assert code == 1 and "县级单位" in err


def test_missing_out_is_a_usage_error(cli, library):
    code, _, err = cli("report", *SOURCE)
    assert code == 1 and "--out" in err


def test_a_real_process_exits_1_without_traceback(tmp_path, library):
    run = subprocess.run(
        [sys.executable, "-m", "analytics", "report", *SOURCE, "--out", str(tmp_path / "x.txt")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert run.returncode == 1
    assert "错误：输出文件必须以 .pptx" in run.stderr and "Traceback" not in run.stderr


def test_a_write_error_leaves_no_half_file(cli, library, tmp_path, monkeypatch):
    import analytics.cli_report as cli_report

    def broken(fd, mode):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli_report.os, "fdopen", broken)
    code, _, err = cli("report", *SOURCE, "--out", str(tmp_path / "r.xlsx"))
    assert code == 1 and "No space left on device" in err
    assert list(tmp_path.glob("*.xlsx")) == [] and list(tmp_path.glob(".r-*")) == []
