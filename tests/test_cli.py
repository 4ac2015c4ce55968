"""The CLI contract of DESIGN.md: `python -m analytics …` (CSV columns, exit status 1 with a message, no traceback).

Most tests call `analytics.__main__.main(argv)` in process (stdout, stderr and the exit status are the same as a
real run, without starting Python each time); the `subprocess` section runs the real `python -m analytics` for
what only a real process shows (the entry point, the exit status, no traceback on stderr).
Known answers come from small files written here, or from the demo CSV summed without the engine
(tests/known_answers.py).
"""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import known_answers
import pandas as pd
import pytest

from analytics.__main__ import main
from analytics.store import DEMO_FILE, Store

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = ["region_code", "region_name", "indicator_id", "value", "target", "status", "gap", "shortfall"]
WHATIF_REQUIRED = ["level", "region_code", "value_before", "status_before", "value_after", "status_after"]
HEADER = "region_code,year,indicator_id,numerator,denominator,value\n"
INTERNAL = ("Traceback", "内部错误", "Internal error")


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err

    def csv(self) -> pd.DataFrame:
        assert self.code == 0, self.err
        return pd.read_csv(io.StringIO(self.out), dtype={"region_code": str})


@pytest.fixture(autouse=True)
def _own_default_store(tmp_path, monkeypatch):
    """`validate` compares with the default store when it exists: give each test an empty one of its own."""
    monkeypatch.setenv("PREVENTION_ATLAS_DB", str(tmp_path / "default.sqlite"))
    monkeypatch.delenv("PREVENTION_ATLAS_ADMIN_PASSPHRASE", raising=False)
    monkeypatch.delenv("PREVENTION_ATLAS_PASSPHRASE", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")  # the CLI speaks English under an en_* locale


@pytest.fixture
def cli(capsys):
    """Run the CLI in process: `cli("attainment", …)` -> Result(exit status, stdout, stderr)."""

    def call(*args: str) -> Result:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's own errors leave through sys.exit(1)
            code = exc.code
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return call


def refused(result: Result, *mentions: str) -> None:
    """Exit status 1, a message naming what was wrong, and not the "internal error" path of a bug."""
    assert result.code == 1, result.text
    assert not any(word in result.text for word in INTERNAL), result.text
    for mention in mentions:
        assert mention in result.text, (mention, result.text)


def write(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


# --- attainment: known answers ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("level", "units"), [("province", 1), ("city", 9), ("prefecture", 9), ("county", 60)]
)
def test_attainment_levels(cli, level, units):
    out = cli(
        "attainment",
        *("--data", str(DEMO_FILE), "--region", "220000", "--year", "2024", "--level", level),
        *("--format", "csv"),
    ).csv()
    assert set(REQUIRED) <= set(out.columns)
    assert out["region_code"].nunique() == units
    assert len(out) == units * 25
    assert (out.groupby("region_code")["indicator_id"].nunique() == 25).all()


def test_province_figures_are_the_sums_of_the_demo_file(cli):
    prov = cli(
        "attainment",
        *("--data", str(DEMO_FILE), "--region", "220000", "--year", "2024", "--level", "province"),
        *("--format", "csv"),
    ).csv()
    row = prov.set_index("indicator_id").loc["prenatal_screening"]
    num, den = known_answers.sums("prenatal_screening", 2024)
    assert (row["numerator"], row["denominator"]) == (num, den)
    assert row["value"] == pytest.approx(round(100 * num / den, 4))
    assert row["status"] == ("met" if num * 100 > 75 * den else "not_met")  # Jilin: > 75 %


def test_attainment_table_prints_all_25_with_status(cli, catalog, jilin):
    result = cli("attainment", "--region", "220000", "--year", "2024", "--level", "province")
    assert result.code == 0, result.err
    lines = [line for line in result.out.splitlines() if line.strip().startswith(("✓", "✗", "–"))]
    assert len(lines) == 25
    assert "示例数据（模拟，非真实统计）" in result.out
    assert f"{known_answers.province_met(catalog, jilin, 2024)} / 25 项达标" in result.out


YANBIAN = "222400"  # 延边州
YANBIAN_COUNTIES = [f"2224{n}" for n in ("01", "02", "03", "04", "05", "06", "24", "26")]


@pytest.fixture
def small_file(tmp_path) -> Path:
    """Three 延边 counties with premarital_exam (target > 70 %) just under, at and over the line, and three with
    rehab_physicians (target >= 8 per 100,000) short by 1 and 3 physicians, and met."""
    return write(
        tmp_path / "small.csv",
        [
            "222401,2024,premarital_exam,69,100,",
            "222402,2024,premarital_exam,70,100,",
            "222403,2024,premarital_exam,71,100,",
            "222404,2024,rehab_physicians,7,100000,",
            "222405,2024,rehab_physicians,5,100000,",
            "222406,2024,rehab_physicians,8,100000,",
        ],
    )


def test_attainment_known_answers(cli, small_file):
    args = ["attainment", "--data", str(small_file), "--region", YANBIAN, "--year", "2024", "--format", "csv"]
    county = cli(*args, "--level", "county").csv()
    rows = county[county["indicator_id"] == "premarital_exam"].set_index("region_code")
    assert rows.loc[["222401", "222402", "222403"], "status"].tolist() == ["not_met", "not_met", "met"]
    assert rows.loc[["222401", "222402"], "shortfall"].tolist() == [
        2,
        1,
    ]  # to 71 of 100, the first count "> 70 %"
    assert rows.loc[["222401", "222402"], "gap"].tolist() == [1, 0]
    assert (rows.drop(index=["222401", "222402", "222403"])["status"] == "no_data").all()
    pref = cli(*args, "--level", "prefecture").csv().set_index("indicator_id")
    # 210 of 300 is exactly 70 %: not "> 70 %"; one more person checked meets it
    assert (pref.loc["premarital_exam", "numerator"], pref.loc["premarital_exam", "denominator"]) == (
        210,
        300,
    )
    assert pref.loc["premarital_exam", "status"] == "not_met"
    assert pref.loc["premarital_exam", "shortfall"] == 1
    # 20 physicians per 300,000 residents = 6.667 per 100,000; 24 reach 8
    assert pref.loc["rehab_physicians", "value"] == pytest.approx(6.6667)
    assert pref.loc["rehab_physicians", "shortfall"] == 4


def test_prefecture_region_and_other_profile(cli):
    out = cli(
        "attainment",
        *("--region", YANBIAN, "--year", "2023", "--level", "county"),
        *("--targets", "national-2021-2025", "--format", "csv"),
    ).csv()
    assert sorted(out["region_code"].unique()) == YANBIAN_COUNTIES
    targets = out[out["region_code"] == "222401"].set_index("indicator_id")["target"]
    assert targets["maternal_management"] == 85  # national; Jilin's plan asks for 90
    assert targets["severe_mental_disorder_management"] == 80  # Jilin: 83


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
            *("attainment", "--region", "220000", "--year", "2024", "--level", "province"),
            *("--data", "missing.csv"),
        ],
        "missing.csv",
    ),
    (["attainment", "--region", "220102", "--year", "2024", "--level", "county"], "县级"),
    (["attainment", "--region", "220100", "--year", "2024", "--level", "province"], "长春市"),
    (["attainment", "--year", "2024", "--level", "province"], "--region"),
    (["frobnicate"], "frobnicate"),
]


