"""Blank submission workbooks (说明, 指标, 县, 数据) that departments fill in and `read_submission` reads back."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from analytics.catalog import Catalog, Indicator, load_catalog
from analytics.regions import RegionTable, load_regions

LAYOUTS = ("long", "wide")
EXAMPLE = "示例"  # rows whose region cell starts with this are instructions, not data (the reader skips them)

_TEXT = {
    "zh": {
        "sheets": ("说明", "指标", "县", "数据"),
        "long": ("地区代码", "地区名称", "年份", "指标编号", "指标名称", "分子", "分母", "值"),
        "wide": ("地区代码", "地区名称", "年份"),
        "numerator": "（分子）",
        "denominator": "（分母）",
        "status": "（是否达标 1/0）",
        "count": "（当年起数）",
        "indicators": ("id", "中文名称", "单位", "类型", "分子含义", "分母含义"),
        "counties": ("代码", "名称", "所属市州"),
        "direct": "（省直管）",
        "kinds": {
            "rate": "比率：分子/分母×100%",
            "per_population": "每人口率：分子/常住人口×{scale}",
            "county_status": "县达标状态：1=达标，0=未达标",
            "reduction_vs_baseline": "较2020年降幅：填当年起数",
        },
        "status_num": "达标填 1，未达标填 0",
        "no_den": "不填",
        "population_den": "常住人口数（可不填，按第七次人口普查常住人口计算）",
        "reduction_den": "不填（降幅以2020年为基线由系统计算）",
        "example_name": "示例：{name}（此行不是数据）",
        "nonneg": "请输入大于或等于 0 的数字（没有数据请留空）",
        "binary": "只能填 1（达标）或 0（未达标）",
    },
    "en": {
        "sheets": ("Instructions", "Indicators", "Counties", "Data"),
        "long": (
            "region_code",
            "region_name",
            "year",
            "indicator_id",
            "indicator_name",
            "numerator",
            "denominator",
            "value",
        ),
        "wide": ("region_code", "region_name", "year"),
        "numerator": " (numerator)",
        "denominator": " (denominator)",
        "status": " (status 1/0)",
        "count": " (count this year)",
        "indicators": ("ID", "Name", "Unit", "Kind", "Numerator means", "Denominator means"),
        "counties": ("Code", "Name", "Prefecture"),
        "direct": "(under the province)",
        "kinds": {
            "rate": "rate: numerator / denominator x 100 %",
            "per_population": "per population: numerator / residents x {scale}",
            "county_status": "county status: 1 = met, 0 = not met",
            "reduction_vs_baseline": "reduction vs 2020: give this year's count",
        },
        "status_num": "1 if met, 0 if not",
        "no_den": "leave empty",
        "population_den": "resident population (may be left empty: the 2020 census is used)",
        "reduction_den": "leave empty (the reduction is computed against 2020)",
        "example_name": "示例 example: {name} (not data)",
        "nonneg": "Enter a number >= 0 (leave empty when there is no figure)",
        "binary": "Only 1 (met) or 0 (not met)",
    },
}

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FILL = PatternFill("solid", fgColor="F2F2F2")
_LOCKED_FILL = PatternFill("solid", fgColor="FAFAFA")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def wide_columns(ind: Indicator, lang: str = "zh") -> list[tuple[str, str]]:
    """(header, role) of an indicator's columns in the wide layout; role is numerator, denominator or value."""
    text = _TEXT[lang]
    name = ind.name_en if lang == "en" else ind.name_zh
    if ind.kind == "county_status":
        return [(f"{name}{text['status']}", "value")]
    if ind.kind == "reduction_vs_baseline":
        return [(f"{name}{text['count']}", "numerator")]
    return [(f"{name}{text['numerator']}", "numerator"), (f"{name}{text['denominator']}", "denominator")]


