"""目标方案 in AppTest: copy a profile, change a target with the real widgets, see the problems, save it in a
store, choose it in the sidebar, and see the overview judge by it (known answers from the demo file)."""

from __future__ import annotations

from fractions import Fraction

import known_answers as ka
import pytest
from apptest_helpers import downloaded, navigation_server
from streamlit.testing.v1 import AppTest

from analytics.catalog import load_catalog, load_profile
from analytics.i18n import t
from analytics.profiles import edit_target, profile_from_toml
from analytics.store import Store

pytestmark = pytest.mark.apptest

APP = str(ka.DEMO_CSV.parents[2] / "app.py")


@pytest.fixture(autouse=True)
def _navigation_server():
    """Every run of a test is app.py then the page, as on a server (see apptest_helpers)."""
    with navigation_server():
        yield


@pytest.fixture
def db(tmp_path, monkeypatch):
    from ui.loaders import profile, store

    path = tmp_path / "profiles.sqlite"
    monkeypatch.setenv("PREVENTION_ATLAS_DB", str(path))
    monkeypatch.delenv("PREVENTION_ATLAS_PASSPHRASE", raising=False)
    store.clear()
    profile.clear()
    yield path
    store.clear()
    profile.clear()


def open_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/profiles.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def draft_table(at):
    return next(d.value for d in at.dataframe if t("profiles.col_draft") in d.value.columns)


def change(at, indicator_id: str, threshold: str, comparator: str | None = None):
    at.selectbox(key="w_prof_indicator").set_value(indicator_id).run()
    if comparator:
        at.radio(key=f"w_prof_cmp_{indicator_id}").set_value(comparator).run()
    at.text_input(key=f"w_prof_thr_{indicator_id}").set_value(threshold).run()
    at.button(key="w_prof_apply").click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_a_copy_starts_equal_and_a_change_is_marked(db):
    at = open_page()
    table = draft_table(at)
    assert len(table) == 25
    assert (table[t("profiles.col_base")] == table[t("profiles.col_draft")]).all()
    assert not at.error and any(t("profiles.no_problems") in s.value for s in at.success)
    change(at, "premarital_exam", "65", ">=")
    table = draft_table(at)
    row = table[table[t("profiles.col_changed")] != ""]
    assert len(row) == 1 and row[t("profiles.col_draft")].iloc[0] == "≥65%"
    assert row[t("profiles.col_base")].iloc[0] == "＞70%"


@pytest.mark.parametrize(
    "threshold, words",
    [("abc", "不是有限的数字"), ("101", "超过可能的最大值"), ("-1", "低于可能的最小值")],
)
def test_impossible_targets_are_listed_and_block_saving(db, threshold, words):
    at = open_page()
    change(at, "premarital_exam", threshold)
    assert at.error and words in at.error[0].value
    assert not [b for b in at.button if b.label == t("profiles.save")]  # no save form
    assert not Store(db).profile_ids()


def test_greater_than_100_percent_is_refused_but_100_is_accepted(db):
    at = open_page()
    change(at, "prenatal_screening", "100", ">")
    assert at.error and "无法达到" in at.error[0].value
    change(at, "prenatal_screening", "100", ">=")
    assert not at.error


def test_save_choose_in_the_sidebar_and_the_overview_judges_by_it(db):
    """婚检率 in 2025 is 69.7 %: not met against ＞70 %, met against ≥65 %: the overview's count rises by one."""
    catalog, jilin = load_catalog(), load_profile("jilin-2022-2025")
    year = ka.latest_year()
    at = open_page()
    change(at, "premarital_exam", "65", ">=")
    at.text_input(key="w_prof_id_jilin-2022-2025").set_value("jilin-2026-draft").run()
    at.button(key="FormSubmitter:prof_save-" + t("profiles.save")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert Store(db).profile_ids() == ["jilin-2026-draft"]
    saved = Store(db).stored_profile("jilin-2026-draft")
    assert (
        saved.targets["premarital_exam"].comparator == ">="
        and saved.targets["premarital_exam"].threshold == 65
    )
    assert any("jilin\\-2026\\-draft" in s.value and "第 1 版" in s.value for s in at.success)  # as text
    sidebar = at.selectbox(key="profile")
    assert len(sidebar.options) == 3  # the two built-in profiles and the saved one
    at.button(key="w_prof_use").click().run()
    assert at.selectbox(key="profile").value == "jilin-2026-draft"
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    expected = ka.province_met(catalog, edit_target(jilin, "premarital_exam", ">=", 65), year)
    assert expected == ka.province_met(catalog, jilin, year) + 1
    headline = next(m for m in at.metric if m.label.startswith("✓"))
    assert headline.value == str(expected)


def test_the_downloaded_file_reads_back_as_the_draft(db):
    at = open_page()
    change(at, "rehab_physicians", "7.5")
    (button,) = [b for b in at.get("download_button") if b.proto.label == t("profiles.download")]
    profile = profile_from_toml(downloaded(button).decode("utf-8"))
    base = load_profile("jilin-2022-2025")
    assert profile.id == "jilin-2022-2025-draft" and profile.target_year == base.target_year
    assert profile.targets == edit_target(base, "rehab_physicians", threshold="7.5").targets
    assert profile.targets["rehab_physicians"].threshold == Fraction(15, 2)
