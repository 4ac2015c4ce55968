"""The store's history: undo one import vs return to the state after a version, their previews, an identical
file flagged by its sha256, schema-1 stores upgraded, local times, and where each number came from
(analytics.store, analytics.provenance).

Known answers: three versions of two datasets, written out row by row below (no engine involved).
"""

from __future__ import annotations

import sqlite3
import time

import pandas as pd
import pytest

from analytics.provenance import (
    check_pin,
    local_time,
    parse_source,
    provenance_text,
    source_token,
    with_provenance,
)
from analytics.store import OBS_COLUMNS, PASSPHRASE_ENV, Store, StoreError

PREM, ASSIST = "premarital_exam", "assistive_device_fitting"
HEALTH, DISABLED = "卫健委", "残联"


@pytest.fixture(autouse=True)
def _no_ambient_passphrase(monkeypatch):
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)


def frame(rows: list[tuple]) -> pd.DataFrame:
    """(region_code, indicator_id, numerator, denominator) for 2024 -> observations with the value."""
    return pd.DataFrame(
        [(code, 2024, ind, num, den, 100 * num / den) for code, ind, num, den in rows], columns=OBS_COLUMNS
    )


V1 = frame([("220102", PREM, 700, 1000), ("220103", PREM, 650, 1000)])  # 卫健委, first import
V2 = frame([("220102", ASSIST, 900, 1000), ("220103", ASSIST, 800, 1000)])  # 残联
V3 = frame([("220102", PREM, 800, 1000), ("220104", PREM, 500, 1000)])  # 卫健委 again: one new county

ALL = {
    ("220102", PREM): (80.0, 3),
    ("220103", PREM): (65.0, 1),
    ("220104", PREM): (50.0, 3),
    ("220102", ASSIST): (90.0, 2),
    ("220103", ASSIST): (80.0, 2),
}
# the state right after v2 (v1 + v2): also what withdrawing v3 alone leaves
AFTER_V2 = {
    ("220102", PREM): (70.0, 1),
    ("220103", PREM): (65.0, 1),
    ("220102", ASSIST): (90.0, 2),
    ("220103", ASSIST): (80.0, 2),
}
EXPECTED = {
    # undo: only that version's rows go; where an older version has the key, its row shows again
    ("undo", 3): (AFTER_V2, ["active", "active", "rolled_back"]),
    ("undo", 2): (
        {("220102", PREM): (80.0, 3), ("220103", PREM): (65.0, 1), ("220104", PREM): (50.0, 3)},
        ["active", "rolled_back", "active"],
    ),
    ("undo", 1): (
        {
            ("220102", PREM): (80.0, 3),
            ("220104", PREM): (50.0, 3),
            ("220102", ASSIST): (90.0, 2),
            ("220103", ASSIST): (80.0, 2),
        },
        ["rolled_back", "active", "active"],
    ),
    # rollback: the whole store right after version N (later versions of every dataset go)
    ("rollback", 1): (
        {("220102", PREM): (70.0, 1), ("220103", PREM): (65.0, 1)},
        ["active", "rolled_back", "rolled_back"],
    ),
    ("rollback", 2): (AFTER_V2, ["active", "active", "rolled_back"]),
    ("rollback", 3): (ALL, ["active", "active", "active"]),
    # rollback 0: the state before the first import, the first version included
    ("rollback", 0): ({}, ["rolled_back", "rolled_back", "rolled_back"]),
}


def three_versions(path) -> Store:
    """A store of three imports: 卫健委 (v1), 残联 (v2), 卫健委 again (v3). Shared by the history tests."""
    s = Store(path)
    s.import_observations(
        V1, dataset=HEALTH, source_name="卫健委2024.xlsx", sha256="1" * 64, department="省卫健委"
    )
    s.import_observations(
        V2, dataset=DISABLED, source_name="残联2024.csv", sha256="2" * 64, department="省残联"
    )
    s.import_observations(
        V3, dataset=HEALTH, source_name="卫健委2024补报.xlsx", sha256="3" * 64, department="省卫健委"
    )
    return s


