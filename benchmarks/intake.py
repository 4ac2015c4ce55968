"""Benchmark: validating and importing department files, ordinary, heavy and hostile, in and out of the sandbox.

    python benchmarks/intake.py [--full] [--only NAME ...] [--modes inproc,sandbox] [--keep DIR]

Files, generated here (synthetic counts over census populations, as benchmarks/engine.py):
- jilin_year.csv: one Jilin year, GBK, Chinese headers, county names (60 counties x 25 indicators);
- country_long.csv / country_wide.xlsx: one whole-country year (2,875 counties x 25 indicators, ~72k rows)
  as a long CSV with codes, and a wide workbook with one row per county and a column per indicator figure;
- jilin_1m.csv (--full): one Jilin year repeated to 1,000,000 rows (the issue's file: ~998,500 duplicates);
- the hostile files of issue 14: a sheet whose one cell sits at XFD1048576, a zip bomb (about 1 MB expanding
  to 200 MB), a billion-laughs workbook, a CSV cell over 131,072 characters, an unbalanced quote, 300 columns.

Each file is read in a fresh process (so peak memory is the file's, not the previous one's), once per mode:
`inproc` reads in the calling process (`sandbox=False`, what the code did before issue 14 apart from the
limits), `sandbox` in the worker with its memory and time limits. For each: seconds and peak resident memory
(the process's ru_maxrss; in sandbox mode the larger of the caller's and the worker's) for `validate`
(read_submission) and for `import` (read, then Store.import_observations into a temporary store). A whole-country
file is read for region 100000 (`--region 100000`), or with --per-province as 31 province files one after another.
"""

from __future__ import annotations

import argparse
import inspect
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

JILIN = "220000"
NATIONAL = "100000"
YEAR = 2024
HOSTILE = (
    "xfd1048576.xlsx",
    "zip_bomb.xlsx",
    "entities.xlsx",
    "long_cell.csv",
    "open_quote.csv",
    "columns.csv",
)
GOALS = {  # seconds, MB (issue 14, 2-core machine)
    "country_long.csv": (10, None),
    "country_wide.xlsx": (30, None),
    "jilin_1m.csv": (60, 1536),
    **{name: (5, 500) for name in HOSTILE},
}


# --- files -------------------------------------------------------------------------------------------
def _year_table(codes_prefix: str | None):
    from engine import national_table

    obs = national_table()
    obs = obs[obs["year"] == YEAR]
    if codes_prefix:
        obs = obs[obs["region_code"].str.startswith(codes_prefix)]
    return obs.reset_index(drop=True)


def jilin_year_csv() -> bytes:
    from analytics.catalog import load_catalog
    from analytics.regions import load_regions

    catalog, regions = load_catalog(), load_regions()
    obs = _year_table("22")
    frame = obs.assign(
        地区名称=obs["region_code"].map(regions.name),
        年份=obs["year"],
        指标=obs["indicator_id"].map(lambda i: catalog[i].name("zh")),
    )[["地区名称", "年份", "指标", "numerator", "denominator", "value"]]
    frame.columns = ["地区名称", "年份", "指标", "分子", "分母", "值"]
    return frame.to_csv(index=False).encode("gb18030")


def country_long_csv(prefix: str | None = None) -> bytes:
    obs = _year_table(prefix)
    cols = ["region_code", "year", "indicator_id", "numerator", "denominator", "value"]
    return obs[cols].to_csv(index=False).encode("utf-8")


def country_wide_xlsx(prefix: str | None = None) -> bytes:
    import xlsxwriter

    from analytics.catalog import load_catalog
    from analytics.regions import load_regions
    from analytics.templates import wide_columns

    catalog, regions = load_catalog(), load_regions()
    obs = _year_table(prefix).set_index(["region_code", "indicator_id"])
    headers, picks = ["地区代码", "地区名称", "年份"], []
    for ind in catalog.indicators:
        for header, role in wide_columns(ind):
            headers.append(header)
            picks.append((ind.id, role))
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": True})
    ws = wb.add_worksheet("数据")
    ws.write_row(0, 0, headers)
    codes = sorted(obs.index.get_level_values(0).unique())
    for r, code in enumerate(codes, start=1):
        row: list = [code, regions.name(code), YEAR]
        for ind_id, role in picks:
            v = obs.at[(code, ind_id), role]
            row.append(None if v != v else float(v))
        ws.write_row(r, 0, row)
    wb.close()
    return buf.getvalue()


