"""Where observations come from: the canonical long CSV (the embedded demo dataset or a file given by path),
or the persistent store (a SQLite file of dataset versions, `Store`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.catalog import DATA_DIR, Catalog, CatalogError, TargetProfile, list_profiles, load_catalog
from analytics.errors import AtlasError
from analytics.i18n import t
from analytics.profiles import check_profile, checked, profile_from_toml, profile_to_toml
from analytics.schema import (
    OBS_COLUMNS,
    ObservationError,
    read_observations_csv,
    validate_observations,
)

DEMO_DIR = DATA_DIR / "demo"
DEMO_FILE = DEMO_DIR / "jilin_2020_2025.csv"
DEMO_REGION = "220000"
DEMO_LABEL_ZH = "示例数据（模拟，非真实统计）"
DEMO_LABEL_EN = "Demo data (synthetic, not real statistics)"


def read_observations(path: str | Path, catalog: Catalog | None = None) -> pd.DataFrame:
    """A canonical long CSV (region_code, year, indicator_id, numerator, denominator, value[, source]),
    held to the observation contract: ObservationError names the CSV lines that break it."""
    return read_observations_csv(path, catalog=catalog or load_catalog())


def load_demo(catalog: Catalog | None = None) -> pd.DataFrame:
    """The embedded demo file, typed but not checked again (the tests hold it to the contract)."""
    return read_observations_csv(DEMO_FILE, catalog=catalog, trusted=True)


# --- the persistent store -------------------------------------------------------------------------------
# One SQLite file holds every imported dataset version. An import is one transaction; a rollback only
# flips statuses, so history is never lost. current() merges the active versions key by key.

DB_ENV = "PREVENTION_ATLAS_DB"
# The passphrase a process *sets* on a store that has none (the web app's `admin_passphrase` secret does the
# same); what a user *presents* is an argument of each write (the CLI reads $PREVENTION_ATLAS_PASSPHRASE).
PASSPHRASE_ENV = "PREVENTION_ATLAS_ADMIN_PASSPHRASE"
# 2: version_state (the state right after each import); 3: profiles (target profiles saved from the app);
# 4: the admin passphrase's salted hash, the log of refused guesses, saved scenarios
SCHEMA_VERSION = 4
CLIENT_KINDS = ("web", "cli")
# scrypt: 16 MiB and about 0.1-0.3 s per check on a laptop; the parameters are stored with each hash, so a
# later release can raise them without locking anyone out
SCRYPT_PARAMS = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
SCRYPT_MAX_N = 2**17  # a stored cost above this is refused, not computed (a tampered row must not eat memory)
GUESS_FREE = 3  # consecutive wrong guesses allowed before waiting starts (typing slips)
GUESS_BASE_DELAY_S = 1.0  # the wait after the next wrong guess; it doubles with each one after that
GUESS_MAX_DELAY_S = 60.0
ADMIN_LOG_KEEP = 10_000  # newest rows kept in admin_log (a flood of guesses cannot fill the disk)
ADMIN_LOG_COLUMNS = ["at", "client", "event", "action", "failures"]
ADMIN_EVENTS = ("set", "changed", "wrong", "throttled", "missing")
SCENARIO_COLUMNS = ["name", "version", "payload", "saved_at"]
BUSY_TIMEOUT_S = 30.0
KEY_COLUMNS = ["region_code", "year", "indicator_id"]
PROVENANCE_COLUMNS = ["source_row", "dataset", "dataset_version", "source", "imported_at", "department"]
CURRENT_COLUMNS = OBS_COLUMNS + PROVENANCE_COLUMNS
VERSION_COLUMNS = [
    "version_id",
    "dataset",
    "source_name",
    "sha256",
    "imported_at",
    "department",
    "note",
    "rows",
    "status",
    "parent_version",
]
CHANGES = ("new", "unchanged", "changed")
PROFILE_VERSION_COLUMNS = [
    "profile_id",
    "version",
    "saved_at",
    "department",
    "note",
    "status",
    "name_zh",
    "name_en",
    "usable",  # the stored TOML parses and passes check_profile with today's catalog
]
_VALUE_COLUMNS = ["numerator", "denominator", "value"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    version_id     INTEGER PRIMARY KEY,
    dataset        TEXT NOT NULL,
    source_name    TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    imported_at    TEXT NOT NULL,
    department     TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    rows           INTEGER NOT NULL,
    status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'rolled_back')),
    parent_version INTEGER REFERENCES versions(version_id)
);
CREATE INDEX IF NOT EXISTS versions_dataset ON versions(dataset, version_id);
CREATE TABLE IF NOT EXISTS observations (
    version_id   INTEGER NOT NULL REFERENCES versions(version_id),
    region_code  TEXT NOT NULL CHECK (length(region_code) = 6),
    year         INTEGER NOT NULL,
    indicator_id TEXT NOT NULL,
    numerator    REAL,
    denominator  REAL,
    value        REAL,
    source_row   INTEGER
);
-- The key lookup of current(): with version_id last, makes "latest version per key" an index walk and
-- forbids the same key twice in one version.
CREATE UNIQUE INDEX IF NOT EXISTS observations_key
    ON observations(region_code, year, indicator_id, version_id);
-- The versions that were active right after each import, the imported one included: rollback(N) makes
-- exactly the set of N active again, across every dataset (schema 2).
CREATE TABLE IF NOT EXISTS version_state (
    version_id INTEGER NOT NULL REFERENCES versions(version_id),
    member     INTEGER NOT NULL REFERENCES versions(version_id),
    PRIMARY KEY (version_id, member)
) WITHOUT ROWID;
-- Target profiles made in the app, versioned like data: each save is a new version (the TOML of
-- analytics.profiles.profile_to_toml, the data/targets/ format), and withdrawing marks every version (schema 3).
CREATE TABLE IF NOT EXISTS profiles (
    profile_id TEXT NOT NULL,
    version    INTEGER NOT NULL CHECK (version >= 1),
    toml       TEXT NOT NULL,
    saved_at   TEXT NOT NULL,
    department TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    PRIMARY KEY (profile_id, version)
) WITHOUT ROWID;
-- The admin passphrase (schema 4): one row, a salted scrypt hash with its parameters, and the count of
-- consecutive wrong guesses with the time of the last (epoch seconds), which every process reads.
CREATE TABLE IF NOT EXISTS admin_passphrase (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    hash         BLOB NOT NULL,
    salt         BLOB NOT NULL,
    n            INTEGER NOT NULL,
    r            INTEGER NOT NULL,
    p            INTEGER NOT NULL,
    dklen        INTEGER NOT NULL,
    set_at       TEXT NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    last_failure REAL
);
-- Passphrase events: set / changed, and refused writes (wrong, throttled, missing), never the text given.
CREATE TABLE IF NOT EXISTS admin_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    client   TEXT NOT NULL,
    event    TEXT NOT NULL,
    action   TEXT NOT NULL DEFAULT '',
    failures INTEGER NOT NULL DEFAULT 0
);
-- Saved what-if scenarios (schema 4): each save is a new version of its name (the JSON of
-- analytics.scenario_library), the one before it becomes 'replaced', deleting marks the active one.
CREATE TABLE IF NOT EXISTS scenarios (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL,
    version  INTEGER NOT NULL CHECK (version >= 1),
    payload  TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    status   TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'replaced', 'deleted')),
    UNIQUE (name, version)
);
CREATE UNIQUE INDEX IF NOT EXISTS scenarios_active ON scenarios(name) WHERE status = 'active';
-- One-off facts about the store (e.g. which scenario file was already brought in).
CREATE TABLE IF NOT EXISTS store_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"""