@pytest.mark.parametrize(("args", "mentions"), BAD)
def test_bad_input_exits_1_with_a_message(cli, args, mentions):
    result = cli(*args)
    refused(result)
    assert mentions in result.err


def test_broken_file_reports_rows(cli, tmp_path):
    bad = write(
        tmp_path / "bad.csv",
        [
            "220102,2024,premarital_exam,10,20,",
            "22010,2024,premarital_exam,10,20,",
            "220102,2024,no_such_indicator,1,2,",
            "220103,2024,premarital_exam,-3,20,",
            "220104,二〇二四,premarital_exam,abc,20,",
            "220105,2024,premarital_exam,30,20,",
        ],
    )
    result = cli(
        "attainment", "--data", str(bad), "--region", "220000", "--year", "2024", "--level", "province"
    )
    refused(result)
    for fragment in ("第3行", "第4行", "第5行", "第6行", "第7行", "no_such_indicator", "负数", "大于分母"):
        assert fragment in result.err


# --- every command refuses a file that breaks the observation contract, naming its line ----------------
CONTRACT_BREAKS = {
    "county_status_7": "220102,2024,endemic_disease_control,,,7",
    "numerator_over_denominator": "220102,2024,premarital_exam,30,20,",
    "negative_count": "220102,2024,rehab_physicians,-3,400000,",
}
COMMANDS = {
    "attainment": ["attainment", "--region", "220000", "--year", "2024", "--level", "province"],
    "whatif": [
        *("whatif", "--region", "220000", "--year", "2024"),
        *("--indicator", "premarital_exam", "--add-pp", "5"),
    ],
    "validate": ["validate"],
    "import": ["import"],
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("bad_row", CONTRACT_BREAKS.values(), ids=CONTRACT_BREAKS.keys())
def test_contract_breaks_are_refused_with_the_line(cli, tmp_path, command, bad_row):
    data = write(
        tmp_path / "canonical.csv",
        [
            "220103,2024,premarital_exam,10,20,",
            "220104,2024,prenatal_screening,90,100,",
            bad_row,  # line 4 of the file
            "220105,2024,premarital_exam,12,20,",
        ],
    )
    db = tmp_path / "atlas.sqlite"
    if command in ("attainment", "whatif"):
        result = cli(*COMMANDS[command], "--data", str(data), "--format", "csv")
        assert result.out == ""  # no table of the other rows
    elif command == "validate":
        result = cli("validate", str(data))
    else:
        good = write(tmp_path / "good.csv", ["220103,2023,premarital_exam,10,20,"])
        assert cli("import", str(good), "--db", str(db)).code == 0
        before_bytes, before_versions = db.read_bytes(), Store(db).versions()
        result = cli("import", str(data), "--db", str(db))
        assert db.read_bytes() == before_bytes
        assert Store(db).versions().equals(before_versions)
        assert "数据库保持不变" in result.err
    refused(result, "第4行")


# --- whatif: known answers -------------------------------------------------------------------------------
def whatif_rows(cli, data: Path, *extra: str) -> pd.DataFrame:
    out = cli(
        "whatif", "--data", str(data), "--region", YANBIAN, "--year", "2024", "--format", "csv", *extra
    ).csv()
    return out.set_index(["level", "region_code"])


def test_whatif_covers_every_county_and_prefecture_and_the_province(cli):
    out = cli(
        *("whatif", "--region", "220000", "--year", "2024", "--format", "csv"),
        *("--indicator", "prenatal_screening", "--add-pp", "5"),
    ).csv()
    assert set(WHATIF_REQUIRED) <= set(out.columns)
    assert out.groupby("level").size().to_dict() == {"county": 60, "prefecture": 9, "province": 1}


def test_whatif_points_known_answer(cli, small_file):
    out = whatif_rows(cli, small_file, "--indicator", "premarital_exam", "--add-pp", "1")
    county = out.loc["county"].loc[["222401", "222402", "222403"]]
    assert county["value_after"].tolist() == [70, 71, 72]
    assert county["status_before"].tolist() == ["not_met", "not_met", "met"]
    assert county["status_after"].tolist() == ["not_met", "met", "met"]  # 70 is not "> 70 %"
    pref = out.loc[("prefecture", YANBIAN)]
    assert (pref["value_before"], pref["status_before"]) == (70, "not_met")
    assert (pref["value_after"], pref["status_after"]) == (71, "met")


def test_whatif_scope_moves_only_its_counties(cli, small_file):
    out = whatif_rows(cli, small_file, "--indicator", "premarital_exam", "--add-pp", "5", "--scope", "222402")
    county = out.loc["county"]
    moved = county[county["value_after"].ne(county["value_before"]) & county["value_before"].notna()]
    assert moved.index.tolist() == ["222402"]
    assert moved.loc["222402", "value_after"] == 75
    assert county["changed"].to_dict()["222402"]  # 75 of 100: met now


@pytest.mark.parametrize(
    ("units", "allocate", "after"),
    [
        # fewest-first: 222404 is 1 short, 222405 3 short; each gets its shortfall, smallest first
        (4, "fewest-first", {"222404": 8, "222405": 8, "222406": 8}),
        (2, "fewest-first", {"222404": 8, "222405": 6, "222406": 8}),
        # population: 4 x residents (239,359 : 129,286 : 117,087) = 1.97 : 1.06 : 0.96; largest remainders
        (4, "population", {"222404": 9, "222405": 6, "222406": 9}),
    ],
)
def test_whatif_units_known_answer(cli, small_file, units, allocate, after):
    out = whatif_rows(
        cli, small_file, "--indicator", "rehab_physicians", "--add-units", str(units), "--allocate", allocate
    )
    county = out.loc["county"].loc[list(after)]
    assert county["value_after"].to_dict() == after
    assert county["status_after"].to_dict() == {c: "met" if v >= 8 else "not_met" for c, v in after.items()}
    assert county["status_before"].tolist() == ["not_met", "not_met", "met"]
    assert county["changed"].to_dict() == {c: v >= 8 and c != "222406" for c, v in after.items()}


def test_whatif_units_added_per_county_and_region(cli, small_file):
    # 4 physicians, fewest-first: 222404 is 1 short and 222405 3 short; 延边 and the province get the 4
    out = whatif_rows(cli, small_file, "--indicator", "rehab_physicians", "--add-units", "4")
    county = out.loc["county"]
    assert county.loc[["222404", "222405", "222406"], "units_added"].tolist() == [1, 3, 0]
    assert county["units_added"].sum() == 4
    assert out.loc[("prefecture", YANBIAN), "units_added"] == 4
    text = cli(
        *("whatif", "--data", str(small_file), "--region", YANBIAN, "--year", "2024"),
        *("--indicator", "rehab_physicians", "--add-units", "4"),
    ).out
    assert "调整：新增 4 人（康复医师数），按最接近目标优先分配给全部县" in text
    assert "新增 3 人" in text and "新增 1 人" in text


@pytest.fixture
def values_only_file(tmp_path) -> Path:
    """延边 counties that sent only a value: 3 of child_under3_management (target >= 85 %), and one of
    rehab_physicians beside two that sent counts (short by 1 and 3 physicians)."""
    return write(
        tmp_path / "values.csv",
        [
            "222401,2024,child_under3_management,,,83.8",
            "222402,2024,child_under3_management,,,82.9",
            "222403,2024,child_under3_management,,,90.0",
            "222401,2024,rehab_physicians,,,6.0",
            "222404,2024,rehab_physicians,7,100000,",
            "222405,2024,rehab_physicians,5,100000,",
        ],
    )


def test_whatif_points_on_values_only_counties(cli, values_only_file):
    """+2 points on lagging counties once turned every values-only county into "no data"."""
    args = ("--indicator", "child_under3_management", "--add-pp", "2", "--scope", "lagging")
    out = whatif_rows(cli, values_only_file, *args)
    county = out.loc["county"].loc[["222401", "222402", "222403"]]
    assert county["value_after"].tolist() == [85.8, 84.9, 90.0]
    assert county["status_after"].tolist() == ["met", "not_met", "met"]
    assert out.loc[("prefecture", YANBIAN), "n_value_only"] == 3
    assert (out.loc[("prefecture", YANBIAN), "status_after"]) == "no_data"  # values cannot be weighted
    text = cli("whatif", "--data", str(values_only_file), "--region", YANBIAN, "--year", "2024", *args).out
    assert "调整：未达标县的3岁以下管理率提高 2 个百分点" in text
    assert "（3 个县只有数值，未计入汇总）" in text
    assert "83.8 → 85.8%" in text


def test_whatif_units_skip_values_only_counties_and_say_what_to_submit(cli, values_only_file):
    args = ("--indicator", "rehab_physicians", "--add-units", "4")
    out = whatif_rows(cli, values_only_file, *args)
    county = out.loc["county"]
    assert county.loc[["222401", "222404", "222405"], "units_added"].tolist() == [0, 1, 3]
    assert (county.loc["222401", "value_after"], county.loc["222401", "status_after"]) == (6.0, "not_met")
    text = cli("whatif", "--data", str(values_only_file), "--region", YANBIAN, "--year", "2024", *args).out
    assert "1 个县只报送了数值" in text
    assert "请报送它们的分子（年末康复医师人数）和分母（常住人口数）" in text
    english = cli(
        "whatif",
        "--lang",
        "en",
        "--data",
        str(values_only_file),
        "--region",
        YANBIAN,
        "--year",
        "2024",
        *args,
    ).out
    assert "submit their numerator (Rehabilitation physicians at year end) and denominator" in english
    assert "(counties with a value only, not in this total: 1)" in english


def test_whatif_target_change(cli, small_file):
    out = whatif_rows(cli, small_file, "--indicator", "premarital_exam", "--target", "60")
    with_data = out[out["value_before"].notna()]
    assert with_data.index.tolist() == [("county", c) for c in ("222401", "222402", "222403")] + [
        ("prefecture", YANBIAN)
    ]
    assert (with_data["target_after"] == 60).all() and (with_data["target_before"] == 70).all()
    county = out.loc["county"].loc[["222401", "222402", "222403"]]
    assert (county["status_after"] == "met").all()
    assert (county["value_after"] == county["value_before"]).all()


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["--indicator", "nope", "--add-pp", "5"], "nope"),
        (["--indicator", "premarital_exam"], "--add-pp"),
        (["--indicator", "premarital_exam", "--add-units", "5", "--allocate", "random"], "random"),
        (["--indicator", "premarital_exam", "--add-pp", "5", "--scope", "999999"], "999999"),
        (["--indicator", "premarital_exam", "--add-units", "-3"], "至少为 1"),
        (["--indicator", "premarital_exam", "--add-units", "0"], "至少为 1"),
        (["--indicator", "premarital_exam", "--target", "-3"], "应在 0 到 100 之间"),
        (["--indicator", "premarital_exam", "--target", "100.5"], "应在 0 到 100 之间"),
        (["--indicator", "rehab_physicians", "--target", "-1"], "应在 0 到 inf 之间"),
        (["--indicator", "premarital_exam", "--scale-pct", "-200"], "不能低于 −100%"),
        (["--indicator", "premarital_exam", "--add-pp", "nan"], "不是有限的数字"),
        (["--indicator", "premarital_exam", "--add-pp", "inf"], "不是有限的数字"),
    ],
)
def test_whatif_bad_input(cli, args, mentions):
    result = cli("whatif", "--region", "220000", "--year", "2024", *args)
    refused(result)
    assert mentions in result.err


