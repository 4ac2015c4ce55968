"""Named what-if scenarios, saved in the store (analytics.store, table `scenarios`), each with the view it
was made in: the data source (demo, or the store at a revision), region, year and target profile, so loading it
elsewhere can say what differs. Saving over an existing name needs `overwrite=True` (the page asks first).

Every function takes where the library is: a `Store` (the library of the app and the CLI: transactional,
one entry per row, concurrent saves all land, saves and deletes need the admin passphrase when the store has
one), or the path of a JSON file (the library of earlier releases, still read and written, one lock at a time).
A store brings in the scenarios of the file at $PREVENTION_ATLAS_SCENARIOS once, the first time it is listed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from analytics.errors import AtlasError
from analytics.i18n import t
from analytics.scenarios import Scenario, ScenarioError
from analytics.store import Store, StoreError

CONTEXT_FIELDS = ("source", "region", "year", "profile")
SCENARIOS_ENV = "PREVENTION_ATLAS_SCENARIOS"


class LibraryError(AtlasError):
    """A save or delete the library refuses (error.<code> in data/i18n); the library is unchanged."""


@dataclass(frozen=True)
class ViewContext:
    """The view a scenario was made in (and the view it is loaded into)."""

    source: str  # "demo" or "store@<revision>"
    province: str
    prefecture: str | None
    year: int
    profile_id: str
    newest_version: int | None = None  # the store's newest active version then (to name it in words)

    @property
    def region(self) -> str:
        return self.prefecture or self.province

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "province": self.province,
            "prefecture": self.prefecture,
            "year": self.year,
            "profile": self.profile_id,
            "newest_version": self.newest_version,
        }

    @staticmethod
    def from_dict(raw: dict) -> ViewContext:
        newest = raw.get("newest_version")
        return ViewContext(
            source=str(raw["source"]),
            province=str(raw["province"]),
            prefecture=str(raw["prefecture"]) if raw.get("prefecture") else None,
            year=int(raw["year"]),
            profile_id=str(raw["profile"]),
            newest_version=None if newest is None else int(newest),
        )


@dataclass(frozen=True)
class SavedScenario:
    scenario: Scenario
    context: ViewContext | None  # None: saved before the view was recorded
    saved_at: str = ""  # UTC ISO

    @property
    def name(self) -> str:
        return self.scenario.name


@dataclass(frozen=True)
class Library:
    """What a library holds: the readable scenarios by name (in the order first saved), and the names of
    entries that cannot be read (name -> saved_at) — listed, never hiding the others."""

    saved: dict[str, SavedScenario] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)


def default_file() -> Path:
    """The JSON library of earlier releases: $PREVENTION_ATLAS_SCENARIOS, else ~/.prevention_atlas/scenarios.json."""
    env = os.environ.get(SCENARIOS_ENV, "").strip()
    return Path(env).expanduser() if env else Path.home() / ".prevention_atlas" / "scenarios.json"


def _entry_json(entry: SavedScenario) -> dict:
    item = json.loads(entry.scenario.to_json())
    item["context"] = entry.context.to_dict() if entry.context else None
    item["saved_at"] = entry.saved_at
    return item


def _parse(name: str, item, saved_at: str | None = None) -> SavedScenario:
    """One entry (the JSON object stored for a name); ValueError-like errors when it cannot be read."""
    scenario = Scenario.from_json(json.dumps({**item, "name": name}, ensure_ascii=False))
    context = ViewContext.from_dict(item["context"]) if item.get("context") else None
    return SavedScenario(
        scenario, context, str(saved_at if saved_at is not None else item.get("saved_at", ""))
    )


_UNREADABLE = (ScenarioError, KeyError, TypeError, ValueError, AttributeError)


def load_library(where: Store | str | Path) -> Library:
    """Every saved scenario of a store (bringing in the old JSON file first, once) or of a JSON file."""
    if isinstance(where, Store):
        bring_in(where)
        out = Library()
        for row in where.scenario_entries().itertuples(index=False):
            try:
                out.saved[row.name] = _parse(row.name, json.loads(row.payload), row.saved_at)
            except _UNREADABLE:
                out.unreadable[row.name] = row.saved_at
        return out
    return _from_raw(_read_file(Path(where)))


def load_saved(where: Store | str | Path) -> dict[str, SavedScenario]:
    """Every readable saved scenario by name (an unreadable entry is left out here: see load_library)."""
    return load_library(where).saved


def exists(where: Store | str | Path, name: str) -> bool:
    """Whether a scenario of that name is saved (readable or not: saving over it still needs overwrite)."""
    library = load_library(where)
    name = str(name).strip()
    return name in library.saved or name in library.unreadable


def save(
    where: Store | str | Path,
    scenario: Scenario,
    context: ViewContext,
    *,
    overwrite: bool = False,
    passphrase: str | None = None,
) -> SavedScenario:
    """Add a named scenario with the view it was made in. A name already saved is refused
    (LibraryError "scenario_exists") unless `overwrite`: ask the user first. In a store, one transaction
    (a wrong passphrase: StoreError passphrase_needed, nothing written)."""
    name = str(scenario.name).strip()
    if not name:
        raise LibraryError("scenario_name_needed")
    entry = SavedScenario(
        Scenario(name, scenario.adjustments), context, datetime.now(UTC).isoformat(timespec="seconds")
    )
    if isinstance(where, Store):
        bring_in(where)  # a name carried over from the old file counts as saved
        payload = _entry_json(entry)
        payload.pop("saved_at")
        try:
            _, saved_at = where.save_scenario(
                name, json.dumps(payload, ensure_ascii=False), overwrite=overwrite, passphrase=passphrase
            )
        except StoreError as exc:
            if exc.code in ("scenario_exists", "scenario_name_needed"):
                raise LibraryError(exc.code, **exc.fields) from None
            raise
        return SavedScenario(entry.scenario, context, saved_at)
    with _locked(Path(where)) as raw:
        if name in raw and not overwrite:
            raise LibraryError("scenario_exists", name=name)
        raw[name] = _entry_json(entry)
    return entry


def delete(where: Store | str | Path, name: str, *, passphrase: str | None = None) -> None:
    """Remove a saved scenario (LibraryError "scenario_missing" if there is none of that name); in a store it
    is kept in history, marked deleted."""
    name = str(name).strip()
    if isinstance(where, Store):
        bring_in(where)
        try:
            where.delete_scenario(name, passphrase=passphrase)
        except StoreError as exc:
            if exc.code == "scenario_missing":
                raise LibraryError("scenario_missing", name=name) from None
            raise
        return
    with _locked(Path(where)) as raw:
        if name not in raw:
            raise LibraryError("scenario_missing", name=name)
        del raw[name]


def bring_in(store: Store, path: str | Path | None = None) -> int:
    """Carry the scenarios of an old JSON library (default: default_file()) into `store`, once per file
    content: names the store already has are left alone, unreadable entries come along (listed as such).
    The file itself is left as it was. Returns how many were added; a missing or unreadable file adds none."""
    path = Path(path) if path is not None else default_file()
    try:
        data = path.read_bytes()
    except OSError:
        return 0
    try:
        raw = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return 0
    if not isinstance(raw, dict):
        return 0
    entries = []
    for name, item in raw.items():
        saved_at = str(item.get("saved_at", "")) if isinstance(item, dict) else ""
        body = {k: v for k, v in item.items() if k != "saved_at"} if isinstance(item, dict) else item
        entries.append((str(name), json.dumps(body, ensure_ascii=False), saved_at))
    return store.bring_in_scenarios(hashlib.sha256(data).hexdigest(), entries)


# --- the JSON file of earlier releases ------------------------------------------------------------------
def _read_file(path: Path) -> dict:
    """The file's entries by name, as JSON (missing or unreadable file: none)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return {}
    return raw if isinstance(raw, dict) else {}