def _instructions(region_name: str, code: str, year: int, n_counties: int, lang: str) -> list[str]:
    if lang == "en":
        return [
            f"{region_name} {year}: county data of the disability prevention action plan's main indicators",
            f"1. This workbook is for the {n_counties} counties of {region_name} ({code}), year {year}. "
            "Fill in the sheet 'Data'; do not change its header or the region, year and indicator cells.",
            "2. Give the numerator and the denominator (whole numbers; see the sheet 'Indicators' for what they "
            "count), not a computed percentage: rates are computed from them and summed up to prefectures and "
            "the province. A value without numerator and denominator can be imported but not rolled up.",
            "3. Per-population indicators: the numerator is the count (surgeries, physicians), the denominator the "
            "resident population; an empty denominator means the 2020 census population.",
            "4. County status indicators (endemic disease controlled; community mental rehabilitation offered) "
            "are 1 (met) or 0 (not met); in the long layout write it in the 'value' column.",
            "5. Work safety accidents: the numerator ('count this year') is the county's number of accidents in "
            "the year; no denominator: the reduction against 2020 is computed.",
            "6. Leave a cell empty (or '—') when there is no figure. Type numbers or paste values: no formulas.",
            "7. Rows marked 示例 (example) show how to fill in; they are not data and are skipped.",
            "8. Each county and indicator may appear only once.",
        ]
    return [
        f"{region_name}{year}年残疾预防行动计划主要指标县级数据填报表",
        f"1. 本表用于填报{region_name}（{code}）所辖 {n_counties} 个县（市、区）{year} 年的数据。"
        "请在“数据”页填写；不要改动表头，也不要改动地区代码、地区名称、年份和指标。",
        "2. 请填写分子和分母（整数，含义见“指标”页的“分子含义”“分母含义”），不要只填计算好的百分比："
        "系统用分子、分母计算比率，并逐级汇总到市州和全省。只有值、没有分子分母的数据可以导入，但无法汇总。",
        "3. 每百万人口、每10万人口类指标：分子填数量（手术例数、康复医师人数），分母填常住人口数；"
        "分母不填时按第七次全国人口普查常住人口计算。",
        "4. 县达标状态类指标（控制和消除重大地方病的县、开展精神障碍社区康复服务的县）：达标填 1，未达标填 0"
        "（长表填在“值”列，宽表填在“是否达标 1/0”列）。",
        "5. 生产安全事故发生起数：分子（宽表为“当年起数”列）填本县当年发生的生产安全事故起数，不填分母；"
        "较2020年的降幅由系统计算。",
        "6. 没有数据的格子请留空（或填“—”），不要填“无”“不详”等文字。数字请直接输入或“选择性粘贴为数值”，不要使用公式。",
        "7. 标有“示例”的行只是填写示例，不是数据，读取时会跳过，可以删除。",
        "8. 同一个县、同一个指标只能出现一次。",
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


def _validate(ws: Worksheet, kind: str, ranges: list[str], lang: str) -> None:
    if not ranges:
        return
    text = _TEXT[lang]
    if kind == "binary":
        dv = DataValidation(type="list", formula1='"0,1"', allow_blank=True)
        dv.error = text["binary"]
    else:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error = text["nonneg"]
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
        raise ValueError(f"未知的版式 '{layout}'（可选 long、wide）")
    lang = "en" if lang == "en" else "zh"
    catalog = catalog or load_catalog()
    regions = regions or load_regions()
    region = regions.get(str(region_code))
    if region.level not in ("province", "prefecture"):
        raise ValueError(f"{region.name}（{region.code}）不是省或市州")
    text = _TEXT[lang]
    counties = regions.counties(region.code)
    codes, names = list(counties["code"]), list(counties["name"])

    wb = Workbook()
    guide = wb.active
    guide.title = text["sheets"][0]
    for line in _instructions(region.name, region.code, year, len(codes), lang):
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 120
    for row in guide.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    ind_ws = wb.create_sheet(text["sheets"][1])
    _header(ind_ws, list(text["indicators"]), [34, 50, 14, 34, 60, 50])
    for ind in catalog.indicators:
        kind = text["kinds"][ind.kind].format(scale=f"{ind.scale:,}")
        num = ind.numerator_en if lang == "en" else ind.numerator_zh
        den = ind.denominator_en if lang == "en" else ind.denominator_zh
        if ind.kind == "county_status":
            num, den = text["status_num"], text["no_den"]
        elif ind.kind == "reduction_vs_baseline":
            den = text["reduction_den"]
        elif ind.kind == "per_population":
            den = text["population_den"]
        unit = ind.unit_en if lang == "en" else ind.unit
        ind_ws.append([ind.id, ind.name(lang), unit, kind, num, den])
    ind_ws.freeze_panes = "A2"

    county_ws = wb.create_sheet(text["sheets"][2])
    _header(county_ws, list(text["counties"]), [10, 24, 24])
    for code, name in zip(codes, names, strict=True):
        parent = regions.get(code).parent_code
        is_pref = parent in regions and regions.level(parent) == "prefecture"
        county_ws.append([code, name, regions.name(parent) if is_pref else text["direct"]])
    county_ws.freeze_panes = "A2"

    ws = wb.create_sheet(text["sheets"][3])
    wb.active = wb.index(ws)
    example_name = text["example_name"].format(name=names[0] if names else "")
    first = catalog.indicators[0]
    if layout == "long":
        headers = list(text["long"])
        _header(ws, headers, [12, 24, 8, 34, 56, 12, 12, 10])
        ws.append([EXAMPLE, example_name, year, first.id, first.name(lang), 95, 100, None])
        _style_example(ws, 2, len(headers))
        for code, name in zip(codes, names, strict=True):
            for ind in catalog.indicators:
                ws.append([code, name, year, ind.id, ind.name(lang), None, None, None])
        last = ws.max_row
        _validate(ws, "nonneg", [f"F3:G{last}"], lang)
        ws.freeze_panes = "A2"
    else:
        headers = list(text["wide"])
        roles: list[tuple[str, str]] = []
        for ind in catalog.indicators:
            for header, role in wide_columns(ind, lang):
                headers.append(header)
                roles.append((ind.kind, role))
        _header(ws, headers, [12, 24, 8] + [18] * len(roles), height=90)
        example = [EXAMPLE, example_name, year] + [None] * len(roles)
        example[3:5] = [95, 100]  # the first indicator is a rate: numerator, denominator
        ws.append(example)
        _style_example(ws, 2, len(headers))
        for code, name in zip(codes, names, strict=True):
            ws.append([code, name, year] + [None] * len(roles))
        last = ws.max_row
        binary, nonneg = [], []
        for offset, (kind, _) in enumerate(roles):
            letter = get_column_letter(4 + offset)
            (binary if kind == "county_status" else nonneg).append(f"{letter}3:{letter}{last}")
        _validate(ws, "binary", binary, lang)
        _validate(ws, "nonneg", nonneg, lang)
        ws.freeze_panes = "D2"
    for row in ws.iter_rows(min_row=3, max_col=3):
        for cell in row:
            cell.fill = _LOCKED_FILL

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
