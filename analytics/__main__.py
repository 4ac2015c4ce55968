"""The command line: python -m analytics attainment … (clear messages, exit status 1 on bad input, no tracebacks).

Every word it prints comes from data/i18n (cli.* keys); `--lang en` prints English.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import pandas as pd

from analytics import (
    cli_admin,
    cli_disparities,
    cli_figure,
    cli_final,
    cli_followup,
    cli_history,
    cli_outlook,
    cli_peers,
    cli_profiles,
    cli_report,
    sources,
)
from analytics.attainment import attainment, summarize
from analytics.catalog import DEFAULT_PROFILE, list_profiles, load_catalog
from analytics.errors import AtlasError
from analytics.i18n import DEFAULT_LANG, LANGS, status_label, t
from analytics.insights import reported_mark, with_unit
from analytics.intake.limits import LIMITS, size_text
from analytics.intake.summary import summarise
from analytics.meeting import COUNTRY, Meeting
from analytics.regions import load_regions
from analytics.scenario_words import describe, submit_counts, units_text, value_only_note
from analytics.scenarios import ALLOCATIONS, Adjustment, Scenario, apply, compare
from analytics.store import DEMO_REGION, Store

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
    "low",  # the value's 95 % interval, on the same sums (analytics/intervals.py; empty for a 1/0 status)
    "high",
    "unit",
    "comparator",
    "target",
    "status",
    "certainty",  # unclear: the target lies inside [low, high]; clear: outside; empty: no interval
    "gap",
    "shortfall",
    "shortfall_unit",
    "n_units",
    "n_reported",
    "value_source",  # computed (from sums, or a county's counts), reported (the department's figure) or empty
    "reported_value",  # the department's own figure for the region where it sent one (compare with value)
    "reported_by",
]
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
    "units_added",  # units the county received (add_units; a prefecture or province: its counties' sum)
    "n_value_only",  # counties that sent only a value: shown, left out of a prefecture's or province's sum
]
LEVEL_CHOICES = ["county", "city", "prefecture", "province"]


class UsageError(AtlasError):
    """A command line that cannot be run as given: cli.<code> in data/i18n."""

    prefix = "cli"


def _lang(argv: Sequence[str]) -> str:
    """The language asked for (needed before argparse speaks): --lang, else the locale in $LANG (en_* ->
    English, anything else Chinese)."""
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args) and args[i + 1] in LANGS:
            return args[i + 1]
        if arg.startswith("--lang=") and arg.split("=", 1)[1] in LANGS:
            return arg.split("=", 1)[1]
    return "en" if os.environ.get("LANG", "").lower().startswith("en") else DEFAULT_LANG


def _speak_argparse(lang: str) -> None:
    """argparse's own messages ("the following arguments are required …") in `lang` (data/i18n argparse.*)."""

    def translate(message: str) -> str:
        key = f"argparse.{message}"
        text = t(key, lang)
        return message if text == key else text

    argparse._ = translate  # argparse looks its messages up through this module-level gettext alias


class _Parser(argparse.ArgumentParser):
    lang = DEFAULT_LANG

    def error(self, message: str) -> None:  # argparse exits with 2; the contract says 1
        self.print_usage(sys.stderr)
        print(t("cli.error", self.lang, message=message), file=sys.stderr)
        sys.exit(1)


