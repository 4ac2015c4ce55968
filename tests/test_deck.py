"""The meeting deck (analytics.deck) opened again with python-pptx: 16:9, one slide per analytics.slides Slide,
titles, real tables holding the engine's numbers, pictures for the maps, the footer and demo label on every
slide, speaker notes, an East Asian typeface on every run, and no text larger than its box.

One Jilin deck (demo data, its latest year, one saved scenario) is built per module; the text-fitting check measures with
the real WenQuanYi Micro Hei glyphs (the font the PNGs use) where it is installed.
"""

from __future__ import annotations

import dataclasses
import io
import math
from pathlib import Path

import known_answers as ka
import pandas as pd
import pytest
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Emu
from test_slides import DEMO, SCENARIO, make_meeting

from analytics import deck as deck_module
from analytics import sources
from analytics.attainment import attainment
from analytics.catalog import load_catalog
from analytics.deck import FONT, build_deck, lines_needed, plan_table, text_height
from analytics.i18n import t
from analytics.insights import format_value, status_labels
from analytics.regions import load_regions
from analytics.slides import build_slides, scenario_runs

REGION, YEAR = "220000", ka.latest_year()  # the plan's target year: the final evaluation too
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


@pytest.fixture(scope="module")
def obs():
    return sources.observations("demo", REGION, catalog=load_catalog(), regions=load_regions())


@pytest.fixture(scope="module")
def meeting(obs):
    return make_meeting(obs=obs)


@pytest.fixture(scope="module")
def slides(meeting, obs):
    return build_slides(meeting, scenario_runs(meeting, [SCENARIO], obs), inline=True)


@pytest.fixture(scope="module")
def prs(meeting, slides):
    return Presentation(io.BytesIO(build_deck(meeting, slides=slides)))


def texts(slide) -> list[str]:
    return [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]


def table_rows(slide) -> list[list[str]]:
    """The body rows of every table on the slide, blocks side by side read in order (headers dropped)."""
    rows = []
    for sh in sorted((s for s in slide.shapes if s.has_table), key=lambda s: s.left):
        table = sh.table
        rows += [
            [table.cell(r, c).text for c in range(len(table.columns))] for r in range(1, len(table.rows))
        ]
    return rows


def runs_of(slide):
    """Every a:r run of the slide: text boxes, table cells, and the speaker notes."""
    out = list(slide._element.iter(qn("a:r")))
    if slide.has_notes_slide:
        out += list(slide.notes_slide._element.iter(qn("a:r")))
    return out


def test_16_9_and_one_slide_per_slide(prs, slides):
    assert (prs.slide_width, prs.slide_height) == (Emu(12192000), Emu(6858000)) or math.isclose(
        prs.slide_width / prs.slide_height, 16 / 9, rel_tol=1e-3
    )
    assert len(prs.slides) == len(slides) >= 10


def test_titles_footer_label_and_numbers(prs, slides, meeting):
    for k, (page, data) in enumerate(zip(prs.slides, slides, strict=True), start=1):
        words = texts(page)
        assert page.shapes.title.text == data.title, (
            data.key
        )  # the title placeholder: outline, screen readers
        assert data.footer in words and meeting.footer() in data.footer, data.key
        assert any(DEMO in w for w in words), data.key  # the demo label on every slide
        assert t("report.slide_number", "zh", n=k, total=len(slides)) in words


def test_headline_table_holds_the_engines_numbers(prs, obs, meeting):
    run = {"regions": meeting.regions, "catalog": meeting.catalog, "profile": meeting.profile}
    province = attainment(obs, region_code=REGION, level="province", years=[YEAR], **run)
    province = province.set_index(province["indicator_id"].astype(str))
    rows = table_rows(prs.slides[0])
    assert len(rows) == 25  # all 25, even when split in two halves side by side
    labels = status_labels("zh")
    for row, ind in zip(rows, meeting.catalog.indicators, strict=True):
        assert row[0] == str(ind.order)
        assert row[2] == format_value(province.loc[ind.id, "value"], ind, "zh")
        assert row[4] == labels[str(province.loc[ind.id, "status"])]
    met = int((province["status"].astype(str) == "met").sum())
    assert f"{met} / 25" in prs.slides[0].shapes.title.text


