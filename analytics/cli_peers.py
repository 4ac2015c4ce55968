"""The `peers` command (python -m analytics peers): the county-level units of a county's province nearest in
population size and urban share (analytics/peers.py), and, in the readable output, the county against them on
the 25 indicators. Registered by analytics.__main__ like cli_figure.

    python -m analytics peers [--data FILE | --db PATH] --county ADCODE --year YEAR [--n 5]
        [--targets PROFILE] [--format table|csv] [--lang zh|en]

CSV: region_code, region_name, prefecture, population, urban_share, distance, rank (the peers, nearest first).
Refusals are AtlasErrors (peers.error.* and the shared cli.* / error.* words in data/i18n): exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import pandas as pd

from analytics.attainment import attainment
from analytics.catalog import DEFAULT_PROFILE, list_profiles, load_catalog
from analytics.cli_profiles import targets_of
from analytics.i18n import status_label, t
from analytics.insights import with_unit
from analytics.peers import DEFAULT_N, PEER_COLUMNS, PeerError, peer_comparison, peer_pool_size, peers
from analytics.regions import load_regions


def add_parsers(sub, common: argparse.ArgumentParser, h: Callable[..., str], add_source: Callable) -> None:
    """Adds the `peers` subcommand. `add_source` is not used: it adds --region, and peers take --county."""
    lang = h.lang

    def ph(key: str) -> str:
        return t(f"peers.{key}", lang).replace("%", "%%")

    cmd = sub.add_parser("peers", help=ph("help"), parents=[common])
    src = cmd.add_mutually_exclusive_group()
    src.add_argument("--data", help=h("data"))
    src.add_argument("--db", help=h("db"))
    cmd.add_argument("--county", required=True, metavar="ADCODE", help=ph("help_county"))
    cmd.add_argument("--year", required=True, type=int, help=ph("help_year"))
    cmd.add_argument("--n", type=int, default=DEFAULT_N, help=ph("help_n"))
    cmd.add_argument(
        "--targets",
        default=DEFAULT_PROFILE,
        help=t("cli.help_targets", lang, known=", ".join(list_profiles())).replace("%", "%%"),
    )
    cmd.add_argument("--format", choices=["table", "csv"], default="table")


def _value_text(value: float, binary: bool, decimals: int, unit: str, lang: str) -> str:
    if pd.isna(value):
        return t("peers.no_value", lang)
    if binary:
        return t("status_value_yes" if value >= 1 else "status_value_no", lang)
    return with_unit(f"{value:.{decimals}f}", unit)


def _median_text(median: float, binary: bool, decimals: int, unit: str, lang: str) -> str:
    if pd.isna(median):
        return t("peers.no_value", lang)
    if binary:
        return t("peers.binary_median", lang, median=f"{median:g}")
    return with_unit(f"{median:.{decimals}f}", unit)


def run(args: argparse.Namespace) -> int:
    from analytics.__main__ import _check_year, _demo_label, _load

    lang = args.lang
    if args.n < 1:
        raise PeerError("n_below_one", n=args.n)
    catalog, regions = load_catalog(), load_regions()
    profile = targets_of(args)  # a built-in id, an id saved in --db, or a file
    code = str(args.county).strip()
    found = peers(regions, code, args.n)  # an unknown code, not a county, no population: refused here
    county = regions.get(code)
    province = regions.name(county.province_code)
    if found.empty:
        raise PeerError("no_peers", province=province, name=county.name, code=county.code)
    obs = _load(args, catalog, regions, county.province_code)
    _check_year(obs, args.year)
    if args.format == "csv":
        table = found[PEER_COLUMNS].copy()
        table["distance"] = table["distance"].round(4)
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    rows = attainment(obs, regions, catalog, profile, county.province_code, "county", years=[args.year])
    comparison = peer_comparison(rows, catalog, county.code, found["region_code"], year=args.year)
    _demo_label(args)
    print(t("peers.title", lang, name=county.name, code=county.code, province=province, year=args.year))
    print(t("peers.method", lang, pool=peer_pool_size(regions, county.code), n=args.n))
    if len(found) < args.n:
        print(t("peers.fewer", lang, found=len(found)))
    for row in found.itertuples():
        print(
            t(
                "peers.peer_line",
                lang,
                rank=row.rank,
                name=row.region_name,
                code=row.region_code,
                prefecture=row.prefecture,
                population=f"{row.population:,}",
                urban=f"{row.urban_share * 100:.1f}%",
                distance=f"{row.distance:.3f}",
            )
        )
    print()
    print(t("peers.comparison_title", lang, total=len(catalog), profile=profile.name(lang)))
    for row in comparison.itertuples():
        ind = catalog[row.indicator_id]
        unit = ind.unit_in(lang)
        rank = (
            t("peers.no_value", lang)
            if pd.isna(row.rank)
            else t("peers.rank", lang, rank=int(row.rank), of=int(row.n_ranked))
        )
        print(
            t(
                "peers.comparison_line",
                lang,
                status=f"{status_label(row.status, lang):<6}",
                name=ind.name(lang),
                value=_value_text(row.value, row.binary, ind.decimals, unit, lang),
                median=_median_text(row.peer_median, row.binary, ind.decimals, unit, lang),
                with_value=row.n_peers_with_value,
                peers=row.n_peers,
                met=row.peers_met,
                rank=rank,
            )
        )
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"peers": run}