def _from_raw(raw: dict) -> Library:
    out = Library()
    for name, item in raw.items():
        try:
            out.saved[name] = _parse(name, item)
        except _UNREADABLE:
            out.unreadable[name] = str(item.get("saved_at", "")) if isinstance(item, dict) else ""
    return out


@contextmanager
def _locked(path: Path) -> Iterator[dict]:
    """The file's entries, to change in place, under an exclusive lock (a sidecar .lock file) so that two
    processes saving at once both land; written to a temporary file then renamed. Entries this release
    cannot read are written back as they were, never dropped. A file that is not a JSON object at all is
    refused rather than overwritten."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        raw: dict = {}
        if path.is_file():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, OSError) as exc:
                raise LibraryError("scenario_file_unreadable", path=str(path), reason=str(exc)) from None
            if not isinstance(raw, dict):
                raise LibraryError("scenario_file_unreadable", path=str(path), reason=type(raw).__name__)
        yield raw
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".scenarios-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(raw, fh, ensure_ascii=False, indent=1)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def differences(saved: ViewContext | None, now: ViewContext) -> list[str]:
    """Which of source, region, year, profile differ between a scenario's view and the current one
    (all four when the scenario recorded none)."""
    if saved is None:
        return list(CONTEXT_FIELDS)
    out = []
    if saved.source != now.source:
        out.append("source")
    if saved.region != now.region:
        out.append("region")
    if saved.year != now.year:
        out.append("year")
    if saved.profile_id != now.profile_id:
        out.append("profile")
    return out


def context_words(context: ViewContext | None, lang: str, regions) -> str:
    """A view in one line: "示例数据（模拟） · 吉林省 · 2024年 · 吉林省方案" (or "not recorded")."""
    if context is None:
        return t("provenance.context_unknown", lang)
    from analytics.catalog import load_profile
    from analytics.provenance import source_words

    try:
        profile = load_profile(context.profile_id).name(lang)
    except AtlasError:
        profile = context.profile_id
    from analytics.regions import COUNTRY, RegionError

    try:
        region = t("whole_country", lang) if context.region == COUNTRY else regions.name(context.region)
    except RegionError:  # a region code this installation does not know: show the code
        region = context.region
    return t(
        "provenance.context_line",
        lang,
        source=source_words(context.source, lang, context.newest_version),
        region=region,
        year=context.year,
        profile=profile,
    )
