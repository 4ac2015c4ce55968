"""The `admin` command (python -m analytics admin …): the admin passphrase kept in the store, and its log.
Registered by analytics.__main__ like cli_followup.

    python -m analytics admin set-passphrase [--db PATH] [--lang zh|en]
    python -m analytics admin log [--db PATH] [--limit N] [--format table|csv] [--lang zh|en]

`set-passphrase` reads the new passphrase from $PREVENTION_ATLAS_NEW_PASSPHRASE, else asks twice at the
terminal (getpass: nothing echoed); changing one needs the current one ($PREVENTION_ATLAS_PASSPHRASE, as every
write on the command line, else asked). A blank passphrase is refused. `log` prints the passphrase's state and
its events (never the text of any passphrase). Refusals are AtlasErrors (admin.* / error.* in data/i18n): exit
status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable

from analytics.errors import AtlasError
from analytics.i18n import t
from analytics.provenance import local_time
from analytics.store import ADMIN_LOG_COLUMNS, Store, default_db_path

NEW_PASSPHRASE_ENV = "PREVENTION_ATLAS_NEW_PASSPHRASE"
PASSPHRASE_ENV = "PREVENTION_ATLAS_PASSPHRASE"  # what a user presents for any write (as cli_history)


class AdminUsageError(AtlasError):
    """An admin command that cannot run as given: admin.<code> in data/i18n."""

    prefix = "admin"


def add_parsers(sub, common: argparse.ArgumentParser, h: Callable[..., str], add_source: Callable) -> None:
    """Adds `admin set-passphrase|log` (`add_source` is not used: no observations are read)."""
    lang = h.lang

    def ah(key: str, **fields) -> str:
        return t(f"admin.{key}", lang, **fields).replace("%", "%%")

    cmd = sub.add_parser("admin", help=ah("help"))
    actions = cmd.add_subparsers(dest="admin_command", required=True, parser_class=type(cmd))
    setter = actions.add_parser("set-passphrase", help=ah("help_set"), parents=[common])
    setter.add_argument("--db", help=ah("help_db"))
    log = actions.add_parser("log", help=ah("help_log"), parents=[common])
    log.add_argument("--db", help=ah("help_db"))
    log.add_argument("--limit", type=int, default=None, help=ah("help_limit"))
    log.add_argument("--format", choices=["table", "csv"], default="table")


def _store(args: argparse.Namespace, *, create: bool = False) -> Store:
    """The store named by --db (else the default one). Opened without adopting a passphrase from this
    process's environment: here the passphrase is set on purpose, or only read about."""
    path = args.db or str(default_db_path())
    if not create and not os.path.isfile(path):
        raise AdminUsageError("db_missing", path=path)
    return Store(path, passphrase_required="", client="cli")


def _ask(variable: str, prompt: str) -> str:
    """A passphrase from `variable`, else typed at the terminal (not echoed)."""
    given = os.environ.get(variable)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise AdminUsageError("no_terminal", variable=variable)
    return getpass.getpass(prompt)


def run_set_passphrase(args: argparse.Namespace) -> int:
    lang = args.lang
    store = _store(args, create=True)
    old = None
    if store.write_protected:
        old = _ask(PASSPHRASE_ENV, t("admin.prompt_old", lang))
    if os.environ.get(NEW_PASSPHRASE_ENV) is not None:
        new = os.environ[NEW_PASSPHRASE_ENV]
    else:
        new = _ask(NEW_PASSPHRASE_ENV, t("admin.prompt_new", lang))
        if new != getpass.getpass(t("admin.prompt_repeat", lang)):
            raise AdminUsageError("mismatch")
    first = store.set_passphrase(new, old=old)
    print(t("admin.set_done" if first else "admin.changed_done", lang, path=store.path))
    return 0


def run_log(args: argparse.Namespace) -> int:
    lang = args.lang
    store = _store(args)
    log = store.admin_log(args.limit)
    words = {
        "client": lambda v: t(f"admin.client_{v}", lang),
        "event": lambda v: t(f"admin.event_{v}", lang),
        "action": lambda v: t(f"admin.action_{v}", lang),
    }
    if args.format == "csv":
        out = log[ADMIN_LOG_COLUMNS].copy()
        out["at"] = [local_time(s, iso=True) for s in out["at"]]
        out.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    state = store.passphrase_state()
    if state["set"]:
        print(
            t(
                "admin.state_set",
                lang,
                path=store.path,
                set_at=local_time(state["set_at"]),
                failures=state["failures"],
                wait=f"{state['wait_s']:.0f}",
            )
        )
    else:
        print(t("admin.state_none", lang, path=store.path))
    if log.empty:
        print(t("admin.log_empty", lang))
        return 0
    print(t("admin.log_title", lang, n=len(log)))
    for row in log.itertuples(index=False):
        print(
            t(
                "admin.log_line",
                lang,
                at=local_time(row.at),
                client=_word(words["client"], row.client),
                event=_word(words["event"], row.event),
                action=_word(words["action"], row.action),
                failures=row.failures,
            )
        )
    return 0


def _word(render: Callable[[str], str], value: str) -> str:
    """The words for a logged value; a value this release has no words for is shown as stored."""
    text = render(value)
    return value if text.startswith("admin.") else text


ACTIONS: dict[str, Callable[[argparse.Namespace], int]] = {
    "set-passphrase": run_set_passphrase,
    "log": run_log,
}


def run(args: argparse.Namespace) -> int:
    return ACTIONS[args.admin_command](args)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"admin": run}
