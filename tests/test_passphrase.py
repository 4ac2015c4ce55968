"""The admin passphrase kept in the store (analytics.store, schema 4; python -m analytics admin …): every client
is held to it whatever its environment, a blank value never disables it, the hash is salted, wrong guesses are
counted, slowed down and logged in the store (never their text), and a schema-3 store keeps its data."""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from analytics import cli_admin
from analytics.catalog import TargetProfile, load_profile
from analytics.profiles import copy_profile
from analytics.store import (
    DB_ENV,
    GUESS_MAX_DELAY_S,
    PASSPHRASE_ENV,
    SCHEMA_VERSION,
    SCRYPT_PARAMS,
    Store,
    StoreError,
)

ROOT = Path(__file__).resolve().parents[1]
OBS = ["region_code", "year", "indicator_id", "numerator", "denominator", "value"]
SECRET = "口令-2025-春"
NEEDED = "需要正确的管理员口令才能写入数据"


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch):
    for name in (PASSPHRASE_ENV, DB_ENV, cli_admin.PASSPHRASE_ENV, cli_admin.NEW_PASSPHRASE_ENV):
        monkeypatch.delenv(name, raising=False)


def one(value: float) -> pd.DataFrame:
    return pd.DataFrame([("220102", 2024, "premarital_exam", value * 10, 1000.0, value)], columns=OBS)


def put(store: Store, value: float = 70.0, **kw) -> int:
    return store.import_observations(one(value), dataset="卫健委", source_name="a.csv", sha256="0" * 64, **kw)


