"""Blank submission workbooks (说明, 指标, 县, 数据) that departments fill in and `read_submission` reads back.

Every word in them (sheet names, headers, instructions, per-kind texts) is in data/i18n/<lang>/templates.toml;
which columns an indicator gets comes from its kind (analytics/kinds.py).
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from analytics.catalog import Catalog, Indicator, load_catalog
from analytics.errors import AtlasError
from analytics.i18n import DEFAULT_LANG, LANGS, keys_under, t
from analytics.regions import RegionTable, load_regions

LAYOUTS = ("long", "wide")
EXAMPLE = "示例"  # rows whose region cell starts with this are instructions, not data (the reader skips them)

LONG_COLUMNS = (
    "region_code",
    "region_name",
    "year",
    "indicator_id",
    "indicator_name",
    "numerator",
    "denominator",
    "value",
)
WIDE_FIRST_COLUMNS = LONG_COLUMNS[:3]
INDICATOR_SHEET = ("id", "name", "unit", "kind", "numerator", "denominator")
COUNTY_SHEET = ("code", "name", "prefecture")


class TemplateError(AtlasError):
    """A template that cannot be made (unknown layout, a region that is not a province or prefecture)."""

    prefix = "template.error"


_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FILL = PatternFill("solid", fgColor="F2F2F2")
_LOCKED_FILL = PatternFill("solid", fgColor="FAFAFA")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def wide_columns(ind: Indicator, lang: str = "zh") -> list[tuple[str, str]]:
    """(header, role) of an indicator's columns in the wide layout: one per role of its kind (numerator,
    denominator or value), headed by the indicator's name and the role's suffix."""
    return [
        (ind.name(lang) + t(f"template.wide_suffix.{ind.rules.id}_{role}", lang), role)
        for role in ind.rules.template_roles
    ]


def _instructions(region_name: str, code: str, year: int, n_counties: int, lang: str) -> list[str]:
    return [
        t(key, lang, region=region_name, code=code, year=year, n=n_counties)
        for key in keys_under("template.guide")
    ]


def _header(ws: Worksheet, headers: list[str], widths: list[float], height: float = 30) -> None:
    ws.append(headers)
    for col, width in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=col)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[1].height = height


def _style_example(ws: Worksheet, row: int, n_cols: int) -> None:
    for col in range(1, n_cols + 1):
        cell = ws.cell(row=row, column=col)
        cell.fill = _EXAMPLE_FILL
        cell.font = Font(italic=True, color="7F7F7F")


def _validate(ws: Worksheet, binary: bool, ranges: list[str], lang: str) -> None:
    """Excel's own check of typed cells: 1/0 for a county status, a number >= 0 for everything else."""
    if not ranges:
        return
    if binary:
        dv = DataValidation(type="list", formula1='"0,1"', allow_blank=True)
        dv.error = t("template.binary", lang)
    else:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error = t("template.nonneg", lang)
    dv.showErrorMessage = True
    dv.sqref = " ".join(ranges)  # type: ignore[assignment]
    ws.add_data_validation(dv)


