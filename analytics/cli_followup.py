"""The `followup` command (python -m analytics followup): the department follow-up list 督办清单
(analytics/followup.py). Registered by analytics.__main__ like cli_figure.

    python -m analytics followup [--data FILE | --db PATH] --region ADCODE|100000 --year YEAR [--worst 3]
        [--department NAME] [--targets PROFILE] [--format table|csv] [--lang zh|en]

CSV: one row per department x indicator x region (CSV_COLUMNS). The readable output: per department a heading
and its lines, the region's own row first, then the level below. Refusals are AtlasErrors (followup.error.*
and the shared cli.* / error.* words in data/i18n): exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import pandas as pd

from analytics.catalog import load_catalog
from analytics.cli_profiles import targets_of
from analytics.followup import (
    WORST_N,
    FollowupError,
    department_summary,
    departments,
    followup,
    levels_of,
)
from analytics.i18n import t
from analytics.regions import COUNTRY, load_regions

CSV_COLUMNS = [
    "department",
    "indicator_id",
    "region_code",
    "status",
    "shortfall",
    "shortfall_unit",
    "shortfall_text",
    "gap",
    "value",
    "comparator",
    "target",
    "indicator_name",
    "region_name",
    "level",
    "is_region",
    "year",
    "trajectory",
    "trajectory_label",
    "progress_status",
    "worst_counties",
    "worst_county_codes",
    "n_counties_not_met",
    "n_units",
    "n_reported",
]


def add_parsers(sub, common: argparse.ArgumentParser, h: Callable[..., str], add_source: Callable) -> None:
    """Adds the `followup` subcommand (`add_source` adds --data/--db, --region, --year, --targets, --format)."""
    lang = h.lang

    def fh(key: str) -> str:
        return t(f"followup.{key}", lang).replace("%", "%%")

    cmd = sub.add_parser("followup", help=fh("help"), parents=[common])
    add_source(cmd)
    cmd.add_argument("--worst", type=int, default=WORST_N, help=fh("help_worst"))
    cmd.add_argument("--department", default=None, help=fh("help_department"))


def _region_name(regions, code: str, lang: str) -> str:
    return t("followup.country", lang) if code == COUNTRY else regions.name(code)


def run(args: argparse.Namespace) -> int:
    from analytics.__main__ import _check_year, _demo_label, _load

    lang = args.lang
    worst = getattr(args, "worst", WORST_N)
    if worst < 1:
        raise FollowupError("worst_below_one", n=worst)
    catalog, regions = load_catalog(), load_regions()
    profile = targets_of(args)  # a built-in id, an id saved in --db, or a file
    code = str(args.region).strip()
    if code != COUNTRY:
        region = regions.get(code)  # an unknown code: RegionError
        if region.level == "county":
            raise FollowupError("region_is_county", name=region.name, code=region.code)
        code = region.code
    _, sub, _ = levels_of(regions, code)
    obs = _load(args, catalog, regions, None if code == COUNTRY else code)
    _check_year(obs, args.year)
    table = followup(obs, regions, catalog, profile, code, args.year, lang, worst=worst)
    department = getattr(args, "department", None)
    if department:  # a lead department of the plan; none of its indicators behind: "nothing to follow up"
        known = departments(catalog, lang)
        if department not in known:
            raise FollowupError("unknown_department", name=department, known="、".join(known) or "—")
        table = table[table["department"] == department].reset_index(drop=True)

    if args.format == "csv":
        out = table[CSV_COLUMNS].copy()
        out[["value", "target", "gap"]] = out[["value", "target", "gap"]].astype("float64").round(4)
        out.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0

    _demo_label(args)
    name = _region_name(regions, code, lang)
    print(t("followup.title", lang, region=name, year=args.year, profile=profile.name(lang)))
    if table.empty:
        print(t("followup.nothing", lang, region=name, year=args.year))
        return 0
    _overview(table, name, sub, lang)
    print(t("followup.how", lang))
    summary = department_summary(table, lang).set_index("department")
    for dept, part in table.groupby("department", sort=False):
        s = summary.loc[dept]
        print()
        fields = {
            "department": dept,
            "indicators": s["n_indicators"],
            "region": name,
            "region_not_met": s["n_region_not_met"],
            "no_data": s["n_no_data"],
        }
        if sub is None:
            print(t("followup.department_heading_no_sub", lang, **fields))
        else:
            sublevel = t(f"followup.sublevel_{sub}", lang)
            print(
                t(
                    "followup.department_heading",
                    lang,
                    sublevel=sublevel,
                    sub_not_met=s["n_subregion_not_met"],
                    **fields,
                )
            )
        if s["shortfall_totals"]:
            print(t("followup.department_total", lang, region=name, totals=s["shortfall_totals"]))
        for row in part.itertuples():
            _print_row(row, lang)
    return 0


def _overview(table: pd.DataFrame, name: str, sub: str | None, lang: str) -> None:
    """One line: how many indicators the region misses or lacks data for, how many rows below, departments."""
    once = table.drop_duplicates(["indicator_id", "region_code"])
    own = once[once["is_region"]]
    fields = {
        "region": name,
        "not_met": int((own["status"] == "not_met").sum()),
        "no_data": int((own["status"] == "no_data").sum()),
        "departments": table["department"].nunique(),
    }
    if sub is None:
        print(t("followup.overview_no_sub", lang, **fields))
        return
    below = int((~once["is_region"]).sum())
    sublevel = t(f"followup.sublevel_{sub}", lang)
    print(t("followup.overview", lang, sublevel=sublevel, sub_not_met=below, **fields))


def _print_row(row, lang: str) -> None:
    indent = "  " if row.is_region else "    "
    region = t("followup.country", lang) if row.region_code == COUNTRY else row.region_name
    if row.status == "no_data":
        print(t("followup.line_no_data", lang, indent=indent, name=row.indicator_name, region=region))
        return
    print(
        t(
            "followup.line",
            lang,
            indent=indent,
            name=row.indicator_name,
            region=region,
            value=row.value_text,
            target=row.target_text,
            shortfall=row.shortfall_text or t("followup.shortfall_unknown", lang),
            trajectory=row.trajectory_label,
        )
    )
    if row.worst_counties:
        print(
            t(
                "followup.worst_line",
                lang,
                indent=indent,
                n=row.n_counties_not_met,
                counties=row.worst_counties,
            )
        )


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"followup": run}
