"""The persistent store: versions, the merged current view, rollback, passphrase, and that no failed or
killed import leaves anything behind (DESIGN.md, "Writes to the store are transactional")."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.attainment import OBS_COLUMNS, attainment
from analytics.catalog import load_catalog
from analytics.regions import load_regions
from analytics.store import (
    CURRENT_COLUMNS,
    DB_ENV,
    PASSPHRASE_ENV,
    Store,
    StoreError,
    default_db_path,
    load_demo,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch):
    # a developer's own passphrase or database must not leak into these tests
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    monkeypatch.delenv(DB_ENV, raising=False)


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "atlas.sqlite")


def obs(rows: list[tuple]) -> pd.DataFrame:
    """(region_code, year, indicator_id, numerator, denominator, value) tuples -> a canonical frame."""
    return pd.DataFrame(rows, columns=OBS_COLUMNS)


def big_frame(n: int, seed: int = 0, first_code: int = 100000) -> pd.DataFrame:
    """n rows over made-up counties (every rate indicator of the catalog, one year): valid observations."""
    rng = np.random.default_rng(seed)
    rates = [i.id for i in load_catalog().indicators if i.kind == "rate"]
    counties = -(-n // len(rates))
    codes = np.repeat([f"{first_code + i:06d}" for i in range(counties)], len(rates))[:n]
    ids = np.tile(rates, counties)[:n]
    return pd.DataFrame(
        {
            "region_code": codes,
            "year": 2024,
            "indicator_id": ids,
            "numerator": rng.integers(0, 1000, n).astype(float),
            "denominator": 1000.0,
            "value": np.nan,
        }
    )


def put(store: Store, frame: pd.DataFrame, dataset: str = "卫健委", **kw) -> int:
    return store.import_observations(
        frame, dataset=dataset, source_name=f"{dataset}.csv", sha256="0" * 64, **kw
    )


def fingerprint(path: Path) -> str:
    """Everything a failed write could have touched: schema, both tables, user_version."""
    con = sqlite3.connect(path)
    try:
        parts = [
            con.execute("PRAGMA user_version").fetchall(),
            con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall(),
            con.execute("SELECT * FROM versions ORDER BY version_id").fetchall(),
            con.execute(
                "SELECT * FROM observations ORDER BY version_id, region_code, year, indicator_id"
            ).fetchall(),
        ]
    finally:
        con.close()
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def integrity(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def table_counts(path: Path) -> tuple[int, int]:
    con = sqlite3.connect(path)
    try:
        return tuple(
            con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("versions", "observations")
        )
    finally:
        con.close()


FIRST = obs(
    [
        ("220102", 2024, "premarital_exam", 700.0, 1000.0, 70.0),
        ("220102", 2024, "endemic_disease_control", None, None, 1.0),
        ("220103", 2024, "premarital_exam", 650.0, 1000.0, 65.0),
    ]
)


# --- configuration -----------------------------------------------------------------------------------


def test_default_db_path_env_and_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_db_path() == tmp_path / ".prevention_atlas" / "atlas.sqlite"
    monkeypatch.setenv(DB_ENV, str(tmp_path / "elsewhere" / "x.sqlite"))
    assert default_db_path() == tmp_path / "elsewhere" / "x.sqlite"
    store = Store()  # None -> the default path, parent directory created
    assert store.path == tmp_path / "elsewhere" / "x.sqlite"
    assert store.path.is_file()


def test_new_store_schema_and_pragmas(store):
    con = sqlite3.connect(store.path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA user_version").fetchone()[0] == 4  # 4: passphrase, log, scenarios
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        index_cols = [r[2] for r in con.execute("PRAGMA index_info(observations_key)")]
    finally:
        con.close()
    assert {"versions", "observations", "observations_key", "version_state"} <= names
    assert {"admin_passphrase", "admin_log", "scenarios", "store_meta"} <= names
    assert index_cols[:3] == ["region_code", "year", "indicator_id"]
    assert Store(store.path).path == store.path  # reopening an existing store is fine


def test_empty_store(store):
    current = store.current()
    assert list(current.columns) == CURRENT_COLUMNS and current.empty
    assert store.versions().empty and store.datasets() == []


def test_not_a_database(tmp_path):
    bad = tmp_path / "notes.sqlite"
    bad.write_text("这不是数据库" * 200, encoding="utf-8")
    with pytest.raises(StoreError, match="不是本程序的数据库"):
        Store(bad)


# --- import and the merged view ----------------------------------------------------------------------


def test_import_current_round_trip(store):
    frame = FIRST.assign(source_row=[2, 3, 4])
    before = store.revision()
    version = store.import_observations(
        frame,
        dataset="卫健委2024",
        source_name="婚检.xlsx",
        sha256="ab" * 32,
        department="卫健委",
        note="年报",
    )
    assert version == 1 and store.revision() != before
    current = store.current()
    assert list(current.columns) == CURRENT_COLUMNS
    assert list(current["region_code"]) == ["220102", "220102", "220103"]  # key order
    assert all(isinstance(c, str) and len(c) == 6 for c in current["region_code"])
    assert current["year"].dtype == "int64"
    for col in ("numerator", "denominator", "value"):
        assert current[col].dtype == "float64"
    row = current.set_index(["region_code", "indicator_id"]).loc[("220102", "endemic_disease_control")]
    assert np.isnan(row["numerator"]) and np.isnan(row["denominator"]) and row["value"] == 1.0
    assert row["source_row"] == 3
    assert set(current["dataset"]) == {"卫健委2024"} and set(current["dataset_version"]) == {1}
    assert set(current["source"]) == {"婚检.xlsx"} and set(current["department"]) == {"卫健委"}
    assert pd.Timestamp(current["imported_at"].iloc[0]).tzinfo is not None  # ISO-8601 with UTC offset

    versions = store.versions()
    assert versions.loc[0, ["version_id", "dataset", "source_name", "sha256", "rows", "status"]].tolist() == [
        1,
        "卫健委2024",
        "婚检.xlsx",
        "ab" * 32,
        3,
        "active",
    ]
    assert versions.loc[0, "note"] == "年报" and store.datasets() == ["卫健委2024"]


def test_current_feeds_attainment_like_the_csv(store, catalog, jilin):
    demo = load_demo(catalog)
    put(store, demo, "demo")
    current = store.current()
    assert len(current) == len(demo)
    regions = load_regions()
    expected = attainment(demo, regions, catalog, jilin, "220000", "county", years=[2024])
    got = attainment(current, regions, catalog, jilin, "220000", "county", years=[2024])
    key = ["region_code", "indicator_id"]
    cols = ["value", "status", "gap", "shortfall"]
    pd.testing.assert_frame_equal(
        got.sort_values(key)[key + cols].reset_index(drop=True),
        expected.sort_values(key)[key + cols].reset_index(drop=True),
        check_dtype=False,
    )


def test_latest_active_version_wins_per_key(store):
    v1 = put(store, FIRST, "卫健委")
    v2 = put(store, obs([("220102", 2024, "premarital_exam", 800.0, 1000.0, 80.0)]), "卫健委")
    v3 = put(store, obs([("220103", 2024, "premarital_exam", 900.0, 1000.0, 90.0)]), "残联")
    current = store.current().set_index(["region_code", "indicator_id"])
    assert current.loc[("220102", "premarital_exam"), ["value", "dataset_version"]].tolist() == [80.0, v2]
    assert current.loc[("220102", "endemic_disease_control"), "dataset_version"] == v1  # not in v2: kept
    assert current.loc[("220103", "premarital_exam"), ["value", "dataset"]].tolist() == [90.0, "残联"]
    assert len(current) == 3

    own = store.current("卫健委").set_index(["region_code", "indicator_id"])
    assert own.loc[("220103", "premarital_exam"), ["value", "dataset_version"]].tolist() == [65.0, v1]
    only = store.current(region_codes=["220103"])
    assert list(only["region_code"]) == ["220103"] and only["dataset_version"].tolist() == [v3]
    assert store.current(region_codes=[]).empty
    assert list(store.versions()["version_id"]) == [v3, v2, v1]  # newest first
    assert list(store.versions("卫健委")["version_id"]) == [v2, v1]
    assert store.datasets() == sorted(["卫健委", "残联"])


def test_import_accepts_extra_columns_and_numeric_strings(store):
    frame = FIRST.assign(
        region_name="南关区", region_code=[220102, 220102, "220103"], year=["2024", 2024.0, 2024]
    )
    put(store, frame)
    assert list(store.current()["region_code"]) == ["220102", "220102", "220103"]
    assert set(store.current()["year"]) == {2024}


# --- rollback ----------------------------------------------------------------------------------------


def value_of(store: Store, dataset: str | None = None) -> float:
    current = store.current(dataset).set_index(["region_code", "indicator_id"])
    return current.loc[("220102", "premarital_exam"), "value"]


def one(value: float) -> pd.DataFrame:
    return obs([("220102", 2024, "premarital_exam", value * 10, 1000.0, value)])


def test_rollback_keeps_history_and_rolls_forward(store):
    v1, v2, v3 = (put(store, one(v)) for v in (70.0, 80.0, 90.0))
    other = put(store, obs([("220201", 2024, "premarital_exam", 1.0, 2.0, 50.0)]), "残联")
    store.rollback(v1)  # the whole store as it was right after v1: 残联's later import goes too
    assert value_of(store) == 70.0
    statuses = store.versions().set_index("version_id")["status"]
    assert statuses[[v1, v2, v3, other]].tolist() == ["active", "rolled_back", "rolled_back", "rolled_back"]
    assert len(store.versions()) == 4  # nothing deleted
    assert store.current("残联").empty

    store.rollback(v3)  # forward again: right after v3, before 残联's import
    assert value_of(store) == 90.0
    assert set(store.versions("卫健委")["status"]) == {"active"}
    assert store.current("残联").empty
    store.rollback(other)
    assert set(store.versions()["status"]) == {"active"} and len(store.current("残联")) == 1


def test_rollback_after_an_import_on_top_of_a_rollback(store):
    v1, v2 = put(store, one(70.0)), put(store, one(80.0))
    store.rollback(v1)  # v2 was wrong
    v3 = put(store, one(75.0))
    assert value_of(store) == 75.0
    store.rollback(v3)  # the state right after v3: v1 + v3, the withdrawn v2 stays out
    statuses = store.versions().set_index("version_id")["status"]
    assert statuses[[v1, v2, v3]].tolist() == ["active", "rolled_back", "active"]
    assert value_of(store) == 75.0
    store.rollback(v2)  # v2's own line: v1 + v2, v3 (not built on v2) out
    assert value_of(store) == 80.0
    assert store.versions().set_index("version_id")["status"][v3] == "rolled_back"
    assert store.versions().set_index("version_id")["parent_version"][v3] == v1


def test_rollback_of_unknown_version(store):
    put(store, one(70.0))
    before = fingerprint(store.path)
    with pytest.raises(StoreError, match="没有数据版本 99"):
        store.rollback(99)
    with pytest.raises(StoreError, match="不是整数"):
        store.rollback("v1")
    assert fingerprint(store.path) == before


# --- passphrase --------------------------------------------------------------------------------------


@pytest.mark.parametrize("wrong", [None, "", "guess", "口令X"])
def test_passphrase_from_env_guards_import_and_rollback(store, monkeypatch, wrong):
    v1 = put(store, one(70.0))
    v2 = put(store, one(80.0))
    monkeypatch.setenv(PASSPHRASE_ENV, "s3cret-口令")
    assert store.write_protected
    before = fingerprint(store.path)
    with pytest.raises(StoreError, match="需要正确的管理员口令才能写入数据"):
        put(store, one(90.0), passphrase=wrong)
    with pytest.raises(StoreError, match="需要正确的管理员口令才能写入数据"):
        store.rollback(v1, passphrase=wrong)
    assert fingerprint(store.path) == before
    store.rollback(v1, passphrase="s3cret-口令")
    assert put(store, one(90.0), passphrase="s3cret-口令") == v2 + 1
    assert value_of(store) == 90.0


def test_the_first_configured_passphrase_sets_the_store_and_a_later_one_does_not_replace_it(
    tmp_path, monkeypatch
):
    monkeypatch.setenv(PASSPHRASE_ENV, "from-env")
    store = Store(tmp_path / "a.sqlite", passphrase_required="from-secrets")  # the argument wins
    with pytest.raises(StoreError, match="需要正确的管理员口令才能写入数据"):
        put(store, one(70.0), passphrase="from-env")
    assert put(store, one(70.0), passphrase="from-secrets") == 1
    # once set, the store decides: another process's configuration neither replaces nor removes it
    later = Store(tmp_path / "a.sqlite", passphrase_required="another")
    assert later.write_protected
    with pytest.raises(StoreError, match="管理员口令"):
        put(later, one(71.0), passphrase="another")
    assert not Store(tmp_path / "b.sqlite", passphrase_required="").write_protected  # blank: sets nothing
    monkeypatch.delenv(PASSPHRASE_ENV)
    assert not Store(tmp_path / "c.sqlite").write_protected


# --- bad frames leave nothing behind ------------------------------------------------------------------


BAD_FRAMES = {
    "missing column": (FIRST.drop(columns=["denominator"]), "第1行 numerator列：.*没有填分母"),
    "missing key column": (FIRST.drop(columns=["year"]), "缺少列：year"),
    "empty": (FIRST.iloc[0:0], "没有任何行"),
    "five-digit code": (FIRST.assign(region_code=["22010", "220102", "220103"]), "6位行政区划代码"),
    "name instead of code": (
        FIRST.assign(region_code=["南关区", "220102", "220103"]),
        "第1行.*“南关区”不是6位",
    ),
    "missing code": (FIRST.assign(region_code=[None, "220102", "220103"]), "6位行政区划代码"),
    "fractional year": (FIRST.assign(year=[2024, 2024.5, 2024]), "第2行 year列：年份“2024.5”不是整数"),
    "text year": (FIRST.assign(year=["2024年", 2024, 2024]), "第1行 year列：年份“2024年”不是整数"),
    "text value": (FIRST.assign(value=["七十", 1.0, 65.0]), "第1行 value列：“七十”不是数字"),
    "empty indicator": (FIRST.assign(indicator_id=["", "premarital_exam", "x"]), "第3行.*未知指标“x”"),
    "duplicate key": (pd.concat([FIRST, FIRST.iloc[[0]]]), "第4行：与前面的行是同一地区、年份、指标"),
    "status 7": (
        FIRST.assign(indicator_id="endemic_disease_control", numerator=np.nan, denominator=np.nan, value=7.0),
        "第1行 value列.*不能是“7”",
    ),
    "numerator above denominator": (
        FIRST.assign(numerator=[70.0, None, 1065.0]),
        "第3行 numerator列.*大于分母",
    ),
    "negative count": (FIRST.assign(numerator=[-1.0, 1.0, 65.0]), "第1行 numerator列.*负数"),
    "not a frame": (FIRST.to_dict("records"), "DataFrame"),
}


@pytest.mark.parametrize("case", list(BAD_FRAMES))
def test_bad_frames_are_refused_and_store_unchanged(store, case):
    put(store, one(70.0))
    before = fingerprint(store.path)
    frame, message = BAD_FRAMES[case]
    with pytest.raises(StoreError, match=message):
        put(store, frame)
    assert fingerprint(store.path) == before


def test_missing_dataset_name_refused(store):
    before = fingerprint(store.path)
    with pytest.raises(StoreError, match="数据集名称"):
        store.import_observations(FIRST, dataset=" ", source_name="a.csv", sha256="")
    assert fingerprint(store.path) == before


def test_exception_halfway_through_insert_rolls_back(store, monkeypatch):
    import analytics.store as store_module

    put(store, one(70.0))
    before = fingerprint(store.path)
    real_rows = store_module.observation_rows

    def failing_rows(frame, version_id):
        for k, row in enumerate(real_rows(frame, version_id)):
            if k == 500:
                raise RuntimeError("disk on fire")
            yield row

    monkeypatch.setattr(store_module, "observation_rows", failing_rows)
    with pytest.raises(RuntimeError, match="disk on fire"):
        put(store, big_frame(1000))
    assert fingerprint(store.path) == before
    monkeypatch.undo()
    assert put(store, big_frame(1000)) == 2  # the store still takes writes


# --- crashes and concurrency (real processes) ---------------------------------------------------------


# A child importing `rows` rows into `db`; after `pause_after` rows it says READY and waits (or sleeps
# briefly when `nap` > 0), still inside the transaction.
CHILD = textwrap.dedent(
    """
    import sys, time
    import analytics.store as store_module
    from tests.test_store import big_frame

    db, dataset, rows, pause_after, nap, start_at, first_code = sys.argv[1:8]
    rows, pause_after, nap, start_at = int(rows), int(pause_after), float(nap), float(start_at)
    real_rows = store_module.observation_rows

    def rows_with_a_pause(frame, version_id):
        for k, row in enumerate(real_rows(frame, version_id)):
            if k == pause_after:
                print("READY", flush=True)
                time.sleep(nap if nap > 0 else 60)
            yield row

    store_module.observation_rows = rows_with_a_pause
    frame = big_frame(rows, seed=rows, first_code=int(first_code))
    while time.time() < start_at:
        time.sleep(0.005)
    store = store_module.Store(db)
    version = store.import_observations(frame, dataset=dataset, source_name=dataset + ".csv", sha256="")
    print("DONE", version, flush=True)
    """
)


def child(
    db: Path,
    dataset: str,
    rows: int,
    pause_after: int,
    nap: float = 0.0,
    start_at: float = 0.0,
    first_code: int = 100000,
) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), dataset]
        + [str(x) for x in (rows, pause_after, nap, start_at, first_code)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_import_killed_halfway_leaves_store_as_it_was(store):
    put(store, one(70.0))
    before = fingerprint(store.path)
    proc = child(store.path, "killed", rows=20_000, pause_after=10_000)
    try:
        line = proc.stdout.readline()  # blocks until the child is inside the transaction
        assert line.strip() == "READY", proc.stderr.read()
        # meanwhile readers still see the committed state (WAL: no waiting on the writer)
        assert len(store.current()) == 1 and len(store.versions()) == 1
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert integrity(store.path) == "ok"
    assert fingerprint(store.path) == before
    reopened = Store(store.path)
    assert value_of(reopened) == 70.0 and list(reopened.datasets()) == ["卫健委"]
    assert put(reopened, one(80.0)) == 2  # and it takes writes again


def test_two_imports_at_once_both_land_whole(tmp_path):
    db = tmp_path / "shared" / "atlas.sqlite"  # fresh file: schema creation races too
    start_at = time.time() + 1.5  # both children import at the same moment
    procs = [
        child(db, name, rows=20_000, pause_after=5_000, nap=0.3, start_at=start_at, first_code=code)
        for name, code in (("甲", 100000), ("乙", 500000))
    ]
    outs = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        outs.append(out)
    assert all("DONE" in out for out in outs)
    store = Store(db)
    versions = store.versions()
    assert sorted(versions["dataset"]) == ["乙", "甲"] and set(versions["rows"]) == {20_000}
    assert sorted(versions["version_id"]) == [1, 2]
    assert table_counts(db) == (2, 40_000)
    for name, code in (("甲", 100000), ("乙", 500000)):
        expected = big_frame(20_000, seed=20_000, first_code=code)
        got = store.current(name)
        assert len(got) == 20_000
        pd.testing.assert_frame_equal(
            got[OBS_COLUMNS].reset_index(drop=True),
            expected.sort_values(["region_code", "year", "indicator_id"])[OBS_COLUMNS].reset_index(drop=True),
            check_dtype=False,
        )
    assert integrity(db) == "ok"


def test_two_threads_share_one_store(store):
    from concurrent.futures import ThreadPoolExecutor

    frames = [big_frame(5_000, seed=k, first_code=100000 + 1000 * k) for k in range(4)]
    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda k: put(store, frames[k], f"d{k}"), range(4)))
    assert sorted(ids) == [1, 2, 3, 4]
    assert table_counts(store.path) == (4, 20_000)


# --- diff --------------------------------------------------------------------------------------------


def test_diff_marks_new_unchanged_changed(store):
    v1 = put(store, FIRST)
    put(store, obs([("220201", 2024, "premarital_exam", 1.0, 2.0, 50.0)]), "残联")
    incoming = obs(
        [
            ("220102", 2024, "premarital_exam", 700.0, 1000.0, 70.0),  # same
            ("220102", 2024, "endemic_disease_control", None, None, 1.0),  # same, NaN == NaN
            ("220103", 2024, "premarital_exam", 660.0, 1000.0, 66.0),  # changed
            ("220104", 2024, "premarital_exam", 10.0, 20.0, 50.0),  # new
            ("220102", 2023, "premarital_exam", 1.0, 2.0, 50.0),  # new: other year
        ]
    )
    before = fingerprint(store.path)
    diff = store.diff(incoming)
    assert fingerprint(store.path) == before  # a preview writes nothing
    assert diff["change"].tolist() == ["unchanged", "unchanged", "changed", "new", "new"]
    assert diff["changed_columns"].tolist() == ["", "", "numerator,value", "", ""]
    changed = diff.iloc[2]
    assert changed[["old_numerator", "old_value", "old_dataset", "old_dataset_version"]].tolist() == [
        650.0,
        65.0,
        "卫健委",
        v1,
    ]
    assert changed["numerator"] == 660.0 and changed["old_source"] == "卫健委.csv"
    assert np.isnan(diff.iloc[3]["old_value"]) and pd.isna(diff.iloc[3]["old_dataset_version"])
    assert list(diff.columns[:6]) == OBS_COLUMNS


def test_diff_against_one_dataset_or_all(store):
    put(store, one(70.0), "卫健委")
    put(store, one(80.0), "残联")
    assert store.diff(one(80.0))["change"].tolist() == ["unchanged"]  # merged view: 残联's 80 is current
    assert store.diff(one(80.0), dataset="卫健委")["change"].tolist() == ["changed"]
    assert store.diff(one(80.0), dataset="民政厅")["change"].tolist() == ["new"]
    with pytest.raises(StoreError, match="6位"):
        store.diff(one(80.0).assign(region_code="abc"))
