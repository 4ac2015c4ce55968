"""The `profile` command (python -m analytics profile …): target profiles made in the app, as files and in the
store (analytics/profiles.py). Registered by analytics.__main__ like cli_followup.

    python -m analytics profile export [--targets ID_OR_PATH] [--db PATH] [--out FILE]
    python -m analytics profile check FILE
    python -m analytics profile save FILE [--db PATH] [--note TEXT] [--department NAME]
    python -m analytics profile withdraw ID [--db PATH]
    python -m analytics profile list [--db PATH] [--format table|csv]

Writes follow `import`'s rule: when the store needs the admin passphrase, it is read from
$PREVENTION_ATLAS_PASSPHRASE. `targets_of(args)` is what every command's `--targets` goes through: a built-in id,
an id saved in the `--db` store, or a profile file. Refusals are AtlasErrors: exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

import pandas as pd

from analytics.catalog import DEFAULT_PROFILE, TargetProfile, list_profiles, load_profile
from analytics.cli_history import PASSPHRASE_ENV
from analytics.errors import AtlasError
from analytics.i18n import t
from analytics.profiles import (
    ProfileError,
    check_profile,
    profile_to_toml,
    read_profile_file,
    resolve_profile,
)
from analytics.provenance import local_time
from analytics.store import Store, StoreError, default_db_path

LIST_COLUMNS = ["profile_id", "origin", "version", "name_zh", "name_en", "usable"]


class ProfileUsageError(AtlasError):
    """A profile command that cannot run as given: cli.<code> in data/i18n (the words `import` uses)."""

    prefix = "cli"


def add_parsers(sub, common: argparse.ArgumentParser, h: Callable[..., str], add_source: Callable) -> None:
    """Adds `profile export|check|save|withdraw|list` (`add_source` is not used: no observations are read)."""
    lang = h.lang

    def ph(key: str, **fields) -> str:
        return t(f"profiles.{key}", lang, **fields).replace("%", "%%")

    cmd = sub.add_parser("profile", help=ph("help"))
    # --lang only on the leaves: a default set on both levels would overwrite the one given
    actions = cmd.add_subparsers(dest="profile_command", required=True, parser_class=type(cmd))

    export = actions.add_parser("export", help=ph("help_export"), parents=[common])
    export.add_argument(
        "--targets", default=DEFAULT_PROFILE, help=h("targets", known=", ".join(list_profiles()))
    )
    export.add_argument("--db", help=ph("help_db"))
    export.add_argument("--out", help=ph("help_out"))

    check = actions.add_parser("check", help=ph("help_check"), parents=[common])
    check.add_argument("file", help=ph("help_file"))

    save = actions.add_parser("save", help=ph("help_save"), parents=[common])
    save.add_argument("file", help=ph("help_file"))
    save.add_argument("--db", help=ph("help_db"))
    save.add_argument("--note", default="", help=ph("help_note"))
    save.add_argument("--department", default="", help=ph("help_department"))

    withdraw = actions.add_parser("withdraw", help=ph("help_withdraw"), parents=[common])
    withdraw.add_argument("profile_id", help=ph("help_profile_id"))
    withdraw.add_argument("--db", help=ph("help_db"))

    listing = actions.add_parser("list", help=ph("help_list"), parents=[common])
    listing.add_argument("--db", help=ph("help_db"))
    listing.add_argument("--format", choices=["table", "csv"], default="table")


# --- what --targets names --------------------------------------------------------------------------------
def store_of(args: argparse.Namespace) -> Store | None:
    """The existing store named by --db (None when not given; a missing file is an error, and none is made)."""
    db = getattr(args, "db", None)
    if not db:
        return None
    if not os.path.isfile(db):
        raise ProfileUsageError("db_missing", path=db)
    return Store(db)


def targets_of(args: argparse.Namespace) -> TargetProfile:
    """The profile `--targets` names: a built-in id, an id saved in the --db store, or a profile file path."""
    return resolve_profile(args.targets, store_of(args))


# --- commands ------------------------------------------------------------------------------------------
def run_export(args: argparse.Namespace) -> int:
    profile = targets_of(args)
    text = profile_to_toml(profile)
    if not args.out:
        sys.stdout.write(text)
        return 0
    try:
        with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        raise AtlasError("profile_cannot_write", path=args.out, reason=exc.strerror or str(exc)) from None
    print(t("profiles.exported", args.lang, profile=profile.id, path=args.out))
    return 0


def run_check(args: argparse.Namespace) -> int:
    lang = args.lang
    profile = read_profile_file(args.file)  # a file that is no profile at all: CatalogError, exit 1
    problems = check_profile(profile)
    name = os.path.basename(args.file)
    if problems:
        print(ProfileError(problems, where=name).message(lang))
        print(t("profiles.check_refused", lang), file=sys.stderr)
        return 1
    print(
        t(
            "profiles.check_ok",
            lang,
            where=name,
            name=profile.name(lang),
            count=len(profile.targets),
            baseline_year=profile.baseline_year,
            target_year=profile.target_year,
        )
    )
    return 0


def run_save(args: argparse.Namespace) -> int:
    lang = args.lang
    profile = read_profile_file(args.file)
    store = Store(args.db or default_db_path())
    try:
        version = store.save_profile(
            profile,
            passphrase=os.environ.get(PASSPHRASE_ENV),
            note=args.note,
            department=args.department,
        )
    except (StoreError, ProfileError) as exc:
        raise ProfileUsageError("store_unchanged", reason=exc.message(lang)) from None
    print(t("profiles.saved", lang, profile=profile.id, version=version, path=store.path))
    return 0


def run_withdraw(args: argparse.Namespace) -> int:
    lang = args.lang
    path = args.db or str(default_db_path())
    if not os.path.isfile(path):
        raise ProfileUsageError("db_missing", path=path)
    store = Store(path)
    try:
        n = store.withdraw_profile(args.profile_id, passphrase=os.environ.get(PASSPHRASE_ENV))
    except StoreError as exc:
        raise ProfileUsageError("store_unchanged", reason=exc.message(lang)) from None
    print(t("profiles.withdrawn", lang, profile=args.profile_id, count=n, path=store.path))
    return 0


def _listing(store: Store | None) -> pd.DataFrame:
    rows = []
    for pid in list_profiles():
        p = load_profile(pid)
        rows.append([pid, "builtin", pd.NA, p.name_zh, p.name_en, True, ""])
    if store is not None:
        versions = store.profile_versions()
        active = versions[versions["status"] == "active"].drop_duplicates("profile_id")  # newest first
        for r in active.itertuples():
            rows.append([r.profile_id, "stored", r.version, r.name_zh, r.name_en, r.usable, r.saved_at])
    out = pd.DataFrame(rows, columns=[*LIST_COLUMNS, "saved_at"])
    out["version"] = out["version"].astype("Int64")
    return out


def run_list(args: argparse.Namespace) -> int:
    lang = args.lang
    store = store_of(args)
    table = _listing(store)
    if args.format == "csv":
        table[LIST_COLUMNS].to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    for r in table.itertuples():
        name = r.name_en if lang == "en" else r.name_zh
        if r.origin == "builtin":
            print(t("profiles.list_builtin", lang, id=r.profile_id, name=name))
        elif r.usable:
            saved_at = local_time(r.saved_at)
            print(
                t(
                    "profiles.list_stored",
                    lang,
                    id=r.profile_id,
                    name=name,
                    version=r.version,
                    saved_at=saved_at,
                )
            )
        else:
            try:
                store.stored_profile(r.profile_id)
                reason = ""
            except AtlasError as exc:
                reason = exc.message(lang).replace("\n", " ")
            print(t("profiles.list_unreadable", lang, id=r.profile_id, version=r.version, reason=reason))
    if store is not None and not (table["origin"] == "stored").any():
        print(t("profiles.list_none_stored", lang, path=store.path))
    return 0


ACTIONS: dict[str, Callable[[argparse.Namespace], int]] = {
    "export": run_export,
    "check": run_check,
    "save": run_save,
    "withdraw": run_withdraw,
    "list": run_list,
}


def run(args: argparse.Namespace) -> int:
    return ACTIONS[args.profile_command](args)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"profile": run}
