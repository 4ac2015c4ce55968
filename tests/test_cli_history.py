"""`python -m analytics versions | rollback N | undo N --db PATH` (DESIGN.md: rollback makes the current view what
it was right after version N; undo withdraws one import), in process through main(argv), and one real process.

Known answers: the three versions of two datasets of tests/test_store_history.py.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from test_store_history import ALL, DISABLED, EXPECTED, HEALTH, statuses, three_versions, view

from analytics.__main__ import main
from analytics.store import Store

ROOT = Path(__file__).resolve().parents[1]
INTERNAL = ("Traceback", "内部错误", "Internal error")


@pytest.fixture(autouse=True)
def _environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PREVENTION_ATLAS_DB", str(tmp_path / "default.sqlite"))
    monkeypatch.delenv("PREVENTION_ATLAS_ADMIN_PASSPHRASE", raising=False)
    monkeypatch.delenv("PREVENTION_ATLAS_PASSPHRASE", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("TZ", "Asia/Shanghai")  # local time is Beijing time: +08:00


@pytest.fixture
def cli(capsys):
    """cli(*argv) -> (exit status, stdout, stderr), as a real run prints them."""

    def call(*args: str) -> tuple[int, str, str]:
        import time

        time.tzset()
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code
        out = capsys.readouterr()
        return code, out.out, out.err

    return call


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "atlas.sqlite"
    three_versions(path)
    return path


def utc_to_beijing(stamp: str) -> str:
    return pd.Timestamp(stamp).tz_convert("Asia/Shanghai").isoformat()


def test_versions_csv_in_local_time(cli, db):
    code, out, err = cli("versions", "--db", str(db), "--format", "csv")
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert list(table.columns) == [
        "version_id",
        "dataset",
        "department",
        "source_name",
        "imported_at",
        "rows",
        "status",
        "note",
    ]
    assert table["version_id"].tolist() == [3, 2, 1]  # newest first
    assert table["dataset"].tolist() == [HEALTH, DISABLED, HEALTH]
    assert table["department"].tolist() == ["省卫健委", "省残联", "省卫健委"]
    assert table["rows"].tolist() == [2, 2, 2] and set(table["status"]) == {"active"}
    stored = Store(db).versions()["imported_at"].tolist()
    assert table["imported_at"].tolist() == [utc_to_beijing(s) for s in stored]
    assert all(s.endswith("+08:00") for s in table["imported_at"])


def test_versions_table_in_words(cli, db):
    code, out, _ = cli("versions", "--db", str(db))
    assert code == 0
    lines = out.splitlines()
    assert "3 个数据版本" in lines[0]
    assert lines[1].split()[:2] == ["3", "有效"] and "补报.xlsx" in lines[1] and "2 行" in lines[1]
    local = pd.Timestamp(Store(db).versions()["imported_at"][0]).tz_convert("Asia/Shanghai")
    assert local.strftime("%Y-%m-%d %H:%M:%S") in lines[1]
    code, out, _ = cli("versions", "--db", str(db), "--lang", "en")
    assert "3 data versions" in out and "active" in out


def test_rollback_to_the_state_after_version_1(cli, db):
    code, out, err = cli("rollback", "1", "--db", str(db))
    assert code == 0, err
    assert "已回到版本 1 刚导入后的状态" in out
    assert "标为已回退的版本：2, 3" in out
    assert f"{HEALTH}：撤下 2 行，恢复 1 行，涉及 2 个县、1 项指标" in out
    assert f"{DISABLED}：撤下 2 行，恢复 0 行，涉及 2 个县、1 项指标" in out
    store = Store(db)
    assert view(store) == EXPECTED[("rollback", 1)][0]
    assert statuses(store) == ["active", "rolled_back", "rolled_back"]
    code, out, _ = cli("versions", "--db", str(db), "--format", "csv")
    assert pd.read_csv(io.StringIO(out))["status"].tolist() == ["rolled_back", "rolled_back", "active"]


def test_undo_one_import_keeps_the_rest(cli, db):
    code, out, err = cli("undo", "3", "--db", str(db))
    assert code == 0, err
    assert "已撤销版本 3" in out and DISABLED not in out  # 残联 is not touched
    assert view(Store(db)) == EXPECTED[("undo", 3)][0]
    code, _, err = cli("undo", "3", "--db", str(db))
    assert code == 1 and "已经回退" in err and not any(w in err for w in INTERNAL)
    code, out, _ = cli("rollback", "3", "--db", str(db))  # forward again
    assert code == 0 and view(Store(db)) == ALL


def test_dry_run_writes_nothing(cli, db):
    before = db.read_bytes()
    code, out, _ = cli("rollback", "1", "--db", str(db), "--dry-run")
    assert code == 0 and "预览（未写入）" in out and "标为已回退的版本：2, 3" in out
    code, out, _ = cli("undo", "2", "--db", str(db), "--dry-run", "--lang", "en")
    assert code == 0 and "Preview (nothing written)" in out and f"{DISABLED}: 2 rows removed" in out
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "mention"),
    [
        (["rollback", "9"], "没有数据版本 9"),
        (["undo", "x"], "不是整数"),
        (["rollback"], "version"),
    ],
)
def test_bad_versions_exit_1_and_leave_the_store(cli, db, args, mention):
    before = db.read_bytes()
    code, out, err = cli(*args, "--db", str(db))
    assert code == 1 and mention in out + err
    assert not any(w in out + err for w in INTERNAL)
    assert db.read_bytes() == before


@pytest.mark.parametrize("command", [["versions"], ["rollback", "1"], ["undo", "1"]])
def test_a_missing_database_is_an_error_and_none_is_made(cli, tmp_path, command):
    missing = tmp_path / "nowhere.sqlite"
    code, _, err = cli(*command, "--db", str(missing))
    assert code == 1 and str(missing) in err and "找不到数据库文件" in err
    assert not missing.exists()


def test_without_db_the_default_store_is_used(cli, db, monkeypatch):
    monkeypatch.setenv("PREVENTION_ATLAS_DB", str(db))
    code, out, _ = cli("versions")
    assert code == 0 and "3 个数据版本" in out


def test_rollback_and_undo_need_the_passphrase_like_import(cli, db, monkeypatch):
    monkeypatch.setenv("PREVENTION_ATLAS_ADMIN_PASSPHRASE", "口令2025")
    before = Store(db).revision()
    for command in ("rollback", "undo"):
        code, _, err = cli(command, "1", "--db", str(db))
        assert code == 1 and "口令" in err and "数据库保持不变" in err
    assert Store(db).revision() == before  # the data unchanged; the refusals are logged
    assert Store(db).admin_log()["event"].tolist() == ["missing", "missing", "set"]
    assert cli("versions", "--db", str(db))[0] == 0  # reading needs none
    monkeypatch.setenv("PREVENTION_ATLAS_PASSPHRASE", "口令2025")
    code, _, err = cli("undo", "1", "--db", str(db))
    assert code == 0, err
    assert statuses(Store(db)) == ["rolled_back", "active", "active"]


def test_import_flags_a_file_already_imported(cli, tmp_path):
    db = tmp_path / "atlas.sqlite"
    good = tmp_path / "婚检.csv"
    good.write_bytes("地区,年份,指标,分子,分母\n伊通县,2024,婚前医学检查率,50,100\n".encode("gb18030"))
    code, out, err = cli("import", str(good), "--db", str(db))
    assert code == 0, err
    assert "已导入过" not in out
    code, out, err = cli("import", str(good), "--db", str(db))
    assert code == 0, err
    assert "内容完全相同的文件已导入过（版本 1" in out
    assert Store(db).versions()["version_id"].tolist() == [2, 1]  # flagged, still imported


def test_a_real_process_rolls_back(db):
    result = subprocess.run(
        [sys.executable, "-m", "analytics", "rollback", "2", "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert view(Store(db)) == EXPECTED[("rollback", 2)][0]
