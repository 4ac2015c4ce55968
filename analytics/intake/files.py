"""Bytes to sheets of cells: text tables (UTF-8, GBK, UTF-16) and xlsx; what cannot be read is said.

Every file is held to analytics/intake/limits.py before it is parsed: its size; a workbook as a zip (sizes,
compression ratios, parts), its XML prologs (no DOCTYPE or ENTITY) and its sheets (declared range, cells
written, cells merged) by streaming through each part; a text table row by row as it is split. What is over
a limit is refused with the limit and the file's figure, and nothing more is read.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from analytics.errors import Problem, problem
from analytics.intake.limits import LIMITS, Limits, size_text

HEADER_SCAN_ROWS = 15  # title rows, notes and blank rows above the header
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
    if type(value) is str:  # the common cell
        return value.strip()
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


class _Refusal(Exception):
    """A limit the file is over, found while reading it: the reading stops and the problem is reported."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found.code)
        self.problem = found


def read_sheets(data: bytes, filename: str, limits: Limits = LIMITS) -> FileRead:
    """The sheets of a submitted file, told apart by content (not by name): xlsx, old xls, HTML, or text."""
    try:
        return _read_sheets(data, filename, limits)
    except _Refusal as refusal:
        return FileRead(None, None, (refusal.problem,))


def _over(variant: str, row: int | None = None, **fields: Any) -> _Refusal:
    return _Refusal(problem("error", "too_large", row, variant=variant, **fields))


def _read_sheets(data: bytes, filename: str, limits: Limits) -> FileRead:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if len(data) > limits.file_bytes:
        raise _over("file", size=size_text(len(data)), limit=size_text(limits.file_bytes))
    if not data.strip(b" \t\r\n"):
        return _refused("empty_file", variant="bytes", name=filename, size=len(data))
    if data[:2] == b"PK":
        return _read_zip(data, limits)
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
    return FileRead([Sheet(None, csv_rows(text, limits))], encoding, problems)


def _refused(code: str, **fields: Any) -> FileRead:
    return FileRead(None, None, (problem("error", code, **fields),))


def _read_zip(data: bytes, limits: Limits) -> FileRead:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return _refused("corrupt_workbook", variant="zip")
    _check_zip(zf, limits)
    if "xl/workbook.xml" in names:
        try:
            sheets = _check_xml_parts(zf, limits)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
            return _refused("corrupt_workbook", variant="zip")  # a part that does not decompress
        return _read_xlsx(data, limits, sheets)
    if "mimetype" in names and b"opendocument.spreadsheet" in zf.read("mimetype"):
        return _refused("not_a_workbook", variant="ods")
    if not names:
        return _refused("not_a_workbook", variant="empty_zip")
    listed = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
    return _refused("not_a_workbook", variant="zip", names=listed)