@pytest.fixture
def store(tmp_path) -> Store:
    return three_versions(tmp_path / "atlas.sqlite")


def view(store: Store) -> dict[tuple[str, str], tuple[float, int]]:
    current = store.current()
    return {
        (r.region_code, r.indicator_id): (round(r.value, 6), int(r.dataset_version))
        for r in current.itertuples()
    }


def statuses(store: Store) -> list[str]:
    return store.versions().sort_values("version_id")["status"].tolist()


def test_three_versions_of_two_datasets_merge_latest_per_key(store):
    assert view(store) == ALL
    assert statuses(store) == ["active"] * 3


@pytest.mark.parametrize(("operation", "version"), list(EXPECTED))
def test_undo_and_rollback_known_answers(store, operation, version):
    rows, expected_statuses = EXPECTED[(operation, version)]
    getattr(store, operation)(version)
    assert view(store) == rows
    assert statuses(store) == expected_statuses
    assert len(store.versions()) == 3  # history is never deleted


def test_undoing_the_health_import_keeps_the_other_department(store):
    """The finding: withdrawing 卫健委's second import must not take 残联's data with it."""
    store.undo(3)
    assert set(store.current(DISABLED)["region_code"]) == {"220102", "220103"}
    assert store.versions().set_index("version_id")["status"][2] == "active"


def apply_preview(before: pd.DataFrame, change) -> dict:
    """The merged view a preview promises: the current rows with its removed / restored / replaced keys."""
    out = {
        (r.region_code, r.indicator_id): (round(r.value, 6), int(r.dataset_version))
        for r in before.itertuples()
    }
    for r in change.rows.itertuples():
        key = (r.region_code, r.indicator_id)
        if r.change == "removed":
            del out[key]
        else:
            out[key] = (round(r.value_after, 6), int(r.version_after))
    return out


@pytest.mark.parametrize(("operation", "version"), list(EXPECTED))
def test_a_preview_writes_nothing_and_equals_the_change(store, operation, version):
    before = store.current()
    revision = store.revision()
    preview = getattr(store, f"preview_{operation}")(version)
    assert store.revision() == revision and view(store) == view_of(before)  # nothing written
    promised = apply_preview(before, preview)
    done = getattr(store, operation)(version)
    assert view(store) == promised == EXPECTED[(operation, version)][0]
    assert store.revision() == preview.revision_after == done.revision_after
    pd.testing.assert_frame_equal(preview.rows, done.rows)
    assert (preview.deactivated, preview.activated) == (done.deactivated, done.activated)


def view_of(current: pd.DataFrame) -> dict:
    return {
        (r.region_code, r.indicator_id): (round(r.value, 6), int(r.dataset_version))
        for r in current.itertuples()
    }


def test_preview_counts_per_dataset(store):
    per = store.preview_rollback(1).by_dataset().set_index("dataset")
    # 卫健委: 220102 goes back from v3 to v1 (removed + restored), 220104 leaves; 残联: both its rows leave
    assert per.loc[HEALTH].tolist() == [2, 1, 2, 1]  # removed, restored, counties, indicators
    assert per.loc[DISABLED].tolist() == [2, 0, 2, 1]
    undo = store.preview_undo(3)
    assert undo.deactivated == (3,) and undo.activated == ()
    assert undo.rows["change"].tolist() == ["replaced", "removed"]  # 220102 back to v1; 220104 gone
    assert undo.by_dataset()["dataset"].tolist() == [HEALTH]


def test_rollback_forward_again_and_nothing_to_change(store):
    store.undo(3)
    again = store.preview_rollback(2)  # the state right after v2 is what there is now
    assert again.changes_nothing and again.rows.empty and again.by_dataset().empty
    store.rollback(3)  # forward: v3 is back
    assert view(store) == ALL


