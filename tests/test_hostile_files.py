"""Hostile and heavy files (issue 14): each is made here at small scale and refused before it is parsed, with a
message naming the limit and the file's figure, in bounded time and memory, leaving the store as it was; the
reading worker survives a child killed for memory or time, and reads the next file."""

from __future__ import annotations

import io
import re
import sys
import threading
import time
import tomllib
import tracemalloc
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from analytics.__main__ import main as cli_main
from analytics.intake import read_submission, sandbox
from analytics.intake.files import read_sheets
from analytics.intake.limits import LIMITS, MB, Limits, limits_text
from analytics.store import Store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import intake as make  # noqa: E402  (the benchmark's generators: the same hostile files at any scale)

JILIN = "220000"
HEADER = "地区代码,年份,指标编号,分子,分母"
SECONDS = 5.0  # every hostile file is refused within this (issue 14)
PEAK_MB = 64  # memory the test process allocates while refusing one (tracemalloc), far below the file's claim


@pytest.fixture(scope="module", autouse=True)
def worker():
    assert sandbox.start_worker(), "the reading worker did not start"
    yield
    sandbox.stop_worker()


@pytest.fixture
def store(tmp_path):
    """A store with one version in it; its revision must not move when a hostile file is refused."""
    s = Store(tmp_path / "atlas.sqlite", passphrase_required="")
    good = read_submission(csv_bytes(["220102,2024,premarital_exam,95,100"]), "ok.csv", region=JILIN)
    assert good.ok, [p.message("zh") for p in good.problems]
    s.import_observations(good.observations, dataset="before", source_name="ok.csv", sha256=good.sha256)
    return s


