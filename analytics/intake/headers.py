"""Header recognition: which row is the header and which column holds what, as a `ColumnPlan`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from analytics.catalog import Catalog, load_catalog
from analytics.errors import Problem, problem
from analytics.intake.context import Context
from analytics.intake.files import HEADER_SCAN_ROWS, Sheet, cell_text

NUMBER_ROLES = ("numerator", "denominator", "value")
_TRAILING_GROUP = re.compile(r"[(\[【]([^()\[\]【】]*)[)\]】]\s*$")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
_PREFERRED_SHEETS = {"数据", "data"}


# --- text keys for headers and indicator names --------------------------------------------------------
def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def text_key(text: str) -> str:
    """Letters and digits only, lower case, after NFKC: '婚前医学检查率 （%）' -> '婚前医学检查率'."""
    return "".join(ch for ch in nfkc(str(text)).lower() if unicodedata.category(ch)[0] in "LN")


def _keys(*words: str) -> set[str]:
    return {text_key(w) for w in words}


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
    # where a county name is looked up when the region holds it more than once (nationally: 朝阳区)
    "province": _keys("省份", "省", "省份名称", "所属省份", "省区市", "省（区、市）", "province"),
    "prefecture": _keys(
        "所属市州", "所属市", "市州", "地市", "所属地市", "市州名称", "市", "地级市", "prefecture", "city",
    ),
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
    "序号", "序", "no", "备注", "说明", "填报单位", "单位", "计量单位", "类型", "指标类型", "分子含义", "分母含义", "remark", "remarks", "note",
    "notes", "unit", "kind", "source", "来源", "数据来源", "填报人", "联系人", "联系电话",
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
# A column headed 完成率（%）, alone or after an indicator's name, holds that indicator's value in percent.
_RATE_WORDS = ("完成率", "达标率", "覆盖率")
_ROLE_BY_KEY.update(dict.fromkeys(_keys(*_RATE_WORDS), "value"))


def _peel(text: str) -> tuple[str, list[str]]:
    """'婚检率（%）（分子）' -> ('婚检率', ['%', '分子']): trailing bracket groups, in order."""
    rest, groups = nfkc(text).strip(), []
    while m := _TRAILING_GROUP.search(rest):
        groups.insert(0, m.group(1))
        rest = rest[: m.start()].rstrip()
    return rest, groups


_INDEXES: dict[int, tuple[Catalog, dict[str, str]]] = {}


def _indicator_index(catalog: Catalog) -> dict[str, str]:
    """Normalised id / names / short names (with and without a trailing bracket group) -> indicator id.

    Built once per catalog object (kept by identity: hashing a whole catalog on every cell costs more than
    the lookup)."""
    hit = _INDEXES.get(id(catalog))
    if hit is None or hit[0] is not catalog:
        hit = _INDEXES[id(catalog)] = (catalog, _build_index(catalog))
    return hit[1]


def _build_index(catalog: Catalog) -> dict[str, str]:
    forms: dict[str, set[str]] = {}
    for ind in catalog.indicators:
        for text in (ind.id, ind.name_zh, ind.short_zh, ind.name_en, ind.short_en):
            for variant in (text, _peel(text)[0]):
                if k := text_key(variant):
                    forms.setdefault(k, set()).add(ind.id)
    return {k: next(iter(ids)) for k, ids in forms.items() if len(ids) == 1 and k not in _FIELD_BY_KEY}


def _indicator_candidates(text: str) -> tuple[list[str], str | None, bool]:
    """Keys to try for a header or cell naming an indicator, longest first; the role it names; '%' given."""
    base, groups = _peel(text)
    role, kept = None, []
    for g in groups:
        r = _ROLE_BY_KEY.get(text_key(g))
        if r is not None:
            role = r
        else:
            kept.append(g)
    base_key = text_key(base)
    if role is None:
        for suffix, r in _ROLE_SUFFIXES:
            if base_key.endswith(suffix) and len(base_key) > len(suffix):
                role, base_key = r, base_key[: -len(suffix)]
                break
    candidates = [base_key + text_key("".join(kept[:i])) for i in range(len(kept), -1, -1)]
    percent = any("%" in g for g in kept)
    return [c for c in dict.fromkeys(candidates) if c], role, percent


def resolve_indicator(text: str, catalog: Catalog | None = None) -> str | None:
    """An indicator id for an id, Chinese name or short name as written (units, widths, spaces tolerated)."""
    index = _indicator_index(catalog or load_catalog())
    keys, _, _ = _indicator_candidates(str(text))
    return next((index[k] for k in keys if k in index), None)


# --- columns and header rows --------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    index: int  # 0-based
    header: str  # as written ("" for a column without a header)
    field: str | None = None  # region_code, region_name, year, indicator, numerator, denominator, value
    indicator_id: str | None = None  # wide layout: the indicator this column holds
    role: str | None = None  # wide layout: numerator, denominator or value, when the header says
    percent: bool = False  # the header marks the column "%"
    ignored: bool = False  # a column people add that carries nothing for us (序号, 备注 …)

    @property
    def letter(self) -> str:
        from openpyxl.utils import get_column_letter

        return get_column_letter(self.index + 1)

    @property
    def known(self) -> bool:
        return self.field is not None or self.indicator_id is not None


def classify(index: int, text: str, catalog: Catalog) -> Column:
    """What a header cell says its column holds."""
    if not text:
        return Column(index, text)
    full = text_key(text)
    if full in _FIELD_BY_KEY:
        return Column(index, text, field=_FIELD_BY_KEY[full])
    candidates, role, percent = _indicator_candidates(text)
    if not candidates and role is not None:  # "（分子）" alone
        return Column(index, text, field=role)
    index_of = _indicator_index(catalog)
    for cand in candidates:
        if role is None and cand in _FIELD_BY_KEY:
            return Column(index, text, field=_FIELD_BY_KEY[cand])
        if cand in index_of:
            return Column(index, text, indicator_id=index_of[cand], role=role, percent=percent)
    if role is None:
        rated = _rated(candidates, index_of)
        if rated == "":  # 完成率（%） alone: the value of the indicator named before it (plan_columns)
            return Column(index, text, field="value", percent=True)
        if rated in index_of:  # 居家患者康复率完成率（%）
            return Column(index, text, indicator_id=index_of[rated], role="value", percent=True)
    ignored = full in _IGNORED or any(c in _IGNORED for c in candidates)
    return Column(index, text, ignored=ignored)


def _rated(candidates: list[str], index_of: dict[str, str]) -> str | None:
    """The indicator key before a rate word ("" for the word alone), None when the header ends in none.
    Tried only after the header failed as an indicator name (残疾人基本康复服务覆盖率 is a name)."""
    base = candidates[-1] if candidates else ""
    for word in _keys(*_RATE_WORDS):
        if base.endswith(word):
            rest = base[: -len(word)]
            if not rest:
                return ""
            return next((k for k in (rest, rest + text_key("率")) if k in index_of), rest)
    return None


@dataclass(frozen=True)
class Header:
    row: int  # 0-based index of the (first) header row
    data_start: int  # 0-based index of the first data row
    columns: tuple[Column, ...]

    def fields(self, name: str) -> list[Column]:
        return [c for c in self.columns if c.field == name]

    @property
    def county(self) -> bool:
        return bool(self.fields("region_code") or self.fields("region_name"))

    @property
    def indicator_columns(self) -> list[Column]:
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


def header_at(sheet: Sheet, r: int, catalog: Catalog) -> Header:
    """The header if it starts at row `r`: one row, or an indicator row over a 分子 | 分母 row."""
    width = sheet.width
    top = [cell_text(sheet.head_cell(r, c)) for c in range(width)]
    single = Header(r, r + 1, tuple(classify(c, t, catalog) for c, t in enumerate(top)))
    if r + 1 >= len(sheet.rows):
        return single
    sub = [cell_text(sheet.head_cell(r + 1, c)) for c in range(width)]
    if not any(
        s and text_key(s) in _ROLE_BY_KEY and top[c] and text_key(top[c]) != text_key(s)
        for c, s in enumerate(sub)
    ):
        return single
    combined = []
    for t, s in zip(top, sub, strict=True):
        if s and t and text_key(s) in _ROLE_BY_KEY and text_key(s) != text_key(t):
            combined.append(f"{t}（{_peel(s)[0]}）")  # 完成率（%） under a name: no bracket inside a bracket
        else:
            combined.append(t or s)
    double = Header(r, r + 2, tuple(classify(c, t, catalog) for c, t in enumerate(combined)))
    return double if double.score >= single.score else single


def find_header(sheet: Sheet, catalog: Catalog) -> Header | None:
    """The most complete header within the first rows (a usable one before a better-scoring unusable one)."""
    best: Header | None = None
    for r in range(min(HEADER_SCAN_ROWS, len(sheet.rows))):
        h = header_at(sheet, r, catalog)
        if best is None or (h.valid, h.score) > (best.valid, best.score):
            best = h
    return best


def pick_sheet(sheets: list[Sheet], catalog: Catalog, problems: list[Problem]) -> tuple[Sheet, Header] | None:
    """The sheet to read and its header; None when every sheet is empty. An unusable header is reported and
    returned (its row and sheet still say where the reader looked)."""
    found = [(s, h) for s in sheets if (h := find_header(s, catalog)) is not None]
    if not found:
        problems.append(problem("error", "empty_file", variant="sheets"))
        return None

    def rank(item: tuple[Sheet, Header]) -> tuple:
        s, h = item
        return (h.valid, h.score, (s.name or "").strip().lower() in _PREFERRED_SHEETS)

    sheet, header = max(found, key=rank)  # max keeps the first of equals: the leftmost sheet
    if not header.valid:
        problems.extend(_missing_columns(sheet, header))
        return sheet, header
    others = [s.name for s, h in found if s is not sheet and h.valid and len(s.rows) > h.data_start]
    if others:
        problems.append(
            problem("warning", "other_sheets_ignored", sheet=sheet.name, others=", ".join(others))
        )
    return sheet, header


def _missing_columns(sheet: Sheet, header: Header) -> list[Problem]:
    if header.score == 0:
        if sheet.name:
            return [
                problem(
                    "error",
                    "missing_columns",
                    variant="no_header_sheet",
                    rows=HEADER_SCAN_ROWS,
                    sheet=sheet.name,
                )
            ]
        return [problem("error", "missing_columns", variant="no_header", rows=HEADER_SCAN_ROWS)]
    out = []
    if not header.county:
        out.append(problem("error", "missing_columns", header.row + 1, variant="region"))
    if header.layout is None:
        out.append(problem("error", "missing_columns", header.row + 1, variant="indicator"))
    return out


# --- the plan: which column holds what ----------------------------------------------------------------
@dataclass(frozen=True)
class ColumnPlan:
    """Which column holds what, for reading the rows under `header`."""

    header: Header
    layout: str  # "long" (an indicator column) or "wide" (indicator-named columns)
    region_code: Column | None
    region_name: Column | None
    year: Column | None
    indicator: tuple[Column, ...]  # long: up to two (an id and a name column)
    numbers: Mapping[str, Column]  # long: role -> its column
    groups: Mapping[str, Mapping[str, Column]]  # wide: indicator id -> role -> its column
    unknown: tuple[Column, ...]  # headed columns that are neither a field nor an indicator
    unnamed: tuple[Column, ...]  # columns without a header
    year_default: int | None  # the year of a row without a year cell: the given one, or the title's
    province: Column | None = None  # the row's province, where its county name is looked up
    prefecture: Column | None = None  # the row's prefecture (所属市州), likewise

    @property
    def region_columns(self) -> list[Column]:
        return [c for c in (self.region_code, self.region_name) if c is not None]

    @property
    def key_columns(self) -> list[Column]:
        return [*self.region_columns, *([self.year] if self.year else []), *self.indicator]

    @property
    def number_columns(self) -> list[Column]:
        if self.layout == "long":
            return list(self.numbers.values())
        return [c for group in self.groups.values() for c in group.values()]


def plan_columns(sheet: Sheet, header: Header, ctx: Context, problems: list[Problem]) -> ColumnPlan | None:
    """The plan for a usable header; duplicate, unknown and missing columns are reported. None when the
    rows cannot be read at all (an unusable header, reported by pick_sheet, or a long table without number
    columns)."""
    if not header.valid:
        return None
    hr = header.row + 1
    single: dict[str, Column | None] = {}
    for name in ("region_code", "region_name", "year", *NUMBER_ROLES):
        cols = header.fields(name)
        if header.layout == "wide" and name in NUMBER_ROLES:
            cols = []  # a wide table's 完成率 / （分子） columns belong to the indicator before them (below)
        for extra in cols[1:]:
            problems.append(_duplicate(hr, cols[0], extra, field=name))
        single[name] = cols[0] if cols else None
    numbers: dict[str, Column] = {}
    groups: dict[str, dict[str, Column]] = {}
    if header.layout == "long":
        numbers = {n: c for n in NUMBER_ROLES if (c := single[n]) is not None}
        if not numbers:
            problems.append(problem("error", "missing_columns", hr, variant="numbers"))
            return None
        for c in header.indicator_columns:
            problems.append(
                problem("warning", "ignored_column", hr, c.header, variant="indicator", letter=c.letter)
            )
    else:
        named = None  # the indicator of the nearest indicator-named column to the left
        for c in header.columns:
            if c.indicator_id is None and c.field in NUMBER_ROLES and named is None:
                problems.append(  # 完成率（%） with no indicator before it: whose value is it?
                    problem("warning", "ignored_column", hr, c.header, variant="unknown", letter=c.letter)
                )
            if c.indicator_id is None and (named is None or c.field not in NUMBER_ROLES):
                continue
            if c.indicator_id is not None:
                named = c.indicator_id
            else:
                c = replace(c, indicator_id=named, role=c.field)
            rules = ctx.catalog[c.indicator_id].rules
            role = c.role or ("value" if c.percent else rules.bare_column_role)
            if rules.binary and role == "numerator":
                role = "value"  # a county's 1/0 is its value
            group = groups.setdefault(c.indicator_id, {})
            if role in group:
                problems.append(_duplicate(hr, group[role], c, field=role, indicator_id=c.indicator_id))
                continue
            group[role] = c
    year_default = ctx.year
    if single["year"] is None:
        year_default = _year_without_column(sheet, header, ctx.year, problems)
    return ColumnPlan(
        header=header,
        layout=header.layout,
        region_code=single["region_code"],
        region_name=single["region_name"],
        year=single["year"],
        indicator=tuple(header.fields("indicator")[:2]),
        numbers=MappingProxyType(numbers),
        groups=MappingProxyType({k: MappingProxyType(v) for k, v in groups.items()}),
        unknown=tuple(c for c in header.columns if c.header and not c.known and not c.ignored),
        unnamed=tuple(c for c in header.columns if not c.header),
        year_default=year_default,
        province=next(iter(header.fields("province")), None),  # a second such column changes nothing
        prefecture=next(iter(header.fields("prefecture")), None),
    )


def _duplicate(hr: int, first: Column, extra: Column, **fields) -> Problem:
    """Two columns holding the same thing (`field`, for `indicator_id` in a wide table): keep one."""
    if "indicator_id" in fields:
        fields["variant"] = "indicator"
    return problem(
        "error",
        "duplicate_column",
        hr,
        extra.header,
        letter=extra.letter,
        first_letter=first.letter,
        first_header=first.header,
        **fields,
    )


def _year_without_column(
    sheet: Sheet, header: Header, given: int | None, problems: list[Problem]
) -> int | None:
    """The year of a table without a year column: the given one (the title may disagree), else the title's."""
    rows = sheet.head or sheet.rows
    years = {
        int(y) for r in range(header.row) for v in rows[r] for y in _YEAR_IN_TEXT.findall(nfkc(cell_text(v)))
    }
    found = years.pop() if len(years) == 1 else None
    if given is not None:
        if found is not None and found != given:
            problems.append(problem("warning", "title_year_mismatch", found=found, year=given))
        return given
    if found is None:
        problems.append(problem("error", "missing_year", variant="file"))
        return None
    problems.append(problem("warning", "year_from_title", year=found))
    return found
