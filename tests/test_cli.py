"""The CLI contract of DESIGN.md: `python -m analytics attainment …` (CSV columns, exit status 1, no traceback)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analytics.store import DEMO_FILE

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = ["region_code", "region_name", "indicator_id", "value", "target", "status", "gap", "shortfall"]


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def csv_of(proc: subprocess.CompletedProcess) -> pd.DataFrame:
    assert proc.returncode == 0, proc.stderr
    return pd.read_csv(io.StringIO(proc.stdout), dtype={"region_code": str})


@pytest.mark.parametrize(
    ("level", "units"), [("province", 1), ("city", 9), ("prefecture", 9), ("county", 60)]
)
def test_attainment_levels(level, units):
    out = csv_of(
        run(
            "attainment",
            "--data",
            str(DEMO_FILE),
            "--region",
            "220000",
            "--year",
            "2024",
            "--level",
            level,
            "--format",
            "csv",
        )
    )
    assert set(REQUIRED) <= set(out.columns)
    assert out["region_code"].nunique() == units
    assert len(out) == units * 25
    assert set(out["status"]) <= {"met", "not_met", "no_data"}
    assert (out.groupby("region_code")["indicator_id"].nunique() == 25).all()


def test_attainment_table_prints_all_25_with_status():
    proc = run("attainment", "--region", "220000", "--year", "2024", "--level", "province")
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.strip().startswith(("✓", "✗", "–"))]
    assert len(lines) == 25
    assert "示例数据（模拟，非真实统计）" in proc.stdout
    assert "/ 25 项达标" in proc.stdout


def test_province_csv_agrees_with_county_sums():
    args = ["attainment", "--data", str(DEMO_FILE), "--region", "220000", "--year", "2024", "--format", "csv"]
    prov = csv_of(run(*args, "--level", "province")).set_index("indicator_id")
    county = csv_of(run(*args, "--level", "county"))
    sums = county[county["n_reported"] == 1].groupby("indicator_id")[["numerator", "denominator"]].sum()
    rate = "prenatal_screening"
    assert prov.loc[rate, "numerator"] == sums.loc[rate, "numerator"]
    assert prov.loc[rate, "denominator"] == sums.loc[rate, "denominator"]


def test_prefecture_region_and_other_profile():
    out = csv_of(
        run(
            "attainment",
            "--region",
            "222400",
            "--year",
            "2023",
            "--level",
            "county",
            "--targets",
            "national-2021-2025",
            "--format",
            "csv",
        )
    )
    assert out["region_code"].nunique() == 8 and (out["region_code"].str[:4] == "2224").all()


BAD = [
    (["attainment", "--region", "999999", "--year", "2024", "--level", "province"], "999999"),
    (["attainment", "--region", "220000", "--year", "2031", "--level", "province"], "2031"),
    (["attainment", "--region", "220000", "--year", "2024", "--level", "village"], "village"),
    (
        ["attainment", "--region", "220000", "--year", "2024", "--level", "province", "--targets", "nope"],
        "nope",
    ),
    (
        [
            "attainment",
            "--region",
            "220000",
            "--year",
            "2024",
            "--level",
            "province",
            "--data",
            "missing.csv",
        ],
        "missing.csv",
    ),
    (["attainment", "--region", "220102", "--year", "2024", "--level", "county"], "县级"),
    (["attainment", "--region", "220100", "--year", "2024", "--level", "province"], "长春市"),
    (["attainment", "--year", "2024", "--level", "province"], "--region"),
    (["frobnicate"], "frobnicate"),
]


@pytest.mark.parametrize(("args", "mentions"), BAD)
def test_bad_input_exits_1_with_a_message_and_no_traceback(args, mentions):
    proc = run(*args)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert mentions in proc.stderr


def test_broken_file_reports_rows(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "region_code,year,indicator_id,numerator,denominator,value\n"
        "220102,2024,premarital_exam,10,20,\n"
        "22010,2024,premarital_exam,10,20,\n"
        "220102,2024,no_such_indicator,1,2,\n"
        "220103,2024,premarital_exam,-3,20,\n"
        "220104,二〇二四,premarital_exam,abc,20,\n"
        "220105,2024,premarital_exam,30,20,\n",
        encoding="utf-8",
    )
    proc = run(
        "attainment", "--data", str(bad), "--region", "220000", "--year", "2024", "--level", "province"
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    for fragment in ("第3行", "第4行", "第5行", "第6行", "第7行", "no_such_indicator", "负数", "大于分母"):
        assert fragment in proc.stderr


WHATIF_REQUIRED = ["level", "region_code", "value_before", "status_before", "value_after", "status_after"]


def whatif(*extra: str) -> pd.DataFrame:
    return csv_of(run("whatif", "--region", "220000", "--year", "2024", "--format", "csv", *extra))


def test_whatif_covers_every_county_prefecture_and_the_province():
    out = whatif("--indicator", "prenatal_screening", "--add-pp", "5")
    assert set(WHATIF_REQUIRED) <= set(out.columns)
    assert out.groupby("level").size().to_dict() == {"county": 60, "prefecture": 9, "province": 1}


def test_whatif_units_fewest_first_raise_met_counties():
    out = whatif("--indicator", "rehab_physicians", "--add-units", "40", "--allocate", "fewest-first")
    county = out[out["level"] == "county"]
    assert (county["status_after"] == "met").sum() > (county["status_before"] == "met").sum()
    assert (county["value_after"] >= county["value_before"]).all()
    zero = whatif("--indicator", "rehab_physicians", "--add-units", "0")
    assert (zero["value_after"] == zero["value_before"]).all() and not zero["changed"].any()


def test_whatif_target_change_and_scope():
    out = whatif("--indicator", "premarital_exam", "--target", "60")
    assert (out["target_after"] == 60).all() and (out["target_before"] == 70).all()
    scoped = whatif("--indicator", "premarital_exam", "--add-pp", "3", "--scope", "222400")
    moved = scoped[(scoped["level"] == "county") & (scoped["value_after"] != scoped["value_before"])]
    assert len(moved) > 0 and moved["region_code"].astype(str).str.startswith("2224").all()


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["--indicator", "nope", "--add-pp", "5"], "nope"),
        (["--indicator", "premarital_exam"], "--add-pp"),
        (["--indicator", "premarital_exam", "--add-units", "5", "--allocate", "random"], "random"),
        (["--indicator", "premarital_exam", "--add-pp", "5", "--scope", "999999"], "999999"),
        (["--indicator", "premarital_exam", "--add-units", "-3"], "非负"),
    ],
)
def test_whatif_bad_input(args, mentions):
    proc = run("whatif", "--region", "220000", "--year", "2024", *args)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    assert mentions in proc.stderr


GOOD_GBK = "地区,年份,指标,分子,分母\n伊通县,2024,婚前医学检查率,50,100\n前郭县,2024,婚检率,75,100\n".encode(
    "gb18030"
)
BAD_GBK = "地区,年份,指标,分子,分母\n伊通县,2024,婚前医学检查率,50,100\n前郭县,2024,婚检率,abc,100\n".encode(
    "gb18030"
)


def test_validate_reports_rows_and_exits_1(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD_GBK)
    proc = run("validate", str(bad), "--region", "220000")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    assert "第3行" in proc.stdout and "abc" in proc.stdout
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD_GBK)
    proc = run("validate", str(good))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "gb18030" in proc.stdout and "校验通过" in proc.stdout


def test_import_then_attainment_from_the_db(tmp_path):
    db = tmp_path / "atlas.sqlite"
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD_GBK)
    proc = run("import", str(good), "--db", str(db), "--department", "省卫生健康委")
    assert proc.returncode == 0, proc.stderr
    assert "数据版本 1" in proc.stdout
    out = csv_of(
        run(
            "attainment",
            "--db",
            str(db),
            "--region",
            "220000",
            "--year",
            "2024",
            "--level",
            "county",
            "--format",
            "csv",
        )
    )
    rows = out[out["indicator_id"] == "premarital_exam"].set_index("region_code")
    assert rows.loc["220323", "status"] == "not_met" and rows.loc["220721", "status"] == "met"
    assert rows.loc["220102", "status"] == "no_data"


def test_bad_import_leaves_the_db_unchanged(tmp_path):
    db = tmp_path / "atlas.sqlite"
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(GOOD_GBK)
    bad.write_bytes(BAD_GBK)
    assert run("import", str(good), "--db", str(db)).returncode == 0
    before = db.read_bytes()
    proc = run("import", str(bad), "--db", str(db))
    assert proc.returncode == 1 and "数据库保持不变" in proc.stderr and "Traceback" not in proc.stderr
    from analytics.store import Store

    assert len(Store(db).versions()) == 1
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["validate", "no_such_file.csv"], "no_such_file.csv"),
        (["import", "no_such_file.csv"], "no_such_file.csv"),
        (
            [
                "attainment",
                "--db",
                "no_such.sqlite",
                "--region",
                "220000",
                "--year",
                "2024",
                "--level",
                "province",
            ],
            "no_such.sqlite",
        ),
        (["validate", str(ROOT / "README.md"), "--region", "220102"], "县级"),
    ],
)
def test_intake_bad_arguments(args, mentions):
    proc = run(*args)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    assert mentions in proc.stderr


def test_import_refuses_without_the_admin_passphrase(tmp_path):
    db = tmp_path / "atlas.sqlite"
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD_GBK)
    env = {**os.environ, "PREVENTION_ATLAS_ADMIN_PASSPHRASE": "口令2025"}
    proc = run("import", str(good), "--db", str(db), env=env)
    assert proc.returncode == 1 and "口令" in proc.stderr
    env["PREVENTION_ATLAS_PASSPHRASE"] = "口令2025"
    proc = run("import", str(good), "--db", str(db), env=env)
    assert proc.returncode == 0, proc.stderr
