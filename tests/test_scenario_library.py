"""Saved scenarios (analytics.scenario_library): the view each was made in is recorded (source, region, year,
profile), saving over a name needs overwrite=True, scenarios can be deleted, and older files still load. The
library lives in the store (one row per entry, transactional: concurrent saves all land, one unreadable entry
never hides the others, saves need the admin passphrase) and brings in the old JSON file once; a JSON file
still works as a library of its own."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import sys
import types

import pytest

from analytics import scenario_library as library
from analytics.catalog import load_profile
from analytics.i18n import t
from analytics.regions import load_regions
from analytics.scenarios import Adjustment, Scenario
from analytics.store import PASSPHRASE_ENV, Store, StoreError

UNITS = Scenario("四十名康复医师", (Adjustment("rehab_physicians", "add_units", 40),))
POINTS = Scenario("婚检+5", (Adjustment("premarital_exam", "add_pp", 5.0, scope="220200"),))
STORE_VIEW = library.ViewContext("store@0123456789abcdef", "220000", "220300", 2023, "national-2021-2025", 7)
DEMO_VIEW = library.ViewContext("demo", "220000", None, 2024, "jilin-2022-2025")


@pytest.fixture(autouse=True)
def _no_ambient_config(tmp_path, monkeypatch):
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    monkeypatch.setenv(library.SCENARIOS_ENV, str(tmp_path / "no-old-file.json"))


@pytest.fixture
def path(tmp_path):
    return tmp_path / "nested" / "scenarios.json"


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "atlas.sqlite")


@pytest.fixture(params=["store", "file"])
def where(request, tmp_path):
    """Either kind of library: the store (what the app uses) or a JSON file (earlier releases)."""
    if request.param == "store":
        return Store(tmp_path / "atlas.sqlite")
    return tmp_path / "nested" / "scenarios.json"


def snapshot(where) -> object:
    """Everything a refused save could have changed."""
    if isinstance(where, Store):
        con = sqlite3.connect(where.path)
        try:
            return con.execute("SELECT * FROM scenarios ORDER BY id").fetchall()
        finally:
            con.close()
    return where.read_bytes() if where.exists() else None


def test_save_records_the_view_and_loads_it_back(where):
    library.save(where, UNITS, STORE_VIEW)
    library.save(where, POINTS, DEMO_VIEW)
    saved = library.load_saved(where)
    assert list(saved) == ["四十名康复医师", "婚检+5"]
    assert saved["四十名康复医师"].scenario == UNITS
    assert saved["四十名康复医师"].context == STORE_VIEW
    assert saved["婚检+5"].context == DEMO_VIEW and saved["婚检+5"].context.region == "220000"
    assert saved["婚检+5"].saved_at.endswith("+00:00")  # stored in UTC, shown in local time
    if isinstance(where, Store):
        raw = json.loads(where.scenario_entries().set_index("name").loc["四十名康复医师", "payload"])
    else:
        raw = json.loads(where.read_text(encoding="utf-8"))["四十名康复医师"]
    assert raw["context"] == {
        "source": "store@0123456789abcdef",
        "province": "220000",
        "prefecture": "220300",
        "year": 2023,
        "profile": "national-2021-2025",
        "newest_version": 7,
    }


def test_saving_over_a_name_needs_overwrite(where):
    library.save(where, UNITS, DEMO_VIEW)
    before = snapshot(where)
    changed = Scenario(UNITS.name, (Adjustment("rehab_physicians", "add_units", 80),))
    with pytest.raises(library.LibraryError, match="已有名为“四十名康复医师”的情景") as refused:
        library.save(where, changed, STORE_VIEW)
    assert refused.value.code == "scenario_exists"
    assert snapshot(where) == before  # nothing overwritten silently
    library.save(where, changed, STORE_VIEW, overwrite=True)
    saved = library.load_saved(where)[UNITS.name]
    assert saved.scenario.adjustments[0].amount == 80 and saved.context == STORE_VIEW
    assert library.exists(where, " 四十名康复医师 ")


def test_delete(where):
    library.save(where, UNITS, DEMO_VIEW)
    library.save(where, POINTS, DEMO_VIEW)
    library.delete(where, UNITS.name)
    assert list(library.load_saved(where)) == [POINTS.name]
    with pytest.raises(library.LibraryError, match="没有名为“四十名康复医师”的情景") as missing:
        library.delete(where, UNITS.name)
    assert missing.value.code == "scenario_missing"
    library.delete(where, POINTS.name)
    assert library.load_saved(where) == {}


def test_a_name_is_needed(where):
    before = snapshot(where)
    with pytest.raises(library.LibraryError, match="请给情景起一个名称"):
        library.save(where, Scenario("  ", UNITS.adjustments), DEMO_VIEW)
    assert snapshot(where) == before


def test_files_from_before_views_were_recorded_still_load(path):
    path.parent.mkdir(parents=True)
    old = {UNITS.name: json.loads(UNITS.to_json()), "broken": {"adjustments": [{"nope": 1}]}}
    path.write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    loaded = library.load_library(path)
    assert list(loaded.saved) == [UNITS.name]  # an unreadable entry is listed apart, not fatal
    assert list(loaded.unreadable) == ["broken"]
    assert loaded.saved[UNITS.name].context is None and loaded.saved[UNITS.name].scenario == UNITS
    assert library.differences(None, DEMO_VIEW) == ["source", "region", "year", "profile"]
    library.save(path, POINTS, DEMO_VIEW)  # the next save keeps the entry it cannot read
    assert json.loads(path.read_text(encoding="utf-8"))["broken"] == {"adjustments": [{"nope": 1}]}
    path.write_text("not json", encoding="utf-8")
    assert library.load_saved(path) == {}
    with pytest.raises(library.LibraryError, match="无法读取") as refused:  # never overwritten
        library.save(path, UNITS, DEMO_VIEW)
    assert refused.value.code == "scenario_file_unreadable"
    assert path.read_text(encoding="utf-8") == "not json"


# --- the library in the store ------------------------------------------------------------------------------
def test_one_unreadable_entry_never_hides_the_others(store):
    library.save(store, UNITS, DEMO_VIEW)
    store.save_scenario("坏的", '{"adjustments": [{"nope": 1}]}')
    store.save_scenario("不是JSON", "{{{")
    library.save(store, POINTS, STORE_VIEW)
    loaded = library.load_library(store)
    assert list(loaded.saved) == [UNITS.name, POINTS.name]
    assert list(loaded.unreadable) == ["坏的", "不是JSON"]
    assert library.exists(store, "坏的")  # saving over it still asks first
    with pytest.raises(library.LibraryError, match="已有名为“坏的”的情景"):
        library.save(store, Scenario("坏的", UNITS.adjustments), DEMO_VIEW)
    library.save(store, Scenario("坏的", UNITS.adjustments), DEMO_VIEW, overwrite=True)
    assert list(library.load_library(store).unreadable) == ["不是JSON"]
    library.delete(store, "不是JSON")
    assert library.load_library(store).unreadable == {}


def test_saves_and_deletes_need_the_passphrase_of_a_protected_store(store):
    library.save(store, UNITS, DEMO_VIEW)
    protected = Store(store.path, passphrase_required="口令")
    before = snapshot(store)
    with pytest.raises(StoreError, match="需要正确的管理员口令才能写入数据"):
        library.save(Store(store.path), POINTS, DEMO_VIEW)
    with pytest.raises(StoreError, match="需要正确的管理员口令才能写入数据"):
        library.delete(Store(store.path), UNITS.name, passphrase="猜的")
    assert snapshot(store) == before
    library.save(protected, POINTS, DEMO_VIEW, passphrase="口令")
    library.delete(protected, UNITS.name, passphrase="口令")
    assert list(library.load_saved(store)) == [POINTS.name]


def test_overwriting_and_deleting_keep_history(store):
    library.save(store, UNITS, DEMO_VIEW)
    library.save(store, Scenario(UNITS.name, POINTS.adjustments), DEMO_VIEW, overwrite=True)
    library.delete(store, UNITS.name)
    con = sqlite3.connect(store.path)
    rows = con.execute("SELECT name, version, status FROM scenarios ORDER BY id").fetchall()
    con.close()
    assert rows == [(UNITS.name, 1, "replaced"), (UNITS.name, 2, "deleted")]
    revision = store.scenarios_revision()
    library.save(store, UNITS, DEMO_VIEW)  # the name is free again: its next version
    assert store.scenario_entries()["version"].tolist() == [3]
    assert store.scenarios_revision() != revision


def _save_many(db: str, worker: int, n: int) -> None:
    target = Store(db)
    for i in range(n):
        library.save(target, Scenario(f"进程{worker}-情景{i:02d}", UNITS.adjustments), DEMO_VIEW)


def test_concurrent_saves_from_several_processes_all_land(store, monkeypatch):
    """The finding: two processes saving at once kept 44 of 80. Four processes x 20 saves = 80 saved."""
    # a script AppTest ran (AppTest.from_function) can be left as __main__, and spawn would run it in each child
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=_save_many, args=(str(store.path), w, 20)) for w in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    saved = library.load_saved(store)
    assert len(saved) == 80
    assert {name.split("-")[0] for name in saved} == {"进程0", "进程1", "进程2", "进程3"}


def test_the_old_file_is_brought_in_once(store, tmp_path, monkeypatch):
    old = tmp_path / "old" / "scenarios.json"
    library.save(old, UNITS, STORE_VIEW)
    library.save(old, POINTS, DEMO_VIEW)
    raw = json.loads(old.read_text(encoding="utf-8"))
    raw["broken"] = {"adjustments": "nope"}
    old.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    library.save(store, Scenario(POINTS.name, UNITS.adjustments), DEMO_VIEW)  # the store's own: kept
    monkeypatch.setenv(library.SCENARIOS_ENV, str(old))
    loaded = library.load_library(store)
    assert list(loaded.saved) == [POINTS.name, UNITS.name]
    assert loaded.saved[POINTS.name].scenario.adjustments == UNITS.adjustments  # not replaced by the file's
    assert loaded.saved[UNITS.name].context == STORE_VIEW
    assert loaded.saved[UNITS.name].saved_at == raw[UNITS.name]["saved_at"]
    assert list(loaded.unreadable) == ["broken"]
    library.delete(store, UNITS.name)
    assert library.bring_in(store) == 0  # once: a deleted scenario does not come back
    assert list(library.load_saved(store)) == [POINTS.name]
    assert json.loads(old.read_text(encoding="utf-8")) == raw  # the file is left as it was


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
