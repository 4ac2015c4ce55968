"""The store's history on the command line: `versions`, `undo N`, `rollback N` (python -m analytics …).

`rollback N` makes the whole store what it was right after version N; `undo N` withdraws version N alone. Both
print what changes per dataset; `--dry-run` prints it and writes nothing. Writes follow `import`'s rule: when
the store needs the admin passphrase, it is read from $PREVENTION_ATLAS_PASSPHRASE.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from analytics.errors import AtlasError
from analytics.i18n import t
from analytics.provenance import local_time
from analytics.store import Store, StoreChange, StoreError, default_db_path

PASSPHRASE_ENV = (
    "PREVENTION_ATLAS_PASSPHRASE"  # what the user gives (the store's own rule: store.PASSPHRASE_ENV)
)
CSV_COLUMNS = ["version_id", "dataset", "department", "source_name", "imported_at", "rows", "status", "note"]


class HistoryUsageError(AtlasError):
    """A history command that cannot run as given: cli.<code> in data/i18n."""

    prefix = "cli"


def add_parsers(sub, common: argparse.ArgumentParser, h: Callable[..., str]) -> None:
    """The three subcommands, on the CLI's subparsers (`h(key)` gives cli.help_<key> in the chosen language)."""
    versions = sub.add_parser("versions", help=h("versions"), parents=[common])
    versions.add_argument("--db", help=h("history_db"))
    versions.add_argument("--format", choices=["table", "csv"], default="table")
    for name in ("rollback", "undo", "reactivate"):
        cmd = sub.add_parser(name, help=h(name), parents=[common])
        cmd.add_argument("version", help=h(f"{name}_version"))
        cmd.add_argument("--db", help=h("history_db"))
        cmd.add_argument("--dry-run", action="store_true", help=h("dry_run"))


def _store(args: argparse.Namespace) -> Store:
    """The existing store named by --db (else the default one): a missing file is an error, and none is made."""
    path = args.db or str(default_db_path())
    if not os.path.isfile(path):
        raise HistoryUsageError("db_missing", path=path)
    return Store(path)


def run_versions(args: argparse.Namespace) -> int:
    store = _store(args)
    history = store.versions()
    lang = args.lang
    if args.format == "csv":
        out = history[CSV_COLUMNS].copy()
        out["imported_at"] = [local_time(s, iso=True) for s in out["imported_at"]]
        out.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    if history.empty:
        print(t("cli.no_versions", lang, path=store.path))
        return 0
    print(t("cli.versions_title", lang, path=store.path, n=len(history)))
    for row in history.itertuples():
        print(
            t(
                "cli.version_line",
                lang,
                version=f"{row.version_id:>4}",
                status=t(f"version_status.{row.status}", lang),
                imported_at=local_time(row.imported_at),
                dataset=row.dataset,
                department=row.department or "—",
                file=row.source_name or "—",
                rows=row.rows,
            )
        )
    return 0


def flag_same_file(store: Store | None, sha256: str, lang: str) -> None:
    """Before an import: say so when a file with the same bytes is already in the store (it still imports)."""
    if store is None or not sha256:
        return
    same = store.find_sha256(sha256)
    if len(same):
        first = same.iloc[-1]
        print(
            t(
                "cli.same_file",
                lang,
                versions=", ".join(map(str, sorted(same["version_id"]))),
                imported_at=local_time(first["imported_at"]),
                dataset=first["dataset"],
            )
        )


def run_rollback(args: argparse.Namespace) -> int:
    return _change(args, "rollback")


def run_undo(args: argparse.Namespace) -> int:
    return _change(args, "undo")


def run_reactivate(args: argparse.Namespace) -> int:
    return _change(args, "reactivate")


def _change(args: argparse.Namespace, operation: str) -> int:
    lang = args.lang
    store = _store(args)
    try:
        if args.dry_run:
            change = getattr(store, f"preview_{operation}")(args.version)
        else:
            change = getattr(store, operation)(args.version, passphrase=os.environ.get(PASSPHRASE_ENV))
    except StoreError as exc:
        raise HistoryUsageError("store_unchanged", reason=exc.message(lang)) from None
    head = "dry_run" if args.dry_run else "done"
    zero = operation == "rollback" and change.version_id == 0  # before the first import: every version off
    key = f"cli.rollback_zero_{head}" if zero else f"cli.{operation}_{head}"
    print(t(key, lang, version=change.version_id, path=store.path))
    _print_change(change, lang)
    return 0


def _ids(ids: tuple[int, ...]) -> str:
    return ", ".join(map(str, ids)) or "—"


def _print_change(change: StoreChange, lang: str) -> None:
    if change.changes_nothing:
        print(t("cli.change_nothing", lang))
        return
    print(t("cli.change_versions", lang, off=_ids(change.deactivated), on=_ids(change.activated)))
    per = change.by_dataset()
    if per.empty:
        print(t("cli.change_no_rows", lang))
    for row in per.itertuples():
        print(
            t(
                "cli.change_dataset_line",
                lang,
                dataset=row.dataset,
                removed=row.removed,
                restored=row.restored,
                counties=row.counties,
                indicators=row.indicators,
            )
        )


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "versions": run_versions,
    "rollback": run_rollback,
    "undo": run_undo,
    "reactivate": run_reactivate,
}
