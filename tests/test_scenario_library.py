"""Saved scenarios (analytics.scenario_library): the view each was made in is recorded (source, region, year,
profile), saving over a name needs overwrite=True, scenarios can be deleted, and older files still load."""

from __future__ import annotations

import json

import pytest

from analytics import scenario_library as library
from analytics.catalog import load_profile
from analytics.i18n import t
from analytics.regions import load_regions
from analytics.scenarios import Adjustment, Scenario

UNITS = Scenario("四十名康复医师", (Adjustment("rehab_physicians", "add_units", 40),))
POINTS = Scenario("婚检+5", (Adjustment("premarital_exam", "add_pp", 5.0, scope="220200"),))
STORE_VIEW = library.ViewContext("store@0123456789abcdef", "220000", "220300", 2023, "national-2021-2025", 7)
DEMO_VIEW = library.ViewContext("demo", "220000", None, 2024, "jilin-2022-2025")


@pytest.fixture
def path(tmp_path):
    return tmp_path / "nested" / "scenarios.json"


def test_save_records_the_view_and_loads_it_back(path):
    library.save(path, UNITS, STORE_VIEW)
    library.save(path, POINTS, DEMO_VIEW)
    saved = library.load_saved(path)
    assert list(saved) == ["四十名康复医师", "婚检+5"]
    assert saved["四十名康复医师"].scenario == UNITS
    assert saved["四十名康复医师"].context == STORE_VIEW
    assert saved["婚检+5"].context == DEMO_VIEW and saved["婚检+5"].context.region == "220000"
    assert saved["婚检+5"].saved_at.endswith("+00:00")  # stored in UTC, shown in local time
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["四十名康复医师"]["context"] == {
        "source": "store@0123456789abcdef",
        "province": "220000",
        "prefecture": "220300",
        "year": 2023,
        "profile": "national-2021-2025",
        "newest_version": 7,
    }


def test_saving_over_a_name_needs_overwrite(path):
    library.save(path, UNITS, DEMO_VIEW)
    before = path.read_bytes()
    changed = Scenario(UNITS.name, (Adjustment("rehab_physicians", "add_units", 80),))
    with pytest.raises(library.LibraryError, match="已有名为“四十名康复医师”的情景") as refused:
        library.save(path, changed, STORE_VIEW)
    assert refused.value.code == "scenario_exists"
    assert path.read_bytes() == before  # nothing overwritten silently
    library.save(path, changed, STORE_VIEW, overwrite=True)
    saved = library.load_saved(path)[UNITS.name]
    assert saved.scenario.adjustments[0].amount == 80 and saved.context == STORE_VIEW
    assert library.exists(path, " 四十名康复医师 ")


def test_delete(path):
    library.save(path, UNITS, DEMO_VIEW)
    library.save(path, POINTS, DEMO_VIEW)
    library.delete(path, UNITS.name)
    assert list(library.load_saved(path)) == [POINTS.name]
    with pytest.raises(library.LibraryError, match="没有名为") as missing:
        library.delete(path, UNITS.name)
    assert missing.value.code == "scenario_missing"
    library.delete(path, POINTS.name)
    assert library.load_saved(path) == {}


def test_a_name_is_needed(path):
    with pytest.raises(library.LibraryError, match="名称"):
        library.save(path, Scenario("  ", UNITS.adjustments), DEMO_VIEW)
    assert not path.exists()


def test_files_from_before_views_were_recorded_still_load(path):
    path.parent.mkdir(parents=True)
    old = {UNITS.name: json.loads(UNITS.to_json()), "broken": {"adjustments": [{"nope": 1}]}}
    path.write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    saved = library.load_saved(path)
    assert list(saved) == [UNITS.name]  # an unreadable entry is skipped, not fatal
    assert saved[UNITS.name].context is None and saved[UNITS.name].scenario == UNITS
    assert library.differences(None, DEMO_VIEW) == ["source", "region", "year", "profile"]
    path.write_text("not json", encoding="utf-8")
    assert library.load_saved(path) == {}


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (STORE_VIEW, []),
        (DEMO_VIEW, ["source", "region", "year", "profile"]),
        (
            library.ViewContext("store@ffffffffffffffff", "220000", "220300", 2023, "national-2021-2025"),
            ["source"],
        ),
        (library.ViewContext(STORE_VIEW.source, "220000", None, 2023, "national-2021-2025"), ["region"]),
        (library.ViewContext(STORE_VIEW.source, "220000", "220300", 2024, "national-2021-2025"), ["year"]),
    ],
)
def test_differences(now, expected):
    assert library.differences(STORE_VIEW, now) == expected


def test_context_in_words():
    regions = load_regions()
    national_profile = load_profile("national-2021-2025").name("zh")
    assert (
        library.context_words(STORE_VIEW, "zh", regions)
        == f"已导入的数据（截至版本 7） · 四平市 · 2023年 · {national_profile}"
    )
    assert library.context_words(DEMO_VIEW, "en", regions).startswith(
        t("source_demo", "en") + " · 吉林省 · 2024"
    )
    assert library.context_words(None, "zh", regions) == "（保存时未记录）"
    country = library.ViewContext("demo", "100000", None, 2024, "jilin-2022-2025")
    assert t("whole_country", "en") in library.context_words(country, "en", regions)
    unknown = library.ViewContext("demo", "999999", None, 2024, "no-such-profile")
    assert library.context_words(unknown, "zh", regions).endswith("999999 · 2024年 · no-such-profile")
