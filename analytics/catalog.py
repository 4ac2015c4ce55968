"""The 25 indicators of the action plan and the target profiles, loaded from data/*.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from pathlib import Path

from analytics.errors import AtlasError
from analytics.kinds import KINDS, Kind

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
INDICATORS_FILE = DATA_DIR / "indicators.toml"
TARGETS_DIR = DATA_DIR / "targets"

COMPARATORS = (">", ">=")
DEFAULT_PROFILE = "jilin-2022-2025"


class CatalogError(AtlasError):
    """A data file under data/ is missing a field or holds an impossible value; or an unknown profile."""


@dataclass(frozen=True)
class Domain:
    id: str
    name_zh: str
    name_en: str
    lead_departments_zh: tuple[str, ...] = ()
    departments_zh: tuple[str, ...] = ()

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh


@dataclass(frozen=True)
class Indicator:
    id: str
    order: int
    domain: str
    name_zh: str
    name_en: str
    short_zh: str
    short_en: str
    kind: str
    unit: str
    unit_en: str
    scale: int
    direction: str
    decimals: int
    numerator_zh: str
    denominator_zh: str
    numerator_en: str
    denominator_en: str
    numerator_unit_zh: str
    numerator_unit_en: str
    formula_zh: str
    formula_en: str
    notes_zh: str
    notes_en: str
    lead_departments_zh: tuple[str, ...] = ()
    lead_departments_note: str = ""
    # The id of a county-status indicator: this one counts only in counties where that status is 1 that year
    # (the plan's "在开展精神障碍社区康复服务的县（市、区）"); "" = every county.
    applies_where: str = ""
    # False where one more unit of the numerator is nobody anyone can act on (a survey's respondents): the
    # shortfall is then said as the gap in points, not in people
    shortfall_actionable: bool = True

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh

    def short(self, lang: str = "zh") -> str:
        return self.short_en if lang == "en" else self.short_zh

    def unit_in(self, lang: str = "zh") -> str:
        """The value's unit as written in `lang` ("%", "per 100,000 residents")."""
        return self.unit_en if lang == "en" else self.unit

    def numerator_unit(self, lang: str = "zh") -> str:
        """What one unit of shortfall is (人, 例, 名, 起 / people, surgeries …)."""
        return self.numerator_unit_en if lang == "en" else self.numerator_unit_zh

    def numerator_text(self, lang: str = "zh") -> str:
        return self.numerator_en if lang == "en" else self.numerator_zh

    def denominator_text(self, lang: str = "zh") -> str:
        return self.denominator_en if lang == "en" else self.denominator_zh

    def formula(self, lang: str = "zh") -> str:
        return self.formula_en if lang == "en" else self.formula_zh

    def notes(self, lang: str = "zh") -> str:
        return self.notes_en if lang == "en" else self.notes_zh

    @property
    def rules(self) -> Kind:
        """What this indicator's kind means (analytics.kinds)."""
        return KINDS[self.kind]

    @property
    def upper_bound(self) -> float | None:
        """Physical ceiling of the value: a rate or a share of counties cannot pass 100 %."""
        return KINDS[self.kind].ceiling


@dataclass(frozen=True)
class Target:
    indicator_id: str
    comparator: str
    threshold: Fraction
    aspirational: bool
    text_zh: str
    certain: bool = True
    note: str = ""  # the maintainers' note on the target, in English
    note_zh: str = ""  # the same note in Chinese
    baseline_year: int | None = None

    def note_in(self, lang: str) -> str:
        """The note in the UI's language; the English one where no Chinese translation is given."""
        return (self.note_zh or self.note) if lang == "zh" else self.note

    def is_met(self, value: Fraction | float) -> bool:
        """Exact comparison: pass a Fraction (numerator/denominator) to avoid float rounding."""
        v = value if isinstance(value, Fraction) else Fraction(str(value))
        return v > self.threshold if self.comparator == ">" else v >= self.threshold


@dataclass(frozen=True)
class TargetProfile:
    id: str
    name_zh: str
    name_en: str
    source: str
    target_year: int
    baseline_year: int
    targets: dict[str, Target] = field(default_factory=dict)
    short_zh: str = ""  # a short name for narrow places (a column heading, the sidebar); else the name
    short_en: str = ""

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh

    def short(self, lang: str = "zh") -> str:
        return (self.short_en if lang == "en" else self.short_zh) or self.name(lang)

    def __getitem__(self, indicator_id: str) -> Target:
        return self.targets[indicator_id]