def test_a_version_withdrawn_before_n_stays_out_of_the_state_after_n(tmp_path):
    s = Store(tmp_path / "a.sqlite")
    put = lambda f, d: s.import_observations(f, dataset=d, source_name=f"{d}.csv", sha256="0" * 64)  # noqa: E731
    v1, v2 = put(V1, HEALTH), put(V2, DISABLED)
    s.undo(v1)  # withdrawn before v3 was imported
    v3 = put(V3, HEALTH)
    s.rollback(v2)  # v1 + v2: v3 goes, v1 comes back (it was active right after v2)
    assert statuses(s) == ["active", "active", "rolled_back"]
    s.rollback(v3)  # right after v3: v2 + v3, and v1 stays out
    assert statuses(s) == ["rolled_back", "active", "active"]
    assert view(s) == {k: v for k, v in ALL.items() if k != ("220103", PREM)}


# --- every version can be withdrawn and brought back, the first included ------------------------------
# (state reached first, then the version reactivated) -> (view, statuses)
REACTIVATED = {
    (("undo", 1), 1): (ALL, ["active"] * 3),
    (("undo", 3), 3): (ALL, ["active"] * 3),
    (("rollback", 1), 3): (  # v1 + v3, v2 stays out: 220103's premarital row from v1, 220104 from v3
        {("220102", PREM): (80.0, 3), ("220103", PREM): (65.0, 1), ("220104", PREM): (50.0, 3)},
        ["active", "rolled_back", "active"],
    ),
    (("rollback", 0), 2): (
        {("220102", ASSIST): (90.0, 2), ("220103", ASSIST): (80.0, 2)},
        ["rolled_back", "active", "rolled_back"],
    ),
}


@pytest.mark.parametrize(("first", "version"), list(REACTIVATED))
def test_reactivate_brings_back_that_version_alone(store, first, version):
    getattr(store, first[0])(first[1])
    before = store.current()
    preview = store.preview_reactivate(version)
    assert preview.activated == (version,) and preview.deactivated == ()
    done = store.reactivate(version)
    rows, expected_statuses = REACTIVATED[(first, version)]
    assert view(store) == apply_preview(before, preview) == rows
    assert statuses(store) == expected_statuses
    assert done.operation == "reactivate" and done.revision_after == store.revision()


def test_a_poisoned_first_version_can_be_withdrawn_and_brought_back(tmp_path):
    """The finding: the store's only version could not be deactivated by rollback; now undo, rollback(0)
    and reactivate all reach it, and each is a preview-able StoreChange."""
    s = Store(tmp_path / "a.sqlite")
    v1 = s.import_observations(V1, dataset=HEALTH, source_name="坏数据.csv", sha256="9" * 64)
    assert v1 == 1
    first = s.current()
    change = s.rollback(0)
    assert change.deactivated == (1,) and change.activated == ()
    assert sorted(change.rows["change"]) == ["removed", "removed"]
    assert s.current().empty and s.newest_active() is None
    assert statuses(s) == ["rolled_back"]
    back = s.reactivate(1)
    assert back.activated == (1,)
    pd.testing.assert_frame_equal(s.current(), first)
    s.undo(1)
    assert s.current().empty
    s.reactivate(1)
    pd.testing.assert_frame_equal(s.current(), first)
    assert len(s.versions()) == 1  # history kept throughout


def test_rollback_zero_on_an_empty_store_changes_nothing(tmp_path):
    s = Store(tmp_path / "empty.sqlite")
    assert s.preview_rollback(0).changes_nothing
    assert s.rollback(0).changes_nothing


def test_reactivate_refusals_leave_the_store_unchanged(store):
    revision = store.revision()
    with pytest.raises(StoreError, match="数据版本 2 已经有效，无需恢复") as active:
        store.reactivate(2)
    assert active.value.code == "already_active"
    with pytest.raises(StoreError, match="已经有效"):
        store.preview_reactivate(1)
    for operation, version in (("reactivate", 0), ("reactivate", 9), ("undo", 0), ("rollback", -1)):
        with pytest.raises(StoreError, match=f"没有数据版本 {version}"):
            getattr(store, operation)(version)
    with pytest.raises(StoreError, match="不是整数"):
        store.reactivate("v1")
    assert store.revision() == revision