def make_template(
    region_code: str,
    year: int,
    layout: str = "long",
    *,
    catalog: Catalog | None = None,
    regions: RegionTable | None = None,
    lang: str = "zh",
) -> bytes:
    """An .xlsx to fill in for `region_code` (province or prefecture) and `year`, as bytes.

    long: one row per county x indicator (地区代码, 地区名称, 年份, 指标编号, 指标名称, 分子, 分母, 值);
    wide: one row per county, two columns per indicator (分子, 分母), one for status (1/0) and accident counts.
    """
    if layout not in LAYOUTS:
        raise TemplateError("unknown_layout", layout=layout, known=", ".join(LAYOUTS))
    lang = lang if lang in LANGS else DEFAULT_LANG
    catalog = catalog or load_catalog()
    regions = regions or load_regions()
    region = regions.get(str(region_code))
    if region.level not in ("province", "prefecture"):
        raise TemplateError("not_a_region", name=region.name, code=region.code)
    counties = regions.counties(region.code)
    codes, names = list(counties["code"]), list(counties["name"])

    wb = Workbook()
    guide = wb.active
    guide.title = t("template.sheet.guide", lang)
    for line in _instructions(region.name, region.code, year, len(codes), lang):
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 120
    for row in guide.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    ind_ws = wb.create_sheet(t("template.sheet.indicators", lang))
    _header(
        ind_ws, [t(f"template.indicator_sheet.{c}", lang) for c in INDICATOR_SHEET], [34, 50, 14, 34, 60, 50]
    )
    for ind in catalog.indicators:
        kind = ind.rules
        how = t(f"template.kind_how.{kind.id}", lang, scale=f"{ind.scale:,}")
        ind_ws.append(
            [
                ind.id,
                ind.name(lang),
                ind.unit_in(lang),
                t("template.kind_cell", lang, label=t(kind.label_key, lang), how=how),
                t(f"template.numerator_means.{kind.id}", lang, text=ind.numerator_text(lang)),
                t(f"template.denominator_means.{kind.id}", lang, text=ind.denominator_text(lang)),
            ]
        )
    ind_ws.freeze_panes = "A2"

    county_ws = wb.create_sheet(t("template.sheet.counties", lang))
    _header(county_ws, [t(f"template.county_sheet.{c}", lang) for c in COUNTY_SHEET], [10, 24, 24])
    for code, name in zip(codes, names, strict=True):
        parent = regions.get(code).parent_code
        is_pref = parent in regions and regions.level(parent) == "prefecture"
        county_ws.append([code, name, regions.name(parent) if is_pref else t("template.direct", lang)])
    county_ws.freeze_panes = "A2"

    ws = wb.create_sheet(t("template.sheet.data", lang))
    wb.active = wb.index(ws)
    example_name = t("template.example_name", lang, name=names[0] if names else "")
    first = catalog.indicators[0]
    if layout == "long":
        headers = [t(f"template.column.{c}", lang) for c in LONG_COLUMNS]
        _header(ws, headers, [12, 24, 8, 34, 56, 12, 12, 10])
        ws.append([EXAMPLE, example_name, year, first.id, first.name(lang), 95, 100, None])
        _style_example(ws, 2, len(headers))
        for code, name in zip(codes, names, strict=True):
            for ind in catalog.indicators:
                ws.append([code, name, year, ind.id, ind.name(lang), None, None, None])
        last = ws.max_row
        _validate(ws, False, [f"F3:G{last}"], lang)
        ws.freeze_panes = "A2"
    else:
        headers = [t(f"template.column.{c}", lang) for c in WIDE_FIRST_COLUMNS]
        binary_columns: list[bool] = []
        for ind in catalog.indicators:
            for header, _role in wide_columns(ind, lang):
                headers.append(header)
                binary_columns.append(ind.rules.binary)
        _header(ws, headers, [12, 24, 8] + [18] * len(binary_columns), height=90)
        example = [EXAMPLE, example_name, year] + [None] * len(binary_columns)
        example[3:5] = [95, 100]  # the first indicator is a rate: numerator, denominator
        ws.append(example)
        _style_example(ws, 2, len(headers))
        for code, name in zip(codes, names, strict=True):
            ws.append([code, name, year] + [None] * len(binary_columns))
        last = ws.max_row
        ranges: dict[bool, list[str]] = {True: [], False: []}
        for offset, binary in enumerate(binary_columns):
            letter = get_column_letter(4 + offset)
            ranges[binary].append(f"{letter}3:{letter}{last}")
        _validate(ws, True, ranges[True], lang)
        _validate(ws, False, ranges[False], lang)
        ws.freeze_panes = "D2"
    for row in ws.iter_rows(min_row=3, max_col=3):
        for cell in row:
            cell.fill = _LOCKED_FILL

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def file_name(region_name: str, year: int, layout: str, lang: str = "zh") -> str:
    """The downloaded template's file name, in the UI's language."""
    return t(
        "template.file_name",
        lang,
        region=region_name,
        year=year,
        layout=t(f"template.layout_name.{layout}", lang),
    )
