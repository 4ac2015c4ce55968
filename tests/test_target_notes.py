"""Every maintainers' note on a target comes in English (`note`) and in Chinese (`note_zh`); the UI asks
`Target.note_in(lang)`, which falls back to the English note where no Chinese one is given."""

from __future__ import annotations

import re

import pytest

from analytics.catalog import Target, list_profiles, load_profile

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
ASCII_WORD = re.compile(r"[A-Za-z]{3,}")  # what tests/test_i18n_pages.py flags in the Chinese UI
REFERENCE = re.compile(r"\[R\d{4}\]")  # the progress reports the national notes cite
DOCUMENT_NUMBER = re.compile(r"[^\s(]+〔\d{4}〕\d+号")  # e.g. 国办发〔2021〕50号, as the English note has it
PLAN_VALUE = re.compile(r"[＞≥]\d+%")  # a target as the plan writes it, e.g. ＞85%

PROFILES = list_profiles()
NOTED = [(p, t) for p in PROFILES for t in load_profile(p).targets.values() if t.note]


def test_both_profiles_have_notes():
    assert {"jilin-2022-2025", "national-2021-2025"} <= set(PROFILES)
    assert {p for p, _ in NOTED} == {"jilin-2022-2025", "national-2021-2025"}


@pytest.mark.parametrize(("profile_id", "target"), NOTED, ids=[f"{p}-{t.indicator_id}" for p, t in NOTED])
def test_every_note_has_a_chinese_translation(profile_id, target):
    assert target.note_zh.strip(), f"{profile_id} {target.indicator_id}: note without note_zh"
    assert CJK.search(target.note_zh), f"{profile_id} {target.indicator_id}: note_zh is not Chinese"
    # the Chinese UI shows it: no English words in it
    assert not ASCII_WORD.findall(target.note_zh), target.note_zh
    # references, document numbers and the plan's values are kept exactly
    for pattern in (REFERENCE, DOCUMENT_NUMBER, PLAN_VALUE):
        missing = {quoted for quoted in pattern.findall(target.note) if quoted not in target.note_zh}
        assert not missing, f"{profile_id} {target.indicator_id}: {missing} not in note_zh"


def test_no_chinese_note_without_an_english_one():
    for p in PROFILES:
        for t in load_profile(p).targets.values():
            assert t.note or not t.note_zh, f"{p} {t.indicator_id}: note_zh without note"


def test_note_in_picks_the_language(national):
    target = national["maternal_management"]
    assert target.note_in("zh") == target.note_zh
    assert target.note_in("en") == target.note
    assert target.note_in("zh") != target.note_in("en")
    assert CJK.search(target.note_in("zh"))
    assert not CJK.search(target.note_in("en").replace("＞", ""))  # apart from the plan's symbol, English


def test_note_in_falls_back_to_english():
    target = Target("maternal_management", ">", 85, False, "＞85%", certain=False, note="English only.")
    assert target.note_in("zh") == "English only."
    assert target.note_in("en") == "English only."
    assert Target("maternal_management", ">", 85, False, "＞85%").note_in("zh") == ""


def test_profile_without_note_zh_falls_back_to_english(tmp_path):
    (tmp_path / "old-style.toml").write_text(
        """schema_version = 1
id = "old-style"
name_zh = "旧格式方案"
name_en = "Old-style profile"
target_year = 2025
baseline_year = 2020

[targets.maternal_management]
comparator = ">"
threshold = 85
text_zh = "＞85%"
certain = false
note = "Believed to be ＞85%."
""",
        encoding="utf-8",
    )
    target = load_profile("old-style", tmp_path)["maternal_management"]
    assert target.note_zh == ""
    assert target.note_in("zh") == "Believed to be ＞85%."
    assert target.note_in("en") == "Believed to be ＞85%."
