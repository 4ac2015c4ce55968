"""Reading departments' spreadsheets as they are (xlsx or csv, UTF-8 or GBK, names or codes) into checked observations.

Nothing is guessed silently: every cell that cannot be read, every name that cannot be resolved and every
number that cannot be true becomes a `Problem` with the row number the user sees in the spreadsheet.
Errors mean the submission must not be imported; warnings are shown but do not block an import.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache, cached_property
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from analytics.attainment import OBS_COLUMNS
from analytics.catalog import Catalog, Indicator, load_catalog
from analytics.regions import (
    AmbiguousRegion,
    RegionError,
    RegionTable,
    UnknownRegion,
    load_regions,
    normalize_name,
    short_forms,
)

HEADER_SCAN_ROWS = 15  # title rows, notes and blank rows above the header
JUMP_POINTS = 20.0  # a rate that moves more than this many points from the year before is worth a second look
MIN_YEAR = 2000
MAX_LISTED = 10  # counties named in a coverage warning
COLUMNS = [*OBS_COLUMNS, "source_row"]

_WORKBOOK_EXTS = {"xlsx", "xlsm", "xltx", "xltm", "xls"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TRAILING_GROUP = re.compile(r"[(\[【]([^()\[\]【】]*)[)\]】]\s*$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
# Cells that mean "no figure" in Chinese statistical tables; "无", "不详" and the like stay errors.
_EMPTY_TOKENS = {
    "",
    "-",
    "--",
    "—",
    "——",
    "–",
    "―",
    "/",
    "\\",
    "na",
    "n/a",
    "nan",
    "null",
    "none",
    "…",
    "...",
}
_TOTAL_KEYS = {
    "合计",
    "总计",
    "小计",
    "累计",
    "汇总",
    "全省",
    "全市",
    "全州",
    "全盟",
    "全区",
    "总数",
    "total",
    "sum",
}
_ROLE_ZH = {"numerator": "分子", "denominator": "分母", "value": "值"}


# --- results ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One thing wrong with a submission, located as the user sees it (row 1 is the first row of the sheet)."""

    severity: str  # "error" (nothing is imported) or "warning" (import allowed)
    row: int | None
    column: str | None
    code: str  # short machine id, e.g. "unknown_county"
    message_zh: str
    message_en: str

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    def __str__(self) -> str:
        return self.message_zh


@dataclass
class Submission:
    """A read submission: the observations that could be read, and every problem found on the way."""

    observations: pd.DataFrame  # OBS_COLUMNS + source_row; rows with errors are left out
    problems: list[Problem]
    source_name: str
    sha256: str
    encoding: str | None = None  # for text files: utf-8, utf-8-sig, gb18030, utf-16
    sheet: str | None = None  # for workbooks: the sheet read
    header_row: int | None = None  # 1-based row of the (first) header row
    layout: str | None = None  # "long" or "wide"

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def problem_frame(self, lang: str = "zh") -> pd.DataFrame:
        """severity, row, column, code, message: a table to show or save."""
        return pd.DataFrame(
            [(p.severity, p.row, p.column, p.code, p.message(lang)) for p in self.problems],
            columns=["severity", "row", "column", "code", "message"],
        )


# --- the contract the result is held to ---------------------------------------------------------
class ObservationContract(pa.DataFrameModel):
    """The canonical observation table (one row per county x year x indicator), as ingest hands it on."""

    region_code: Series[str] = pa.Field(str_matches=r"^\d{6}$")
    year: Series[int] = pa.Field(ge=MIN_YEAR)
    indicator_id: Series[str]
    numerator: Series[float] = pa.Field(ge=0, nullable=True)
    denominator: Series[float] = pa.Field(ge=0, nullable=True)
    value: Series[float] = pa.Field(nullable=True)

    class Config:
        strict = False  # provenance columns (source_row, source, dataset_version) may follow
        coerce = False

    @pa.check("year", name="year_not_in_future")
    def _year_not_in_future(cls, year: Series[int]) -> Series[bool]:
        return year <= date.today().year + 1

    @pa.check("indicator_id", name="known_indicator")
    def _known_indicator(cls, ids: Series[str]) -> Series[bool]:
        return ids.isin(load_catalog().ids)

    @pa.dataframe_check(name="numerator_within_denominator")
    def _numerator_within_denominator(cls, df: pd.DataFrame) -> Series[bool]:
        kinds = df["indicator_id"].map({i.id: i.kind for i in load_catalog().indicators})
        bounded = kinds.isin(["rate", "county_status"]) & df["numerator"].notna() & df["denominator"].notna()
        return ~bounded | (df["numerator"] <= df["denominator"])

    @pa.dataframe_check(name="county_status_is_0_or_1")
    def _status_is_binary(cls, df: pd.DataFrame) -> Series[bool]:
        kinds = df["indicator_id"].map({i.id: i.kind for i in load_catalog().indicators})
        return (kinds != "county_status") | df["value"].isna() | df["value"].isin([0.0, 1.0])

    @pa.dataframe_check(name="one_row_per_key")
    def _one_row_per_key(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df.duplicated(["region_code", "year", "indicator_id"], keep=False)


# --- text keys for headers, indicator names and numbers -----------------------------------------
def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _key(text: str) -> str:
    """Letters and digits only, lower case, after NFKC: '婚前医学检查率 （%）' -> '婚前医学检查率'."""
    return "".join(ch for ch in _nfkc(str(text)).lower() if unicodedata.category(ch)[0] in "LN")


def _keys(*words: str) -> set[str]:
    return {_key(w) for w in words}


_FIELDS: dict[str, set[str]] = {
    "region_code": _keys(
        "地区代码", "行政区划代码", "区划代码", "代码", "县代码", "区县代码", "县级代码", "地区编码",
        "行政区划编码", "区划编码", "编码", "region_code", "code", "adcode", "county_code",
    ),
    "region_name": _keys(
        "地区名称", "地区", "县（市、区）", "县区", "区县", "县", "县名", "县名称", "区县名称",
        "县（市、区）名称", "名称", "行政区划名称", "行政区名称", "county", "county_name", "region_name", "region",
        "name",
    ),
    "year": _keys("年份", "年度", "年", "统计年度", "统计年份", "填报年度", "year"),
    "indicator": _keys(
        "指标", "指标编号", "指标名称", "指标代码", "指标编码", "指标id", "指标简称",
        "indicator", "indicator_id", "indicator_name", "indicator_code",
    ),
    "numerator": _keys("分子", "分子数", "numerator"),
    "denominator": _keys("分母", "分母数", "denominator"),
    "value": _keys("值", "数值", "指标值", "value"),
}  # fmt: skip
_FIELD_BY_KEY = {k: f for f, keys in _FIELDS.items() for k in keys}
# Columns people add that carry no data for us; ignored without a warning.
_IGNORED = _keys(
    "序号", "序", "no", "备注", "说明", "所属市州", "所属市", "市州", "地市", "所属地市", "市州名称", "市",
    "填报单位", "单位", "计量单位", "类型", "指标类型", "分子含义", "分母含义", "remark", "remarks", "note",
    "notes", "prefecture", "city", "unit", "kind", "source", "来源", "数据来源", "填报人", "联系人", "联系电话",
)  # fmt: skip
# What a "(…)" group or a sub-header cell says a column holds.
_ROLE_BY_KEY = {
    **dict.fromkeys(
        _keys("分子", "numerator", "当年起数", "起数", "发生起数", "count", "count this year"), "numerator"
    ),
    **dict.fromkeys(_keys("分母", "denominator"), "denominator"),
    **dict.fromkeys(
        _keys(
            "值", "数值", "value", "指标值", "是否达标 1/0", "是否达标", "达标情况", "status", "status 1/0"
        ),
        "value",
    ),
}
_ROLE_SUFFIXES = (
    ("numerator", "numerator"),
    ("denominator", "denominator"),
    ("分子", "numerator"),
    ("分母", "denominator"),
)


def _peel(text: str) -> tuple[str, list[str]]:
    """'婚检率（%）（分子）' -> ('婚检率', ['%', '分子']): trailing bracket groups, in order."""
    rest, groups = _nfkc(text).strip(), []
    while m := _TRAILING_GROUP.search(rest):
        groups.insert(0, m.group(1))
        rest = rest[: m.start()].rstrip()
    return rest, groups


@cache
def _indicator_index(catalog: Catalog) -> dict[str, str]:
    """Normalised id / names / short names (with and without a trailing bracket group) -> indicator id."""
    forms: dict[str, set[str]] = {}
    for ind in catalog.indicators:
        for text in (ind.id, ind.name_zh, ind.short_zh, ind.name_en, ind.short_en):
            for variant in (text, _peel(text)[0]):
                if k := _key(variant):
                    forms.setdefault(k, set()).add(ind.id)
    return {k: next(iter(ids)) for k, ids in forms.items() if len(ids) == 1 and k not in _FIELD_BY_KEY}


def _indicator_candidates(text: str) -> tuple[list[str], str | None, bool]:
    """Keys to try for a header or cell naming an indicator, longest first; the role it names; '%' given."""
    base, groups = _peel(text)
    role, kept = None, []
    for g in groups:
        r = _ROLE_BY_KEY.get(_key(g))
        if r is not None:
            role = r
        else:
            kept.append(g)
    base_key = _key(base)
    if role is None:
        for suffix, r in _ROLE_SUFFIXES:
            if base_key.endswith(suffix) and len(base_key) > len(suffix):
                role, base_key = r, base_key[: -len(suffix)]
                break
    candidates = [base_key + _key("".join(kept[:i])) for i in range(len(kept), -1, -1)]
    percent = any("%" in g for g in kept)
    return [c for c in dict.fromkeys(candidates) if c], role, percent


def resolve_indicator(text: str, catalog: Catalog | None = None) -> str | None:
    """An indicator id for an id, Chinese name or short name as written (units, widths, spaces tolerated)."""
    index = _indicator_index(catalog or load_catalog())
    keys, _, _ = _indicator_candidates(str(text))
    return next((index[k] for k in keys if k in index), None)


def _text(value: Any) -> str:
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


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def parse_number(value: Any, *, percent_ok: bool = False) -> tuple[float | None, bool]:
    """(number or None for an empty cell, ok). '1,234', full-width digits and '—' (empty) are understood."""
    if value is None:
        return None, True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, int | float | np.integer | np.floating):
        v = float(value)
        if v != v:
            return None, True
        return (v, True) if np.isfinite(v) else (None, False)
    if isinstance(value, datetime | date | time | timedelta):
        return None, False
    s = _nfkc(str(value)).strip()
    if s.lower() in _EMPTY_TOKENS:
        return None, True
    if percent_ok and s.endswith("%"):
        s = s[:-1].strip()
    s = s.replace(" ", "")
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    if not _NUMBER.match(s):
        return None, False
    return float(s), True


