"""Bytes to sheets of cells: text tables (UTF-8, GBK, UTF-16) and xlsx; what cannot be read is said."""

from __future__ import annotations

import csv
import io
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from analytics.errors import Problem, problem

HEADER_SCAN_ROWS = 15  # title rows, notes and blank rows above the header
MAX_ROWS = 200_000
WORKBOOK_EXTS = frozenset({"xlsx", "xlsm", "xltx", "xltm", "xls"})
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_STARTS = (b"<!doctype html", b"<html", b"<table", b"<?xml")


@dataclass(frozen=True)
class Sheet:
    """One table of cells as read: rows of raw values (0-based), formulas by (row, col), and the first rows
    with every merged cell filled (for finding the header)."""

    name: str | None
    rows: list[list[Any]]
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    head: list[list[Any]] | None = None

    @cached_property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)

    def cell(self, r: int, c: int) -> Any:
        row = self.rows[r] if r < len(self.rows) else []
        return row[c] if c < len(row) else None

    def head_cell(self, r: int, c: int) -> Any:
        if self.head is None or r >= len(self.head):
            return self.cell(r, c)
        row = self.head[r]
        return row[c] if c < len(row) else None

    def is_formula(self, r: int, c: int) -> bool:
        return (r, c) in self.formulas


@dataclass(frozen=True)
class FileRead:
    """The sheets of a file (None when it cannot be read), the text encoding used, and what went wrong."""

    sheets: list[Sheet] | None
    encoding: str | None = None
    problems: tuple[Problem, ...] = ()


def cell_text(value: Any) -> str:
    """A cell as the user reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def read_sheets(data: bytes, filename: str) -> FileRead:
    """The sheets of a submitted file, told apart by content (not by name): xlsx, old xls, HTML, or text."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if not data.strip(b" \t\r\n"):
        return _refused("empty_file", variant="bytes", name=filename, size=len(data))
    if data[:2] == b"PK":
        return _read_zip(data)
    if data[:8] == _OLE_MAGIC:
        return _refused("xls_not_supported")
    head = data[:2048].lstrip().lower()
    if head.startswith(_HTML_STARTS) or b"<table" in head:
        return _refused("html_not_supported")
    text, encoding, trouble = _decode(data)
    if trouble is not None:
        code, fields = trouble
        if ext in WORKBOOK_EXTS:  # named as a workbook: that it is not one is the news
            variant = "_".join(filter(None, (code, fields.get("variant"))))
            return _refused("not_a_workbook", ext=ext, **{**fields, "variant": variant})
        return _refused(code, **fields)
    problems = ()
    if ext in WORKBOOK_EXTS:
        problems = (problem("warning", "extension_mismatch", ext=ext, encoding=encoding),)
    return FileRead([Sheet(None, csv_rows(text))], encoding, problems)


def _refused(code: str, **fields: Any) -> FileRead:
    return FileRead(None, None, (problem("error", code, **fields),))


def _read_zip(data: bytes) -> FileRead:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return _refused("corrupt_workbook", variant="zip")
    if "xl/workbook.xml" in names:
        return _read_xlsx(data)
    if "mimetype" in names and b"opendocument.spreadsheet" in zf.read("mimetype"):
        return _refused("not_a_workbook", variant="ods")
    if not names:
        return _refused("not_a_workbook", variant="empty_zip")
    listed = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
    return _refused("not_a_workbook", variant="zip", names=listed)


def _read_xlsx(data: bytes) -> FileRead:
    import openpyxl
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops (slicers, styles)
            wb = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on broken parts
        return _refused("corrupt_workbook", variant="open", reason=type(exc).__name__)
    sheets = []
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"] or list(wb.worksheets)
    for ws in visible:
        rows: list[list[Any]] = []
        formulas: dict[tuple[int, int], str] = {}
        for r, row in enumerate(ws.iter_rows(min_row=1, max_row=min(ws.max_row, MAX_ROWS))):
            values = []
            for c, cell in enumerate(row):
                v = cell.value
                if isinstance(v, ArrayFormula | DataTableFormula):
                    formulas[(r, c)] = getattr(v, "text", None) or str(v)
                    v = formulas[(r, c)]
                elif cell.data_type == "f" or (isinstance(v, str) and v.startswith("=") and len(v) > 1):
                    formulas[(r, c)] = str(v)
                values.append(v)
            rows.append(values)
        while rows and all(cell_text(v) == "" for v in rows[-1]):
            rows.pop()
        # What a merged cell shows is its top-left value. Headers see every merge (a title, an indicator
        # over 分子 | 分母); data rows only vertical ones (a county name down its indicator rows), so a
        # footnote merged across the table does not flood the number columns.
        head = [list(row) for row in rows[: HEADER_SCAN_ROWS + 2]]
        for rng in ws.merged_cells.ranges:
            if rng.min_row > len(rows):
                continue
            first_row = rows[rng.min_row - 1]
            top = first_row[rng.min_col - 1] if rng.min_col <= len(first_row) else None
            for r in range(rng.min_row - 1, min(rng.max_row, len(rows))):
                for c in range(rng.min_col - 1, min(rng.max_col, len(rows[r]))):
                    if r < len(head):
                        head[r][c] = top
                    if rng.min_col == rng.max_col:
                        rows[r][c] = top
        sheets.append(Sheet(ws.title, rows, formulas, head))
    return FileRead(sheets)


def _decode(data: bytes) -> tuple[str, str | None, tuple[str, dict] | None]:
    """(text, encoding, None), or ("", None, (problem code, fields)) when the bytes are no text table."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return "", None, ("unknown_encoding", {"variant": "utf16"})
    else:
        if b"\x00" in data:
            return "", None, ("nul_bytes", {"at": data.index(b"\x00") + 1})
        try:
            text = data.decode("utf-8-sig")
            encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("gb18030"), "gb18030"
            except UnicodeDecodeError as exc:
                return "", None, ("unknown_encoding", {"variant": "bytes", "at": exc.start + 1})
    odd = sum(
        1
        for ch in text
        if ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") and ch not in "\t\r\n")
    )
    if odd > max(2, len(text) // 100):
        return "", None, ("unknown_encoding", {"variant": "odd", "encoding": encoding, "count": odd})
    return text, encoding, None


def csv_rows(text: str) -> list[list[Any]]:
    """Rows of a text table; the delimiter (comma, tab or semicolon) is the one that gives consistent rows."""
    sample = text.splitlines()[:50]
    best, best_score = ",", (-1, -1)
    for delim in (",", "\t", ";"):
        counts = [len(r) for r in csv.reader(sample, delimiter=delim) if any(c.strip() for c in r)]
        wide = [n for n in counts if n > 1]
        if not wide:
            continue
        mode = max(set(wide), key=wide.count)
        score = (wide.count(mode), mode)
        if score > best_score:
            best, best_score = delim, score
    rows = [
        [c if c.strip() else None for c in row]
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=best)
    ]
    while rows and all(c is None for c in rows[-1]):
        rows.pop()
    return rows
