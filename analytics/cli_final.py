"""The `final` command (python -m analytics final): the final evaluation 终期评估 (analytics/final_eval.py).
Registered by analytics.__main__ like cli_followup.

    python -m analytics final [--data FILE | --db PATH] --region ADCODE|100000 [--year YEAR] [--targets PROFILE]
        [--format table|csv] [--lang zh|en]

CSV: the `indicators` frame, CSV_COLUMNS (= final_eval.INDICATOR_COLUMNS), one row per region x indicator, the
region's own rows first; numbers rounded to 4 decimals. The readable output: per region its summary line, its
paragraph, then its indicator lines. Without --year the target year is evaluated, or the newest year in the data
(said on the first lines). Refusals are AtlasErrors (final.error.* and the shared cli.* / error.* words): exit
status 1, never a traceback. `add_source` is not used: it makes --year required.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import pandas as pd

from analytics.catalog import DEFAULT_PROFILE, list_profiles, load_catalog, load_profile
from analytics.final_eval import INDICATOR_COLUMNS, FinalError, FinalEvaluation, final_evaluation
from analytics.i18n import t
from analytics.insights import format_number
from analytics.regions import COUNTRY, load_regions

CSV_COLUMNS = INDICATOR_COLUMNS
ROUNDED = ["baseline_value", "final_value", "low", "high", "target", "gap", "change"]


def add_parsers(sub, common: argparse.ArgumentParser, h: Callable[..., str], add_source: Callable) -> None:
    """Adds the `final` subcommand (its own source arguments: `add_source` would require --year)."""
    lang = h.lang

    def words(key: str) -> str:
        return t(f"final.{key}", lang).replace("%", "%%")

    cmd = sub.add_parser("final", help=words("help"), parents=[common])
    src = cmd.add_mutually_exclusive_group()
    src.add_argument("--data", help=h("data"))
    src.add_argument("--db", help=h("db"))
    cmd.add_argument("--region", required=True, metavar="ADCODE", help=words("help_region"))
    cmd.add_argument("--year", type=int, default=None, help=words("help_year"))
    cmd.add_argument(
        "--targets", default=DEFAULT_PROFILE, help=h("targets", known=", ".join(list_profiles()))
    )
    cmd.add_argument("--format", choices=["table", "csv"], default="table")


def evaluate_args(args: argparse.Namespace) -> FinalEvaluation:
    """The final evaluation the command line asks for (the data of --data / --db / the demo)."""
    from analytics.__main__ import _load

    catalog, regions = load_catalog(), load_regions()
    profile = load_profile(args.targets)
    code = str(args.region).strip()
    if code != COUNTRY:
        region = regions.get(code)  # an unknown code: RegionError
        if region.level == "county":
            raise FinalError("region_is_county", name=region.name, code=region.code)
        code = region.code
    obs = _load(args, catalog, regions, None if code == COUNTRY else code)
    return final_evaluation(obs, regions, catalog, profile, code, args.year, args.lang)


def run(args: argparse.Namespace) -> int:
    from analytics.__main__ import _demo_label

    lang = args.lang
    result = evaluate_args(args)
    if args.format == "csv":
        out = result.indicators[CSV_COLUMNS].copy()
        out[ROUNDED] = out[ROUNDED].astype("float64").round(4)
        out.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0

    _demo_label(args)
    profile = load_profile(args.targets)
    print(t("final.title", lang, region=result.region_name, year=result.year, profile=profile.name(lang)))
    if result.year_note:
        print(result.year_note)
    summary = result.summary.set_index("region_code")
    for code, part in result.indicators.groupby("region_code", sort=False):
        s = summary.loc[code]
        print()
        print(
            t(
                "final.unit_heading",
                lang,
                region=s["region_name"],
                met_text=s["met_text"],
                not_met=s["n_not_met"],
                no_data=s["n_no_data"],
            )
        )
        print(result.paragraph(code))
        for row in part.itertuples():
            _print_row(row, lang)
    return 0


def _print_row(row, lang: str) -> None:
    counties = (
        t(
            "final.counties",
            lang,
            met=format_number(row.n_counties_met, 0),
            total=format_number(row.n_counties, 0),
        )
        if row.n_counties
        else "—"
    )
    baseline_year = (
        "—" if pd.isna(row.baseline_year) else t("final.baseline_year", lang, year=row.baseline_year)
    )
    print(
        t(
            "final.line",
            lang,
            status=row.status_label,
            name=row.indicator_name,
            baseline=row.baseline_text,
            baseline_year=baseline_year,
            final=row.final_text,
            target=row.target_text,
            change=row.change_text,
            progress=row.progress_label,
            counties=counties,
        )
    )


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"final": run}