def table(path: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def data_state(path: Path) -> list:
    """Everything a refused write must leave as it was (the passphrase's own tables apart)."""
    return [
        table(path, "SELECT * FROM versions ORDER BY version_id"),
        table(path, "SELECT * FROM observations ORDER BY version_id, region_code"),
        table(path, "SELECT * FROM profiles ORDER BY profile_id, version"),
        table(path, "SELECT * FROM scenarios ORDER BY id"),
    ]


@pytest.fixture
def protected(tmp_path) -> Store:
    """A store whose passphrase was set by a process started with the web app's secret."""
    store = Store(tmp_path / "atlas.sqlite", passphrase_required=SECRET, client="web")
    put(store, 70.0, passphrase=SECRET)
    return store


def edited_profile() -> TargetProfile:
    return copy_profile(load_profile("jilin-2022-2025"), "plan-a", "方案甲", "Plan A")


# --- every client is held to the store's passphrase -----------------------------------------------------------
def test_a_second_store_object_without_the_variable_cannot_write(protected):
    other = Store(protected.path)  # no secret, no environment variable: another shell's CLI
    assert other.write_protected
    before = data_state(protected.path)
    with pytest.raises(StoreError, match=NEEDED):
        put(other, 99.0)
    with pytest.raises(StoreError, match=NEEDED):
        other.undo(1)
    with pytest.raises(StoreError, match=NEEDED):
        other.rollback(0)
    with pytest.raises(StoreError, match=NEEDED):
        other.save_profile(edited_profile())
    with pytest.raises(StoreError, match=NEEDED):
        other.save_scenario("甲", "{}")
    assert data_state(protected.path) == before
    assert put(other, 80.0, passphrase=SECRET) == 2  # the passphrase itself opens it, from any client


def test_a_second_process_without_the_variable_cannot_import(protected):
    script = textwrap.dedent(
        f"""
        import pandas as pd
        from analytics.store import Store, StoreError
        frame = pd.DataFrame([("220102", 2024, "premarital_exam", 990.0, 1000.0, 99.0)], columns={OBS!r})
        try:
            Store({str(protected.path)!r}).import_observations(
                frame, dataset="x", source_name="x.csv", sha256="1" * 64)
        except StoreError as exc:
            print("REFUSED", exc.code)
        else:
            print("IMPORTED")
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREVENTION_ATLAS")}
    before = data_state(protected.path)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == "REFUSED passphrase_needed", done.stderr
    assert data_state(protected.path) == before
    log = protected.admin_log()
    assert log.iloc[0][["client", "event", "action"]].tolist() == ["cli", "missing", "import"]


@pytest.mark.parametrize("blank", ["", "   "])
def test_an_empty_secret_or_variable_never_disables_it(protected, monkeypatch, blank):
    assert Store(protected.path, passphrase_required=blank).write_protected
    monkeypatch.setenv(PASSPHRASE_ENV, blank)
    again = Store(protected.path)
    assert again.write_protected
    with pytest.raises(StoreError, match=NEEDED):
        put(again, 90.0, passphrase=blank)


@pytest.mark.parametrize("blank", ["", "   "])
def test_an_empty_secret_sets_nothing_and_a_blank_passphrase_is_refused(tmp_path, monkeypatch, blank):
    store = Store(tmp_path / "open.sqlite", passphrase_required=blank)
    monkeypatch.setenv(PASSPHRASE_ENV, blank)
    assert not store.write_protected and not Store(store.path).write_protected
    with pytest.raises(StoreError, match="管理员口令不能为空") as refused:
        store.set_passphrase(blank)
    assert refused.value.code == "passphrase_blank"
    assert not store.write_protected
    assert table(store.path, "SELECT COUNT(*) FROM admin_passphrase") == [(0,)]


def test_the_variable_sets_the_passphrase_of_a_store_that_has_none(tmp_path, monkeypatch):
    path = tmp_path / "a.sqlite"
    put(Store(path), 70.0)  # open: no passphrase yet
    monkeypatch.setenv(PASSPHRASE_ENV, SECRET)
    Store(path)  # a process started with the variable
    monkeypatch.delenv(PASSPHRASE_ENV)
    later = Store(path)
    assert later.write_protected
    with pytest.raises(StoreError, match=NEEDED):
        put(later, 80.0)
    assert later.admin_log()[["client", "event", "action"]].values.tolist()[-1] == [
        "cli",
        "set",
        "configured",
    ]


# --- the hash -------------------------------------------------------------------------------------------
def test_the_hash_is_salted_with_its_parameters_and_never_the_text(tmp_path):
    a = Store(tmp_path / "a.sqlite", passphrase_required=SECRET)
    b = Store(tmp_path / "b.sqlite", passphrase_required=SECRET)
    assert a.write_protected and b.write_protected
    sql = "SELECT hash, salt, n, r, p, dklen FROM admin_passphrase"
    (ha, sa, *params_a), (hb, sb, *params_b) = table(a.path, sql)[0], table(b.path, sql)[0]
    assert ha != hb and sa != sb and len(sa) == 16
    assert params_a == params_b == [SCRYPT_PARAMS[k] for k in ("n", "r", "p", "dklen")]
    for path in (a.path, b.path):
        for f in path.parent.glob(path.name + "*"):  # the file and its WAL
            assert SECRET.encode() not in f.read_bytes()


def test_changing_it_needs_the_old_one(protected):
    before = table(protected.path, "SELECT hash FROM admin_passphrase")
    with pytest.raises(StoreError, match=NEEDED):
        protected.set_passphrase("新口令", old="猜的")
    with pytest.raises(StoreError, match=NEEDED):
        protected.set_passphrase("新口令")
    assert table(protected.path, "SELECT hash FROM admin_passphrase") == before
    assert protected.set_passphrase("新口令", old=SECRET) is False  # changed, not first set
    with pytest.raises(StoreError, match=NEEDED):
        put(protected, 80.0, passphrase=SECRET)
    assert put(protected, 80.0, passphrase="新口令") == 2
    assert protected.admin_log()[["event", "action"]].values.tolist() == [
        ["wrong", "import"],
        ["changed", "set_passphrase"],
        ["missing", "set_passphrase"],
        ["wrong", "set_passphrase"],
        ["set", "configured"],
    ]


# --- wrong guesses: counted, slowed, logged -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("failures", "delay"),
    [(0, 0.0), (2, 0.0), (3, 1.0), (4, 2.0), (5, 4.0), (8, 32.0), (9, GUESS_MAX_DELAY_S), (500, 60.0)],
)
def test_guess_delay_known_answers(tmp_path, failures, delay):
    assert Store(tmp_path / "a.sqlite").guess_delay(failures) == delay


def test_wrong_guesses_are_logged_and_slowed_down_for_every_client(protected):
    now = [1_000_000.0]
    protected.clock = lambda: now[0]
    before = data_state(protected.path)
    for _ in range(3):  # typing slips: no waiting yet
        with pytest.raises(StoreError, match=NEEDED):
            put(protected, 90.0, passphrase="猜错了")
    assert protected.passphrase_state()["failures"] == 3
    # the fourth guess must wait 1 s: even the right passphrase is refused until then, unchecked
    with pytest.raises(StoreError, match="管理员口令已连续输错 3 次：请 1 秒后再试") as waiting:
        put(protected, 90.0, passphrase=SECRET)
    assert waiting.value.code == "passphrase_wait"
    now[0] += 1.0  # exactly when the wait ends
    with pytest.raises(StoreError, match=NEEDED):
        put(protected, 90.0, passphrase="又猜错了")
    # another client (another process: another Store object, the web app) sees the same count and wait
    cli = Store(protected.path, client="cli")
    cli.clock = protected.clock
    now[0] += 1.999
    with pytest.raises(StoreError, match="连续输错 4 次：请 1 秒后再试"):
        cli.undo(1, passphrase=SECRET)
    now[0] += 0.001  # 2 s after the fifth wrong guess
    assert data_state(protected.path) == before
    cli.undo(1, passphrase=SECRET)  # right: accepted, and the count starts again
    assert cli.passphrase_state()["failures"] == 0
    log = protected.admin_log()
    assert log[["client", "event", "failures"]].values.tolist()[:7] == [
        ["cli", "throttled", 4],
        ["web", "wrong", 4],
        ["web", "throttled", 3],
        ["web", "wrong", 3],
        ["web", "wrong", 2],
        ["web", "wrong", 1],
        ["web", "set", 0],
    ]
    assert set(log["action"][:6]) == {"import", "undo"}
    text = " ".join(log.astype(str).to_numpy().ravel())
    assert "猜" not in text and SECRET not in text  # never the text of a guess


def test_waiting_is_capped(protected):
    now = [5_000.0]
    protected.clock = lambda: now[0]
    con = sqlite3.connect(protected.path)
    con.execute("UPDATE admin_passphrase SET failures = 40, last_failure = ?", (now[0],))
    con.commit()
    con.close()
    now[0] += GUESS_MAX_DELAY_S - 0.5
    with pytest.raises(StoreError, match="请 1 秒后再试"):
        put(protected, 90.0, passphrase=SECRET)
    now[0] += 0.5
    assert put(protected, 90.0, passphrase=SECRET) == 2


def test_a_tampered_cost_is_refused_not_computed(protected):
    con = sqlite3.connect(protected.path)
    con.execute("UPDATE admin_passphrase SET n = ?", (2**30,))
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="口令记录已损坏") as damaged:
        put(protected, 90.0, passphrase=SECRET)
    assert damaged.value.code == "passphrase_damaged"


# --- a schema-3 store ------------------------------------------------------------------------------------
def test_a_schema_3_store_keeps_its_data_and_profiles_and_gets_the_new_tables(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite"
    old = Store(path)
    put(old, 70.0)
    put(old, 80.0)
    old.save_profile(edited_profile())
    current, profiles = old.current(), old.profile_versions()
    con = sqlite3.connect(path)
    for name in ("admin_passphrase", "admin_log", "scenarios", "store_meta"):
        con.execute(f"DROP TABLE {name}")
    con.execute("PRAGMA user_version = 3")
    con.commit()
    con.close()
    monkeypatch.setenv(PASSPHRASE_ENV, SECRET)  # the upgrade runs in a process that sets the passphrase
    reopened = Store(path)
    assert table(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)] == [(4,)]
    pd.testing.assert_frame_equal(reopened.current(), current)
    pd.testing.assert_frame_equal(reopened.profile_versions(), profiles)
    assert reopened.write_protected and reopened.scenario_entries().empty
    monkeypatch.delenv(PASSPHRASE_ENV)
    with pytest.raises(StoreError, match=NEEDED):
        Store(path).withdraw_profile("plan-a")
    assert Store(path).withdraw_profile("plan-a", passphrase=SECRET) == 1


# --- python -m analytics admin … -------------------------------------------------------------------------
def admin(command: str, db: Path, **kw) -> argparse.Namespace:
    return argparse.Namespace(admin_command=command, db=str(db), lang="zh", limit=None, format="table", **kw)


def test_cli_set_change_and_log(tmp_path, monkeypatch, capsys):
    db = tmp_path / "atlas.sqlite"
    monkeypatch.setenv(cli_admin.NEW_PASSPHRASE_ENV, SECRET)
    assert cli_admin.run(admin("set-passphrase", db)) == 0
    assert "已为数据库" in capsys.readouterr().out
    store = Store(db)
    assert store.write_protected
    monkeypatch.setenv(cli_admin.NEW_PASSPHRASE_ENV, "新口令")
    monkeypatch.setenv(cli_admin.PASSPHRASE_ENV, "猜的")
    with pytest.raises(StoreError, match=NEEDED):
        cli_admin.run(admin("set-passphrase", db))
    monkeypatch.setenv(cli_admin.PASSPHRASE_ENV, SECRET)
    assert cli_admin.run(admin("set-passphrase", db)) == 0
    assert "已更改数据库" in capsys.readouterr().out
    monkeypatch.setenv(cli_admin.NEW_PASSPHRASE_ENV, "")
    with pytest.raises(StoreError, match="管理员口令不能为空"):
        cli_admin.run(admin("set-passphrase", db))
    assert put(Store(db), 70.0, passphrase="新口令") == 1
    assert cli_admin.run(admin("log", db)) == 0
    out = capsys.readouterr().out
    assert "连续输错 0 次" in out and "口令记录（新的在前，本地时间）：3 条" in out
    lines = out.splitlines()[-3:]  # newest first
    assert ["更改口令" in lines[0], "口令错误" in lines[1], "设置口令" in lines[2]] == [True] * 3
    assert all("命令行" in line for line in lines)
    assert "猜的" not in out and SECRET not in out and "新口令" not in out
    as_csv = argparse.Namespace(**{**vars(admin("log", db)), "format": "csv"})
    assert cli_admin.run(as_csv) == 0
    csv = capsys.readouterr().out.splitlines()
    assert csv[0] == "at,client,event,action,failures" and len(csv) == 4
    assert csv[1].split(",")[1:] == ["cli", "changed", "set_passphrase", "0"]


def test_cli_refusals(tmp_path, monkeypatch):
    with pytest.raises(cli_admin.AdminUsageError, match="找不到数据库文件"):
        cli_admin.run(admin("log", tmp_path / "missing.sqlite"))
    assert not (tmp_path / "missing.sqlite").exists()
    with open(os.devnull) as nothing:  # no terminal and no variable: refused, never a hang
        monkeypatch.setattr(sys, "stdin", nothing)
        with pytest.raises(cli_admin.AdminUsageError, match="PREVENTION_ATLAS_NEW_PASSPHRASE"):
            cli_admin.run(admin("set-passphrase", tmp_path / "new.sqlite"))