@dataclass(frozen=True)
class Catalog:
    domains: tuple[Domain, ...]
    indicators: tuple[Indicator, ...]

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    def __getitem__(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def __contains__(self, indicator_id: object) -> bool:
        return any(ind.id == indicator_id for ind in self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def domain(self, domain_id: str) -> Domain:
        for d in self.domains:
            if d.id == domain_id:
                return d
        raise KeyError(domain_id)

    def in_domain(self, domain_id: str) -> list[Indicator]:
        return [i for i in self.indicators if i.domain == domain_id]


def _require(table: dict, key: str, where: str):
    if key not in table:
        raise CatalogError("catalog_missing_field", where=where, field=key)
    return table[key]


def _indicator_from(raw: dict) -> Indicator:
    where = f"indicators.toml [{raw.get('id', '?')}]"
    optional = ("lead_departments_zh", "lead_departments_note", "applies_where", "shortfall_actionable")
    names = [f for f in Indicator.__dataclass_fields__ if f not in optional]
    values = {name: _require(raw, name, where) for name in names}
    values["lead_departments_zh"] = tuple(raw.get("lead_departments_zh", ()))
    values["lead_departments_note"] = raw.get("lead_departments_note", "")
    values["applies_where"] = str(raw.get("applies_where", ""))
    actionable = raw.get("shortfall_actionable", True)
    if not isinstance(actionable, bool):
        raise CatalogError("catalog_missing_field", where=where, field="shortfall_actionable")
    values["shortfall_actionable"] = actionable
    ind = Indicator(**values)
    if ind.kind not in KINDS:
        raise CatalogError("catalog_unknown_kind", where=where, kind=ind.kind)
    if ind.scale <= 0:
        raise CatalogError("catalog_scale", where=where)
    return ind


@cache
def load_catalog(path: Path = INDICATORS_FILE) -> Catalog:
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    domains = tuple(
        Domain(
            id=d["id"],
            name_zh=d["name_zh"],
            name_en=d["name_en"],
            lead_departments_zh=tuple(d.get("lead_departments_zh", ())),
            departments_zh=tuple(d.get("departments_zh", ())),
        )
        for d in raw.get("domains", [])
    )
    indicators = tuple(sorted((_indicator_from(r) for r in raw.get("indicators", [])), key=lambda i: i.order))
    domain_ids = {d.id for d in domains}
    for ind in indicators:
        if ind.domain not in domain_ids:
            raise CatalogError(
                "catalog_unknown_domain", where=f"indicators.toml [{ind.id}]", domain=ind.domain
            )
    if len({i.id for i in indicators}) != len(indicators):
        raise CatalogError("catalog_duplicate_id")
    by_id = {i.id: i for i in indicators}
    for ind in indicators:
        condition = by_id.get(ind.applies_where) if ind.applies_where else None
        if ind.applies_where and (condition is None or not condition.rules.binary):
            raise CatalogError(
                "catalog_applies_where", where=f"indicators.toml [{ind.id}]", condition=ind.applies_where
            )
    return Catalog(domains=domains, indicators=indicators)


def list_profiles(targets_dir: Path = TARGETS_DIR) -> list[str]:
    return sorted(p.stem for p in targets_dir.glob("*.toml"))


@cache
def load_profile(profile_id: str = DEFAULT_PROFILE, targets_dir: Path = TARGETS_DIR) -> TargetProfile:
    """A profile file of data/targets/ (by id), read by the one parser (analytics.profiles.profile_from_dict).

    An unknown indicator or comparator is refused here as it always was; the full checks (every indicator
    present, thresholds in range) are analytics.profiles.check_profile."""
    from analytics.profiles import profile_from_toml

    path = targets_dir / f"{profile_id}.toml"
    if not path.is_file():
        known = ", ".join(list_profiles(targets_dir))
        raise CatalogError("unknown_profile", profile=profile_id, known=known)
    catalog = load_catalog()
    profile = profile_from_toml(path.read_text(encoding="utf-8"), path.name, catalog)
    for ind_id, target in profile.targets.items():
        where = f"{path.name} [targets.{ind_id}]"
        if ind_id not in catalog:
            raise CatalogError("catalog_unknown_indicator", where=where)
        if target.comparator not in COMPARATORS:
            raise CatalogError("catalog_comparator", where=where, known=", ".join(COMPARATORS))
    return profile
