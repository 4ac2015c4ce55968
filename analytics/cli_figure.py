"""The `figure` command (python -m analytics figure): one map as it shows on screen, with its footer, to a PNG or
SVG file. Registered by analytics.__main__ like cli_history.

    python -m analytics figure [--data FILE | --db PATH] --region ADCODE --year YEAR --indicator ID|met_count
        --show value|status|gap|shortfall|progress|trajectory [--targets PROFILE] [--lang zh|en] --out FILE.png|.svg

Everything that can be checked before the (slow) data and drawing is checked first: the file name, the folder,
the indicator. The file is written whole or not at all.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from analytics import export, figures
from analytics.catalog import load_catalog
from analytics.errors import AtlasError
from analytics.i18n import t

MET_COUNT = "met_count"
FILE_TYPES = {".png": "PNG", ".svg": "SVG"}


class FigureUsageError(AtlasError):
    """A figure command that cannot run as given: cli.<code> in data/i18n."""

    prefix = "cli"


def add_parsers(sub, common: argparse.ArgumentParser, h: Callable[..., str], add_source: Callable) -> None:
    """Adds the `figure` subcommand (`add_source` adds --data/--db, --region, --year, --targets, --format)."""
    cmd = sub.add_parser("figure", help=h("figure"), parents=[common])
    add_source(cmd)
    cmd.add_argument("--indicator", required=True, help=h("figure_indicator"))
    cmd.add_argument("--show", choices=list(figures.SHOWS), default="value", help=h("show"))
    cmd.add_argument("--out", required=True, help=h("out"))


def _checked_out(path: str, lang: str) -> tuple[Path, str]:
    """The output path and its kind (PNG / SVG), or a refusal before any work is done."""
    out = Path(path)
    file_type = FILE_TYPES.get(out.suffix.lower())
    if file_type is None:
        raise FigureUsageError("figure_bad_extension", path=path)
    folder = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise FigureUsageError("figure_unwritable", path=path, reason=t("cli.figure_is_folder", lang))
    if not folder.is_dir():
        raise FigureUsageError("figure_unwritable", path=path, reason=t("cli.figure_no_folder", lang))
    if not os.access(folder, os.W_OK):
        raise FigureUsageError("figure_unwritable", path=path, reason=t("cli.figure_no_permission", lang))
    return out, file_type


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{max(1, round(n / 1000))} KB"


def _write(out: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, so a failure leaves no half-written figure."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".figure-", suffix=out.suffix, dir=out.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, out)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        raise FigureUsageError("figure_unwritable", path=str(out), reason=exc.strerror or str(exc)) from None


def run_figure(args: argparse.Namespace) -> int:
    from analytics.__main__ import UsageError, load_meeting

    lang = args.lang
    out, file_type = _checked_out(args.out, lang)
    catalog = load_catalog()
    if args.indicator != MET_COUNT and args.indicator not in catalog:
        known = ", ".join([MET_COUNT, *catalog.ids])
        raise UsageError("unknown_indicator", indicator=args.indicator, known=known)
    if args.indicator == MET_COUNT and args.show != "value":
        raise FigureUsageError("figure_show_met_count", show=args.show)
    meeting = load_meeting(args)
    if args.indicator == MET_COUNT:
        chart = figures.met_count_map(meeting, inline=True)
    else:
        chart = figures.indicator_map(meeting, args.indicator, args.show, inline=True)
    data = export.to_png(chart) if file_type == "PNG" else export.to_svg(chart).encode("utf-8")
    _write(out, data)
    print(t("cli.figure_written", lang, path=str(out), kind=file_type, size=_size(len(data))))
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"figure": run_figure}