def test_every_table_is_a_real_table_with_the_slides_cells(prs, slides):
    for page, data in zip(prs.slides, slides, strict=True):
        if data.table is None or not len(data.table):
            assert not any(sh.has_table for sh in page.shapes)
            continue
        rows = table_rows(page)
        expected = [[str(v) for v in r] for r in data.table.itertuples(index=False)]
        assert rows == expected, data.key  # nothing cut: each slide's table fits whole
        headers = [
            sh.table.cell(0, c).text
            for sh in page.shapes
            if sh.has_table
            for c in range(len(sh.table.columns))
        ]
        assert set(headers) == {str(c) for c in data.table.columns}


def test_maps_are_pictures_inside_the_slide(prs, slides):
    for page, data in zip(prs.slides, slides, strict=True):
        pictures = [sh for sh in page.shapes if sh.shape_type == 13]
        assert len(pictures) == len(data.figures), data.key
        for pic in pictures:
            assert pic.image.content_type == "image/png"
            assert pic._element.nvPicPr.cNvPr.get("descr")  # alt text
            assert pic.image.size[0] >= 1000  # at slide resolution, not a thumbnail


def test_every_shape_stays_on_the_slide(prs):
    for page in prs.slides:
        for sh in page.shapes:
            assert sh.left >= 0 and sh.top >= 0
            assert sh.left + sh.width <= prs.slide_width + 1
            assert sh.top + sh.height <= prs.slide_height + 1


def test_every_run_names_an_east_asian_typeface(prs):
    n = 0
    for page in prs.slides:
        for run in runs_of(page):
            rpr = run.find(qn("a:rPr"))
            assert rpr is not None
            ea, latin = rpr.find(qn("a:ea")), rpr.find(qn("a:latin"))
            assert ea is not None and ea.get("typeface") == FONT
            assert latin is not None and latin.get("typeface") == FONT
            children = [c.tag for c in rpr]
            assert children.index(qn("a:latin")) + 1 == children.index(qn("a:ea"))  # schema order
            n += 1
    assert n > 500


def test_speaker_notes_carry_the_numbers(prs, slides):
    for page, data in zip(prs.slides, slides, strict=True):
        notes = page.notes_slide.notes_text_frame.text
        assert data.notes.split("\n")[0] in notes and data.footer in notes, data.key
    headline = prs.slides[0].notes_slide.notes_text_frame.text
    assert "还差" in headline  # the shortfalls behind "N / 25"


def _real_lines(font_file: Path, text: str, width_pt: float, pt: float) -> int:
    """Lines a text takes with the real glyph advances, breaking as analytics.deck does (CJK anywhere, Latin
    at spaces)."""
    from PIL import ImageFont

    font = ImageFont.truetype(str(font_file), size=100)
    scale = pt / 100
    total = 0
    for para in text.split("\n"):
        lines, used = 1, 0.0
        for tok in deck_module._tokens(para):
            w = font.getlength(tok) * scale
            if used and used + font.getlength(tok.rstrip()) * scale > width_pt:
                lines += 1
                used = 0.0
            while w > width_pt:
                lines += 1
                w -= width_pt
            used += w
        total += lines
    return total