# --- validate and import -----------------------------------------------------------------------------
def gbk(rows: str) -> bytes:
    return ("地区,年份,指标,分子,分母\n" + rows).encode("gb18030")


GOOD_GBK = gbk("伊通县,2024,婚前医学检查率,50,100\n前郭县,2024,婚检率,75,100\n")
BAD_GBK = gbk("伊通县,2024,婚前医学检查率,50,100\n前郭县,2024,婚检率,abc,100\n")


def test_validate_reports_rows_and_exits_1(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD_GBK)
    result = cli("validate", str(bad), "--region", "220000")
    refused(result)
    assert "第3行" in result.out and "abc" in result.out
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD_GBK)
    result = cli("validate", str(good))
    assert result.code == 0, result.text
    assert "gb18030" in result.out and "校验通过" in result.out


def test_a_large_file_says_it_is_being_read(cli, tmp_path):
    """Over 1 MB (about 20,000 rows, a second or more) the CLI says on stderr what it is reading; not below."""
    small = tmp_path / "small.csv"
    small.write_bytes(GOOD_GBK)
    assert "正在读取并校验" not in cli("validate", str(small)).err
    big = tmp_path / "big.csv"
    big.write_bytes(GOOD_GBK + "伊通县,2024,婚前医学检查率,50,100\n".encode("gb18030") * 32_000)
    result = cli("validate", str(big))
    assert result.code == 0, result.text
    assert result.err.startswith("正在读取并校验 big.csv（1.0 MB）")
    assert "重复的行" in result.out