class StoreError(AtlasError):
    """A write or read the store refuses (code + fields; words in data/i18n). The store is unchanged."""


class StoreRefusal(StoreError):
    """Observations the contract refused: the message lists the problems with their rows."""

    def __init__(self, refused: ObservationError) -> None:
        self.problems = refused.problems
        self._refused = refused
        AtlasError.__init__(
            self, "observations_refused", source=refused.fields["source"], count=len(self.problems)
        )

    def message(self, lang: str = "zh") -> str:
        return self._refused.message(lang)


def default_db_path() -> Path:
    """`$PREVENTION_ATLAS_DB` if set, else ~/.prevention_atlas/atlas.sqlite."""
    env = os.environ.get(DB_ENV, "").strip()
    return Path(env).expanduser() if env else Path.home() / ".prevention_atlas" / "atlas.sqlite"


def file_sha256(data: bytes | str | Path) -> str:
    """Hex SHA-256 of a submission's bytes (or of the file at a path), as stored in versions.sha256."""
    if isinstance(data, bytes):
        return hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256()
    with open(data, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical_observations(obs: pd.DataFrame) -> pd.DataFrame:
    """A frame to import, held to the observation contract, with canonical types; StoreError if refused.

    Problems are numbered by `source_row` when the frame has it (the submission's spreadsheet rows), else by
    record (1 = the first row of the frame)."""
    if not isinstance(obs, pd.DataFrame):
        raise StoreError("not_a_frame", type=type(obs).__name__)
    if obs.empty:
        raise StoreError("nothing_to_import")
    df = obs.reset_index(drop=True)
    rows = np.arange(1, len(df) + 1)
    if "source_row" in df.columns:
        given = pd.to_numeric(df["source_row"], errors="coerce")
        rows = np.where(given.notna(), given.fillna(0), rows).astype(np.int64)
    try:
        out = validate_observations(df, rows=rows, source=t("store_import_source"))
    except ObservationError as exc:
        raise StoreRefusal(exc) from None
    if "source_row" in out.columns:
        out["source_row"] = pd.to_numeric(out["source_row"], errors="coerce").round().astype("Int64")
    else:
        out["source_row"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    return out[[*OBS_COLUMNS, "source_row"]]


def _float_list(values: pd.Series) -> list[float | None]:
    return [None if x != x else x for x in values.to_numpy("float64").tolist()]  # NaN -> NULL


def observation_rows(frame: pd.DataFrame, version_id: int) -> Iterator[tuple]:
    """The rows executemany() inserts for one version, produced lazily (tests patch this to crash mid-import)."""
    source_row = [None if x is pd.NA else int(x) for x in frame["source_row"].tolist()]
    return zip(
        [version_id] * len(frame),
        frame["region_code"].tolist(),
        frame["year"].tolist(),
        frame["indicator_id"].tolist(),
        _float_list(frame["numerator"]),
        _float_list(frame["denominator"]),
        _float_list(frame["value"]),
        source_row,
        strict=True,
    )


def _same(new: pd.Series, old: pd.Series) -> np.ndarray:
    a, b = new.to_numpy("float64"), old.to_numpy("float64")
    return (a == b) | (np.isnan(a) & np.isnan(b))


def _backfill_version_state(con: sqlite3.Connection) -> None:
    """Schema 1 stores kept no record of the whole store's state after each import: take a version's own
    chain of parents, plus for every other dataset the chain of its latest version imported before it (what
    was active then, unless that dataset had been rolled back meanwhile, which schema 1 did not record)."""
    rows = con.execute(
        "SELECT version_id, dataset, parent_version FROM versions ORDER BY version_id"
    ).fetchall()
    parent = {v: p for v, _, p in rows}

    def chain(v: int | None) -> set[int]:
        out: set[int] = set()
        while v is not None and v not in out:
            out.add(v)
            v = parent.get(v)
        return out

    latest: dict[str, int] = {}
    for version_id, dataset, _ in rows:
        members = chain(version_id)
        for other, head in latest.items():
            if other != dataset:
                members |= chain(head)
        latest[dataset] = version_id
        con.executemany(
            "INSERT OR IGNORE INTO version_state (version_id, member) VALUES (?, ?)",
            [(version_id, m) for m in sorted(members)],
        )


def _revision_of(states: list[tuple]) -> str:
    """The revision token of a store whose versions are (version_id, sha256, imported_at, status) rows."""
    return hashlib.sha256(json.dumps([list(s) for s in states]).encode()).hexdigest()[:16]


def _hash_row(passphrase: str) -> dict:
    """A new salted scrypt hash of `passphrase`, with its parameters, as the admin_passphrase row stores it."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, **SCRYPT_PARAMS)
    return {
        "hash": digest,
        "salt": salt,
        **SCRYPT_PARAMS,
        "set_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _matches(passphrase: str, stored: tuple) -> bool:
    """Whether `passphrase` gives the stored hash (compared in constant time). A row whose parameters this
    program would not choose is damaged or tampered with: refused, never computed at any cost."""
    digest, salt, n, r, p, dklen = stored
    if not (
        2 <= int(n) <= SCRYPT_MAX_N and 1 <= int(r) <= 16 and 1 <= int(p) <= 4 and 16 <= int(dklen) <= 64
    ):
        raise StoreError("passphrase_damaged")
    try:
        given = hashlib.scrypt(
            passphrase.encode("utf-8"), salt=bytes(salt), n=int(n), r=int(r), p=int(p), dklen=int(dklen)
        )
    except (ValueError, MemoryError):
        raise StoreError("passphrase_damaged") from None
    return hmac.compare_digest(given, bytes(digest))


CHANGE_KINDS = ("removed", "restored", "replaced")
_CHANGE_SIDES = ["version", "dataset", "department", "numerator", "denominator", "value"]


@dataclass(frozen=True)
class StoreChange:
    """What an undo, a rollback or a reactivation changes (or changed) in the merged view, worked out
    without writing (`version_id` 0 with "rollback": the state before the first import).

    `rows`: one row per key (region_code, year, indicator_id) whose row in current() changes: `change` is
    removed (no active version has the key any more), restored (an active-again version brings it back) or
    replaced (another version's row takes its place); `version_before` / `version_after`, their dataset,
    department and numbers (NaN / <NA> where there is none).
    """

    operation: str  # "undo", "rollback" or "reactivate"
    version_id: int
    deactivated: tuple[int, ...]  # versions that become rolled_back
    activated: tuple[int, ...]  # versions that become active again
    rows: pd.DataFrame
    revision_before: str
    revision_after: str

    @property
    def changes_nothing(self) -> bool:
        return not self.deactivated and not self.activated

    def by_dataset(self) -> pd.DataFrame:
        """Per dataset: rows removed from the view, rows restored to it, and the counties and indicators
        those rows touch (a replaced key counts as removed from one dataset and restored in the other)."""
        r = self.rows
        gone = r[r["change"].isin(["removed", "replaced"])][["dataset_before", *KEY_COLUMNS]]
        back = r[r["change"].isin(["restored", "replaced"])][["dataset_after", *KEY_COLUMNS]]
        parts = pd.concat(
            [
                gone.rename(columns={"dataset_before": "dataset"}).assign(removed=1, restored=0),
                back.rename(columns={"dataset_after": "dataset"}).assign(removed=0, restored=1),
            ],
            ignore_index=True,
        )
        columns = ["dataset", "removed", "restored", "counties", "indicators"]
        if parts.empty:
            return pd.DataFrame(
                {c: pd.Series([], dtype=object if c == "dataset" else "int64") for c in columns}
            )
        out = parts.groupby("dataset", sort=True).agg(
            removed=("removed", "sum"),
            restored=("restored", "sum"),
            counties=("region_code", "nunique"),
            indicators=("indicator_id", "nunique"),
        )
        return out.reset_index()[columns].astype({c: "int64" for c in columns[1:]})


class Store:
    """The SQLite file of imported dataset versions. Cheap to create; opens a connection per operation,
    so one instance may be shared between threads and several processes may use the same file."""

    # wrong guesses: overridable per instance (tests use a fake clock or a tiny delay)
    guess_free: int = GUESS_FREE
    guess_base_delay_s: float = GUESS_BASE_DELAY_S
    guess_max_delay_s: float = GUESS_MAX_DELAY_S
    clock = staticmethod(time.time)

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        passphrase_required: str | None = None,
        client: str = "cli",
    ) -> None:
        """`passphrase_required`: the passphrase this process configures (the web app's secret; None: read
        $PREVENTION_ATLAS_ADMIN_PASSPHRASE). It only *sets* the store's passphrase when the store has none: once
        set, the hash in the store decides for every client, and a blank value never removes it. `client`:
        "web" or "cli", written in the log of refused guesses."""
        self.path = Path(path).expanduser() if path is not None else default_db_path()
        self._passphrase_required = passphrase_required
        self.client = client if client in CLIENT_KINDS else "cli"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError("db_dir", path=str(self.path.parent), reason=exc.strerror or str(exc)) from None
        self._ensure_schema()
        self._adopt_configured()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # -- connections ------------------------------------------------------------------------------------
    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            # isolation_level=None: no implicit transactions; writes say BEGIN IMMEDIATE themselves
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError("db_open", path=str(self.path), reason=str(exc)) from exc
        try:
            con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            con.execute("PRAGMA foreign_keys = ON")
            yield con
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        finally:
            con.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: the write lock is taken up front (BEGIN IMMEDIATE), so two writers
        queue up instead of failing halfway; any exception rolls everything back."""
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def _error(self, exc: sqlite3.Error) -> StoreError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return StoreError("db_busy", path=str(self.path), seconds=f"{BUSY_TIMEOUT_S:g}")
        if isinstance(exc, sqlite3.DatabaseError) and "not a database" in text:
            return StoreError("not_a_database", path=str(self.path))
        return StoreError("db_failed", path=str(self.path), reason=text)

    def _ensure_schema(self) -> None:
        with self._connect() as con:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError("db_too_new", path=str(self.path), version=version)
            if version == SCHEMA_VERSION:
                return
            # WAL: readers never wait for a writer, and a killed writer leaves only an ignorable log tail.
            # Switching needs a moment alone with the file: retry while another process holds it.
            deadline = time.monotonic() + BUSY_TIMEOUT_S
            while True:
                try:
                    con.execute("PRAGMA journal_mode = WAL")
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            con.execute("BEGIN IMMEDIATE")
            try:
                found = con.execute("PRAGMA user_version").fetchone()[0]
                if found < SCHEMA_VERSION:  # not done meanwhile
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            con.execute(statement)
                    if found == 1:
                        _backfill_version_state(con)
                    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    # -- who may write -------------------------------------------------------------------------------
    # The passphrase lives in the store as a salted scrypt hash: every process, whatever its environment,
    # is held to it. Wrong guesses are counted in the store (so other processes see them) and, after
    # `guess_free` of them, each one must wait twice as long as the one before (capped); every refusal is
    # logged with its time and client kind, never with the text given.
    @property
    def write_protected(self) -> bool:
        """True when writes need the admin passphrase (so a UI knows to ask for it)."""
        self._adopt_configured()
        with self._connect() as con:
            return con.execute("SELECT 1 FROM admin_passphrase WHERE id = 1").fetchone() is not None

    def _configured(self) -> str:
        """The passphrase this process was started with (blank: none; a blank value never disables one)."""
        if self._passphrase_required is not None:
            value = str(self._passphrase_required)
        else:
            value = os.environ.get(PASSPHRASE_ENV, "")
        return value if value.strip() else ""

    def _adopt_configured(self) -> None:
        """A store without a passphrase takes the one this process was started with (once; later processes
        with another value do not replace it: `set_passphrase` with the old one does)."""
        configured = self._configured()
        if not configured:
            return
        with self._connect() as con:
            if con.execute("SELECT 1 FROM admin_passphrase WHERE id = 1").fetchone() is not None:
                return
        row = _hash_row(configured)
        with self._write() as con:
            if con.execute("SELECT 1 FROM admin_passphrase WHERE id = 1").fetchone() is None:
                self._insert_hash(con, row)
                self._log(con, "set", "configured", 0)

    @staticmethod
    def _insert_hash(con: sqlite3.Connection, row: dict) -> None:
        con.execute(
            "INSERT OR REPLACE INTO admin_passphrase (id, hash, salt, n, r, p, dklen, set_at, failures,"
            " last_failure) VALUES (1, :hash, :salt, :n, :r, :p, :dklen, :set_at, 0, NULL)",
            row,
        )

    def _log(self, con: sqlite3.Connection, event: str, action: str, failures: int) -> None:
        con.execute(
            "INSERT INTO admin_log (at, client, event, action, failures) VALUES (?, ?, ?, ?, ?)",
            (datetime.now(UTC).isoformat(timespec="seconds"), self.client, event, action, int(failures)),
        )
        con.execute(
            "DELETE FROM admin_log WHERE id <= (SELECT MAX(id) FROM admin_log) - ?", (ADMIN_LOG_KEEP,)
        )

    def guess_delay(self, failures: int) -> float:
        """Seconds a guess must wait after the last wrong one, with `failures` wrong in a row: none for the
        first `guess_free`, then the base delay, doubling, capped."""
        if failures < self.guess_free:
            return 0.0
        return min(self.guess_max_delay_s, self.guess_base_delay_s * 2.0 ** (failures - self.guess_free))

    def _check_passphrase(self, passphrase: str | None, action: str = "write") -> None:
        """Pass when the store has no passphrase, or `passphrase` matches its hash; else StoreError
        (passphrase_needed, or passphrase_wait while wrong guesses are being slowed down)."""
        self._adopt_configured()
        with self._connect() as con:
            stored = con.execute(
                "SELECT hash, salt, n, r, p, dklen FROM admin_passphrase WHERE id = 1"
            ).fetchone()
        if stored is None:
            return  # local use: nobody set a passphrase
        given = "" if passphrase is None else str(passphrase)
        if not given:
            with self._write() as con:
                failures = con.execute("SELECT failures FROM admin_passphrase WHERE id = 1").fetchone()
                self._log(con, "missing", action, failures[0] if failures else 0)
            raise StoreError("passphrase_needed")
        # One write transaction decides whether this guess may be checked now. Once waiting has started, the
        # guess is counted as wrong before it is checked (and forgiven if right): a burst of guesses from many
        # processes gets one check per wait, not one each.
        wait = 0.0
        counted = False
        with self._write() as con:
            row = con.execute("SELECT failures, last_failure FROM admin_passphrase WHERE id = 1").fetchone()
            if row is None:
                return  # removed meanwhile by hand: nothing to check against
            failures, last = int(row[0]), row[1]
            now = self.clock()
            if failures >= self.guess_free:
                wait = (last or 0.0) + self.guess_delay(failures) - now
                if wait > 0:
                    self._log(con, "throttled", action, failures)
                else:
                    counted = True
                    failures += 1
                    con.execute(
                        "UPDATE admin_passphrase SET failures = ?, last_failure = ? WHERE id = 1",
                        (failures, now),
                    )
        if wait > 0:
            raise StoreError("passphrase_wait", seconds=max(1, math.ceil(wait)), failures=failures)
        if _matches(given, stored):
            with self._write() as con:
                con.execute("UPDATE admin_passphrase SET failures = 0, last_failure = NULL WHERE id = 1")
            return
        with self._write() as con:
            if not counted:
                con.execute(
                    "UPDATE admin_passphrase SET failures = failures + 1, last_failure = ? WHERE id = 1",
                    (self.clock(),),
                )
            row = con.execute("SELECT failures FROM admin_passphrase WHERE id = 1").fetchone()
            self._log(con, "wrong", action, row[0] if row else 0)
        raise StoreError("passphrase_needed")

    def set_passphrase(self, new: str, *, old: str | None = None) -> bool:
        """Set the store's admin passphrase (True), or change it (False): changing needs the current one
        (`old`, held to the same counting and waiting as any write). A blank passphrase is refused."""
        new = "" if new is None else str(new)
        if not new.strip():
            raise StoreError("passphrase_blank")
        with self._connect() as con:
            had = con.execute("SELECT 1 FROM admin_passphrase WHERE id = 1").fetchone() is not None
        if had:
            self._check_passphrase(old, "set_passphrase")
        row = _hash_row(new)
        with self._write() as con:
            has = con.execute("SELECT 1 FROM admin_passphrase WHERE id = 1").fetchone() is not None
            if has and not had:  # set by another process meanwhile: it now takes the old one
                raise StoreError("passphrase_needed")
            self._insert_hash(con, row)
            self._log(con, "changed" if had else "set", "set_passphrase", 0)
        return not had

    def passphrase_state(self) -> dict:
        """Whether a passphrase is set, when, the wrong guesses in a row and the seconds left to wait."""
        with self._connect() as con:
            row = con.execute(
                "SELECT set_at, failures, last_failure FROM admin_passphrase WHERE id = 1"
            ).fetchone()
        if row is None:
            return {"set": False, "set_at": "", "failures": 0, "wait_s": 0.0}
        failures, last = int(row[1]), row[2]
        wait = max(0.0, (last or 0.0) + self.guess_delay(failures) - self.clock()) if last else 0.0
        return {"set": True, "set_at": row[0], "failures": failures, "wait_s": wait}

    def admin_log(self, limit: int | None = None) -> pd.DataFrame:
        """The passphrase log, newest first (ADMIN_LOG_COLUMNS: UTC time, client kind, event, action, wrong
        guesses in a row then)."""
        sql = f"SELECT {', '.join(ADMIN_LOG_COLUMNS)} FROM admin_log ORDER BY id DESC"
        params: tuple = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (max(0, int(limit)),)
        with self._connect() as con:
            rows = con.execute(sql, params).fetchall()
        out = pd.DataFrame(rows, columns=ADMIN_LOG_COLUMNS)
        out["failures"] = out["failures"].astype("int64")
        return out

    # -- writes -----------------------------------------------------------------------------------------
    def import_observations(
        self,
        obs: pd.DataFrame,
        *,
        dataset: str,
        source_name: str,
        sha256: str,
        department: str = "",
        note: str = "",
        passphrase: str | None = None,
    ) -> int:
        """Store `obs` as a new active version of `dataset` in one transaction; return its version_id.

        On any error (bad frame, wrong passphrase, a crash halfway) the store is left exactly as it was.
        """
        self._check_passphrase(passphrase, "import")
        dataset = str(dataset or "").strip()
        if not dataset:
            raise StoreError("dataset_name_needed")
        frame = canonical_observations(obs)
        imported_at = datetime.now(UTC).isoformat(timespec="seconds")
        with self._write() as con:
            # the dataset's current head becomes this version's parent: rollback() follows parents
            parent = con.execute(
                "SELECT MAX(version_id) FROM versions WHERE dataset = ? AND status = 'active'", (dataset,)
            ).fetchone()[0]
            cur = con.execute(
                "INSERT INTO versions (dataset, source_name, sha256, imported_at, department, note, rows,"
                " status, parent_version) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?)",
                (
                    dataset,
                    str(source_name or ""),
                    str(sha256 or ""),
                    imported_at,
                    str(department or ""),
                    str(note or ""),
                    len(frame),
                    parent,
                ),
            )
            version_id = int(cur.lastrowid)
            con.executemany(
                "INSERT INTO observations (version_id, region_code, year, indicator_id, numerator,"
                " denominator, value, source_row) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                observation_rows(frame, version_id),
            )
            con.execute(  # the state right after this import: what rollback(version_id) returns to
                "INSERT INTO version_state (version_id, member)"
                " SELECT ?, version_id FROM versions WHERE status = 'active'",
                (version_id,),
            )
        return version_id

    def undo(
        self, version_id: int, passphrase: str | None = None, *, expect_revision: str | None = None
    ) -> StoreChange:
        """Withdraw one import: only `version_id` is marked rolled_back, so only its rows leave the merged
        view (where an older version has the same key, that row shows again); every other version, of any
        dataset, stays as it is. `expect_revision`: refuse if the store changed since that preview."""
        return self._apply("undo", version_id, passphrase, expect_revision)

    def rollback(
        self, version_id: int, passphrase: str | None = None, *, expect_revision: str | None = None
    ) -> StoreChange:
        """Return the whole store to the state right after `version_id` was imported.

        The versions active at that moment are active again (`version_id` included, and any it was built
        on); every other version, of every dataset, is marked rolled_back (kept in history). So versions
        imported after it go, and a version withdrawn before it was imported stays out. `rollback(0)` is the
        state before the first import: every version is marked rolled_back (the first one included).
        """
        return self._apply("rollback", version_id, passphrase, expect_revision)

    def reactivate(
        self, version_id: int, passphrase: str | None = None, *, expect_revision: str | None = None
    ) -> StoreChange:
        """The inverse of undo: only `version_id` (rolled back by undo or rollback) is active again; every
        other version stays as it is. Any version can so be withdrawn and brought back, the first included."""
        return self._apply("reactivate", version_id, passphrase, expect_revision)

    def preview_undo(self, version_id: int) -> StoreChange:
        """What undo(version_id) would change, computed without writing."""
        return self._preview("undo", version_id)

    def preview_rollback(self, version_id: int) -> StoreChange:
        """What rollback(version_id) would change, computed without writing."""
        return self._preview("rollback", version_id)

    def preview_reactivate(self, version_id: int) -> StoreChange:
        """What reactivate(version_id) would change, computed without writing."""
        return self._preview("reactivate", version_id)

    @staticmethod
    def _version_id(version_id) -> int:
        try:
            return int(version_id)
        except (TypeError, ValueError):
            raise StoreError("version_not_integer", version=str(version_id)) from None

    def _plan(self, con: sqlite3.Connection, operation: str, version_id: int) -> tuple[set[int], set[int]]:
        """(versions active now, versions active after the operation)."""
        before = {r[0] for r in con.execute("SELECT version_id FROM versions WHERE status = 'active'")}
        if operation == "rollback" and version_id == 0:  # before the first import: nothing active
            return before, set()
        row = con.execute("SELECT status FROM versions WHERE version_id = ?", (version_id,)).fetchone()
        if row is None:
            raise StoreError("no_such_version", version=version_id)
        if operation == "undo":
            if row[0] != "active":
                raise StoreError("already_rolled_back", version=version_id)
            return before, before - {version_id}
        if operation == "reactivate":
            if row[0] == "active":
                raise StoreError("already_active", version=version_id)
            return before, before | {version_id}
        after = {
            r[0] for r in con.execute("SELECT member FROM version_state WHERE version_id = ?", (version_id,))
        }
        return before, after | {version_id}

    def _apply(self, operation: str, version_id, passphrase: str | None, expect: str | None) -> StoreChange:
        self._check_passphrase(passphrase, operation)
        version_id = self._version_id(version_id)
        with self._write() as con:
            if expect is not None and self._revision(con) != expect:
                raise StoreError("changed_since_preview")
            before, after = self._plan(con, operation, version_id)
            change = self._change(con, operation, version_id, before, after)
            con.execute(
                "UPDATE versions SET status = CASE WHEN version_id IN (SELECT value FROM json_each(?))"
                " THEN 'active' ELSE 'rolled_back' END",
                (json.dumps(sorted(after)),),
            )
        return change

    def _preview(self, operation: str, version_id) -> StoreChange:
        version_id = self._version_id(version_id)
        with self._connect() as con:
            con.execute("BEGIN")  # one consistent snapshot for all the reads
            try:
                before, after = self._plan(con, operation, version_id)
                return self._change(con, operation, version_id, before, after)
            finally:
                con.execute("ROLLBACK")

    def _change(
        self, con: sqlite3.Connection, operation: str, version_id: int, before: set[int], after: set[int]
    ) -> StoreChange:
        toggled = sorted(before ^ after)
        states = con.execute(
            "SELECT version_id, sha256, imported_at, status FROM versions ORDER BY version_id"
        ).fetchall()
        states_after = [(v, h, at, "active" if v in after else "rolled_back") for v, h, at, _ in states]
        key_sql = ", ".join(KEY_COLUMNS)
        sides = []
        for active in (before, after):
            # the merged view, only on the keys the toggled versions hold (bare columns of MAX: see current())
            rows = con.execute(
                f"""
                WITH keys AS (
                    SELECT DISTINCT {key_sql} FROM observations
                    WHERE version_id IN (SELECT value FROM json_each(?))
                )
                SELECT o.region_code, o.year, o.indicator_id, o.numerator, o.denominator, o.value,
                       MAX(o.version_id)
                FROM keys k JOIN observations o USING ({key_sql})
                WHERE o.version_id IN (SELECT value FROM json_each(?))
                GROUP BY o.region_code, o.year, o.indicator_id
                """,
                (json.dumps(toggled), json.dumps(sorted(active))),
            ).fetchall()
            sides.append(
                pd.DataFrame(rows, columns=[*KEY_COLUMNS, "numerator", "denominator", "value", "version"])
            )
        info = pd.DataFrame(
            con.execute("SELECT version_id, dataset, department FROM versions").fetchall(),
            columns=["version", "dataset", "department"],
        ).set_index("version")
        for side in sides:
            for col in ("dataset", "department"):
                side[col] = side["version"].map(info[col])
        merged = sides[0].merge(sides[1], on=KEY_COLUMNS, how="outer", suffixes=("_before", "_after"))
        vb = merged["version_before"].astype("Int64")
        va = merged["version_after"].astype("Int64")
        merged["version_before"], merged["version_after"] = vb, va
        merged = merged[(vb.isna() != va.isna()) | (vb.fillna(0) != va.fillna(0))].copy()
        merged["change"] = np.where(
            merged["version_after"].isna(),
            "removed",
            np.where(merged["version_before"].isna(), "restored", "replaced"),
        )
        columns = [*KEY_COLUMNS, "change"] + [f"{c}_{s}" for s in ("before", "after") for c in _CHANGE_SIDES]
        merged = merged.sort_values(KEY_COLUMNS).reset_index(drop=True)[columns]
        for col in ("dataset_before", "dataset_after", "department_before", "department_after"):
            merged[col] = merged[col].astype(object)
        merged["year"] = merged["year"].astype("int64")
        return StoreChange(
            operation=operation,
            version_id=version_id,
            deactivated=tuple(sorted(before - after)),
            activated=tuple(sorted(after - before)),
            rows=merged,
            revision_before=_revision_of(states),
            revision_after=_revision_of(states_after),
        )

    # -- reads ------------------------------------------------------------------------------------------
    def versions(self, dataset: str | None = None) -> pd.DataFrame:
        """Version history, newest first (all statuses)."""
        sql = f"SELECT {', '.join(VERSION_COLUMNS)} FROM versions"
        params: tuple = ()
        if dataset is not None:
            sql += " WHERE dataset = ?"
            params = (dataset,)
        with self._connect() as con:
            rows = con.execute(sql + " ORDER BY version_id DESC", params).fetchall()
        out = pd.DataFrame(rows, columns=VERSION_COLUMNS)
        for col in ("version_id", "rows"):
            out[col] = out[col].astype("int64")
        out["parent_version"] = out["parent_version"].astype("Int64")
        return out

    def revision(self) -> str:
        """A short token that changes with every import, undo and rollback (a cache key for current(), and
        the store's state in a shared link). Versions are hashed with their file's sha256 and import time,
        so another store with as many versions has another token; the same state gives the same token."""
        with self._connect() as con:
            return self._revision(con)

    @staticmethod
    def _revision(con: sqlite3.Connection) -> str:
        return _revision_of(
            con.execute(
                "SELECT version_id, sha256, imported_at, status FROM versions ORDER BY version_id"
            ).fetchall()
        )

    def find_sha256(self, sha256: str) -> pd.DataFrame:
        """The versions imported from a file with these exact bytes (newest first; empty if none): flag an
        identical file before importing it again."""
        history = self.versions()
        return history[history["sha256"] == str(sha256 or "")].reset_index(drop=True)

    def newest_active(self) -> int | None:
        """The highest active version id (what "the store up to version N" names), None when none is active."""
        with self._connect() as con:
            return con.execute("SELECT MAX(version_id) FROM versions WHERE status = 'active'").fetchone()[0]

    def datasets(self) -> list[str]:
        """Names of every dataset ever imported (including fully rolled-back ones), sorted."""
        with self._connect() as con:
            return [r[0] for r in con.execute("SELECT DISTINCT dataset FROM versions ORDER BY dataset")]

    def current(self, dataset: str | None = None, region_codes: list[str] | None = None) -> pd.DataFrame:
        """The merged view: per (region_code, year, indicator_id), the row of the latest active version
        (of `dataset`, or of any dataset), with provenance. Canonical columns first, so attainment()
        takes it as it is; empty store -> empty frame with the same columns."""
        where = ["v.status = 'active'"]
        params: list = []
        if dataset is not None:
            where.append("v.dataset = ?")
            params.append(dataset)
        if region_codes is not None:
            codes = sorted({str(c).strip() for c in region_codes})
            if not codes:
                return self._empty_current()
            where.append("o.region_code IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(codes))
        # SQLite documents that with a lone MAX() the other ("bare") columns come from the max row: one
        # walk of the key index gives the latest active row per key, already in key order.
        sql = f"""
            SELECT o.region_code, o.year, o.indicator_id, o.numerator, o.denominator, o.value,
                   o.source_row, MAX(o.version_id)
            FROM observations o JOIN versions v ON v.version_id = o.version_id
            WHERE {" AND ".join(where)}
            GROUP BY o.region_code, o.year, o.indicator_id
            ORDER BY o.region_code, o.year, o.indicator_id
        """
        with self._connect() as con:
            rows = con.execute(sql, params).fetchall()
            provenance = con.execute(
                "SELECT version_id, dataset, source_name, imported_at, department FROM versions"
            ).fetchall()
        if not rows:
            return self._empty_current()
        df = pd.DataFrame(rows, columns=[*OBS_COLUMNS, "source_row", "dataset_version"])
        by_version = pd.DataFrame(
            provenance, columns=["dataset_version", "dataset", "source", "imported_at", "department"]
        ).set_index("dataset_version")
        for col in by_version.columns:
            df[col] = df["dataset_version"].map(by_version[col])
        return self._typed_current(df[CURRENT_COLUMNS])

    @staticmethod
    def _typed_current(df: pd.DataFrame) -> pd.DataFrame:
        for col in ("region_code", "indicator_id", "dataset", "source", "imported_at", "department"):
            df[col] = df[col].astype(str)
        df["year"] = df["year"].astype("int64")
        for col in _VALUE_COLUMNS:
            df[col] = df[col].astype("float64")  # NULL -> NaN
        df["source_row"] = df["source_row"].astype("Int64")
        df["dataset_version"] = df["dataset_version"].astype("int64")
        return df

    def _empty_current(self) -> pd.DataFrame:
        return self._typed_current(pd.DataFrame({c: pd.Series([], dtype=object) for c in CURRENT_COLUMNS}))

    def diff(self, obs: pd.DataFrame, dataset: str | None = None) -> pd.DataFrame:
        """What importing `obs` would change, row by row, against current(dataset).

        Returns obs in canonical form plus `change` (new / unchanged / changed), `changed_columns`
        (e.g. "numerator,value"), and the old values and provenance (`old_numerator`, `old_denominator`,
        `old_value`, `old_dataset`, `old_dataset_version`, `old_source`, `old_imported_at`; NaN when new).
        """
        frame = canonical_observations(obs)
        old = self.current(dataset, region_codes=frame["region_code"].unique().tolist())
        old = old[KEY_COLUMNS + _VALUE_COLUMNS + ["dataset", "dataset_version", "source", "imported_at"]]
        old = old.rename(columns={c: f"old_{c}" for c in old.columns if c not in KEY_COLUMNS})
        out = frame.merge(old, on=KEY_COLUMNS, how="left", validate="one_to_one", indicator="_found")
        found = (out.pop("_found") == "both").to_numpy()
        differs = {c: found & ~_same(out[c], out[f"old_{c}"]) for c in _VALUE_COLUMNS}
        changed = np.logical_or.reduce(list(differs.values()))
        out["change"] = np.where(~found, "new", np.where(changed, "changed", "unchanged"))
        out["changed_columns"] = [
            ",".join(c for c in _VALUE_COLUMNS if differs[c][i]) for i in range(len(out))
        ]
        out["old_dataset_version"] = out["old_dataset_version"].astype("Int64")
        front = [*OBS_COLUMNS, "source_row", "change", "changed_columns"]
        return out[front + [c for c in out.columns if c not in front]]

    # -- target profiles made in the app ---------------------------------------------------------------
    def save_profile(
        self,
        profile: TargetProfile,
        *,
        passphrase: str | None = None,
        note: str = "",
        department: str = "",
    ) -> int:
        """Store `profile` as a new active version of its id, in one transaction; return the version number.

        Refused with nothing written: a wrong passphrase or the id of a built-in profile (StoreError), a profile
        check_profile finds problems in (ProfileError, listing them all)."""
        self._check_passphrase(passphrase, "profile_save")
        if profile.id in list_profiles():
            raise StoreError("profile_builtin", profile=profile.id)
        checked(profile)
        text = profile_to_toml(profile)
        saved_at = datetime.now(UTC).isoformat(timespec="seconds")
        with self._write() as con:
            version = con.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM profiles WHERE profile_id = ?", (profile.id,)
            ).fetchone()[0]
            con.execute(
                "INSERT INTO profiles (profile_id, version, toml, saved_at, department, note, status)"
                " VALUES (?, ?, ?, ?, ?, ?, 'active')",
                (profile.id, version, text, saved_at, str(department or ""), str(note or "")),
            )
        return int(version)

    def profile_ids(self) -> list[str]:
        """Ids of the saved profiles that are not withdrawn, sorted (their TOML is not read here, so one
        unusable profile never hides the others)."""
        with self._connect() as con:
            rows = con.execute(
                "SELECT DISTINCT profile_id FROM profiles WHERE status = 'active' ORDER BY profile_id"
            ).fetchall()
        return [r[0] for r in rows]

    def stored_profile(self, profile_id: str, version: int | None = None) -> TargetProfile:
        """A saved profile: its newest active version, or exactly `version` (any status, for history). Read by
        the same parser as data/targets/ and checked again (the catalog may have changed since it was saved):
        ProfileError if it no longer passes."""
        profile_id = str(profile_id)
        with self._connect() as con:
            if version is None:
                row = con.execute(
                    "SELECT version, toml FROM profiles WHERE profile_id = ? AND status = 'active'"
                    " ORDER BY version DESC LIMIT 1",
                    (profile_id,),
                ).fetchone()
            else:
                version = self._version_id(version)
                row = con.execute(
                    "SELECT version, toml FROM profiles WHERE profile_id = ? AND version = ?",
                    (profile_id, version),
                ).fetchone()
        if row is None and version is not None:
            raise StoreError("no_such_profile_version", profile=profile_id, version=version)
        if row is None:
            raise StoreError(
                "no_such_profile", profile=profile_id, known=", ".join(self.profile_ids()) or "—"
            )
        where = f"{profile_id} v{row[0]}"
        return checked(profile_from_toml(row[1], where), where=where)

    def profile_versions(self, profile_id: str | None = None) -> pd.DataFrame:
        """Every saved version (by id, newest first), with its names and whether it is usable today (PROFILE_VERSION_COLUMNS)."""
        sql = "SELECT profile_id, version, saved_at, department, note, status, toml FROM profiles"
        params: tuple = ()
        if profile_id is not None:
            sql += " WHERE profile_id = ?"
            params = (str(profile_id),)
        with self._connect() as con:
            rows = con.execute(sql + " ORDER BY profile_id, version DESC", params).fetchall()
        records = []
        for *head, text in rows:
            name_zh = name_en = ""
            usable = False
            try:
                profile = profile_from_toml(text, f"{head[0]} v{head[1]}")
                name_zh, name_en = profile.name_zh, profile.name_en
                usable = not check_profile(profile)
            except CatalogError:
                pass
            records.append([*head, name_zh, name_en, usable])
        out = pd.DataFrame(records, columns=PROFILE_VERSION_COLUMNS)
        out["version"] = out["version"].astype("int64")
        out["usable"] = out["usable"].astype(bool)
        return out

    def withdraw_profile(self, profile_id: str, passphrase: str | None = None) -> int:
        """Withdraw a saved profile: every version is marked withdrawn (kept in history; a later save of the
        same id starts its next version). Returns how many versions were withdrawn."""
        self._check_passphrase(passphrase, "profile_withdraw")
        profile_id = str(profile_id)
        with self._write() as con:
            cur = con.execute(
                "UPDATE profiles SET status = 'withdrawn' WHERE profile_id = ? AND status = 'active'",
                (profile_id,),
            )
            if cur.rowcount == 0:
                known = con.execute(
                    "SELECT DISTINCT profile_id FROM profiles WHERE status = 'active' ORDER BY profile_id"
                ).fetchall()
                raise StoreError(
                    "no_such_profile", profile=profile_id, known=", ".join(r[0] for r in known) or "—"
                )
            return int(cur.rowcount)

    def profiles_revision(self) -> str:
        """A short token that changes with every save and withdrawal of a profile (a cache key: revision()
        follows the data only)."""
        with self._connect() as con:
            rows = con.execute("SELECT profile_id, version, status FROM profiles ORDER BY 1, 2").fetchall()
        return hashlib.sha256(json.dumps([list(r) for r in rows]).encode()).hexdigest()[:16]

    # -- saved what-if scenarios (their JSON is analytics.scenario_library's) -------------------------------
    def save_scenario(
        self, name: str, payload: str, *, overwrite: bool = False, passphrase: str | None = None
    ) -> tuple[int, str]:
        """Store `payload` (JSON text) as the new active version of scenario `name`, in one transaction; return
        (version, saved_at). A name already saved is refused (StoreError scenario_exists) unless `overwrite`:
        then the version before is kept as 'replaced'."""
        name = str(name or "").strip()
        if not name:
            raise StoreError("scenario_name_needed")
        self._check_passphrase(passphrase, "scenario_save")
        saved_at = datetime.now(UTC).isoformat(timespec="seconds")
        with self._write() as con:
            active = con.execute(
                "SELECT 1 FROM scenarios WHERE name = ? AND status = 'active'", (name,)
            ).fetchone()
            if active is not None and not overwrite:
                raise StoreError("scenario_exists", name=name)
            version = con.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM scenarios WHERE name = ?", (name,)
            ).fetchone()[0]
            con.execute(
                "UPDATE scenarios SET status = 'replaced' WHERE name = ? AND status = 'active'", (name,)
            )
            con.execute(
                "INSERT INTO scenarios (name, version, payload, saved_at, status) VALUES (?, ?, ?, ?, 'active')",
                (name, version, str(payload), saved_at),
            )
        return int(version), saved_at

    def delete_scenario(self, name: str, *, passphrase: str | None = None) -> None:
        """Mark the saved scenario `name` deleted (kept in history); StoreError scenario_missing if none."""
        name = str(name or "").strip()
        self._check_passphrase(passphrase, "scenario_delete")
        with self._write() as con:
            cur = con.execute(
                "UPDATE scenarios SET status = 'deleted' WHERE name = ? AND status = 'active'", (name,)
            )
            if cur.rowcount == 0:
                raise StoreError("scenario_missing", name=name)

    def scenario_entries(self) -> pd.DataFrame:
        """The active saved scenarios as stored (SCENARIO_COLUMNS; the payload is not parsed here, so one
        unreadable entry never hides the others), in the order their names were first saved."""
        with self._connect() as con:
            rows = con.execute(
                "SELECT s.name, s.version, s.payload, s.saved_at FROM scenarios s"
                " WHERE s.status = 'active'"
                " ORDER BY (SELECT MIN(f.id) FROM scenarios f WHERE f.name = s.name), s.name"
            ).fetchall()
        out = pd.DataFrame(rows, columns=SCENARIO_COLUMNS)
        out["version"] = out["version"].astype("int64")
        return out

    def scenarios_revision(self) -> str:
        """A short token that changes with every scenario save and delete (a cache key)."""
        with self._connect() as con:
            rows = con.execute("SELECT id, status FROM scenarios ORDER BY id").fetchall()
        return hashlib.sha256(json.dumps([list(r) for r in rows]).encode()).hexdigest()[:16]

    def bring_in_scenarios(self, marker: str, entries: list[tuple[str, str, str]]) -> int:
        """Add (name, payload, saved_at) entries from an older scenario file, once per `marker` (e.g. the
        file's sha256), in one transaction; names the store already has (in any status) are left alone.
        Returns how many were added. No passphrase: this carries over what this machine had saved."""
        key = f"scenarios_from:{marker}"
        added = 0
        with self._write() as con:
            if con.execute("SELECT 1 FROM store_meta WHERE key = ?", (key,)).fetchone() is not None:
                return 0
            for name, payload, saved_at in entries:
                name = str(name or "").strip()
                if not name or con.execute("SELECT 1 FROM scenarios WHERE name = ?", (name,)).fetchone():
                    continue
                con.execute(
                    "INSERT INTO scenarios (name, version, payload, saved_at, status) VALUES (?, 1, ?, ?, 'active')",
                    (name, str(payload), str(saved_at or "")),
                )
                added += 1
            con.execute(
                "INSERT INTO store_meta (key, value) VALUES (?, ?)",
                (key, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        return added