@pytest.mark.skipif(not CJK_FONT.exists(), reason="needs fonts-wqy-microhei to measure real glyphs")
def test_no_text_overflows_its_box(prs):
    inset = deck_module.INSET * 72
    for k, page in enumerate(prs.slides, start=1):
        for sh in page.shapes:
            frames = []
            if sh.has_text_frame:
                frames.append((sh.text_frame, sh.width.pt - 2 * inset, sh.height.pt - 2 * inset))
            if sh.has_table:
                table = sh.table
                for r, row in enumerate(table.rows):
                    for c, col in enumerate(table.columns):
                        cell = table.cell(r, c)
                        pad_x = (cell.margin_left + cell.margin_right) / 12700
                        pad_y = (cell.margin_top + cell.margin_bottom) / 12700
                        frames.append((cell.text_frame, col.width.pt - pad_x, row.height.pt - pad_y))
            for frame, width, height in frames:
                used = 0.0
                for p in frame.paragraphs:
                    text = "".join(r.text for r in p.runs)
                    sizes = [r.font.size.pt for r in p.runs if r.font.size]
                    if not text or not sizes:
                        continue
                    pt = max(sizes)
                    used += _real_lines(CJK_FONT, text, width, pt) * pt * deck_module.LINE
                    used += p.space_before.pt if p.space_before is not None else 0
                assert used <= height + 0.5, (k, frame.text[:40], used, height)


def test_english_deck(obs):
    """The English words, without figures (the layout and fonts are the same code)."""
    meeting = make_meeting("en", obs=obs)
    slides = [dataclasses.replace(s, figures=[]) for s in build_slides(meeting)]
    prs = Presentation(io.BytesIO(build_deck(meeting, slides=slides)))
    assert len(prs.slides) == len(slides)
    assert any("indicators met" in w for w in texts(prs.slides[0]))
    assert table_rows(prs.slides[0])[0][4] in ("✓ met", "✗ not met", "– no data")
    for page in prs.slides:
        assert all(r.find(qn("a:rPr")).find(qn("a:ea")) is not None for r in runs_of(page))


# --- the measuring and fitting rules --------------------------------------------------------------------
def test_lines_needed_wraps_cjk_anywhere_and_latin_at_spaces():
    # 72 pt characters are 1 inch wide; a 10-inch line counts 9.2 of them (SLACK: kinsoku, font differences)
    assert lines_needed("达" * 9, 10, 72) == 1
    assert lines_needed("达" * 10, 10, 72) == 2
    assert lines_needed("达" * 19, 10, 72) == 3
    assert lines_needed("short", 10, 12) == 1
    assert lines_needed("a\nb\nc", 10, 12) == 3
    words = " ".join(["word"] * 30)
    assert lines_needed(words, 2, 12) > lines_needed(words, 4, 12) > 1


def test_a_long_table_is_split_or_cut_to_fit():
    table = pd.DataFrame({"县": [f"第{k}县" for k in range(40)], "值": [f"{k}.0%" for k in range(40)]})
    plan = plan_table(table, 6, 5)
    assert plan is not None and len(plan.blocks) == 2 and plan.height <= 5
    assert plan_table(table, 1.0, 0.5) is None
    fitted, shown = deck_module.fit_table(table, 6, 2, "zh")
    assert fitted.height <= 2 and len(shown) < len(table)
    assert shown.iloc[-1, 0] == t("report.more_rows", "zh", n=len(table) - len(shown) + 1)


def test_a_table_is_split_in_halves_only_where_no_cell_wraps():
    """Two narrow halves whose cells wrap grow past the slide when the reader's font is wider than planned
    (seen in LibreOffice): such a table stays one block (here at 9 pt; the halves would wrap "需再减少 N 起")."""
    n = 12
    table = pd.DataFrame(
        {
            "县（市、区）": [f"伊通满族自治县{k}" for k in range(n)],
            "值": ["-116.7%"] * n,
            "缺口": [f"需再减少 {k} 起" for k in range(n)],
        }
    )
    plan = plan_table(table, 4.3, 3.0)
    assert plan is not None and len(plan.blocks) == 1 and plan.height <= 3.0
    short = pd.DataFrame({"县": [f"第{k}县" for k in range(40)], "值": [f"{k}.0%" for k in range(40)]})
    assert len(plan_table(short, 6, 5).blocks) == 2  # short cells still go in halves


def test_text_height_grows_with_the_text():
    assert text_height(["一"], 5, 12) < text_height(["一" * 200], 5, 12)