def test_import_then_attainment_from_the_db(cli, tmp_path):
    db = tmp_path / "atlas.sqlite"
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD_GBK)
    result = cli("import", str(good), "--db", str(db), "--department", "省卫生健康委")
    assert result.code == 0, result.err
    assert "数据版本 1" in result.out
    out = cli(
        "attainment",
        *("--db", str(db), "--region", "220000", "--year", "2024", "--level", "county", "--format", "csv"),
    ).csv()
    rows = out[out["indicator_id"] == "premarital_exam"].set_index("region_code")
    assert rows.loc["220323", "status"] == "not_met" and rows.loc["220721", "status"] == "met"
    assert rows.loc["220102", "status"] == "no_data"


def test_validate_and_import_warn_of_a_large_change_against_the_store(cli, tmp_path):
    """The CLI reads a file as the web upload does: the store's earlier years are compared (one function)."""
    db = tmp_path / "atlas.sqlite"
    earlier = tmp_path / "2023.csv"
    earlier.write_bytes(gbk("伊通县,2023,婚前医学检查率,90,100\n"))
    assert cli("import", str(earlier), "--db", str(db)).code == 0
    later = tmp_path / "2024.csv"
    later.write_bytes(GOOD_GBK)  # 伊通县 50 of 100: 40 points down
    for command in ("validate", "import"):
        result = cli(command, str(later), "--db", str(db))
        assert result.code == 0, result.text
        assert "比2023年（90.0%）下降 40.0 个百分点" in result.out, result.out
    assert len(Store(db).versions()) == 2


