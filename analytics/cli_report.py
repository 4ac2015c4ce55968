"""The `report` command (python -m analytics report): the meeting deck (.pptx) or workbook (.xlsx) of a region
and year, with saved scenarios chosen by name (the library at $PREVENTION_ATLAS_SCENARIOS). Registered by
analytics.__main__ like cli_history; refusals are AtlasErrors (report.error.* in data/i18n), exit status 1.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from analytics.i18n import t
from analytics.slides import ReportError

SCENARIOS_ENV = "PREVENTION_ATLAS_SCENARIOS"
KINDS = (".pptx", ".xlsx")


def add_parsers(sub, common: argparse.ArgumentParser, h: Callable[..., str], add_source: Callable) -> None:
    """Adds the `report` subcommand (`add_source` adds --data/--db, --region, --year, --targets, --format)."""
    cmd = sub.add_parser("report", help=h("report"), parents=[common])
    add_source(cmd)
    cmd.add_argument("--scenario", action="append", default=[], metavar="NAME", help=h("report_scenario"))
    cmd.add_argument("--out", required=True, metavar="FILE", help=h("report_out"))


def scenarios_file() -> Path:
    """The saved-scenario library the web app writes (same default as its 情景推演 page)."""
    return Path(os.environ.get(SCENARIOS_ENV) or Path.home() / ".prevention_atlas" / "scenarios.json")


def _out_path(text: str) -> Path:
    """The output file, checked before any work: a known extension, in a directory that exists and is
    writable, not a directory itself."""
    path = Path(text).expanduser()
    if path.suffix.lower() not in KINDS:
        raise ReportError("bad_extension", path=text)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ReportError("unwritable", path=text, reason=os.strerror(21))  # EISDIR
    if not parent.is_dir():
        raise ReportError("unwritable", path=text, reason=os.strerror(2))  # ENOENT
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ReportError("unwritable", path=text, reason=os.strerror(13))  # EACCES
    return path


def _chosen(names: list[str], db: str | None = None) -> list:
    """The saved scenarios named, in the order given (an unknown name is refused, listing the known ones): from
    the store the web app saves them in (`--db`, else the default store; the old JSON file is brought in)."""
    if not names:
        return []
    from analytics.scenario_library import load_saved
    from analytics.store import Store

    store = Store(db)
    path = store.path
    saved = load_saved(store)
    if not saved:
        raise ReportError("no_scenarios", path=str(path))
    for name in names:
        if name not in saved:
            raise ReportError("unknown_scenario", name=name, path=str(path), known=", ".join(sorted(saved)))
    return [saved[n] for n in dict.fromkeys(names)]


def _file_mode(path: Path) -> int:
    """The mode the file keeps (it exists) or gets as any new file would (0666 less the umask)."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same directory: a failed write leaves no half file behind."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, _file_mode(path))  # mkstemp makes it private; a report is an ordinary file
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ReportError("unwritable", path=str(path), reason=exc.strerror or str(exc)) from None


def run_report(args: argparse.Namespace) -> int:
    from analytics.__main__ import load_meeting
    from analytics.slides import scenario_runs

    lang = args.lang
    path = _out_path(args.out)
    chosen = _chosen(args.scenario, getattr(args, "db", None))
    meeting = load_meeting(args)
    runs = scenario_runs(meeting, chosen)  # on the observations the meeting was evaluated from
    if path.suffix.lower() == ".pptx":
        from analytics.deck import build_deck
        from analytics.slides import build_slides

        slides = build_slides(meeting, runs, inline=True)
        data = build_deck(meeting, slides=slides)
        what = t("cli.report_deck", lang, n=len(slides))
    else:
        from analytics.workbook import build_workbook

        data = build_workbook(meeting, runs)
        what = t("cli.report_workbook", lang, n=_sheet_count(data))
    _write(path, data)
    print(t("cli.report_written", lang, path=str(path), what=what))
    return 0


def _sheet_count(xlsx: bytes) -> int:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return sum(1 for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"report": run_report}