def _check_zip(zf: zipfile.ZipFile, limits: Limits) -> None:
    """Sizes as the zip's directory states them (zipfile never inflates a part beyond its stated size: a part
    that lies fails its CRC check instead), before anything is decompressed."""
    infos = zf.infolist()
    if len(infos) > limits.xlsx_members:
        raise _over("members", count=f"{len(infos):,}", limit=f"{limits.xlsx_members:,}")
    total = sum(i.file_size for i in infos)
    for info in infos:
        if info.file_size > limits.xlsx_member_bytes:
            raise _over(
                "member",
                name=info.filename,
                size=size_text(info.file_size),
                limit=size_text(limits.xlsx_member_bytes),
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.xlsx_ratio_from and ratio > limits.xlsx_ratio:
            raise _over(
                "ratio",
                name=info.filename,
                ratio=f"{ratio:,.0f}",
                packed=size_text(info.compress_size),
                size=size_text(info.file_size),
                limit=f"{limits.xlsx_ratio:,}",
            )
    if total > limits.xlsx_bytes:
        raise _over("unzipped", size=size_text(total), limit=size_text(limits.xlsx_bytes))


_CHUNK = 1 << 20
_MEMO_MAX = 200_000  # distinct cell texts kept to share (a few MB)
_PROLOG_MAX = 1 << 16  # an XML declaration, comments and processing instructions before the root element
_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_DIMENSION = re.compile(rb"<(?:[\w.\-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([A-Za-z0-9:$]+)[\"']")
_MERGE = re.compile(rb"<(?:[\w.\-]+:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([A-Za-z0-9:$]+)[\"']")
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")


def _ref_box(ref: str) -> tuple[int, int, int, int] | None:
    """(min_row, min_col, max_row, max_col) of "A1" or "B2:XFD1048576"; None when it is not a range."""
    corners = []
    for part in ref.split(":")[:2]:
        m = _REF.fullmatch(part)
        if m is None:
            return None
        col = 0
        for ch in m.group(1).upper():
            col = col * 26 + ord(ch) - 64
        corners.append((int(m.group(2)), col))
    (r1, c1), (r2, c2) = corners[0], corners[-1]
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _xml_head(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[bytes, str | None, str | None]:
    """(the part's first bytes, as ASCII-compatible bytes; the root element's prefix and name) — None for
    a part that is no XML. Raises the refusal when the prolog declares a DOCTYPE (and so entities)."""
    with zf.open(info) as fh:
        head = fh.read(_PROLOG_MAX)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        text = head.decode("utf-16", errors="replace")  # XML may be UTF-16: look at it as text
        head = text.encode("utf-8", errors="replace")
    pos = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while pos < len(head) and head[pos : pos + 1] in b" \t\r\n":
            pos += 1
        if head.startswith(b"<?", pos):
            close = b"?>"
        elif head.startswith(b"<!--", pos):
            close = b"-->"
        else:
            break
        end = head.find(close, pos)
        if end < 0:
            break
        pos = end + len(close)
    rest = head[pos : pos + 16].upper()
    if rest.startswith((b"<!DOCTYPE", b"<!ENTITY")) or (
        rest.startswith(b"<!") and not rest.startswith(b"<![")
    ):
        raise _Refusal(problem("error", "xml_entities", name=info.filename))
    if b"<!ENTITY" in head.upper():  # not where a parser would take it, but no Excel file has one anywhere
        raise _Refusal(problem("error", "xml_entities", name=info.filename))
    m = _ROOT.match(head, pos)
    if m is None:
        return head, None, None
    prefix = m.group(1).decode() if m.group(1) else ""
    return head, prefix, m.group(2).decode()


def _check_xml_parts(zf: zipfile.ZipFile, limits: Limits) -> dict[str, int]:
    """Every XML part's prolog (no DOCTYPE/ENTITY), and every worksheet's declared range, cells written and
    cells merged, streamed part by part (nothing is kept). Returns cells written per worksheet part."""
    cells_per_sheet: dict[str, int] = {}
    titles: dict[str, str] | None = None
    for info in zf.infolist():
        if info.is_dir():
            continue
        head, prefix, root = _xml_head(zf, info)
        if root != "worksheet":
            continue
        if titles is None:
            titles = _sheet_titles(zf)
        sheet = titles.get(info.filename) or info.filename.rsplit("/", 1)[-1].removesuffix(".xml")
        m = _DIMENSION.search(head)
        box = _ref_box(m.group(1).decode()) if m else None
        if box is not None:
            rows, columns = box[2], box[3]
            if rows > limits.rows or columns > limits.columns:
                raise _over(
                    "dimension",
                    sheet=sheet,
                    ref=m.group(1).decode(),
                    rows=f"{rows:,}",
                    columns=f"{columns:,}",
                    limit_rows=f"{limits.rows:,}",
                    limit_columns=f"{limits.columns:,}",
                )
        cells_per_sheet[info.filename] = _scan_sheet(zf, info, prefix or "", sheet, limits)
    return cells_per_sheet


_SHEET = re.compile(rb"<(?:[\w.\-]+:)?sheet\b([^>]*)>")
_ATTR = re.compile(rb"([\w:]+)\s*=\s*[\"']([^\"']*)[\"']")


def _sheet_titles(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> the name on its tab (from xl/workbook.xml and its relationships), as far as it is
    plainly written; parts not found keep their file name in messages."""
    try:
        book = zf.read("xl/workbook.xml")[: 1 << 20]
        rels = zf.read("xl/_rels/workbook.xml.rels")[: 1 << 20]
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return {}
    targets = {}
    for m in re.finditer(rb"<(?:[\w.\-]+:)?Relationship\b([^>]*)>", rels):
        attrs = dict(_ATTR.findall(m.group(1)))
        if b"Id" in attrs and b"Target" in attrs:
            target = attrs[b"Target"].decode("utf-8", "replace")
            targets[attrs[b"Id"]] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    titles = {}
    for m in _SHEET.finditer(book):
        attrs = {k.split(b":")[-1]: v for k, v in _ATTR.findall(m.group(1))}
        part = targets.get(attrs.get(b"id", b""))
        if part and b"name" in attrs:
            titles[part] = html.unescape(attrs[b"name"].decode("utf-8", "replace"))
    return titles


def _scan_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, prefix: str, sheet: str, limits: Limits) -> int:
    """Cells written (<c> elements) and cells merged in one worksheet, counted as it streams by."""
    tags = [f"<{prefix}c ".encode(), f"<{prefix}c>".encode(), f"<{prefix}c/>".encode()]
    cells = merged = 0
    tail = b""
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            block = tail + chunk
            # count each tag once: only those starting in this block past the carried-over tail
            cells += sum(block.count(tag) - tail.count(tag) for tag in tags)
            if cells > limits.xlsx_cells:
                raise _over("sheet_cells", sheet=sheet, count=f"{cells:,}+", limit=f"{limits.xlsx_cells:,}")
            for m in _MERGE.finditer(block):
                if m.end() <= len(tail):
                    continue  # seen in the previous block
                box = _ref_box(m.group(1).decode())
                if box is None:
                    continue
                area = (box[2] - box[0] + 1) * (box[3] - box[1] + 1)
                merged += area
                if area > limits.xlsx_cells or merged > limits.xlsx_cells:
                    raise _over(
                        "merged",
                        sheet=sheet,
                        ref=m.group(1).decode(),
                        count=f"{area:,}",
                        total=f"{merged:,}",
                        limit=f"{limits.xlsx_cells:,}",
                    )
            tail = block[-200:]
    return cells


def _read_xlsx(data: bytes, limits: Limits = LIMITS, scanned: dict[str, int] | None = None) -> FileRead:
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
        # the cells written, as openpyxl holds them: ws.iter_rows would create every cell of the used
        # range (one cell at XFD1048576 is 17 billion), so the rows are built from those that exist
        written = ws._cells
        n_rows = max((r for r, _ in written), default=0)
        n_cols = max((c for _, c in written), default=0)
        if n_rows > limits.rows:
            raise _over("sheet_rows", sheet=ws.title, count=f"{n_rows:,}", limit=f"{limits.rows:,}")
        if n_cols > limits.columns:
            raise _over("sheet_columns", sheet=ws.title, count=f"{n_cols:,}", limit=f"{limits.columns:,}")
        rows: list[list[Any]] = [[] for _ in range(n_rows)]
        formulas: dict[tuple[int, int], str] = {}
        for (r1, c1), cell in sorted(written.items()):
            r, c = r1 - 1, c1 - 1
            v = cell.value
            if isinstance(v, ArrayFormula | DataTableFormula):
                formulas[(r, c)] = getattr(v, "text", None) or str(v)
                v = formulas[(r, c)]
            elif cell.data_type == "f" or (isinstance(v, str) and v.startswith("=") and len(v) > 1):
                formulas[(r, c)] = str(v)
            row = rows[r]
            if len(row) < c:
                row.extend([None] * (c - len(row)))
            row.append(v)
        # rows as wide as the sheet (as openpyxl's rows are), unless that is a sparse sheet's huge rectangle:
        # then only the rows where a header may be
        padded = rows if n_rows * n_cols <= limits.xlsx_cells else rows[: HEADER_SCAN_ROWS + 2]
        for row in padded:
            row.extend([None] * (n_cols - len(row)))
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
    # each distinct character is classified once (a 50 MB file has a few thousand): O(n) in C, not in Python
    odd = sum(
        text.count(ch)
        for ch in set(text)
        if ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") and ch not in "\t\r\n")
    )
    if odd > max(2, len(text) // 100):
        return "", None, ("unknown_encoding", {"variant": "odd", "encoding": encoding, "count": odd})
    return text, encoding, None


def csv_rows(text: str, limits: Limits = LIMITS) -> list[list[Any]]:
    """Rows of a text table; the delimiter (comma, tab or semicolon) is the one that gives consistent rows.

    Held to `limits` as it is split (rows, columns, cells, characters in a cell); a quote that never closes is
    said as such. Raises `_Refusal` (read_sheets turns it into the problem)."""
    sample = [line[: limits.cell_chars] for line in itertools.islice(io.StringIO(text, newline=None), 50)]
    best, best_score = ",", (-1, -1)
    for delim in (",", "\t", ";"):
        try:
            counts = [len(r) for r in csv.reader(sample, delimiter=delim) if any(c.strip() for c in r)]
        except csv.Error:  # a quote left open swallows the sample: the full read below says where
            continue
        wide = [n for n in counts if n > 1]
        if not wide:
            continue
        mode = max(set(wide), key=wide.count)
        score = (wide.count(mode), mode)
        if score > best_score:
            best, best_score = delim, score
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=best)
    rows: list[list[Any]] = []
    memo: dict[str, str] = {}
    cells = 0
    max_chars, max_cols = limits.cell_chars, limits.columns
    while True:
        start_line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # a field over the csv module's own limit (131,072), or worse
            raise _csv_refusal(text, best, len(rows) + 1, start_line, str(exc), limits) from None
        n = len(rows) + 1
        if n > limits.rows:
            count = text.count("\n") + (not text.endswith("\n"))
            raise _over("rows", count=f"{max(count, n):,}", limit=f"{limits.rows:,}")
        width = len(record)
        while width and not record[width - 1].strip():
            width -= 1
        if width > max_cols:
            raise _over("columns", n, count=f"{width:,}", limit=f"{max_cols:,}")
        for c in range(width):
            if len(record[c]) > max_chars:
                raise _cell_refusal(text, record[c], n, c, start_line, reader.line_num, limits)
        cells += width
        if cells > limits.cells:
            raise _over("cells", count=f"{limits.cells:,}", limit=f"{limits.cells:,}")
        # one string object per distinct short value (codes, years, indicator ids, repeated figures): a
        # million-row file holds a few thousand of them instead of millions of copies
        if len(memo) < _MEMO_MAX:
            rows.append(
                [
                    (memo.setdefault(c, c) if len(c) <= 32 else c) if c.strip() else None
                    for c in record[:width]
                ]
            )
        else:
            rows.append([memo.get(c, c) if c.strip() else None for c in record[:width]])
    if rows and len(rows) > 0:
        last = rows[-1]
        for c, cell in enumerate(last):  # a quote opened on the last rows swallows them silently at the end
            if (
                cell is not None
                and "\n" in cell
                and _quote_open_from(text, reader.line_num - cell.count("\n"))
            ):
                raise _Refusal(
                    problem(
                        "error",
                        "unclosed_quote",
                        len(rows),
                        letter=_letter(c),
                        lines=f"{cell.count(chr(10)):,}",
                    )
                )
    while rows and all(c is None for c in rows[-1]):
        rows.pop()
    return rows


def _letter(c: int) -> str:
    """0 -> A, 26 -> AA: the column letter a spreadsheet shows."""
    out = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        out = chr(65 + rem) + out
    return out


def _line_offset(text: str, line: int) -> int:
    """Where 1-based physical `line` of `text` starts."""
    pos = 0
    for _ in range(line - 1):
        pos = text.find("\n", pos) + 1
        if pos == 0:
            return len(text)
    return pos


def _quote_open_from(text: str, line: int) -> bool:
    """Whether the quotes from `line` to the end leave one open (an odd count: "" inside a cell is two)."""
    return text.count('"', _line_offset(text, line)) % 2 == 1


def _cell_refusal(
    text: str, cell: str, row: int, col: int, start_line: int, end_line: int, limits: Limits
) -> _Refusal:
    if "\n" in cell and _quote_open_from(text, start_line):
        return _Refusal(
            problem("error", "unclosed_quote", row, letter=_letter(col), lines=f"{end_line - start_line:,}")
        )
    return _over("cell", row, letter=_letter(col), count=f"{len(cell):,}", limit=f"{limits.cell_chars:,}")


def _csv_refusal(text: str, delim: str, row: int, start_line: int, reason: str, limits: Limits) -> _Refusal:
    """The csv module gave up on the record starting at physical `start_line`: say which cell and why."""
    begin = _line_offset(text, start_line)
    line_end = text.find("\n", begin)
    line = text[begin : line_end if line_end >= 0 else len(text)]
    # the cell where it went wrong: the first that opens a quote and does not close it on its line, else
    # the longest on the line
    col, pos, opened = 0, 0, None
    while pos <= len(line):
        end = line.find(delim, pos)
        end = len(line) if end < 0 else end
        field_text = line[pos:end]
        if field_text.lstrip().startswith('"') and field_text.count('"') % 2 == 1:
            opened = col
            break
        col, pos = col + 1, end + 1
    if opened is not None and _quote_open_from(text, start_line):
        lines = text.count("\n", begin) + 1
        return _Refusal(problem("error", "unclosed_quote", row, letter=_letter(opened), lines=f"{lines:,}"))
    fields = line.split(delim)
    longest = max(range(len(fields)), key=lambda i: len(fields[i])) if fields else 0
    size = len(fields[longest]) if fields else 0
    if "field larger than field limit" in reason:
        size = max(size, csv.field_size_limit() + 1)
    return _over("cell", row, letter=_letter(longest), count=f"{size:,}", limit=f"{limits.cell_chars:,}")