def test_bad_import_leaves_the_db_unchanged(cli, tmp_path):
    db = tmp_path / "atlas.sqlite"
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(GOOD_GBK)
    bad.write_bytes(BAD_GBK)
    assert cli("import", str(good), "--db", str(db)).code == 0
    before = db.read_bytes()
    result = cli("import", str(bad), "--db", str(db))
    refused(result, "数据库保持不变")
    assert len(Store(db).versions()) == 1
    assert db.read_bytes() == before


def test_a_refused_first_import_creates_no_database(cli, tmp_path):
    db = tmp_path / "new.sqlite"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD_GBK)
    refused(cli("import", str(bad), "--db", str(db)), "数据库保持不变")
    assert not db.exists()


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["validate", "no_such_file.csv"], "no_such_file.csv"),
        (["import", "no_such_file.csv"], "no_such_file.csv"),
        (
            [
                *("attainment", "--db", "no_such.sqlite", "--region", "220000"),
                *("--year", "2024", "--level", "province"),
            ],
            "no_such.sqlite",
        ),
        (["validate", str(ROOT / "README.md"), "--region", "220102"], "县级"),
    ],
)
def test_intake_bad_arguments(cli, args, mentions):
    result = cli(*args)
    refused(result)
    assert mentions in result.err


def test_import_refuses_without_the_admin_passphrase(cli, tmp_path, monkeypatch):
    db = tmp_path / "atlas.sqlite"
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD_GBK)
    monkeypatch.setenv("PREVENTION_ATLAS_ADMIN_PASSPHRASE", "口令2025")
    refused(cli("import", str(good), "--db", str(db)), "口令")
    monkeypatch.setenv("PREVENTION_ATLAS_PASSPHRASE", "口令2025")
    result = cli("import", str(good), "--db", str(db))
    assert result.code == 0, result.err