def build_parser(lang: str = DEFAULT_LANG) -> argparse.ArgumentParser:
    _Parser.lang = lang
    _speak_argparse(lang)

    def h(key: str, **fields) -> str:
        return t(f"cli.help_{key}", lang, **fields).replace("%", "%%")

    h.lang = lang  # the help's language, for the commands whose words live under their own prefix

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=list(LANGS), default=DEFAULT_LANG, help=h("lang"))

    def add_source(cmd: argparse.ArgumentParser) -> None:
        src = cmd.add_mutually_exclusive_group()
        src.add_argument("--data", help=h("data"))
        src.add_argument("--db", help=h("db"))
        cmd.add_argument("--region", required=True, help=h("region"))
        cmd.add_argument("--year", required=True, type=int)
        cmd.add_argument(
            "--targets", default=DEFAULT_PROFILE, help=h("targets", known=", ".join(list_profiles()))
        )
        cmd.add_argument("--format", choices=["table", "csv"], default="table")

    parser = _Parser(prog="python -m analytics", description=h("program"), parents=[common])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    att = sub.add_parser("attainment", help=h("attainment"), parents=[common])
    add_source(att)
    att.add_argument("--level", required=True, choices=LEVEL_CHOICES)

    for name in ("validate", "import"):
        cmd = sub.add_parser(name, help=h(name), parents=[common])
        cmd.add_argument("file", help=h("file"))
        cmd.add_argument("--region", default=DEMO_REGION, help=h("submission_region"))
        cmd.add_argument("--year", type=int, help=h("submission_year"))
        cmd.add_argument("--db", help=h("store_db"))
        cmd.add_argument("--all", action="store_true", help=h("all"))
        if name == "import":
            cmd.add_argument("--dataset", help=h("dataset"))
            cmd.add_argument("--department", default="", help=h("department"))
            cmd.add_argument("--note", default="", help=h("note"))

    cli_history.add_parsers(sub, common, h)  # versions, rollback N, undo N
    cli_figure.add_parsers(sub, common, h, add_source)  # figure
    cli_report.add_parsers(sub, common, h, add_source)  # report
    cli_peers.add_parsers(sub, common, h, add_source)  # peers
    cli_disparities.add_parsers(sub, common, h, add_source)  # disparities
    cli_outlook.add_parsers(sub, common, h, add_source)  # outlook
    cli_followup.add_parsers(sub, common, h, add_source)  # followup
    cli_profiles.add_parsers(sub, common, h, add_source)  # profile export|check|save|withdraw|list
    cli_final.add_parsers(sub, common, h, add_source)  # final
    cli_admin.add_parsers(sub, common, h, add_source)  # admin set-passphrase|log

    wi = sub.add_parser("whatif", help=h("whatif"), parents=[common])
    add_source(wi)
    wi.add_argument("--indicator", required=True, help=h("indicator"))
    how = wi.add_mutually_exclusive_group(required=True)
    how.add_argument("--add-pp", type=float, help=h("add_pp"))
    how.add_argument("--scale-pct", type=float, help=h("scale_pct"))
    how.add_argument("--add-units", type=int, help=h("add_units"))
    how.add_argument("--target", type=float, help=h("target"))
    wi.add_argument("--allocate", choices=list(ALLOCATIONS), default="fewest-first")
    wi.add_argument("--scope", default="all", help=h("scope"))
    return parser


# --- where the observations come from -------------------------------------------------------------------
def _source(args: argparse.Namespace) -> tuple[str, Store | None]:
    """(source, store) for sources.observations: the demo data, a CSV file, or an existing database."""
    if args.db:
        if not os.path.isfile(args.db):
            raise UsageError("db_missing", path=args.db)
        return sources.STORE, Store(args.db)
    return (args.data or sources.DEMO), None


def _load(args: argparse.Namespace, catalog, regions, region_code: str) -> pd.DataFrame:
    source, store = _source(args)
    obs = sources.observations(source, region_code, catalog=catalog, regions=regions, store=store)
    if store is not None and obs.empty:
        raise UsageError("db_empty", path=args.db)
    return obs


def _region(regions, region_code: str):
    region = regions.get(region_code)
    if region.level == "county":
        raise UsageError("region_is_county", name=region.name, code=region.code)
    return region


def _check_year(obs: pd.DataFrame, year: int) -> None:
    if year not in set(obs["year"]):
        known = ", ".join(map(str, sorted(set(obs["year"])))) or "—"
        raise UsageError("year_missing", year=year, known=known)


def load_meeting(args: argparse.Namespace) -> Meeting:
    """The Meeting of `--region` (100000 = the whole country), `--year`, `--targets` from `--data` / `--db` / the
    demo: what `figure` and `report` draw."""
    catalog, regions = load_catalog(), load_regions()
    profile = cli_profiles.targets_of(args)
    national = str(args.region) == COUNTRY
    region_code = COUNTRY if national else _region(regions, args.region).code
    obs = _load(args, catalog, regions, None if national else regions.get(region_code).province_code)
    _check_year(obs, args.year)
    source, store = _source(args)
    if store is not None:
        version = store.newest_active()
        text = (
            t("meeting.source_store", args.lang, version=version)
            if version
            else t("meeting.source_store_empty", args.lang)
        )
    elif sources.is_synthetic(source):
        text = t("meeting.source_demo", args.lang)
    else:
        text = t("meeting.source_file", args.lang, name=os.path.basename(source))
    return Meeting.from_observations(
        obs,
        catalog=catalog,
        regions=regions,
        profile=profile,
        region_code=region_code,
        year=args.year,
        lang=args.lang,
        source_text=text,
        synthetic=sources.is_synthetic(source),
    )


def _demo_label(args: argparse.Namespace) -> None:
    if sources.is_synthetic(_source(args)[0]):
        print(f"[{t('demo_short', 'zh')}]")