# --- reading bytes into sheets of cells ---------------------------------------------------------
@dataclass
class _Sheet:
    name: str | None
    rows: list[list[Any]]
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col), 0-based -> formula
    head: list[list[Any]] | None = (
        None  # the first rows with every merged cell filled, for finding the header
    )

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


@dataclass
class _Column:
    index: int
    header: str
    field: str | None = None  # region_code, region_name, year, indicator, numerator, denominator, value
    indicator_id: str | None = None  # wide layout: the indicator this column holds
    role: str | None = None  # wide layout: numerator, denominator or value
    percent: bool = False
    ignored: bool = False

    @property
    def letter(self) -> str:
        from openpyxl.utils import get_column_letter

        return get_column_letter(self.index + 1)

    @property
    def known(self) -> bool:
        return self.field is not None or self.indicator_id is not None

    def where(self) -> str:
        return f"{self.letter}列（{self.header}）" if self.header else f"{self.letter}列"

    def where_en(self) -> str:
        return f"column {self.letter} ({self.header})" if self.header else f"column {self.letter}"


@dataclass
class _Header:
    row: int  # 0-based index of the first header row
    data_start: int
    columns: list[_Column]

    def fields(self, name: str) -> list[_Column]:
        return [c for c in self.columns if c.field == name]

    @property
    def county(self) -> bool:
        return bool(self.fields("region_code") or self.fields("region_name"))

    @property
    def indicator_columns(self) -> list[_Column]:
        return [c for c in self.columns if c.indicator_id is not None]

    @property
    def layout(self) -> str | None:
        if self.fields("indicator"):
            return "long"
        return "wide" if self.indicator_columns else None

    @property
    def valid(self) -> bool:
        return self.county and self.layout is not None

    @property
    def score(self) -> int:
        return sum(c.known for c in self.columns)