# --- the real `python -m analytics` ------------------------------------------------------------------------
def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_entry_point_prints_the_csv():
    proc = run(
        *("attainment", "--data", str(DEMO_FILE), "--region", "220000", "--year", "2024"),
        *("--level", "province", "--format", "csv"),
    )
    assert proc.returncode == 0, proc.stderr
    out = pd.read_csv(io.StringIO(proc.stdout), dtype={"region_code": str})
    assert out["region_code"].tolist() == ["220000"] * 25


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["attainment", "--region", "999999", "--year", "2024", "--level", "province"], "999999"),
        (["frobnicate"], "frobnicate"),  # argparse's own exit, made 1 by the contract
        (["validate", "no_such_file.csv"], "no_such_file.csv"),
    ],
)
def test_a_real_process_exits_1_without_a_traceback(args, mentions):
    proc = run(*args)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert mentions in proc.stderr


def test_a_real_bad_import_leaves_the_db_unchanged(tmp_path):
    db = tmp_path / "atlas.sqlite"
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(GOOD_GBK)
    bad.write_bytes(BAD_GBK)
    assert run("import", str(good), "--db", str(db)).returncode == 0
    before = db.read_bytes()
    proc = run("import", str(bad), "--db", str(db))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "lang", "mentions"),
    [
        (["attainment", "--year", "2024", "--level", "province"], "zh", "缺少必需的参数：--region"),
        (["attainment", "--region", "220000", "--year", "2024", "--level", "x"], "zh", "无效的选项 'x'"),
        (
            ["attainment", "--region", "220000", "--year", "2024", "--level", "x", "--lang", "en"],
            "en",
            "invalid choice",
        ),
        (
            ["attainment", "--region", "220000", "--year", "20x4", "--level", "county"],
            "zh",
            "不是有效的 int 值",
        ),
        (
            ["attainment", "--region", "220000", "--year", "2024", "--level", "county", "--bogus"],
            "zh",
            "无法识别的参数",
        ),
    ],
)
def test_argparse_speaks_the_chosen_language(cli, args, lang, mentions):
    result = cli(*args)
    refused(result)
    assert mentions in result.err
    assert ("用法：" in result.err) == (lang == "zh")


def test_lang_from_the_locale(cli, monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    result = cli("attainment", "--year", "2024", "--level", "province")
    refused(result)
    assert "the following arguments are required: --region" in result.err