# --- commands -------------------------------------------------------------------------------------------
def run_attainment(args: argparse.Namespace) -> int:
    lang = args.lang
    catalog, regions = load_catalog(), load_regions()
    profile = cli_profiles.targets_of(args)
    region = _region(regions, args.region)
    obs = _load(args, catalog, regions, region.code)
    _check_year(obs, args.year)
    result = attainment(obs, regions, catalog, profile, region.code, args.level, years=[args.year])
    result["indicator_name"] = result["indicator_id"].map({i.id: i.name(lang) for i in catalog.indicators})
    result["unit"] = result["indicator_id"].map({i.id: i.unit_in(lang) for i in catalog.indicators})
    result["shortfall_unit"] = result["indicator_id"].map(
        {i.id: i.numerator_unit(lang) for i in catalog.indicators}
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
        rounded = ["value", "low", "high", "target", "gap", "reported_value"]
        table[rounded] = table[rounded].round(4)
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    _demo_label(args)
    level = {"city": "prefecture"}.get(args.level, args.level)
    print(
        t(
            "cli.attainment_title",
            lang,
            profile=profile.name(lang),
            year=args.year,
            region=region.name,
            level=t(f"cli.level_{level}", lang),
        )
    )
    summary = summarize(result).set_index("region_code")
    for code, part in table.groupby("region_code", sort=False):
        s = summary.loc[code]
        print()
        print(
            t(
                "cli.region_headline",
                lang,
                name=part["region_name"].iloc[0],
                code=code,
                met=s["met"],
                total=len(catalog),
                not_met=s["not_met"],
                no_data=s["no_data"],
            )
        )
        for row in part.itertuples():
            value = "—" if pd.isna(row.value) else f"{row.value:.{catalog[row.indicator_id].decimals}f}"
            target = f"{'＞' if row.comparator == '>' else '≥'}{row.target:g}{row.unit}"
            short = (
                ""
                if pd.isna(row.shortfall) or row.status != "not_met"
                else t("cli.shortfall", lang, n=row.shortfall, unit=row.shortfall_unit)
            )
            if row.value_source == "reported" and row.level != "county":  # a 全省 row, not a sum
                short += reported_mark(row.reported_by, lang)
            print(
                t(
                    "cli.indicator_line",
                    lang,
                    status=f"{status_label(row.status, lang):<6}",
                    name=row.indicator_name,
                    value=value,
                    unit=row.unit,
                    target=target,
                    shortfall=short,
                )
            )
    return 0


PROGRESS_BYTES = 1 << 20  # about 20,000 rows, read and checked in about a second


def _read_submission(args: argparse.Namespace, store: Store | None):
    if not os.path.isfile(args.file):
        raise UsageError("file_missing", path=args.file)
    size = os.path.getsize(args.file)
    if size > LIMITS.file_bytes:  # refused unread, with the file's real size (the same limit as the upload)
        raise UsageError(
            "file_too_large", path=args.file, size=size_text(size), limit=size_text(LIMITS.file_bytes)
        )
    if size > PROGRESS_BYTES:  # a file that takes more than a second or two: say what is going on
        print(
            t("checking_file", args.lang, name=os.path.basename(args.file), size=size_text(size)),
            file=sys.stderr,
        )
    with open(args.file, "rb") as fh:
        data = fh.read()
    regions = load_regions()
    code = str(args.region).strip()
    region_code = COUNTRY if code == COUNTRY else _region(regions, code).code  # 100000: a national file
    return sources.check_submission(
        data,
        os.path.basename(args.file),
        region=region_code,
        year=args.year,
        catalog=load_catalog(),
        regions=regions,
        store=store,
    )


def _existing_store(args: argparse.Namespace) -> Store | None:
    """The store whose rows earlier years are compared with: --db, else the default one if it exists."""
    if args.db:
        return Store(args.db) if os.path.isfile(args.db) else None
    from analytics.store import default_db_path

    return Store(default_db_path()) if default_db_path().is_file() else None


def _checked(args: argparse.Namespace, store: Store | None, refusal: str):
    """Read and report a submission; None (after saying why on stderr) when it has errors."""
    lang = args.lang
    sub = _read_submission(args, store)
    obs = sub.observations
    print(
        t(
            "cli.submission_summary",
            lang,
            name=sub.source_name,
            rows=len(obs),
            counties=sum(load_regions().level(c) == "county" for c in obs["region_code"].unique()),
            indicators=obs["indicator_id"].nunique() if len(obs) else 0,
            years=", ".join(str(y) for y in sorted(set(obs["year"]))) if len(obs) else "—",
            layout=sub.layout or "—",
            encoding=sub.encoding or "xlsx",
            errors=len(sub.errors),
            warnings=len(sub.warnings),
        )
    )
    shown = sub.problems if args.all else summarise(sub.problems)  # one line per kind and column
    for p in shown:  # the messages carry their own row numbers ("第5行：…")
        print(f"  {t(f'cli.severity_{p.severity}', lang)}  {p.message(lang)}")
    if len(shown) < len(sub.problems):
        print(t("cli.summary_hint", lang, count=len(sub.problems)))
    if not sub.ok:
        print(t(refusal, lang), file=sys.stderr)
        return None
    return sub


def run_validate(args: argparse.Namespace) -> int:
    if _checked(args, _existing_store(args), "cli.validate_refused") is None:
        return 1
    print(t("cli.validate_ok", args.lang))
    return 0


def run_import(args: argparse.Namespace) -> int:
    from analytics.store import StoreError

    sub = _checked(args, _existing_store(args), "cli.import_refused")
    if sub is None:
        return 1  # nothing written, not even a new empty database file
    cli_history.flag_same_file(_existing_store(args), sub.sha256, args.lang)
    try:
        store = Store(args.db)
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
        raise UsageError("store_unchanged", reason=exc.message(args.lang)) from None
    print(t("cli.imported", args.lang, version=version, rows=len(sub.observations), path=store.path))
    return 0


def run_whatif(args: argparse.Namespace) -> int:
    lang = args.lang
    catalog, regions = load_catalog(), load_regions()
    profile = cli_profiles.targets_of(args)
    if args.indicator not in catalog:
        raise UsageError("unknown_indicator", indicator=args.indicator, known=", ".join(catalog.ids))
    region = _region(regions, args.region)
    obs = _load(args, catalog, regions, region.code)
    _check_year(obs, args.year)
    if args.add_pp is not None:
        adj = Adjustment(args.indicator, "add_pp", args.add_pp, scope=args.scope)
    elif args.scale_pct is not None:
        adj = Adjustment(args.indicator, "scale_pct", args.scale_pct, scope=args.scope)
    elif args.add_units is not None:
        if args.add_units < 1:
            raise UsageError("units_below_one", n=args.add_units)
        adj = Adjustment(
            args.indicator, "add_units", args.add_units, allocate=args.allocate, scope=args.scope
        )
    else:
        adj = Adjustment(args.indicator, "set_target", args.target, scope=args.scope)
    run = {"catalog": catalog, "profile": profile, "regions": regions, "region_code": region.code}
    result = apply(obs, Scenario("cli", (adj,)), year=args.year, **run)
    table = compare(obs, result, year=args.year, indicator_ids=[args.indicator], **run)
    if args.format == "csv":
        out = table[WHATIF_COLUMNS].copy()
        out[["value_before", "value_after"]] = out[["value_before", "value_after"]].round(4)
        out.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    ind = catalog[args.indicator]
    _demo_label(args)
    county = table[table["level"] == "county"]
    before = int((county["status_before"] == "met").sum())
    after = int((county["status_after"] == "met").sum())
    print(
        t(
            "cli.whatif_title",
            lang,
            indicator=ind.name(lang),
            region=region.name,
            year=args.year,
            before=before,
            after=after,
            total=len(county),
        )
    )
    print(t("whatif.step_line", lang, text=describe(adj, catalog, regions, lang, profile)))
    skipped = submit_counts(ind, result.skipped_value_only.get(args.indicator, 0), lang)
    if skipped:
        print(skipped)
    left = result.unallocated.get(args.indicator, 0)
    if left:
        print(t("cli.unallocated", lang, n=left, unit=ind.numerator_unit(lang)))
    shown = table["changed"] | (table["level"] != "county") | (table["units_added"] > 0)
    for row in table[shown].itertuples():
        b = "—" if pd.isna(row.value_before) else f"{row.value_before:.{ind.decimals}f}"
        a = (
            "—"
            if pd.isna(row.value_after)
            else with_unit(f"{row.value_after:.{ind.decimals}f}", ind.unit_in(lang))
        )
        line = t(
            "cli.whatif_line",
            lang,
            name=row.region_name,
            before=b,
            after=a,
            unit="",  # after the value it belongs to: "8.1 per 100,000", and no unit after "—"
            status_before=status_label(row.status_before, lang),
            status_after=status_label(row.status_after, lang),
        )
        if row.units_added:
            line += "  " + units_text(ind, row.units_added, lang)
        note = value_only_note(row.n_value_only, lang) if row.level != "county" else ""
        if note:
            line += t("whatif.note_suffix", lang, note=note)
        print(line)
    return 0


COMMANDS = {
    "attainment": run_attainment,
    "whatif": run_whatif,
    "validate": run_validate,
    "import": run_import,
    **cli_history.COMMANDS,
    **cli_figure.COMMANDS,
    **cli_report.COMMANDS,
    **cli_peers.COMMANDS,
    **cli_disparities.COMMANDS,
    **cli_outlook.COMMANDS,
    **cli_followup.COMMANDS,
    **cli_profiles.COMMANDS,
    **cli_final.COMMANDS,
    **cli_admin.COMMANDS,
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _lang(argv)
    args = build_parser(lang).parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except AtlasError as exc:  # every refusal of the domain: region, catalog, contract, store, scenario
        print(t("cli.error", lang, message=exc.message(lang)), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: still no traceback for the user, but say what to report
        print(t("cli.internal_error", lang, kind=type(exc).__name__, message=exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
