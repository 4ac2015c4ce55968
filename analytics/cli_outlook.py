"""The `outlook` command (python -m analytics outlook): the projected value of one indicator in a chosen year, its
80 % and 95 % prediction intervals and the probability of reaching a target (analytics/outlook.py). Registered by
analytics.__main__ like cli_figure.

    python -m analytics outlook [--data FILE | --db PATH] --region ADCODE --indicator ID --to YEAR
        [--target T] [--targets PROFILE] [--level province|city|prefecture|county] [--format table|csv]
        [--lang zh|en]

One row per region: the region itself, or with `--level` its prefectures or counties. CSV: CSV_COLUMNS (numbers
rounded to 4 decimals). Refusals are AtlasErrors (outlook.error.* and the shared cli.* / error.* words): an
unknown indicator or region, `--to` not after the last observed year, a target outside the kind's range.
`add_source` is not used: it makes --year required, and an outlook has no year but `--to`.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable

import pandas as pd

from analytics.attainment import attainment
from analytics.catalog import DEFAULT_PROFILE, list_profiles, load_catalog
from analytics.cli_profiles import targets_of
from analytics.errors import AtlasError
from analytics.i18n import t
from analytics.insights import with_unit
from analytics.outlook import OUTLOOK_COLUMNS, OutlookError, check_target, outlook, proposed_targets
from analytics.regions import load_regions

LEVEL_CHOICES = ["province", "city", "prefecture", "county"]
CSV_COLUMNS = OUTLOOK_COLUMNS  # the outlook frame's own columns, without its fit
ROUNDED = ["last_value", "projected", "low80", "high80", "low95", "high95", "target", "probability"]


def add_parsers(sub, common: argparse.ArgumentParser, h: Callable[..., str], add_source: Callable) -> None:
    """Adds the `outlook` subcommand (its own source arguments: `add_source` would require --year)."""
    lang = h.lang

    def words(key: str) -> str:
        return t(f"outlook.{key}", lang).replace("%", "%%")

    cmd = sub.add_parser("outlook", help=words("help"), parents=[common])
    src = cmd.add_mutually_exclusive_group()
    src.add_argument("--data", help=h("data"))
    src.add_argument("--db", help=h("db"))
    cmd.add_argument("--region", required=True, metavar="ADCODE", help=words("help_region"))
    cmd.add_argument("--indicator", required=True, help=words("help_indicator"))
    cmd.add_argument("--to", required=True, type=int, dest="to", metavar="YEAR", help=words("help_to"))
    cmd.add_argument("--target", type=float, help=words("help_target"))
    cmd.add_argument(
        "--targets",
        default=DEFAULT_PROFILE,
        help=t("cli.help_targets", lang, known=", ".join(list_profiles())).replace("%", "%%"),
    )
    cmd.add_argument("--level", choices=LEVEL_CHOICES, help=words("help_level"))
    cmd.add_argument("--format", choices=["table", "csv"], default="table")


def _evaluated(args: argparse.Namespace, catalog, regions, profile) -> pd.DataFrame:
    """attainment() rows over every observed year: the region's own, or its prefectures' or counties'."""
    from analytics.__main__ import _load

    region = regions.get(str(args.region).strip())  # an unknown code: RegionError
    level = {"city": "prefecture"}.get(args.level or "", args.level)
    if region.level == "county":
        if level not in (None, "county"):
            raise AtlasError("level_above_region", name=region.name, code=region.code, level=level)
        scope = region.parent_code or region.province_code
        obs = _load(args, catalog, regions, scope)
        rows = attainment(obs, regions, catalog, profile, scope, "county")
        return rows[rows["region_code"].astype(str) == region.code]
    obs = _load(args, catalog, regions, region.code)
    rows = attainment(obs, regions, catalog, profile, region.code, level or region.level)
    if level is None:
        rows = rows[rows["region_code"].astype(str) == region.code]
    return rows


def _number(value: float, decimals: int, unit: str) -> str:
    return "—" if value is None or pd.isna(value) else with_unit(f"{value:.{decimals}f}", unit)


def _percent(p: float) -> str:
    """A probability in whole percent, never a rounded 0 % or 100 % that is not certain."""
    if 0 < p < 0.01:
        return "<1%"
    if 0.99 < p < 1:
        return ">99%"
    return f"{p:.0%}"


def _print(table: pd.DataFrame, ind, profile, region_name: str, to_year: int, lang: str) -> None:
    unit, decimals = ind.unit_in(lang), ind.decimals
    proposed = proposed_targets(table).set_index("region_code")
    print(
        t(
            "outlook.title",
            lang,
            to_year=to_year,
            indicator=ind.name(lang),
            region=region_name,
            profile=profile.name(lang),
        )
    )
    print(t("outlook.method", lang))
    for row in table.itertuples():
        print()
        if row.method == "no_data":
            print(t("outlook.line_no_data", lang, name=row.region_name, code=row.region_code))
            continue
        if row.method in ("last_value", "status"):
            print(
                t(
                    "outlook.line_no_interval",
                    lang,
                    name=row.region_name,
                    code=row.region_code,
                    last_year=row.last_year,
                    last_value=_number(row.last_value, decimals, unit),
                    reason=t(f"outlook.method_{row.method}", lang),
                )
            )
            continue
        print(
            t(
                "outlook.line",
                lang,
                name=row.region_name,
                code=row.region_code,
                last_year=row.last_year,
                last_value=_number(row.last_value, decimals, unit),
                to_year=row.to_year,
                projected=_number(row.projected, decimals, unit),
                low80=_number(row.low80, decimals, unit),
                high80=_number(row.high80, decimals, unit),
                low95=_number(row.low95, decimals, unit),
                high95=_number(row.high95, decimals, unit),
                years=row.n_years,
            )
        )
        if math.isnan(row.target):
            print(t("outlook.no_target", lang))
        else:
            comparator = {">": "＞", ">=": "≥", "<": "＜", "<=": "≤"}.get(row.comparator, row.comparator)
            print(
                t(
                    "outlook.probability",
                    lang,
                    comparator=comparator,
                    target=with_unit(f"{row.target:g}", unit),
                    probability=_percent(row.probability),
                )
            )
        p = proposed.loc[row.region_code]
        print(
            t(
                "outlook.proposed",
                lang,
                p50=_number(p["target_p50"], decimals, unit),
                p80=_number(p["target_p80"], decimals, unit),
            )
        )


def run(args: argparse.Namespace) -> int:
    from analytics.__main__ import _demo_label

    lang = args.lang
    catalog, regions = load_catalog(), load_regions()
    profile = targets_of(args)  # a built-in id, an id saved in --db, or a file
    if args.indicator not in catalog:
        raise OutlookError("unknown_indicator", indicator=args.indicator, known=", ".join(catalog.ids))
    if args.target is not None:  # refused before the data is read
        check_target(catalog, args.indicator, float(args.target))
    evaluated = _evaluated(args, catalog, regions, profile)
    table = outlook(evaluated, catalog, profile, args.indicator, args.to, args.target)
    if args.format == "csv":
        out = table[CSV_COLUMNS].copy()
        out[ROUNDED] = out[ROUNDED].round(4)
        out.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    _demo_label(args)
    region_name = regions.get(str(args.region).strip()).name
    _print(table, catalog[args.indicator], profile, region_name, args.to, lang)
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"outlook": run}