def test_refusals_leave_the_store_unchanged(store, monkeypatch):
    with pytest.raises(StoreError, match="没有数据版本 9"):
        store.undo(9)
    with pytest.raises(StoreError, match="不是整数"):
        store.preview_rollback("v1")
    store.undo(2)
    with pytest.raises(StoreError, match="已经回退"):
        store.undo(2)
    with pytest.raises(StoreError, match="已经回退"):
        store.preview_undo(2)
    revision = store.revision()
    monkeypatch.setenv(PASSPHRASE_ENV, "口令")
    for operation in ("undo", "rollback"):
        with pytest.raises(StoreError, match="管理员口令"):
            getattr(store, operation)(1, passphrase="guess")
    assert store.revision() == revision
    store.rollback(3, passphrase="口令")
    assert view(store) == ALL


def test_confirming_a_stale_preview_is_refused(store):
    preview = store.preview_undo(1)
    store.import_observations(V2, dataset=DISABLED, source_name="again.csv", sha256="4" * 64)  # meanwhile
    revision = store.revision()
    with pytest.raises(StoreError, match="预览之后数据库已有变化"):
        store.undo(1, expect_revision=preview.revision_before)
    assert store.revision() == revision
    store.undo(1, expect_revision=store.preview_undo(1).revision_before)
    assert statuses(store)[0] == "rolled_back"


def test_import_after_an_undo_builds_on_the_active_head(store):
    store.undo(3)
    v4 = store.import_observations(V3, dataset=HEALTH, source_name="x.csv", sha256="5" * 64)
    assert store.versions().set_index("version_id")["parent_version"][v4] == 1


def test_same_file_is_found_by_its_sha256(store):
    same = store.find_sha256("2" * 64)
    assert same["version_id"].tolist() == [2] and same["dataset"].tolist() == [DISABLED]
    assert store.find_sha256("f" * 64).empty and store.find_sha256("").empty


def test_revision_is_the_state_and_differs_between_stores(store, tmp_path):
    start = store.revision()
    store.undo(3)
    assert store.revision() != start
    store.rollback(3)
    assert store.revision() == start  # the same state, the same token
    other = Store(tmp_path / "other.sqlite")
    for i, f in enumerate((V1, V2, V3)):
        other.import_observations(f, dataset=HEALTH, source_name="x", sha256=str(i) * 64)
    assert other.revision() != start  # as many versions, other files


def test_a_schema_1_store_is_upgraded_with_the_state_after_each_version(store):
    con = sqlite3.connect(store.path)
    con.execute("DROP TABLE version_state")
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    reopened = Store(store.path)
    con = sqlite3.connect(store.path)
    try:
        assert (
            con.execute("PRAGMA user_version").fetchone()[0] == 4
        )  # through 2, 3 (profiles), 4 (passphrase)
        members = con.execute("SELECT version_id, member FROM version_state ORDER BY 1, 2").fetchall()
    finally:
        con.close()
    assert members == [(1, 1), (2, 1), (2, 2), (3, 1), (3, 2), (3, 3)]
    reopened.rollback(1)
    assert view(reopened) == EXPECTED[("rollback", 1)][0]


# --- local time --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stamp", "tz", "expected"),
    [
        ("2025-03-01T06:05:09+00:00", "Asia/Shanghai", "2025-03-01 14:05:09"),
        ("2025-03-01T20:00:00+00:00", "Asia/Shanghai", "2025-03-02 04:00:00"),  # the next day in Beijing
        ("2025-03-01T06:05:09", "Asia/Shanghai", "2025-03-01 14:05:09"),  # no offset: stored UTC
        ("2025-07-01T12:00:00+00:00", "Europe/Berlin", "2025-07-01 14:00:00"),  # summer time
        ("", "Asia/Shanghai", ""),
        ("not a time", "Asia/Shanghai", "not a time"),
    ],
)
def test_local_time(stamp, tz, expected):
    assert local_time(stamp, tz) == expected


