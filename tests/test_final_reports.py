"""The final evaluation and the follow-up list in the deck and the workbook, for the plan's target year (2025 in
the demo), read back from the files: python-pptx for the deck, openpyxl for the workbook. Counts are checked
against the demo file's known answers (tests/known_answers.py), texts against analytics.final_eval."""

from __future__ import annotations

import dataclasses
import io

import known_answers as ka
import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from test_slides import make_meeting

from analytics.catalog import load_profile
from analytics.deck import build_deck
from analytics.followup import department_summary
from analytics.i18n import t
from analytics.meeting import Meeting
from analytics.slides import build_slides
from analytics.workbook import FINAL_COLUMNS, build_workbook

REGION = "220000"
HEADER_ROW = 5  # title, demo label, footer, blank, headings


def meeting_of(year: int, lang: str = "zh") -> Meeting:
    return make_meeting(lang, year=year)


@pytest.fixture(scope="module")
def final_meeting() -> Meeting:
    meeting = meeting_of(load_profile("jilin-2022-2025").target_year)
    assert meeting.year in ka.demo_years()  # the demo reaches the target year
    return meeting


@pytest.fixture(scope="module")
def slides(final_meeting):
    return build_slides(final_meeting, inline=True)


@pytest.fixture(scope="module")
def prs(final_meeting, slides):
    return Presentation(io.BytesIO(build_deck(final_meeting, slides=slides)))


def tables(slide) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in sh.table.rows] for sh in slide.shapes if sh.has_table]


def deck_slide(prs, slides, key: str):
    return prs.slides[[s.key for s in slides].index(key)]


def test_the_target_year_deck_carries_the_final_evaluation_and_the_followup(slides):
    keys = [s.key for s in slides]
    assert keys[:4] == ["headline", "final:1", "final:2", "final_areas"]
    assert "followup" in keys and keys.index("followup") > keys.index("lagging")


def test_an_earlier_year_has_the_followup_but_no_final_evaluation():
    keys = [s.key for s in build_slides(meeting_of(2024))]
    assert not [k for k in keys if k.startswith("final")] and "followup" in keys


def test_the_final_slides_hold_every_indicator_with_the_file_s_counts(prs, slides, final_meeting):
    catalog, profile = final_meeting.catalog, final_meeting.profile
    rows = []
    for key in ("final:1", "final:2"):
        (table,) = tables(deck_slide(prs, slides, key))
        assert table[0] == [
            t(f"report.col_{c}")
            for c in ("no", "indicator", "baseline", "final", "target", "status", "counties")
        ]
        rows += table[1:]
    assert [r[0] for r in rows] == [str(i.order) for i in catalog.indicators]  # all 25, none cut
    statuses = [r[5] for r in rows]
    assert statuses.count(t("status_met")) == ka.province_met(catalog, profile, final_meeting.year)
    ev = final_meeting.final()
    own = ev.indicators[ev.indicators["is_region"]].set_index("indicator_id")
    for ind, row in zip(catalog.indicators, rows, strict=True):
        assert row[2:4] == [own.at[ind.id, "baseline_text"], own.at[ind.id, "final_text"]]
    title = slides[1].title
    assert f"{ka.province_met(catalog, profile, final_meeting.year)} / 25" in title
    assert f"2020年 {ka.province_met(catalog, profile, 2020)} 项" in title
    notes = deck_slide(prs, slides, "final:1").notes_slide.notes_text_frame.text
    assert ev.paragraph(REGION) in notes


def test_the_areas_slide_ranks_the_prefectures_and_carries_their_paragraphs(prs, slides, final_meeting):
    slide = deck_slide(prs, slides, "final_areas")
    (table,) = tables(slide)
    ev = final_meeting.final()
    areas = ev.summary[~ev.summary["is_region"]]
    assert len(table) - 1 == len(areas) == 9
    met = [int(r[2]) for r in table[1:]]
    assert met == sorted(met, reverse=True)
    pictures = [sh for sh in slide.shapes if sh.shape_type == 13]
    assert len(pictures) == 1  # the dumbbell, as an image
    notes = slide.notes_slide.notes_text_frame.text
    for text in ev.paragraphs.loc[~ev.paragraphs["is_region"], "paragraph"]:
        assert text in notes


def test_the_followup_slide_lists_every_department_and_every_line(prs, slides, final_meeting):
    slide = deck_slide(prs, slides, "followup")
    (table,) = tables(slide)
    follow = final_meeting.followup()
    summary = department_summary(follow, "zh")
    assert [r[0] for r in table[1:]] == list(summary["department"])
    assert [int(r[2]) for r in table[1:]] == list(summary["n_region_not_met"])
    notes = slide.notes_slide.notes_text_frame.text.splitlines()
    assert len([n for n in notes if "：" in n]) >= len(follow)


def test_the_workbook_has_the_final_sheets_read_back(final_meeting):
    book = openpyxl.load_workbook(io.BytesIO(build_workbook(final_meeting)))
    assert book.sheetnames[-2:] == [t("report.sheet_final"), t("report.sheet_final_summary")]
    ev = final_meeting.final()
    rows = list(book[t("report.sheet_final")].iter_rows(min_row=HEADER_ROW, values_only=True))
    table = pd.DataFrame(rows[1:], columns=rows[0])
    assert list(table.columns) == [t(f"report.final_{c}") for c in FINAL_COLUMNS]
    assert len(table) == len(ev.indicators) == 10 * 25
    assert table[t("report.final_final_value")].tolist() == pytest.approx(
        ev.indicators["final_value"].tolist()
    )
    rows = list(book[t("report.sheet_final_summary")].iter_rows(min_row=HEADER_ROW, values_only=True))
    summary = pd.DataFrame(rows[1:], columns=rows[0])
    province = summary.iloc[0]
    catalog, profile = final_meeting.catalog, final_meeting.profile
    assert province[t("report.final_n_met")] == ka.province_met(catalog, profile, final_meeting.year)
    assert province[t("report.final_n_met_baseline", year=2020)] == ka.province_met(catalog, profile, 2020)
    assert province[t("report.final_paragraph")] == ev.paragraph(REGION)


def test_an_earlier_year_s_workbook_has_no_final_sheets():
    book = openpyxl.load_workbook(io.BytesIO(build_workbook(meeting_of(2024))))
    assert t("report.sheet_final") not in book.sheetnames


def test_the_english_target_year_deck(final_meeting):
    meeting = dataclasses.replace(final_meeting, lang="en", _derived={})
    slides = build_slides(meeting)
    by_key = {s.key: s for s in slides}
    assert by_key["final:1"].title.startswith("Final evaluation: 吉林省 2025")
    assert by_key["followup"].title.startswith("Follow-up list:")
    prs = Presentation(io.BytesIO(build_deck(meeting, slides=slides)))
    assert len(prs.slides) == len(slides)
