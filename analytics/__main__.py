"""The command line: python -m analytics attainment … (clear messages, exit status 1 on bad input, no tracebacks)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import pandas as pd

from analytics.attainment import attainment, summarize
from analytics.catalog import DEFAULT_PROFILE, CatalogError, list_profiles, load_catalog, load_profile
from analytics.i18n import status_label
from analytics.regions import RegionError, load_regions
from analytics.scenarios import ALLOCATIONS, Adjustment, Scenario, ScenarioError, apply, compare
from analytics.store import DEMO_FILE, DEMO_LABEL_ZH, DEMO_REGION, ObservationError, read_observations

ATTAINMENT_COLUMNS = [
    "region_code",
    "region_name",
    "level",
    "year",
    "indicator_id",
    "indicator_name",
    "numerator",
    "denominator",
    "baseline",
    "value",
    "unit",
    "comparator",
    "target",
    "status",
    "gap",
    "shortfall",
    "shortfall_unit",
    "n_units",
    "n_reported",
]


class UsageError(ValueError):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits with 2; the contract says 1
        self.print_usage(sys.stderr)
        print(f"错误：{message}", file=sys.stderr)
        sys.exit(1)


def _add_source(cmd: argparse.ArgumentParser) -> None:
    """Where the observations come from, and the region and year every analysis command needs."""
    src = cmd.add_mutually_exclusive_group()
    src.add_argument("--data", help="规范长表 CSV（默认：内置示例数据）")
    src.add_argument("--db", help="数据库文件（python -m analytics import 写入的 SQLite 文件）")
    cmd.add_argument("--region", required=True, help="省或市州的6位行政区划代码，如 220000")
    cmd.add_argument("--year", required=True, type=int)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analytics", description="残疾预防达标地图 — 命令行工具")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    att = sub.add_parser("attainment", help="各地区各指标的达标情况（值、目标、状态、差距、缺口）")
    _add_source(att)
    att.add_argument("--level", required=True, choices=["county", "city", "prefecture", "province"])
    att.add_argument("--targets", default=DEFAULT_PROFILE, help=f"目标方案（{', '.join(list_profiles())}）")
    att.add_argument("--format", choices=["table", "csv"], default="table")

    for name, text in (
        ("validate", "检查一份报送文件（xlsx/csv）：格式、表头、地区、指标、数值"),
        ("import", "校验并导入一份报送文件，成为数据库中的新数据版本（出错则数据库不变）"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("file", help="xlsx 或 csv 文件（UTF-8 或 GBK）")
        cmd.add_argument("--region", default=DEMO_REGION, help="报送所属的省或市州代码（默认 220000 吉林省）")
        cmd.add_argument("--year", type=int, help="文件中没有年份列时，数据所属年份")
        if name == "import":
            cmd.add_argument(
                "--db",
                help="数据库文件（默认：环境变量 PREVENTION_ATLAS_DB 或 ~/.prevention_atlas/atlas.sqlite）",
            )
            cmd.add_argument("--dataset", help="数据集名称（默认：文件名）")
            cmd.add_argument("--department", default="", help="报送部门")
            cmd.add_argument("--note", default="", help="备注")

    wi = sub.add_parser("whatif", help="情景推演：调整一项指标后各县、市州、全省的达标变化")
    _add_source(wi)
    wi.add_argument("--indicator", required=True, help="指标编号，如 prenatal_screening")
    how = wi.add_mutually_exclusive_group(required=True)
    how.add_argument("--add-pp", type=float, help="提高 X 个百分点（或指标单位）")
    how.add_argument("--scale-pct", type=float, help="分子（人数、例数、人员、起数）增减 X%%")
    how.add_argument("--add-units", type=int, help="新增 N 个单位（人、例、名、县、起），按 --allocate 分配")
    how.add_argument("--target", type=float, help="把目标值改为 T")
    wi.add_argument("--allocate", choices=list(ALLOCATIONS), default="fewest-first")
    wi.add_argument("--scope", default="all", help="all、lagging，或逗号分隔的县/市州代码")
    wi.add_argument("--targets", default=DEFAULT_PROFILE, help=f"目标方案（{', '.join(list_profiles())}）")
    wi.add_argument("--format", choices=["table", "csv"], default="table")
    return parser


def run_attainment(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    profile = load_profile(args.targets)
    regions = load_regions()
    obs = _load(args, catalog)
    region = _check_region_year(regions, obs, args.region, args.year)
    result = attainment(obs, regions, catalog, profile, region.code, args.level, years=[args.year])
    names = {i.id: i.name_zh for i in catalog.indicators}
    result["indicator_name"] = result["indicator_id"].map(names)
    result["unit"] = result["indicator_id"].map({i.id: i.unit for i in catalog.indicators})
    result["shortfall_unit"] = result["indicator_id"].map(
        {i.id: i.numerator_unit_zh for i in catalog.indicators}
    )
    order = {i: n for n, i in enumerate(catalog.ids)}
    result = result.sort_values(
        ["region_code", "indicator_id"], key=lambda s: s.map(order) if s.name == "indicator_id" else s
    )
    table = result[ATTAINMENT_COLUMNS].copy()
    if args.format == "csv":
        for col in ("numerator", "denominator", "baseline"):  # counts print as counts, not 2.597e+04
            whole = table[col].dropna().mod(1).eq(0).all()
            table[col] = table[col].round().astype("Int64") if whole else table[col]
        table[["value", "target", "gap"]] = table[["value", "target", "gap"]].round(4)
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    if args.data is None:
        print(f"[{DEMO_LABEL_ZH}]")
    print(
        f"{profile.name_zh} · {args.year} 年 · {region.name} · 按{ {'county': '县', 'prefecture': '市州', 'city': '市州', 'province': '省'}[args.level] }级"
    )
    summary = summarize(result).set_index("region_code")
    for code, part in table.groupby("region_code", sort=False):
        s = summary.loc[code]
        print(
            f"\n{part['region_name'].iloc[0]}（{code}）：{s['met']} / {len(catalog)} 项达标，{s['not_met']} 项未达标，{s['no_data']} 项无数据"
        )
        for row in part.itertuples():
            value = "—" if pd.isna(row.value) else f"{row.value:.{catalog[row.indicator_id].decimals}f}"
            target = f"{'＞' if row.comparator == '>' else '≥'}{row.target:g}{row.unit}"
            short = (
                ""
                if pd.isna(row.shortfall) or row.status != "not_met"
                else f"  缺口 {row.shortfall} {row.shortfall_unit}"
            )
            print(
                f"  {status_label(row.status):<6} {row.indicator_name}：{value}{row.unit}（目标 {target}）{short}"
            )
    return 0


WHATIF_COLUMNS = [
    "level",
    "region_code",
    "region_name",
    "indicator_id",
    "value_before",
    "status_before",
    "value_after",
    "status_after",
    "shortfall_before",
    "shortfall_after",
    "target_before",
    "target_after",
    "changed",
]


def _load(args: argparse.Namespace, catalog) -> pd.DataFrame:
    if args.db:
        from analytics.store import Store

        if not os.path.isfile(args.db):
            raise UsageError(f"找不到数据库文件：{args.db}")
        obs = Store(args.db).current()
        if obs.empty:
            raise UsageError(f"数据库 {args.db} 中还没有数据（先用 import 导入）")
        return obs
    return read_observations(args.data or DEMO_FILE, catalog)


def _read_submission(args: argparse.Namespace):
    from analytics.ingest import read_submission

    if not os.path.isfile(args.file):
        raise UsageError(f"找不到文件：{args.file}")
    with open(args.file, "rb") as fh:
        data = fh.read()
    region = load_regions().get(args.region)
    if region.level == "county":
        raise UsageError(f"{region.name}（{region.code}）是县级单位；--region 请给省或市州代码")
    return read_submission(
        data,
        os.path.basename(args.file),
        region=region.code,
        year=args.year,
        catalog=load_catalog(),
        regions=load_regions(),
    )


def _print_problems(sub) -> None:
    label = {"error": "✗ 错误", "warning": "! 警告"}
    for p in sub.problems:  # the messages carry their own row numbers ("第5行：…")
        print(f"  {label[p.severity]}  {p.message_zh}")


def _summary(sub) -> str:
    obs = sub.observations
    years = ", ".join(str(y) for y in sorted(set(obs["year"]))) if len(obs) else "—"
    return (
        f"{sub.source_name}：{len(obs)} 行数据（{obs['region_code'].nunique() if len(obs) else 0} 个县，"
        f"{obs['indicator_id'].nunique() if len(obs) else 0} 项指标，年份 {years}）；"
        f"版式 {sub.layout or '—'}，编码 {sub.encoding or 'xlsx'}；错误 {len(sub.errors)} 条，警告 {len(sub.warnings)} 条"
    )


def _checked(args: argparse.Namespace, refusal: str):
    """Read and report a submission; None (after saying why on stderr) when it has errors."""
    sub = _read_submission(args)
    print(_summary(sub))
    _print_problems(sub)
    if not sub.ok:
        print(refusal, file=sys.stderr)
        return None
    return sub


def run_validate(args: argparse.Namespace) -> int:
    if _checked(args, "校验未通过：请按上面的行号修改后重新提交。") is None:
        return 1
    print("校验通过，可以导入。")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from analytics.store import Store, StoreError

    sub = _checked(args, "校验未通过，未导入任何数据（数据库保持不变）。")
    if sub is None:
        return 1
    store = Store(args.db)
    try:
        version = store.import_observations(
            sub.observations,
            dataset=args.dataset or os.path.splitext(sub.source_name)[0],
            source_name=sub.source_name,
            sha256=sub.sha256,
            department=args.department,
            note=args.note,
            passphrase=os.environ.get("PREVENTION_ATLAS_PASSPHRASE"),
        )
    except StoreError as exc:
        raise UsageError(f"{exc}（数据库保持不变）") from None
    print(f"已导入：数据版本 {version}，{len(sub.observations)} 行，数据库 {store.path}")
    return 0


def _check_region_year(regions, obs: pd.DataFrame, region_code: str, year: int):
    region = regions.get(region_code)
    if region.level == "county":
        raise UsageError(f"{region.name}（{region.code}）是县级单位；--region 请给省或市州代码")
    if year not in set(obs["year"]):
        years = sorted(set(obs["year"]))
        raise UsageError(f"数据中没有 {year} 年（已有：{', '.join(map(str, years))}）")
    return region


def run_whatif(args: argparse.Namespace) -> int:
    catalog, regions = load_catalog(), load_regions()
    profile = load_profile(args.targets)
    if args.indicator not in catalog:
        raise UsageError(f"未知的指标编号 {args.indicator}（可选：{', '.join(catalog.ids)}）")
    obs = _load(args, catalog)
    region = _check_region_year(regions, obs, args.region, args.year)
    if args.add_pp is not None:
        adj = Adjustment(args.indicator, "add_pp", args.add_pp, scope=args.scope)
    elif args.scale_pct is not None:
        adj = Adjustment(args.indicator, "scale_pct", args.scale_pct, scope=args.scope)
    elif args.add_units is not None:
        adj = Adjustment(
            args.indicator, "add_units", args.add_units, allocate=args.allocate, scope=args.scope
        )
    else:
        adj = Adjustment(args.indicator, "set_target", args.target, scope=args.scope)
    result = apply(
        obs,
        Scenario("cli", (adj,)),
        catalog=catalog,
        profile=profile,
        regions=regions,
        region_code=region.code,
        year=args.year,
    )
    table = compare(
        obs,
        result,
        catalog=catalog,
        profile=profile,
        regions=regions,
        region_code=region.code,
        year=args.year,
        indicator_ids=[args.indicator],
    )
    if args.format == "csv":
        out = table[WHATIF_COLUMNS].copy()
        out[["value_before", "value_after"]] = out[["value_before", "value_after"]].round(4)
        out.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    ind = catalog[args.indicator]
    if args.data is None:
        print(f"[{DEMO_LABEL_ZH}]")
    county = table[table["level"] == "county"]
    before, after = (
        int((county["status_before"] == "met").sum()),
        int((county["status_after"] == "met").sum()),
    )
    print(f"{ind.name_zh} · {region.name} · {args.year} 年：达标县 {before} → {after}（共 {len(county)} 个）")
    left = result.unallocated.get(args.indicator, 0)
    if left:
        print(f"未能分配的数量：{left} {ind.numerator_unit_zh}（已达标或已到上限）")
    for row in table[table["changed"] | (table["level"] != "county")].itertuples():
        b = "—" if pd.isna(row.value_before) else f"{row.value_before:.{ind.decimals}f}"
        a = "—" if pd.isna(row.value_after) else f"{row.value_after:.{ind.decimals}f}"
        print(
            f"  {row.region_name}：{b} → {a}{ind.unit}  {status_label(row.status_before)} → {status_label(row.status_after)}"
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "attainment":
            return run_attainment(args)
        if args.command == "whatif":
            return run_whatif(args)
        if args.command == "validate":
            return run_validate(args)
        if args.command == "import":
            return run_import(args)
    except (UsageError, RegionError, CatalogError, ObservationError, ScenarioError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: still no traceback for the user, but say what to report
        print(f"内部错误（请报告）：{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 1


if __name__ == "__main__":
    sys.exit(main())