def test_local_time_without_a_zone_uses_the_machines(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert local_time("2025-03-01T06:05:09+00:00") == "2025-03-01 14:05:09"
        assert local_time("2025-03-01T06:05:09+00:00", "No/Such_Zone") == "2025-03-01 14:05:09"
        assert local_time("2025-03-01T06:05:09+00:00", iso=True) == "2025-03-01T14:05:09+08:00"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


# --- where each number came from -------------------------------------------------------------------------
def test_county_rows_carry_their_version_and_department(store, catalog, jilin):
    from analytics.attainment import attainment
    from analytics.regions import load_regions

    obs = store.current()
    ev = attainment(obs, load_regions(), catalog, jilin, "220100", "county", years=[2024])
    rows = with_provenance(ev, obs)
    rows = rows[rows["indicator_id"].astype(str).isin([PREM, ASSIST])]
    got = {
        (r.region_code, r.indicator_id): (
            None if pd.isna(r.dataset_version) else int(r.dataset_version),
            r.department,
        )
        for r in rows.itertuples()
        if not pd.isna(r.dataset_version)
    }
    assert got == {
        ("220102", PREM): (3, "省卫健委"),
        ("220103", PREM): (1, "省卫健委"),
        ("220104", PREM): (3, "省卫健委"),
        ("220102", ASSIST): (2, "省残联"),
        ("220103", ASSIST): (2, "省残联"),
    }
    assert len(rows) == len(ev[ev["indicator_id"].astype(str).isin([PREM, ASSIST])])  # no row lost or doubled
    text = provenance_text(rows, "zh").set_index(["region_code", "indicator_id"])
    assert text.loc[("220102", PREM), "version_text"] == "3 · 卫健委2024补报.xlsx"
    assert text.loc[("220102", PREM), "department_text"] == "省卫健委"
    assert text.loc[("220105", PREM), ["version_text", "department_text"]].tolist() == ["—", "—"]  # no row
    demo_like = ev.copy()
    assert with_provenance(demo_like, obs.drop(columns=["dataset_version"])) is demo_like


# --- the source of a view in a link -----------------------------------------------------------------------
def test_source_tokens_round_trip(store):
    token = source_token("store", store)
    assert token == f"store@{store.revision()}" and parse_source(token) == ("store", store.revision())
    assert source_token("demo", None) == "demo" and parse_source("demo") == ("demo", None)
    assert parse_source("store@12") == ("store", "12") and parse_source("store") == ("store", None)
    assert parse_source("elsewhere") == (None, None) and parse_source(None) == (None, None)


def test_a_pin_says_why_the_numbers_may_differ(store, tmp_path):
    assert check_pin(store, store.revision()) is None
    assert check_pin(store, "3") is None and check_pin(store, "v3") is None  # the newest version
    assert check_pin(store, None) is None
    assert check_pin(store, "0123456789abcdef").code == "link_revision_differs"
    missing = check_pin(store, "v12")
    assert missing.code == "link_version_missing"
    assert "数据版本 12" in missing.message("zh") and "版本 1–3" in missing.message("zh")
    after = check_pin(store, "1")
    assert after.code == "link_versions_after" and after.fields["later"] == "2, 3"
    store.undo(3)
    assert check_pin(store, "3").code == "link_version_rolled_back"
    assert check_pin(store, "<b>x</b>").code == "link_unreadable"
    assert check_pin(Store(tmp_path / "empty.sqlite"), "1").code == "link_store_empty"
    assert "version 12" in missing.message("en") and "versions 1–3" in missing.message("en")