def jilin_1m_csv(rows: int = 1_000_000) -> bytes:
    obs = _year_table("22")
    cols = ["region_code", "year", "indicator_id", "numerator", "denominator", "value"]
    lines = obs[cols].to_csv(index=False, header=False).splitlines()
    body = "\n".join(lines[i % len(lines)] for i in range(rows - 1))
    return (",".join(cols) + "\n" + body + "\n").encode("utf-8")


def _xlsx(sheet_xml: bytes, *, extra: dict[str, bytes] | None = None, level: int = 6) -> bytes:
    """A minimal workbook built by hand (one sheet), so a hostile part is exactly what it says."""
    parts = {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            b'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            b'<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
        **(extra or {}),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return buf.getvalue()


SHEET_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def sheet_xml(cells: bytes, dimension: str | None = "A1", prolog: bytes = b"", merges: bytes = b"") -> bytes:
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        + prolog
        + b"<worksheet "
        + SHEET_NS
        + b">"
        + dim
        + b"<sheetData>"
        + cells
        + b"</sheetData>"
        + merges
        + b"</worksheet>"
    )


def xfd_xlsx(dimension: bool = True) -> bytes:
    """One cell at XFD1048576 (the last cell Excel has): declares 16,384 columns x 1,048,576 rows."""
    cell = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return _xlsx(sheet_xml(cell, "XFD1048576" if dimension else None))


