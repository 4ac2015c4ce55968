"""Named what-if scenarios saved on this machine (one JSON file), each with the view it was made in: the data
source (demo, or the store at a revision), region, year and target profile, so loading it elsewhere can say
what differs. Saving over an existing name needs `overwrite=True` (the page asks first)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from analytics.errors import AtlasError
from analytics.i18n import t
from analytics.scenarios import Scenario, ScenarioError

CONTEXT_FIELDS = ("source", "region", "year", "profile")


class LibraryError(AtlasError):
    """A save or delete the library refuses (error.<code> in data/i18n); the file is unchanged."""


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


def load_saved(path: str | Path) -> dict[str, SavedScenario]:
    """Every saved scenario by name (missing or unreadable file: none; an unreadable entry is skipped)."""
    path = Path(path)
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return {}
    if not isinstance(raw, dict):
        return {}
    out: dict[str, SavedScenario] = {}
    for name, item in raw.items():
        try:
            scenario = Scenario.from_json(json.dumps({**item, "name": name}, ensure_ascii=False))
            context = ViewContext.from_dict(item["context"]) if item.get("context") else None
        except (ScenarioError, KeyError, TypeError, ValueError, AttributeError):
            continue
        out[name] = SavedScenario(scenario, context, str(item.get("saved_at", "")))
    return out


def exists(path: str | Path, name: str) -> bool:
    return str(name).strip() in load_saved(path)


def save(
    path: str | Path, scenario: Scenario, context: ViewContext, *, overwrite: bool = False
) -> SavedScenario:
    """Add a named scenario with the view it was made in. A name already saved is refused
    (LibraryError "scenario_exists") unless `overwrite`: ask the user first."""
    name = str(scenario.name).strip()
    if not name:
        raise LibraryError("scenario_name_needed")
    saved = load_saved(path)
    if name in saved and not overwrite:
        raise LibraryError("scenario_exists", name=name)
    entry = SavedScenario(
        Scenario(name, scenario.adjustments), context, datetime.now(UTC).isoformat(timespec="seconds")
    )
    saved[name] = entry
    _write(Path(path), saved)
    return entry


def delete(path: str | Path, name: str) -> None:
    """Remove a saved scenario (LibraryError "scenario_missing" if there is none of that name)."""
    saved = load_saved(path)
    if name not in saved:
        raise LibraryError("scenario_missing", name=name)
    del saved[name]
    _write(Path(path), saved)


def _write(path: Path, saved: dict[str, SavedScenario]) -> None:
    """The whole library, written to a temporary file then renamed: a crash loses nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = {}
    for name, entry in saved.items():
        item = json.loads(entry.scenario.to_json())
        item["context"] = entry.context.to_dict() if entry.context else None
        item["saved_at"] = entry.saved_at
        raw[name] = item
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