class _Reader:
    def __init__(self, data: bytes, filename: str, region: str, year: int | None, catalog: Catalog, regions):
        self.data, self.filename = data, filename
        self.region, self.year = str(region).strip(), year
        self.catalog, self.regions = catalog, regions
        self.ind_index = _indicator_index(catalog)
        self.problems: list[Problem] = []
        self.encoding: str | None = None
        self.sheet: str | None = None
        self.header_row: int | None = None
        self.layout: str | None = None
        self.region_name = self.region
        self.seen_counties: set[str] = set()
        self._county_cache: dict[str, tuple] = {}

    # --- problems -----------------------------------------------------------------------------
    def error(self, code: str, row: int | None, column: str | None, zh: str, en: str) -> None:
        self.problems.append(Problem("error", row, column, code, zh, en))

    def warning(self, code: str, row: int | None, column: str | None, zh: str, en: str) -> None:
        self.problems.append(Problem("warning", row, column, code, zh, en))

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    # --- the run --------------------------------------------------------------------------------
    def run(self, previous: pd.DataFrame | None) -> pd.DataFrame:
        region_ok = self._check_region()
        sheets = self._read_sheets()
        records: list[dict] = []
        if sheets is not None:
            picked = self._pick_sheet(sheets)
            if picked is not None:
                sheet, header = picked
                records = self._read_rows(sheet, header) if region_ok else []
        obs = self._drop_duplicates(records)
        if records and region_ok:
            self._check_previous(obs, previous)
            self._check_coverage()
        self._check_contract(obs)
        self.problems.sort(key=lambda p: 0 if p.row is None else p.row)
        return obs

    def _check_region(self) -> bool:
        latest = date.today().year + 1
        if self.year is not None and not (MIN_YEAR <= self.year <= latest):
            self.error(
                "impossible_year",
                None,
                None,
                f"指定的数据年份 {self.year} 不可能（应在 {MIN_YEAR}—{latest} 年之间）",
                f"The given year {self.year} is impossible (expected {MIN_YEAR}-{latest})",
            )
            return False
        if self.region not in self.regions:
            self.error(
                "unknown_region",
                None,
                None,
                f"填报地区代码“{self.region}”不是已知的省或市州行政区划代码",
                f"Submission region '{self.region}' is not a known province or prefecture code",
            )
            return False
        r = self.regions.get(self.region)
        if r.level not in ("province", "prefecture"):
            self.error(
                "region_not_province_or_prefecture",
                None,
                None,
                f"{r.name}（{r.code}）是县级单位；填报地区应是省或市州",
                f"{r.name} ({r.code}) is a county; the submission region must be a province or prefecture",
            )
            return False
        self.region_name = r.name
        return True

    # --- bytes -> sheets --------------------------------------------------------------------------
    def _read_sheets(self) -> list[_Sheet] | None:
        data, ext = self.data, self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else ""
        if not data.strip(b" \t\r\n"):
            self.error(
                "empty_file",
                None,
                None,
                f"文件“{self.filename}”是空的（{len(data)} 字节），没有任何内容",
                f"File '{self.filename}' is empty ({len(data)} bytes)",
            )
            return None
        if data[:2] == b"PK":
            return self._read_zip()
        if data[:8] == _OLE_MAGIC:
            self.error(
                "xls_not_supported",
                None,
                None,
                "这是旧版 Excel 97-2003（.xls）文件或加密的工作簿，无法读取；请在 Excel 中“另存为” Excel 工作簿（.xlsx）"
                "或 CSV（UTF-8），去掉密码后再上传",
                "This is an old Excel 97-2003 (.xls) or password-protected workbook; save it as .xlsx or CSV (UTF-8)",
            )
            return None
        head = data[:2048].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) or b"<table" in head:
            self.error(
                "html_not_supported",
                None,
                None,
                "文件内容是网页（HTML/XML）表格，不是真正的 Excel 或 CSV 文件（常见于系统导出的 .xls）；"
                "请用 Excel 打开后“另存为” .xlsx 或 CSV",
                "The file is an HTML/XML page, not a real Excel or CSV file; open it in Excel and save as .xlsx or CSV",
            )
            return None
        text = self._decode(ext)
        if text is None:
            return None
        if ext in _WORKBOOK_EXTS:
            self.warning(
                "extension_mismatch",
                None,
                None,
                f"文件名是 .{ext}，但内容是文本表格（CSV），已按 CSV（{self.encoding}）读取",
                f"The file is named .{ext} but holds a text table; read as CSV ({self.encoding})",
            )
        return [_Sheet(None, _csv_rows(text))]

    def _read_zip(self) -> list[_Sheet] | None:
        try:
            zf = zipfile.ZipFile(io.BytesIO(self.data))
            names = zf.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            self.error(
                "corrupt_workbook",
                None,
                None,
                "文件看起来是 Excel 工作簿（压缩包），但已损坏或不完整，无法打开；请重新保存或重新导出",
                "The file looks like an Excel workbook (zip) but is damaged or truncated",
            )
            return None
        if "xl/workbook.xml" not in names:
            if "mimetype" in names and b"opendocument.spreadsheet" in zf.read("mimetype"):
                zh = "这是 WPS/LibreOffice 的 .ods 表格；请“另存为” Excel 工作簿（.xlsx）或 CSV 后再上传"
                en = "This is an OpenDocument (.ods) spreadsheet; save it as .xlsx or CSV"
            else:
                listed = "、".join(names[:5]) + ("……" if len(names) > 5 else "")
                zh = f"文件是 zip 压缩包，但不是 Excel 工作簿（包内是：{listed or '空'}）；请上传 .xlsx 或 CSV 文件"
                en = f"The file is a zip archive but not an Excel workbook (it holds: {', '.join(names[:5])})"
            self.error("not_a_workbook", None, None, zh, en)
            return None
        return self._read_xlsx()

    def _read_xlsx(self) -> list[_Sheet] | None:
        import openpyxl
        from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops (slicers, styles)
                wb = openpyxl.load_workbook(io.BytesIO(self.data), data_only=False)
        except Exception as exc:  # openpyxl raises many kinds on broken parts
            self.error(
                "corrupt_workbook",
                None,
                None,
                f"Excel 工作簿无法打开（{type(exc).__name__}）；请在 Excel 中重新保存为 .xlsx 后再上传",
                f"The Excel workbook cannot be opened ({type(exc).__name__}); re-save it as .xlsx",
            )
            return None
        sheets = []
        visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"] or list(wb.worksheets)
        for ws in visible:
            rows: list[list[Any]] = []
            formulas: dict[tuple[int, int], str] = {}
            for r, row in enumerate(ws.iter_rows(min_row=1, max_row=min(ws.max_row, 200_000))):
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
            while rows and all(_text(v) == "" for v in rows[-1]):
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
            sheets.append(_Sheet(ws.title, rows, formulas, head))
        return sheets

    def _decode(self, ext: str) -> str | None:
        data, workbook_name = self.data, ext in _WORKBOOK_EXTS

        def fail(code: str, zh: str, en: str) -> None:
            if workbook_name:
                code = "not_a_workbook"
                zh = f"文件名是 .{ext}，但内容不是 Excel 工作簿，也不是可读的文本表格（{zh}）"
                en = f"The file is named .{ext} but is neither an Excel workbook nor a readable text table ({en})"
            self.error(code, None, None, zh, en)

        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                text, self.encoding = data.decode("utf-16"), "utf-16"
            except UnicodeDecodeError:
                fail("unknown_encoding", "UTF-16 文本已损坏", "damaged UTF-16 text")
                return None
        else:
            if b"\x00" in data:
                at = data.index(b"\x00")
                fail(
                    "nul_bytes",
                    f"文件中有空字节（NUL，第一个在第 {at + 1} 字节），不是 UTF-8 或 GBK 文本表格；"
                    "可能是没有字节序标记的 UTF-16 文本或二进制文件，请另存为 CSV（UTF-8）或 .xlsx",
                    f"The file contains NUL bytes (first at byte {at + 1}); save it as CSV (UTF-8) or .xlsx",
                )
                return None
            try:
                text = data.decode("utf-8-sig")
                self.encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
            except UnicodeDecodeError:
                try:
                    text, self.encoding = data.decode("gb18030"), "gb18030"
                except UnicodeDecodeError as exc:
                    fail(
                        "unknown_encoding",
                        f"文件编码无法识别：既不是 UTF-8 也不是 GBK/GB18030（第 {exc.start + 1} 字节处无法解码）；"
                        "请另存为 CSV（UTF-8）或 .xlsx",
                        f"Unknown text encoding: neither UTF-8 nor GBK/GB18030 (byte {exc.start + 1})",
                    )
                    return None
        odd = sum(
            1
            for ch in text
            if ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") and ch not in "\t\r\n")
        )
        if odd > max(2, len(text) // 100):
            fail(
                "unknown_encoding",
                f"按 {self.encoding} 解码后出现 {odd} 个控制字符或无效字符，文件编码无法识别或不是文本表格；"
                "请另存为 CSV（UTF-8）或 .xlsx",
                f"Decoded as {self.encoding}, the text holds {odd} control or invalid characters",
            )
            return None
        return text

    # --- sheets -> header ----------------------------------------------------------------------------
    def _classify(self, index: int, text: str) -> _Column:
        col = _Column(index, text)
        if not text:
            return col
        full = _key(text)
        if full in _FIELD_BY_KEY:
            col.field = _FIELD_BY_KEY[full]
            return col
        candidates, role, percent = _indicator_candidates(text)
        if not candidates and role is not None:  # "（分子）" alone
            col.field = role
            return col
        for cand in candidates:
            if role is None and cand in _FIELD_BY_KEY:
                col.field = _FIELD_BY_KEY[cand]
                return col
            if cand in self.ind_index:
                col.indicator_id, col.role, col.percent = self.ind_index[cand], role, percent
                return col
        col.ignored = full in _IGNORED or any(c in _IGNORED for c in candidates)
        return col

    def _header_at(self, sheet: _Sheet, r: int) -> _Header:
        width = sheet.width
        top = [_text(sheet.head_cell(r, c)) for c in range(width)]
        single = _Header(r, r + 1, [self._classify(c, t) for c, t in enumerate(top)])
        if r + 1 >= len(sheet.rows):
            return single
        # Two-row headers: an indicator (often a merged cell) over 分子 | 分母 cells.
        sub = [_text(sheet.head_cell(r + 1, c)) for c in range(width)]
        if not any(
            s and _key(s) in _ROLE_BY_KEY and top[c] and _key(top[c]) != _key(s) for c, s in enumerate(sub)
        ):
            return single
        combined = []
        for t, s in zip(top, sub, strict=True):
            if s and t and _key(s) in _ROLE_BY_KEY and _key(s) != _key(t):
                combined.append(f"{t}（{s}）")
            else:
                combined.append(t or s)
        double = _Header(r, r + 2, [self._classify(c, t) for c, t in enumerate(combined)])
        return double if double.score >= single.score else single

    def _find_header(self, sheet: _Sheet) -> _Header | None:
        best: _Header | None = None
        for r in range(min(HEADER_SCAN_ROWS, len(sheet.rows))):
            h = self._header_at(sheet, r)
            if best is None or (h.valid, h.score) > (best.valid, best.score):
                best = h
        return best

    def _pick_sheet(self, sheets: list[_Sheet]) -> tuple[_Sheet, _Header] | None:
        found = [(s, self._find_header(s)) for s in sheets]
        found = [(s, h) for s, h in found if h is not None]
        if not found:
            self.error(
                "empty_file",
                None,
                None,
                "文件中没有任何内容（所有工作表都是空的）",
                "Every sheet of the file is empty",
            )
            return None
        preferred = {"数据", "data"}

        def rank(item: tuple[_Sheet, _Header]) -> tuple:
            s, h = item
            return (h.valid, h.score, (s.name or "").strip().lower() in preferred)

        sheet, header = max(found, key=rank)  # max keeps the first of equals: the leftmost sheet
        self.sheet, self.header_row = sheet.name, header.row + 1
        if not header.valid:
            self._missing_columns(sheet, header)
            return None
        self.layout = header.layout
        others = [s.name for s, h in found if s is not sheet and h.valid and len(s.rows) > h.data_start]
        if others:
            self.warning(
                "other_sheets_ignored",
                None,
                None,
                f"工作簿中只读取了工作表“{sheet.name}”；工作表“{'”“'.join(others)}”看起来也有数据，未读取",
                f"Only sheet '{sheet.name}' was read; sheets {', '.join(others)} look like data too and were not read",
            )
        return sheet, header

    def _missing_columns(self, sheet: _Sheet, header: _Header) -> None:
        where = f"（工作表“{sheet.name}”）" if sheet.name else ""
        if header.score == 0:
            self.error(
                "missing_columns",
                None,
                None,
                f"前{HEADER_SCAN_ROWS}行中找不到表头{where}：需要“地区代码”或“地区名称”列，以及“指标”列"
                "（长表）或以指标名称为列名的列（宽表）",
                f"No header found in the first {HEADER_SCAN_ROWS} rows: a region code or name column and an "
                "indicator column (long) or indicator-named columns (wide) are needed",
            )
            return
        missing_zh, missing_en = [], []
        if not header.county:
            missing_zh.append("地区代码或地区名称")
            missing_en.append("region code or name")
        if header.layout is None:
            missing_zh.append("指标（长表的“指标编号/指标名称”列，或宽表中以指标名称为列名的列）")
            missing_en.append("indicator (a long-table indicator column, or indicator-named columns)")
        self.error(
            "missing_columns",
            header.row + 1,
            None,
            f"第{header.row + 1}行的表头缺少必需的列：{'；'.join(missing_zh)}{where}",
            f"Header in row {header.row + 1} lacks required columns: {'; '.join(missing_en)}",
        )

    # --- header -> columns to read ---------------------------------------------------------------
    def _plan(self, header: _Header) -> dict | None:
        """Which column holds what; errors for duplicate, unknown or missing columns."""
        hr = header.row + 1
        plan: dict[str, Any] = {}
        for name in ("region_code", "region_name", "year", "numerator", "denominator", "value"):
            cols = header.fields(name)
            if len(cols) > 1:
                self.error(
                    "duplicate_column",
                    hr,
                    cols[1].header,
                    f"第{hr}行：{'、'.join(c.where() for c in cols)} 都是“{_ROLE_ZH.get(name, cols[0].header)}”列，"
                    "只能有一列",
                    f"Row {hr}: {', '.join(c.where_en() for c in cols)} all hold '{name}'; keep one",
                )
            plan[name] = cols[0] if cols else None
        plan["indicator"] = header.fields("indicator")[:2]
        groups: dict[str, dict[str, _Column]] = {}
        if self.layout == "long":
            if not any(plan[n] for n in ("numerator", "denominator", "value")):
                self.error(
                    "missing_columns",
                    hr,
                    None,
                    f"第{hr}行的表头缺少必需的列：分子、分母或值（至少要有一列数字）",
                    f"Header in row {hr} lacks the number columns: numerator, denominator or value",
                )
                return None
            for c in header.indicator_columns:
                self.warning(
                    "ignored_column",
                    hr,
                    c.header,
                    f"第{hr}行 {c.where()}：长表中以指标为列名的列已忽略（指标写在“指标”列中）",
                    f"Row {hr} {c.where_en()}: an indicator-named column in a long table is ignored",
                )
        else:
            for c in header.indicator_columns:
                ind = self.catalog[c.indicator_id]
                role = c.role or _default_role(ind, c.percent)
                if ind.kind == "county_status" and role == "numerator":
                    role = "value"
                if role in groups.setdefault(ind.id, {}):
                    first = groups[ind.id][role]
                    self.error(
                        "duplicate_column",
                        hr,
                        c.header,
                        f"第{hr}行：{first.where()} 和 {c.where()} 都是“{ind.name_zh}”的{_ROLE_ZH[role]}，只能有一列",
                        f"Row {hr}: {first.where_en()} and {c.where_en()} both hold the {role} of {ind.id}",
                    )
                    continue
                groups[ind.id][role] = c
        plan["groups"] = groups
        plan["unknown"] = [c for c in header.columns if c.header and not c.known and not c.ignored]
        plan["unnamed"] = [c for c in header.columns if not c.header]
        if plan["year"] is None and self.year is None:
            self.year = self._year_from_title()
            if self.year is None:
                self.error(
                    "missing_year",
                    None,
                    None,
                    "表中没有“年份”列，也没有指定数据年份：请加上“年份”列，或在导入时填写年份",
                    "No year column and no year given: add a year column or give the year when importing",
                )
        elif plan["year"] is None:
            self._year_from_title()  # only to warn when the title names another year
        return plan

    def _year_from_title(self) -> int | None:
        sheet, header = self._current
        years = {
            int(y)
            for r in range(header.row)
            for v in (sheet.head or sheet.rows)[r]
            for y in _YEAR_IN_TEXT.findall(_nfkc(_text(v)))
        }
        if len(years) != 1:
            return None
        found = years.pop()
        if self.year is not None:
            if found != self.year:
                self.warning(
                    "title_year_mismatch",
                    None,
                    None,
                    f"表头标题写的是{found}年，但导入指定的年份是{self.year}年；已按{self.year}年读取，请核实",
                    f"The title says {found} but the given year is {self.year}; read as {self.year}",
                )
            return self.year
        self.warning(
            "year_from_title",
            None,
            None,
            f"表中没有“年份”列，也没有指定年份；已按标题中的“{found}年”读取",
            f"No year column or given year; used {found} from the title",
        )
        return found

    # --- rows -------------------------------------------------------------------------------------
    def _read_rows(self, sheet: _Sheet, header: _Header) -> list[dict]:
        self._current = (sheet, header)
        plan = self._plan(header)
        if plan is None:
            return []
        long = self.layout == "long"
        number_cols: list[_Column] = (
            [plan[n] for n in ("numerator", "denominator", "value") if plan[n]]
            if long
            else [c for g in plan["groups"].values() for c in g.values()]
        )
        key_cols = [
            c for c in (plan["region_code"], plan["region_name"], plan["year"], *plan["indicator"]) if c
        ]
        records: list[dict] = []
        any_rows = any_numbers = False
        unknown_with_numbers: dict[int, int] = {}
        for r in range(header.data_start, len(sheet.rows)):
            row_no = r + 1
            cells = sheet.rows[r]
            if all(_text(v) == "" for v in cells):
                continue
            any_rows = True
            if any(_text(sheet.cell(r, c.index)).startswith("示例") for c in key_cols[:2]):
                continue  # the template's example rows
            for c in plan["unknown"] + plan["unnamed"]:
                if c.index not in unknown_with_numbers and _text(sheet.cell(r, c.index)):
                    unknown_with_numbers[c.index] = row_no
            formula_cells = {c.index for c in number_cols + key_cols if (r, c.index) in sheet.formulas}
            for c in number_cols + key_cols:
                if c.index in formula_cells:
                    f = sheet.formulas[(r, c.index)]
                    self.error(
                        "formula",
                        row_no,
                        c.header,
                        f"第{row_no}行 {c.where()}是公式（{f}），请粘贴为数值",
                        f"Row {row_no} {c.where_en()} is a formula ({f}); paste values instead",
                    )
            filled = [
                c for c in number_cols if c.index not in formula_cells and _text(sheet.cell(r, c.index))
            ]
            if not filled and not formula_cells:
                continue  # a county or indicator row left empty: nothing to read
            any_numbers = True
            county = self._row_county(sheet, r, plan)
            if county == "skip":
                continue
            year = self._row_year(sheet, r, plan["year"])
            if long:
                ind = self._row_indicator(sheet, r, plan["indicator"])
                if ind is None:
                    continue
                used = [plan[n] for n in ("numerator", "denominator", "value") if plan[n]]
                if any(c.index in formula_cells for c in used):
                    continue  # reported above; the other cells of the pair cannot be judged alone
                cells_by_role = {c.field: (c, sheet.cell(r, c.index)) for c in used}
                rec = self._numbers(ind, row_no, cells_by_role)
                if rec is not None and county and year:
                    records.append(self._record(county, year, ind, rec, row_no))
            else:
                for ind_id, group in plan["groups"].items():
                    ind = self.catalog[ind_id]
                    if any(c.index in formula_cells for c in group.values()):
                        continue
                    cells_by_role = {role: (c, sheet.cell(r, c.index)) for role, c in group.items()}
                    rec = self._numbers(ind, row_no, cells_by_role)
                    if rec is not None and county and year:
                        records.append(self._record(county, year, ind, rec, row_no))
        self._report_unknown_columns(header, plan, unknown_with_numbers)
        if not any_rows:
            self.error(
                "header_only",
                header.row + 1,
                None,
                f"表中只有表头（第{header.row + 1}行），下面没有任何数据行",
                f"The sheet has only a header (row {header.row + 1}) and no data rows",
            )
        elif not any_numbers and not self.has_errors:
            self.error(
                "no_data",
                None,
                None,
                "表中没有任何数据：所有分子、分母、值的格子都是空的",
                "No data: every numerator, denominator and value cell is empty",
            )
        return records

    def _report_unknown_columns(self, header: _Header, plan: dict, used: dict[int, int]) -> None:
        hr = header.row + 1
        for c in plan["unknown"]:
            if self.layout == "wide" and c.index in used:
                self.error(
                    "unknown_indicator",
                    hr,
                    c.header,
                    f"第{hr}行 {c.letter}列：列名“{c.header}”不是已知的指标（可写指标编号、中文名称或简称）；"
                    "该列的数据无法读取",
                    f"Row {hr} column {c.letter}: '{c.header}' is not a known indicator; its data cannot be read",
                )
            else:
                self.warning(
                    "ignored_column",
                    hr,
                    c.header,
                    f"第{hr}行 {c.where()}：不认识的列，已忽略",
                    f"Row {hr} {c.where_en()}: unknown column, ignored",
                )
        for c in plan["unnamed"]:
            if c.index in used:
                self.warning(
                    "ignored_column",
                    hr,
                    None,
                    f"{c.letter}列没有列名（第{hr}行为空），其中的内容已忽略（例如第{used[c.index]}行）",
                    f"Column {c.letter} has no header; its content is ignored (e.g. row {used[c.index]})",
                )

    def _record(self, county: str, year: int, ind: Indicator, rec: tuple, row_no: int) -> dict:
        num, den, val = rec
        return {
            "region_code": county,
            "year": year,
            "indicator_id": ind.id,
            "numerator": num,
            "denominator": den,
            "value": val,
            "source_row": row_no,
        }

    # --- counties ---------------------------------------------------------------------------------
    def _row_county(self, sheet: _Sheet, r: int, plan: dict) -> str | None:
        """The county code, None after an error, or 'skip' for a total row."""
        row_no = r + 1
        given = [(c, _text(sheet.cell(r, c.index))) for c in (plan["region_code"], plan["region_name"]) if c]
        given = [(c, t) for c, t in given if t and (r, c.index) not in sheet.formulas]
        if not given:
            if not any(
                (r, c.index) in sheet.formulas for c in (plan["region_code"], plan["region_name"]) if c
            ):
                self.error(
                    "missing_county",
                    row_no,
                    None,
                    f"第{row_no}行：有数字但没有填地区（地区代码或地区名称为空）",
                    f"Row {row_no}: numbers without a region (code and name are empty)",
                )
            return None
        found: list[tuple[_Column, str, str]] = []
        failed = False
        for col, text in given:
            outcome = self._resolve_county(text)
            if outcome[0] == "skip":
                self.warning(
                    "total_row_skipped",
                    row_no,
                    col.header,
                    f"第{row_no}行：“{text}”是{outcome[1]}汇总行，已跳过（市州和全省的数由县级数据汇总得出）",
                    f"Row {row_no}: '{text}' is a total row and was skipped (totals are computed from counties)",
                )
                return "skip"
            if outcome[0] == "error":
                _, code, zh, en = outcome
                self.error(code, row_no, col.header, f"第{row_no}行：{zh}", f"Row {row_no}: {en}")
                failed = True
            else:
                found.append((col, text, outcome[1]))
        if failed:
            return None
        codes = {code for _, _, code in found}
        if len(codes) > 1:
            (c1, t1, k1), (c2, t2, k2) = found[0], found[1]
            self.error(
                "code_name_mismatch",
                row_no,
                c2.header,
                f"第{row_no}行：{c1.header}“{t1}”是{self._label(k1)}（{k1}），但{c2.header}“{t2}”是"
                f"{self._label(k2)}（{k2}），两者不一致",
                f"Row {row_no}: {c1.header} '{t1}' is {self._label(k1)} ({k1}) but {c2.header} '{t2}' is "
                f"{self._label(k2)} ({k2})",
            )
            return None
        code = codes.pop()
        self.seen_counties.add(code)
        return code

    def _label(self, code: str) -> str:
        try:
            return self.regions.name(code)
        except RegionError:
            return code

    def _resolve_county(self, text: str) -> tuple:
        if text not in self._county_cache:
            self._county_cache[text] = self._resolve_county_uncached(text)
        return self._county_cache[text]

    def _resolve_county_uncached(self, text: str) -> tuple:
        regions, region, within = self.regions, self.region, self.region_name
        key = normalize_name(text)
        if key.lower() in _TOTAL_KEYS or any(key.endswith(t) for t in ("合计", "总计", "小计")):
            return ("skip", "")
        province = regions.get(region).province_code
        if province != region:
            # A name unique in the province is either inside the prefecture or outside it; resolving it there
            # first spares the prefecture-level miss (and its search for similar names) for outside counties.
            try:
                code = regions.resolve(text, province, level="county")
            except RegionError:
                pass
            else:
                inside = regions.get(code).parent_code == region
                return ("ok", code) if inside else self._outside(text, code)
        try:
            return ("ok", regions.resolve(text, region, level="county"))
        except AmbiguousRegion as exc:
            listed = "、".join(f"{n}（{c}）" for c, n in exc.candidates)
            return (
                "error",
                "ambiguous_county",
                f"县名“{text}”在{within}内有歧义，可能是：{listed}；请写全称、加上所属市州或使用行政区划代码",
                f"county name '{text}' is ambiguous in {within}: {', '.join(c for c, _ in exc.candidates)}",
            )
        except UnknownRegion as exc:
            candidates = exc.candidates
        code = key[:6] if key.isdigit() and len(key) >= 6 and key[6:].strip("0") == "" else None
        if key.isdigit():
            if code is not None and code in regions:
                r = regions.get(code)
                if r.level == "county":
                    return self._outside(text, code)
                if code == region or r.level in ("prefecture", "province"):
                    return ("skip", r.name)
            return (
                "error",
                "unknown_county",
                f"地区代码“{text}”不是{within}（{region}）的县级行政区划代码",
                f"region code '{text}' is not a county code of {within} ({region})",
            )
        prov_name = regions.name(province)
        if key in {normalize_name(f) for f in (prov_name, *short_forms(prov_name, "province"))}:
            return ("skip", prov_name)
        try:
            other = regions.resolve(text, region, level=None)
            if regions.get(other).level != "county":
                return ("skip", regions.name(other))
        except RegionError:
            pass
        try:
            other = regions.resolve(text, province, level="county")
            return self._outside(text, other)
        except RegionError:
            pass
        listed = "、".join(f"{n}（{c}）" for c, n in candidates)
        hint_zh = f"；相近的名称：{listed}" if listed else "；请核对名称，或改用6位行政区划代码"
        hint_en = f"; similar: {', '.join(f'{n} ({c})' for c, n in candidates)}" if candidates else ""
        return (
            "error",
            "unknown_county",
            f"找不到县“{text}”（在{within}内）{hint_zh}",
            f"county '{text}' not found in {within}{hint_en}",
        )

    def _outside(self, text: str, code: str) -> tuple:
        path = self.regions.path(code)
        where = "".join(r.name for r in path[:-1])
        return (
            "error",
            "county_outside_region",
            f"“{text}”是{where}{path[-1].name}（{code}），不在本次填报的地区{self.region_name}（{self.region}）内",
            f"'{text}' is {path[-1].name} ({code}) in {where}, outside {self.region_name} ({self.region})",
        )

    # --- years and indicators -------------------------------------------------------------------------
    def _row_year(self, sheet: _Sheet, r: int, col: _Column | None) -> int | None:
        row_no = r + 1
        if col is None or (r, col.index) in sheet.formulas:
            return self.year
        raw = sheet.cell(r, col.index)
        text = _nfkc(_text(raw)).strip()
        if not text:
            if self.year is None:
                self.error(
                    "missing_year",
                    row_no,
                    col.header,
                    f"第{row_no}行 {col.where()}：年份为空，也没有指定数据年份",
                    f"Row {row_no} {col.where_en()}: the year is empty and no year was given",
                )
            return self.year
        m = re.fullmatch(r"(\d{4})(\.0+)?\s*(年|年度)?", text)
        if m is None or isinstance(raw, datetime | date):
            self.error(
                "bad_year",
                row_no,
                col.header,
                f"第{row_no}行 {col.where()}：“{text}”不是年份（应为4位数字，如 2024）",
                f"Row {row_no} {col.where_en()}: '{text}' is not a year (4 digits, e.g. 2024)",
            )
            return None
        year = int(m.group(1))
        latest = date.today().year + 1
        if year < MIN_YEAR or year > latest:
            self.error(
                "impossible_year",
                row_no,
                col.header,
                f"第{row_no}行 {col.where()}：年份 {year} 不可能（应在 {MIN_YEAR}—{latest} 年之间）",
                f"Row {row_no} {col.where_en()}: year {year} is impossible (expected {MIN_YEAR}-{latest})",
            )
            return None
        if self.year is not None and year != self.year:
            self.error(
                "year_mismatch",
                row_no,
                col.header,
                f"第{row_no}行 {col.where()}：年份是 {year}，但本次导入指定的是 {self.year} 年",
                f"Row {row_no} {col.where_en()}: year {year} differs from the given year {self.year}",
            )
            return None
        return year

    def _row_indicator(self, sheet: _Sheet, r: int, cols: list[_Column]) -> Indicator | None:
        row_no = r + 1
        found: list[tuple[_Column, str, str]] = []
        for col in cols:
            if (r, col.index) in sheet.formulas:
                return None
            text = _text(sheet.cell(r, col.index))
            if not text:
                continue
            ind_id = resolve_indicator(text, self.catalog)
            if ind_id is None:
                self.error(
                    "unknown_indicator",
                    row_no,
                    col.header,
                    f"第{row_no}行 {col.where()}：未知指标“{text}”（可写指标编号、中文名称或简称，见模板“指标”页）",
                    f"Row {row_no} {col.where_en()}: unknown indicator '{text}'",
                )
                return None
            found.append((col, text, ind_id))
        if not found:
            self.error(
                "missing_indicator",
                row_no,
                None,
                f"第{row_no}行：有数字但没有填指标",
                f"Row {row_no}: numbers without an indicator",
            )
            return None
        ids = {i for _, _, i in found}
        if len(ids) > 1:
            (c1, t1, i1), (c2, t2, i2) = found[0], found[1]
            self.error(
                "indicator_mismatch",
                row_no,
                c2.header,
                f"第{row_no}行：{c1.header}“{t1}”（{self.catalog[i1].name_zh}）与{c2.header}“{t2}”"
                f"（{self.catalog[i2].name_zh}）不是同一个指标",
                f"Row {row_no}: {c1.header} '{t1}' ({i1}) and {c2.header} '{t2}' ({i2}) differ",
            )
            return None
        return self.catalog[ids.pop()]

    # --- numbers ------------------------------------------------------------------------------------
    def _numbers(self, ind: Indicator, row_no: int, cells: dict[str, tuple[_Column, Any]]) -> tuple | None:
        """(numerator, denominator, value) in canonical form, or None when empty or wrong (problems added)."""
        parsed: dict[str, float | None] = {}
        cols = {role: col for role, (col, _) in cells.items()}
        bad = False
        for role, (col, raw) in cells.items():
            v, ok = parse_number(raw, percent_ok=role == "value")
            if not ok:
                bad = True
                self.error(
                    "text_in_number",
                    row_no,
                    col.header,
                    f"第{row_no}行 {col.where()}：“{_text(raw)}”不是数字（没有数据请留空或填“—”）",
                    f"Row {row_no} {col.where_en()}: '{_text(raw)}' is not a number (leave empty when no data)",
                )
            parsed[role] = v
        if bad:
            return None
        num, den, val = parsed.get("numerator"), parsed.get("denominator"), parsed.get("value")
        if num is None and den is None and val is None:
            return None
        name = ind.name_zh

        def err(code: str, role: str | None, zh: str, en: str) -> None:
            col = cols.get(role) if role else None
            at = f" {col.where()}" if col else ""
            at_en = f" {col.where_en()}" if col else ""
            self.error(
                code,
                row_no,
                col.header if col else None,
                f"第{row_no}行{at}：{zh}",
                f"Row {row_no}{at_en}: {en}",
            )

        def warn(code: str, zh: str, en: str) -> None:
            self.warning(code, row_no, None, f"第{row_no}行：{zh}", f"Row {row_no}: {en}")

        before = len(self.problems)
        for role, v in (("numerator", num), ("denominator", den)):
            if v is not None and v < 0 and ind.kind != "county_status":
                err(
                    "negative_count",
                    role,
                    f"{name}的{_ROLE_ZH[role]}是负数（{_fmt(v)}），人数、次数不能为负",
                    f"the {role} of {ind.id} is negative ({_fmt(v)})",
                )
        if ind.kind == "county_status":
            status = val if val is not None else num
            if val is not None and num is not None and val != num:
                err(
                    "status_mismatch",
                    "value",
                    f"{name}的值（{_fmt(val)}）与分子（{_fmt(num)}）不一致",
                    f"value ({_fmt(val)}) and numerator ({_fmt(num)}) of {ind.id} differ",
                )
            elif status is None or status not in (0.0, 1.0):
                role = "value" if val is not None else ("numerator" if num is not None else "denominator")
                shown = _fmt(status) if status is not None else "空"
                err(
                    "status_not_binary",
                    role,
                    f"{name}是县达标状态，只能填 1（达标）或 0（未达标），不能是“{shown}”",
                    f"{ind.id} is a county status: 1 (met) or 0 (not met), not '{shown}'",
                )
            elif den is not None and den != 1:
                err(
                    "status_denominator",
                    "denominator",
                    f"{name}是县达标状态，分母应留空或为 1，不能是“{_fmt(den)}”",
                    f"{ind.id} is a county status: leave the denominator empty or 1, not '{_fmt(den)}'",
                )
            if len(self.problems) > before:
                return None
            return (np.nan, np.nan, status)

        if ind.kind == "reduction_vs_baseline":
            if len(self.problems) > before:
                return None
            if den is not None:
                warn(
                    "denominator_ignored",
                    f"{name}只填当年起数（分子），分母（{_fmt(den)}）已忽略；降幅以2020年为基线计算",
                    f"{ind.id} takes this year's count only; the denominator ({_fmt(den)}) is ignored",
                )
            if num is None:
                warn(
                    "value_only",
                    f"{name}只有值（{_fmt(val)}）没有当年起数，无法汇总到市州和全省",
                    f"{ind.id} has a value ({_fmt(val)}) but no count: it cannot be rolled up",
                )
            elif not float(num).is_integer():
                warn(
                    "non_integer_count",
                    f"{name}的起数（{_fmt(num)}）不是整数",
                    f"the count of {ind.id} is not whole",
                )
            return (_nan(num), np.nan, _nan(val))

        # rate and per_population
        if val is not None and val < 0:
            err(
                "value_out_of_range",
                "value",
                f"{name}的值（{_fmt(val)}）不能为负",
                f"value of {ind.id} is negative",
            )
        if ind.kind == "rate" and val is not None and val > 100:
            err(
                "value_out_of_range",
                "value",
                f"{name}是百分比，值（{_fmt(val)}）不能超过 100",
                f"{ind.id} is a percentage; the value ({_fmt(val)}) cannot exceed 100",
            )
        if num is not None and den is None and ind.kind == "rate":
            err(
                "incomplete_pair",
                "numerator",
                f"{name}填了分子（{_fmt(num)}）但没有填分母",
                f"{ind.id} has a numerator ({_fmt(num)}) but no denominator",
            )
        if den is not None and num is None:
            err(
                "incomplete_pair",
                "denominator",
                f"{name}填了分母（{_fmt(den)}）但没有填分子",
                f"{ind.id} has a denominator ({_fmt(den)}) but no numerator",
            )
        if num is not None and den is not None and num >= 0 and den >= 0:
            if den == 0 and num > 0:
                err(
                    "zero_denominator",
                    "denominator",
                    f"{name}的分母为 0，但分子是 {_fmt(num)}",
                    f"{ind.id} has denominator 0 but numerator {_fmt(num)}",
                )
            elif ind.kind == "rate" and num > den:
                err(
                    "numerator_exceeds_denominator",
                    "numerator",
                    f"{name}的分子（{_fmt(num)}）大于分母（{_fmt(den)}），比率不可能超过100%",
                    f"{ind.id}: numerator ({_fmt(num)}) exceeds denominator ({_fmt(den)})",
                )
        if len(self.problems) > before:
            return None
        if num is None and den is None:
            unit = "%" if ind.kind == "rate" else ind.unit
            warn(
                "value_only",
                f"{name}只有值（{_fmt(val)}{unit}）没有分子分母，可以显示但无法汇总到市州和全省",
                f"{ind.id} has only a value ({_fmt(val)}): shown, but it cannot be rolled up",
            )
        else:
            for role, v in (("numerator", num), ("denominator", den)):
                if v is not None and not float(v).is_integer():
                    warn(
                        "non_integer_count",
                        f"{name}的{_ROLE_ZH[role]}（{_fmt(v)}）不是整数，请核对单位（人数、例数、常住人口应为整数）",
                        f"the {role} of {ind.id} ({_fmt(v)}) is not a whole number; check the unit",
                    )
            if val is not None and num is not None and den:
                computed = num / den * ind.scale
                if abs(computed - val) > 0.5 + 1e-9 * abs(computed):
                    warn(
                        "value_mismatch",
                        f"{name}的值（{_fmt(val)}）与分子/分母算出的 {computed:.2f} 不一致；以分子、分母为准",
                        f"{ind.id}: value {_fmt(val)} differs from numerator/denominator ({computed:.2f})",
                    )
        return (_nan(num), _nan(den), _nan(val))

    # --- checks across rows ----------------------------------------------------------------------------
    def _drop_duplicates(self, records: list[dict]) -> pd.DataFrame:
        kept: dict[tuple, dict] = {}
        for rec in records:
            key = (rec["region_code"], rec["year"], rec["indicator_id"])
            first = kept.get(key)
            if first is None:
                kept[key] = rec
                continue
            ind = self.catalog[rec["indicator_id"]]
            what = f"{self._label(rec['region_code'])} {rec['year']}年 {ind.name_zh}"
            same = all(_same(first[c], rec[c]) for c in ("numerator", "denominator", "value"))
            if same:
                self.warning(
                    "duplicate_identical",
                    rec["source_row"],
                    None,
                    f"第{rec['source_row']}行与第{first['source_row']}行重复（{what}），数字相同，只保留一行",
                    f"Row {rec['source_row']} repeats row {first['source_row']} with the same numbers; kept once",
                )
            else:
                diffs = "；".join(
                    f"{_ROLE_ZH[c]} {_show(first[c])} 与 {_show(rec[c])}"
                    for c in ("numerator", "denominator", "value")
                    if not _same(first[c], rec[c])
                )
                self.error(
                    "duplicate_conflict",
                    rec["source_row"],
                    None,
                    f"第{rec['source_row']}行与第{first['source_row']}行是同一县、年份、指标（{what}），但数字不同："
                    f"{diffs}；请只保留正确的一行",
                    f"Row {rec['source_row']} and row {first['source_row']} are the same county, year and indicator "
                    "with different numbers",
                )
        obs = pd.DataFrame(list(kept.values()), columns=COLUMNS)
        return _typed(obs)

    def _check_previous(self, obs: pd.DataFrame, previous: pd.DataFrame | None) -> None:
        """Warn when a rate moved more than JUMP_POINTS from the latest earlier year in `previous`."""
        if previous is None or len(previous) == 0 or obs.empty:
            return
        rate_ids = {i.id for i in self.catalog.indicators if i.kind == "rate"}
        prev = previous[previous["indicator_id"].astype(str).isin(rate_ids)]
        earlier: dict[tuple[str, str], list[tuple[int, float]]] = {}
        for code, year, ind_id, rate in zip(
            prev["region_code"].astype(str),
            pd.to_numeric(prev["year"], errors="coerce"),
            prev["indicator_id"].astype(str),
            _rate_value(prev),
            strict=True,
        ):
            if year == year and rate == rate:
                earlier.setdefault((code, ind_id), []).append((int(year), float(rate)))
        cur = obs[obs["indicator_id"].isin(rate_ids)]
        for rec, rate in zip(cur.itertuples(index=False), _rate_value(cur), strict=True):
            before = [(y, v) for y, v in earlier.get((rec.region_code, rec.indicator_id), []) if y < rec.year]
            if rate != rate or not before:
                continue
            before_year, before_rate = max(before)
            change = rate - before_rate
            if abs(change) <= JUMP_POINTS:
                continue
            ind = self.catalog[rec.indicator_id]
            word = "上升" if change > 0 else "下降"
            self.warning(
                "large_change",
                rec.source_row,
                None,
                f"第{rec.source_row}行：{self._label(rec.region_code)} {ind.name_zh} {rec.year}年为 {rate:.1f}%，"
                f"比{before_year}年（{before_rate:.1f}%）{word} {abs(change):.1f} 个百分点"
                f"（超过 {JUMP_POINTS:g} 个百分点），请核实",
                f"Row {rec.source_row}: {ind.id} of {rec.region_code} is {rate:.1f}% in {rec.year}, "
                f"{change:+.1f} points from {before_year} ({before_rate:.1f}%); please check",
            )

    def _check_coverage(self) -> None:
        expected = self.regions.counties(self.region)
        missing = expected[~expected["code"].isin(self.seen_counties)]
        if missing.empty or not self.seen_counties:
            return
        names = [f"{n}（{c}）" for c, n in zip(missing["code"], missing["name"], strict=True)]
        listed = "、".join(names[:MAX_LISTED]) + (f" 等 {len(names)} 个" if len(names) > MAX_LISTED else "")
        self.warning(
            "missing_counties",
            None,
            None,
            f"{self.region_name}共 {len(expected)} 个县（市、区），有 {len(missing)} 个没有任何数据：{listed}",
            f"{len(missing)} of {len(expected)} counties of {self.region_name} have no data: "
            + ", ".join(missing["code"].head(MAX_LISTED)),
        )

    def _check_contract(self, obs: pd.DataFrame) -> None:
        if obs.empty:
            return
        try:
            ObservationContract.validate(obs, lazy=True)
        except pa.errors.SchemaErrors as exc:  # every input was checked above: this is a bug worth seeing
            for case in exc.failure_cases.head(20).itertuples(index=False):
                self.error(
                    "contract_violation",
                    None,
                    str(case.column) if case.column is not None else None,
                    f"内部检查未通过（{case.check}：{case.column} = {case.failure_case}）；请把文件发给维护人员",
                    f"Internal contract check failed ({case.check}: {case.column} = {case.failure_case})",
                )


def _default_role(ind: Indicator, percent: bool) -> str:
    """What a bare indicator column holds: the 1/0 of a status, this year's count of accidents, else the value."""
    if ind.kind == "reduction_vs_baseline" and not percent:
        return "numerator"
    return "value"


def _nan(v: float | None) -> float:
    return np.nan if v is None else float(v)


def _same(a: float, b: float) -> bool:
    return (a != a and b != b) or a == b


def _show(v: float) -> str:
    return "空" if v != v else _fmt(v)


def _rate_value(df: pd.DataFrame) -> pd.Series:
    num = pd.to_numeric(df["numerator"], errors="coerce")
    den = pd.to_numeric(df["denominator"], errors="coerce")
    computed = (num / den.where(den > 0)) * 100
    return computed.fillna(pd.to_numeric(df["value"], errors="coerce"))


def _typed(obs: pd.DataFrame) -> pd.DataFrame:
    return obs.astype(
        {
            "region_code": str,
            "year": "int64",
            "indicator_id": str,
            "numerator": "float64",
            "denominator": "float64",
            "value": "float64",
            "source_row": "int64",
        }
    )


def _csv_rows(text: str) -> list[list[Any]]:
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


def read_submission(
    data: bytes,
    filename: str,
    *,
    region: str,
    year: int | None = None,
    catalog: Catalog | None = None,
    regions: RegionTable | None = None,
    previous: pd.DataFrame | None = None,
) -> Submission:
    """Read and check one department's file for `region` (a province or prefecture code).

    Never raises on bad input: every problem is in `Submission.problems`, with the spreadsheet row number.
    `year` is used when the file has no year column (and checked against it when it has one); `previous`
    (canonical observations of earlier years) enables the "changed by more than 20 points" warning.
    """
    catalog = catalog or load_catalog()
    regions = regions or load_regions()
    reader = _Reader(bytes(data), filename or "", region, year, catalog, regions)
    obs = reader.run(previous)
    return Submission(
        observations=obs,
        problems=reader.problems,
        source_name=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=reader.encoding,
        sheet=reader.sheet,
        header_row=reader.header_row,
        layout=reader.layout,
    )
