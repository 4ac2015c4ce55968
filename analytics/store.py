"""Where observations come from: the canonical long CSV (the embedded demo dataset or a file given by path)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analytics.attainment import OBS_COLUMNS
from analytics.catalog import DATA_DIR, Catalog, load_catalog

DEMO_DIR = DATA_DIR / "demo"
DEMO_FILE = DEMO_DIR / "jilin_2020_2024.csv"
DEMO_REGION = "220000"
DEMO_LABEL_ZH = "示例数据（模拟，非真实统计）"
DEMO_LABEL_EN = "Demo data (synthetic, not real statistics)"


class ObservationError(ValueError):
    """A canonical observation file that cannot be used; the message names the rows."""


def read_observations(path: str | Path, catalog: Catalog | None = None) -> pd.DataFrame:
    """Read a canonical long CSV (region_code, year, indicator_id, numerator, denominator, value[, source])."""
    catalog = catalog or load_catalog()
    path = Path(path)
    if not path.is_file():
        raise ObservationError(f"找不到数据文件：{path}")
    try:
        df = pd.read_csv(path, dtype={"region_code": str, "indicator_id": str}, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ObservationError(
            f"无法读取 {path.name}：不是 UTF-8 编码的规范 CSV 文件（{type(exc).__name__}）"
        ) from None
    return check_observations(df, catalog, source=path.name)


def check_observations(df: pd.DataFrame, catalog: Catalog, source: str = "") -> pd.DataFrame:
    missing = [c for c in OBS_COLUMNS if c not in df.columns]
    if missing:
        raise ObservationError(f"{source} 缺少列：{', '.join(missing)}（规范列为 {', '.join(OBS_COLUMNS)}）")
    problems: list[str] = []
    total = 0
    row_no = pd.Series(range(2, len(df) + 2), index=df.index)  # spreadsheet row numbers (header is row 1)

    def report(mask: pd.Series, message) -> None:
        nonlocal total
        total += int(mask.sum())
        problems.extend(message(i) for i in df.index[mask][:20])

    codes = df["region_code"].astype(str).str.strip()
    report(
        ~codes.str.fullmatch(r"\d{6}"), lambda i: f"第{row_no[i]}行：地区代码“{codes[i]}”不是6位行政区划代码"
    )
    years = pd.to_numeric(df["year"], errors="coerce")
    report(years.isna() | (years % 1 != 0), lambda i: f"第{row_no[i]}行：年份“{df.at[i, 'year']}”不是整数")
    report(
        ~df["indicator_id"].isin(catalog.ids),
        lambda i: f"第{row_no[i]}行：未知指标“{df.at[i, 'indicator_id']}”",
    )
    for col in ("numerator", "denominator", "value"):
        num = pd.to_numeric(df[col], errors="coerce")
        report(
            num.isna() & df[col].notna(),
            lambda i, col=col: f"第{row_no[i]}行：{col}“{df.at[i, col]}”不是数字",
        )
        if col != "value":  # a value may be negative (accidents rose against the baseline)
            report(num < 0, lambda i, col=col, num=num: f"第{row_no[i]}行：{col} 为负数（{num[i]:g}）")
    if problems:
        more = "" if total <= len(problems[:30]) else f"\n……另有 {total - len(problems[:30])} 处问题"
        raise ObservationError(f"{source} 有 {total} 处问题：\n" + "\n".join(problems[:30]) + more)
    out = df.copy()
    out["region_code"] = codes
    out["year"] = years.astype("int64")
    for col in ("numerator", "denominator", "value"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    dup = out.duplicated(["region_code", "year", "indicator_id"], keep=False)
    if dup.any():
        first = out[dup].iloc[0]
        raise ObservationError(
            f"{source} 有 {int(dup.sum())} 行重复（同一地区、年份、指标出现多次），例如 "
            f"{first['region_code']} {first['year']} {first['indicator_id']}"
        )
    return out


def load_demo(catalog: Catalog | None = None) -> pd.DataFrame:
    return read_observations(DEMO_FILE, catalog)