def zip_bomb_xlsx(expanded: int = 200 * 1024 * 1024) -> bytes:
    """A sheet whose XML expands to `expanded` bytes of one repeated empty row (deflate at ~1,000:1)."""
    row = b'<row r="1" spans="1:1"/>'
    body = row * (expanded // len(row))
    return _xlsx(sheet_xml(body, "A1"), level=9)


def entities_xlsx() -> bytes:
    """Billion laughs: ten levels of entities, each ten of the one below (1e9 'lol's if a parser expanded them)."""
    decl = [b'<!ENTITY lol0 "lol">']
    for i in range(1, 10):
        decl.append(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'.encode())
    prolog = b"<!DOCTYPE worksheet [" + b"".join(decl) + b"]>"
    cell = b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    return _xlsx(sheet_xml(cell, "A1", prolog=prolog))


def long_cell_csv(chars: int = 140_000) -> bytes:
    return (
        "地区代码,年份,指标编号,分子,分母\n220102,2024,premarital_exam,1,2\n220103,2024,"
        + "x" * chars
        + ",1,2\n"
    ).encode()


def open_quote_csv(rows: int = 20_000) -> bytes:
    lines = ["地区代码,年份,指标编号,分子,分母", '220102,2024,premarital_exam,"1,2']
    lines += [f"220103,2024,premarital_exam,{i},{i + 1}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def columns_csv(columns: int = 300) -> bytes:
    head = ["地区代码", "年份", "指标编号", "分子", "分母"] + [f"备注{i}" for i in range(columns - 5)]
    row = ["220102", "2024", "premarital_exam", "1", "2"] + ["x"] * (columns - 5)
    return (",".join(head) + "\n" + ",".join(row) + "\n").encode()


FILES = {
    "jilin_year.csv": (jilin_year_csv, JILIN),
    "country_long.csv": (country_long_csv, NATIONAL),
    "country_wide.xlsx": (country_wide_xlsx, NATIONAL),
    "jilin_1m.csv": (jilin_1m_csv, JILIN),
    "xfd1048576.xlsx": (xfd_xlsx, JILIN),
    "zip_bomb.xlsx": (zip_bomb_xlsx, JILIN),
    "entities.xlsx": (entities_xlsx, JILIN),
    "long_cell.csv": (long_cell_csv, JILIN),
    "open_quote.csv": (open_quote_csv, JILIN),
    "columns.csv": (columns_csv, JILIN),
}


# --- one measurement, in its own process --------------------------------------------------------------
def _read(data: bytes, name: str, region: str, mode: str):
    from analytics.intake import read_submission

    kwargs = {"region": region, "year": YEAR}
    if "sandbox" in inspect.signature(read_submission).parameters:
        kwargs["sandbox"] = mode == "sandbox"
    elif mode == "sandbox":
        raise SystemExit("this checkout has no sandbox")
    return read_submission(data, name, **kwargs)


def _worker_peak_mb() -> float:
    try:
        from analytics.intake import sandbox

        return (sandbox.last_stats().peak_kb or 0) / 1024
    except (ImportError, AttributeError):
        return 0.0


def measure_one(path: Path, region: str, mode: str, task: str, per_province: bool = False) -> dict:
    from analytics.catalog import load_catalog
    from analytics.regions import load_regions

    load_catalog(), load_regions()
    regions = load_regions()
    if region == NATIONAL and per_province:
        # the whole-country rows as one file per province (how they were read before `--region 100000`)
        make = FILES[path.name][0]
        provinces = sorted(regions.frame.query("level == 'province'")["code"])
        parts = [(code, make(code[:2])) for code in provinces if len(regions.counties(code))]
    else:
        parts = [(region, path.read_bytes())]
    if mode == "sandbox":
        from analytics.intake import sandbox

        sandbox.start_worker()  # the app starts it once, at server start: not part of a file's time
    start = time.perf_counter()
    subs, worker_peak = [], 0.0
    for code, data in parts:
        subs.append(_read(data, path.name, code, mode))
        worker_peak = max(worker_peak, _worker_peak_mb())
    stored = None
    if task == "import" and all(s.ok for s in subs):
        import pandas as pd

        from analytics.store import Store

        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "atlas.sqlite", passphrase_required="")
            obs = pd.concat([s.observations for s in subs], ignore_index=True)
            store.import_observations(obs, dataset="bench", source_name=path.name, sha256=subs[0].sha256)
            stored = len(store.current())
    seconds = time.perf_counter() - start
    errors = [p for s in subs for p in s.errors]
    return {
        "seconds": seconds,
        "peak_mb": max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, worker_peak),
        "rows": sum(len(s.observations) for s in subs),
        "problems": sum(len(s.problems) for s in subs),
        "errors": len(errors),
        "first_error": errors[0].message("zh") if errors else "",
        "stored": stored,
        "parts": len(parts),
    }


def run_child(
    path: Path, region: str, mode: str, task: str, timeout: float, per_province: bool = False
) -> dict:
    cmd = [sys.executable, __file__, "--child", str(path), region, mode, task]
    if per_province:
        cmd.append("--per-province")
    start = time.perf_counter()
    try:
        # the "before" path may try to allocate everything a hostile file declares: cap it at 3 GB
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30)),
        )
    except subprocess.TimeoutExpired:
        return {
            "seconds": time.perf_counter() - start,
            "failed": f"still running after {timeout:.0f} s, killed",
        }
    last = proc.stdout.strip().splitlines()[-1:] or [""]
    try:
        return json.loads(last[0])
    except json.JSONDecodeError:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"seconds": time.perf_counter() - start, "failed": f"exit {proc.returncode}: {tail[:120]}"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="also the 1,000,000-row file")
    ap.add_argument("--only", nargs="*", help="file names to run")
    ap.add_argument("--modes", default="inproc,sandbox")
    ap.add_argument("--tasks", default="validate,import")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--keep", help="write the generated files to this folder")
    ap.add_argument(
        "--per-province", action="store_true", help="read a whole-country file as one file per province"
    )
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        path, region, mode, task = args.child
        print(json.dumps(measure_one(Path(path), region, mode, task, args.per_province)))
        return

    names = args.only or [n for n in FILES if args.full or n != "jilin_1m.csv"]
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="intake-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{'file':<20} {'size':>9} {'mode':<8} {'task':<9} {'seconds':>8} {'peak MB':>8}  result")
    for name in names:
        make, region = FILES[name]
        path = folder / name
        if not path.exists():
            path.write_bytes(make())
        size = path.stat().st_size
        for mode in args.modes.split(","):
            for task in args.tasks.split(","):
                r = run_child(path, region, mode, task, args.timeout, args.per_province)
                if "failed" in r:
                    result = r["failed"]
                    peak = "?"
                else:
                    peak = f"{r['peak_mb']:.0f}"
                    result = (
                        f"{r['rows']:,} rows, {r['problems']:,} problems"
                        + (f", stored {r['stored']:,}" if r.get("stored") is not None else "")
                        + (f" [{r['parts']} files]" if r.get("parts", 1) > 1 else "")
                        + (f" - {r['first_error'][:70]}" if r["errors"] else "")
                    )
                goal = GOALS.get(name)
                verdict = ""
                if goal and "failed" not in r:
                    ok = r["seconds"] <= goal[0] and (goal[1] is None or r["peak_mb"] <= goal[1])
                    verdict = (
                        f"  goal <= {goal[0]} s"
                        + (f", {goal[1]} MB" if goal[1] else "")
                        + (": met" if ok else ": NOT met")
                    )
                print(
                    f"{name:<20} {size / 1024:>7.0f}KB {mode:<8} {task:<9} {r['seconds']:>8.2f} {peak:>8}  {result}"
                    f"{verdict}",
                    flush=True,
                )
    if not args.keep:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