def csv_bytes(rows: list[str], header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def refused_in_process(data: bytes, name: str, limits: Limits = LIMITS) -> tuple[list[str], float, float]:
    """(error messages in Chinese, seconds, peak MB allocated by Python) reading in this process."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        sub = read_submission(data, name, region=JILIN, year=2024, limits=limits, sandbox=False)
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.stop()
    return [p.message("zh") for p in sub.errors], seconds, peak


def assert_refused(data: bytes, name: str, expected: str, store: Store, limits: Limits = LIMITS) -> None:
    """Refused with `expected` (the whole Chinese message), alone, fast and small, in process and in the
    worker; the store's revision unchanged."""
    before = store.revision()
    errors, seconds, peak = refused_in_process(data, name, limits)
    assert errors == [expected]
    assert seconds < SECONDS and peak < PEAK_MB, (seconds, peak)
    start = time.perf_counter()
    sub = read_submission(data, name, region=JILIN, year=2024, limits=limits)
    assert [p.message("zh") for p in sub.errors] == [expected]
    assert len(sub.observations) == 0
    assert time.perf_counter() - start < SECONDS
    stats = sandbox.last_stats()
    assert stats.outcome == "ok" and stats.peak_kb < 500 * 1024, stats
    assert store.revision() == before


# --- workbooks -------------------------------------------------------------------------------------------
def test_one_cell_at_xfd1048576_is_refused_by_its_declared_range(store):
    assert_refused(
        make.xfd_xlsx(),
        "xfd.xlsx",
        "工作表“Sheet1”声明的范围是 XFD1048576（1,048,576 行 × 16,384 列），上限 1,100,000 行、200 列；"
        "请删除范围外多余的格子后再上传。未读取",
        store,
    )


def test_one_cell_at_xfd1048576_without_a_declared_range_is_refused_by_its_columns(store):
    assert_refused(
        make.xfd_xlsx(dimension=False),
        "xfd.xlsx",
        "工作表“Sheet1”有 16,384 列，上限 200 列；请删除多余的列后再上传。未读取",
        store,
    )


def test_declared_range_at_the_limits_passes_and_one_over_is_refused():
    limits = replace(LIMITS, rows=20, columns=5)
    cell = b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'
    at = read_sheets(make._xlsx(make.sheet_xml(cell, "A1:E20")), "a.xlsx", limits)
    assert at.sheets is not None and not at.problems
    for ref, figure in (("A1:F20", "20 行 × 6 列"), ("A1:E21", "21 行 × 5 列")):
        over = read_sheets(make._xlsx(make.sheet_xml(cell, ref)), "a.xlsx", limits)
        assert over.sheets is None
        assert f"声明的范围是 {ref}（{figure}），上限 20 行、5 列" in over.problems[0].message("zh")


def test_cells_written_are_counted_before_openpyxl_reads_them():
    cells = b"".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'.encode() for r in range(1, 11))
    data = make._xlsx(make.sheet_xml(cells, "A1:A10"))
    assert read_sheets(data, "a.xlsx", replace(LIMITS, xlsx_cells=10)).problems == ()
    over = read_sheets(data, "a.xlsx", replace(LIMITS, xlsx_cells=9))
    assert over.problems[0].message("zh") == "工作表“Sheet1”有 10+ 个格子，上限 9 个；未读取"


def test_a_merged_range_over_the_cell_limit_is_refused_before_openpyxl_fills_it(store):
    cell = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    merges = b'<mergeCells count="1"><mergeCell ref="A1:GR1048576"/></mergeCells>'
    assert_refused(
        make._xlsx(make.sheet_xml(cell, "A1", merges=merges)),
        "merged.xlsx",
        "工作表“Sheet1”的合并单元格 A1:GR1048576 覆盖 209,715,200 个格子（所有合并单元格共 209,715,200 个），"
        "上限 3,000,000 个；未读取",
        store,
    )


def test_zip_bomb_is_refused_by_its_compression_ratio(store):
    data = make.zip_bomb_xlsx(expanded=4 * MB)  # ~4 KB expanding to 4 MB: the ratio of a real bomb, small
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    ratio = info.file_size / info.compress_size
    assert ratio > 300 and len(data) < 20_000
    assert_refused(
        data,
        "bomb.xlsx",
        f"Excel 工作簿中的部件“xl/worksheets/sheet1.xml”压缩了 {ratio:,.0f} 倍（{info.compress_size / 1024:.0f} KB "
        f"解压后有 4.0 MB），上限 100 倍；这样的文件可能是压缩炸弹，未读取",
        store,
    )


def test_uncompressed_size_at_the_limit_passes_and_one_byte_over_is_refused():
    data = make.xfd_xlsx()  # refused later by its range: here only the zip's own sizes matter
    total = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    at = read_sheets(data, "a.xlsx", replace(LIMITS, xlsx_bytes=total))
    assert at.problems[0].fields["variant"] == "dimension"
    over = read_sheets(data, "a.xlsx", replace(LIMITS, xlsx_bytes=total - 1))
    assert (
        over.problems[0].message("zh")
        == f"Excel 工作簿解压后有 {total / 1024:.0f} KB，上限 {total / 1024:.0f} KB；未读取"
    )
    assert over.problems[0].fields["variant"] == "unzipped"


def test_real_zip_bomb_figures_in_the_message(store):
    data = make.zip_bomb_xlsx()  # the bomb: 200 MB of sheet XML in about half a megabyte
    assert len(data) < MB
    assert_refused(
        data,
        "bomb.xlsx",
        "Excel 工作簿中的部件“xl/worksheets/sheet1.xml”解压后有 200 MB，上限 60 MB；未读取",
        store,
    )


def test_member_count_at_the_limit_passes_and_one_over_is_refused():
    data = make.xfd_xlsx()
    n = len(zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert (
        read_sheets(data, "a.xlsx", replace(LIMITS, xlsx_members=n)).problems[0].fields["variant"]
        == "dimension"
    )
    over = read_sheets(data, "a.xlsx", replace(LIMITS, xlsx_members=n - 1)).problems[0]
    assert over.message("zh") == f"Excel 工作簿中有 {n} 个部件，上限 {n - 1} 个；未读取"


def test_billion_laughs_is_refused_unparsed(store):
    assert_refused(
        make.entities_xlsx(),
        "laughs.xlsx",
        "Excel 工作簿中的部件“xl/worksheets/sheet1.xml”含有文档类型或实体声明；Excel 保存的文件不会有这种内容，"
        "可能是恶意文件，未读取",
        store,
    )


@pytest.mark.parametrize(
    "part,body",
    [
        ("[Content_Types].xml", b'<?xml version="1.0"?><!-- note --><!DOCTYPE Types SYSTEM "x"><Types/>'),
        ("xl/styles.xml", b'\xef\xbb\xbf<?xml version="1.0"?>\n<!doctype s [<!ENTITY a "b">]><styleSheet/>'),
        ("docProps/app.xml", '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x><x/>'.encode("utf-16")),
    ],
)
def test_a_doctype_in_any_part_is_refused(part, body):
    cell = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    data = make._xlsx(make.sheet_xml(cell), extra={part: body})
    if part == "[Content_Types].xml":  # replace the real one
        buf = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
            for info in src.infolist():
                dst.writestr(info.filename, body if info.filename == part else src.read(info))
        data = buf.getvalue()
    found = read_sheets(data, "a.xlsx")
    assert found.sheets is None and found.problems[0].code == "xml_entities"
    assert found.problems[0].fields["name"] == part


# --- text tables -----------------------------------------------------------------------------------------
def test_a_cell_over_the_csv_modules_own_limit_is_a_problem_not_a_traceback(store):
    assert_refused(
        make.long_cell_csv(chars=140_000),
        "long.csv",
        "第3行 C列：这个格子有 140,000 个字符，上限 10,000 个字符；未读取",
        store,
    )


def test_cell_length_at_the_limit_passes_and_one_over_is_refused():
    limits = replace(LIMITS, cell_chars=50)
    at = read_sheets(csv_bytes(["220102,2024,premarital_exam,1," + "2" * 50]), "a.csv", limits)
    assert at.sheets is not None and not at.problems
    over = read_sheets(csv_bytes(["220102,2024,premarital_exam,1," + "2" * 51]), "a.csv", limits)
    assert over.problems[0].message("zh") == "第2行 E列：这个格子有 51 个字符，上限 50 个字符；未读取"


def test_an_unbalanced_quote_says_where(store):
    assert_refused(
        make.open_quote_csv(rows=5),
        "quote.csv",
        "第2行 D列：这个格子的双引号没有配对的结束引号，其后 6 行都会被读成这一个格子；请检查这一行的引号。未读取",
        store,
    )
    big = make.open_quote_csv(rows=20_000)  # swallows more than the csv module's 131,072-character field
    errors, _, _ = refused_in_process(big, "quote.csv")
    assert errors == [
        "第2行 D列：这个格子的双引号没有配对的结束引号，其后 20,002 行都会被读成这一个格子；请检查这一行的引号。未读取"
    ]


def test_quotes_that_close_are_fine():
    ok = read_sheets(
        csv_bytes(['220102,2024,"premarital_exam",1,"2"', '220103,2024,"婚检 ""率""",1,2']), "a.csv"
    )
    assert ok.sheets is not None and not ok.problems
    assert ok.sheets[0].rows[2][2] == '婚检 "率"'


def test_columns_at_the_limit_pass_and_one_over_is_refused(store):
    limits = replace(LIMITS, columns=8)
    at = csv_bytes(
        ["220102,2024,premarital_exam,1,2,a,b,c,,,,"], header=HEADER + ",x,y,z"
    )  # trailing empties
    assert read_sheets(at, "a.csv", limits).problems == ()
    over = csv_bytes(["220102,2024,premarital_exam,1,2,a,b,c,d"], header=HEADER + ",x,y,z")
    assert (
        read_sheets(over, "a.csv", limits).problems[0].message("zh")
        == "第2行：这一行有 9 列，上限 8 列；未读取"
    )
    assert_refused(make.columns_csv(300), "cols.csv", "第1行：这一行有 300 列，上限 200 列；未读取", store)


def test_gbk_rows_at_the_limit_pass_and_one_over_is_refused(store):
    limits = replace(LIMITS, rows=40)
    rows = [f"长春市南关区,2024,婚检率,{i},{100 + i}" for i in range(39)]
    header = "地区名称,年份,指标,分子,分母"
    at = read_submission(csv_bytes(rows, header, "gbk"), "a.csv", region=JILIN, year=2024, limits=limits)
    assert at.encoding == "gb18030"
    assert not [p for p in at.problems if p.code == "too_large"]
    before = store.revision()
    over = read_submission(csv_bytes([*rows, rows[0]], header, "gbk"), "a.csv", region=JILIN, limits=limits)
    assert [p.message("zh") for p in over.errors] == ["文件有 41 行，上限 40 行；未读取"]
    assert store.revision() == before


def test_file_size_at_the_limit_passes_and_one_byte_over_is_refused():
    data = csv_bytes(["220102,2024,premarital_exam,95,100"])
    assert read_sheets(data, "a.csv", replace(LIMITS, file_bytes=len(data))).problems == ()
    over = read_submission(data, "a.csv", region=JILIN, limits=replace(LIMITS, file_bytes=len(data) - 1))
    assert [p.message("zh") for p in over.errors] == [f"文件有 {len(data)} B，上限 {len(data) - 1} B；未读取"]


# --- the worker ------------------------------------------------------------------------------------------
def big_csv(rows: int) -> bytes:
    return make.jilin_1m_csv(rows)


def test_a_child_over_its_memory_is_refused_and_the_worker_reads_the_next_file(store):
    before = store.revision()
    tiny = replace(LIMITS, memory_bytes=10 * MB)  # a 150,000-row file needs more than 10 MB beyond the start
    sub = read_submission(big_csv(150_000), "big.csv", region=JILIN, year=2024, limits=tiny)
    assert [p.message("zh") for p in sub.errors] == [
        "文件太大或太复杂，读取时超出了内存上限（10 MB），未读取"
    ]
    assert sandbox.last_stats().outcome == "memory"
    assert store.revision() == before
    ok = read_submission(csv_bytes(["220102,2024,premarital_exam,95,100"]), "ok.csv", region=JILIN, year=2024)
    assert ok.ok and len(ok.observations) == 1
    assert sandbox.last_stats().outcome == "ok"


def test_a_child_over_its_time_is_killed_and_the_worker_reads_the_next_file():
    slow = replace(LIMITS, seconds=0.3)
    start = time.perf_counter()
    sub = read_submission(big_csv(30_000), "slow.csv", region=JILIN, year=2024, limits=slow)
    assert time.perf_counter() - start < SECONDS
    assert [p.message("zh") for p in sub.errors] == [
        "文件太大或太复杂，读取超过 0.3 秒仍未完成，已停止，未读取"
    ]
    assert sandbox.last_stats().outcome == "time"
    ok = read_submission(csv_bytes(["220102,2024,premarital_exam,95,100"]), "ok.csv", region=JILIN, year=2024)
    assert ok.ok


def test_the_worker_gives_what_the_process_itself_gives():
    data = make.jilin_year_csv()
    here = read_submission(data, "吉林.csv", region=JILIN, year=2024, sandbox=False)
    there = read_submission(data, "吉林.csv", region=JILIN, year=2024)
    assert there.observations.equals(here.observations)
    assert [p.message(lang) for p in there.problems for lang in ("zh", "en")] == [
        p.message(lang) for p in here.problems for lang in ("zh", "en")
    ]
    assert (there.encoding, there.layout, there.sha256) == (here.encoding, here.layout, here.sha256)


def test_threads_reading_at_once_all_get_their_answer():
    files = [make.xfd_xlsx(), csv_bytes(["220102,2024,premarital_exam,95,100"]), make.entities_xlsx()]
    results: dict[int, object] = {}

    def read(i: int) -> None:
        results[i] = read_submission(files[i], f"f{i}.xlsx", region=JILIN, year=2024)

    threads = [threading.Thread(target=read, args=(i,)) for i in range(len(files))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert [results[i].ok for i in range(3)] == [False, True, False]
    assert results[2].errors[0].code == "xml_entities"


def test_the_cli_refuses_with_a_sentence_and_leaves_the_store(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PREVENTION_ATLAS_DB", str(tmp_path / "none.sqlite"))
    db = tmp_path / "atlas.sqlite"
    for name, data in (("xfd.xlsx", make.xfd_xlsx()), ("quote.csv", make.open_quote_csv(20_000))):
        path = tmp_path / name
        path.write_bytes(data)
        code = cli_main(["import", str(path), "--region", JILIN, "--year", "2024", "--db", str(db)])
        out = capsys.readouterr()
        assert code == 1
        assert "Traceback" not in out.out + out.err
        assert "未读取" in out.out
        assert not db.exists()  # nothing written, not even an empty database


# --- the limits, stated ----------------------------------------------------------------------------------
def test_limits_text_states_every_limit_in_both_languages():
    zh, en = limits_text("zh"), limits_text("en")
    for figure in (
        "20 MB",
        "100 MB",
        "1,100,000",
        "200",
        "10,000,000",
        "10,000",
        "60 MB",
        "1,000",
        "3,000,000",
    ):
        assert figure in zh and figure in en, figure
    assert "1.5 GB" in zh and "120 秒" in zh and "120 seconds" in en


def test_upload_cap_is_the_one_in_the_server_config():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * MB == LIMITS.upload_bytes


def test_chinese_limit_messages_have_no_english_words():
    allowed = {"CSV", "Excel", "xlsx"}
    zh = tomllib.loads((ROOT / "data" / "i18n" / "zh" / "limits.toml").read_text(encoding="utf-8"))
    texts = [*zh["problem"].values(), *zh["limits"].values()]
    for text in texts:
        words = set(re.findall(r"[A-Za-z]{3,}", re.sub(r"\{[^}]*\}|UTF-8", "", text)))
        assert words <= allowed, (words, text)


def test_the_cli_refuses_a_file_over_the_limit_unread(tmp_path, capsys):
    """`validate` checks the size before reading: a (sparse) file one byte over the limit is refused at once,
    with its size and the limit, exit status 1, no traceback."""
    from analytics.__main__ import main
    from analytics.intake.limits import LIMITS

    big = tmp_path / "大文件.csv"
    with open(big, "wb") as fh:
        fh.truncate(LIMITS.file_bytes + 1)
    started = time.monotonic()
    code = main(["validate", str(big), "--region", "220000"])
    err = capsys.readouterr().err
    assert code == 1 and "超过上限" in err and "100 MB" in err and "Traceback" not in err
    assert time.monotonic() - started < 5
