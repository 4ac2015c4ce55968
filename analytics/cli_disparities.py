"""The `disparities` command (python -m analytics disparities): districts against counties, ethnic autonomous
areas against the rest, the gap's trend since 2020 and the highest and lowest prefecture (analytics.disparities).
Registered by analytics.__main__ like cli_figure.

    python -m analytics disparities [--data FILE | --db PATH] --region ADCODE|100000 --year YEAR
        [--indicator ID] [--targets PROFILE] [--lang zh|en] [--format table|csv]

`--format csv` writes the tidy frame (disparities.COLUMNS; numbers rounded to 4 decimals; a group's name_a /
name_b in the chosen language) to stdout; otherwise a short table in the chosen language.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable

import pandas as pd

from analytics.catalog import Catalog, load_catalog
from analytics.cli_profiles import targets_of
from analytics.disparities import (
    COLUMNS,
    COMPARISONS,
    RATIO_DECIMALS,
    comparison_label,
    disparities,
    gap_trend,
    group_label,
    interval_text,
    number_text,
    value_text,
)
from analytics.i18n import t
from analytics.regions import COUNTRY, load_regions

NUMBER_COLUMNS = [
    c for c in COLUMNS if c.split("_")[0] in ("value", "low", "high", "difference", "diff", "ratio")
]


def add_parsers(sub, common: argparse.ArgumentParser, h: Callable[..., str], add_source: Callable) -> None:
    """Adds the `disparities` subcommand (`add_source` adds --data/--db, --region, --year, --targets, --format)."""
    lang = h.lang

    def words(key: str) -> str:
        return t(f"disparities.{key}", lang).replace("%", "%%")

    cmd = sub.add_parser("disparities", help=words("help"), parents=[common])
    add_source(cmd)
    for action in cmd._actions:  # --region also takes 100000 (all China) here
        if "--region" in action.option_strings:
            action.help = words("help_region")
    cmd.add_argument("--indicator", help=words("help_indicator"))


# --- the readable table ------------------------------------------------------------------------------------
_number, _interval, _value = (
    number_text,
    interval_text,
    value_text,
)  # the shared wording (analytics.disparities)


def _print_groups(frame: pd.DataFrame, year: int, catalog: Catalog, lang: str) -> None:
    for comparison, (a, b) in COMPARISONS.items():
        rows = frame[(frame["comparison"] == comparison) & (frame["year"] == year)]
        print()
        print(
            t(
                "disparities.section",
                lang,
                comparison=comparison_label(comparison, lang),
                a=group_label(a, lang),
                b=group_label(b, lang),
            )
        )
        for row in rows.itertuples():
            ind = catalog[row.indicator_id]
            d, unit = ind.decimals, ind.unit_in(lang)
            print(
                t(
                    "disparities.line",
                    lang,
                    name=ind.name(lang),
                    value_a=_value(row.value_a, row.low_a, row.high_a, d, unit, lang),
                    n_a=row.n_a,
                    units_a=row.units_a,
                    value_b=_value(row.value_b, row.low_b, row.high_b, d, unit, lang),
                    n_b=row.n_b,
                    units_b=row.units_b,
                    difference=_interval(
                        _number(row.difference, d, sign=True), row.diff_low, row.diff_high, d, lang
                    ),
                    ratio=_interval(
                        _number(row.ratio, RATIO_DECIMALS),
                        row.ratio_low,
                        row.ratio_high,
                        RATIO_DECIMALS,
                        lang,
                    ),
                )
            )


def _print_trend(frame: pd.DataFrame, catalog: Catalog, lang: str) -> None:
    trend = gap_trend(frame)
    if trend.shape[1] < 2:  # one year: no trend to show
        return
    years = f"{trend.columns[0]}–{trend.columns[-1]}"
    for comparison in COMPARISONS:
        print()
        print(
            t("disparities.trend_section", lang, comparison=comparison_label(comparison, lang), years=years)
        )
        for (_, ind_id), gaps in trend.loc[[comparison]].iterrows():
            ind = catalog[ind_id]
            values = " → ".join(_number(g, ind.decimals, sign=True) for g in gaps)
            print(t("disparities.trend_line", lang, name=ind.name(lang), values=values))


def _print_spread(frame: pd.DataFrame, catalog: Catalog, lang: str) -> None:
    rows = frame[~frame["comparison"].isin(list(COMPARISONS))]
    if rows.empty:
        return
    print()
    print(
        t("disparities.spread_section", lang, comparison=comparison_label(rows["comparison"].iloc[0], lang))
    )
    for row in rows.itertuples():
        ind = catalog[row.indicator_id]
        d, unit = ind.decimals, ind.unit_in(lang)
        print(
            t(
                "disparities.spread_line",
                lang,
                name=ind.name(lang),
                high_name=row.name_a or "—",
                high=_value(row.value_a, math.nan, math.nan, d, unit, lang),
                low_name=row.name_b or "—",
                low=_value(row.value_b, math.nan, math.nan, d, unit, lang),
                difference=_number(row.difference, d),
                ratio=_number(row.ratio, RATIO_DECIMALS),
            )
        )


def _csv(frame: pd.DataFrame, lang: str) -> None:
    out = frame.copy()
    groups = out["comparison"].isin(list(COMPARISONS))
    for side in ("a", "b"):  # a group's name in the chosen language; a region's name as the table has it
        named = out.loc[groups, f"group_{side}"].map(lambda g: group_label(g, lang))
        out.loc[groups, f"name_{side}"] = named
    out[NUMBER_COLUMNS] = out[NUMBER_COLUMNS].round(4)
    out.to_csv(sys.stdout, index=False, lineterminator="\n")


def run_disparities(args: argparse.Namespace) -> int:
    from analytics.__main__ import UsageError, _check_year, _demo_label, _load, _region

    lang = args.lang
    catalog, regions = load_catalog(), load_regions()
    profile = targets_of(args)  # a built-in id, an id saved in --db, or a file
    indicator = getattr(args, "indicator", None)
    if indicator is not None and indicator not in catalog:
        raise UsageError("unknown_indicator", indicator=indicator, known=", ".join(catalog.ids))
    national = str(args.region) == COUNTRY
    region_code = COUNTRY if national else _region(regions, args.region).code
    obs = _load(args, catalog, regions, None if national else region_code)
    _check_year(obs, args.year)
    frame = disparities(obs, regions, catalog, profile, region_code, args.year, indicator)
    if args.format == "csv":
        _csv(frame, lang)
        return 0
    _demo_label(args)
    print(
        t(
            "disparities.title",
            lang,
            profile=profile.name(lang),
            year=args.year,
            region=regions.name(region_code),
        )
    )
    _print_groups(frame, args.year, catalog, lang)
    _print_trend(frame, catalog, lang)
    _print_spread(frame, catalog, lang)
    return 0


run = run_disparities
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"disparities": run_disparities}
