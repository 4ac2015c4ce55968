"""Target profiles made in the app: the one parser of profile files (data/targets/ and the store), TOML out, copy
and edit, the checks a profile must pass, and `resolve_profile` (a built-in id, a stored id or a file path).

Thresholds are exact: a TOML integer, a float literal read as a decimal (never through binary floating point),
or a string "p/q" for a fraction with no finite decimal (1/3); `profile_to_toml` writes the shortest of these
that gives back the same Fraction.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from analytics.catalog import (
    COMPARATORS,
    Catalog,
    CatalogError,
    Indicator,
    Target,
    TargetProfile,
    list_profiles,
    load_catalog,
    load_profile,
)
from analytics.errors import AtlasError
from analytics.i18n import DEFAULT_LANG, t

if TYPE_CHECKING:
    from analytics.store import Store

SCHEMA_VERSION = 1  # of the profile file format (data/targets/*.toml)
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
YEAR_MIN, YEAR_MAX = 2000, 2100
MAX_SPAN = 15  # a target year at most this many years after the baseline
MAX_FILE_BYTES = 1 << 20  # a profile file is a few KB; refuse anything over 1 MB unread
MAX_EXPONENT = 1000  # a threshold written as 1e999999999 would take forever to make exact
MAX_PLACES = 30  # more decimals than this are written as "p/q"
LOWER_IS_BETTER = ("<", "<=", "＜", "≤", "=<")
TEXT_DECIMALS = 4  # text_zh of a threshold with no finite decimal (1/3 -> 0.3333)


# --- problems ----------------------------------------------------------------------------------------------
_AMOUNTS = ("threshold", "floor", "ceiling")  # fields holding a Fraction in the indicator's unit


@dataclass(frozen=True)
class ProfileProblem:
    """One thing wrong with a profile: its words are profiles.problem_<code>; `indicator_id` names the target
    (shown by the indicator's name in the reader's language)."""

    code: str
    indicator_id: str | None = None
    fields: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def message(self, lang: str = DEFAULT_LANG, catalog: Catalog | None = None) -> str:
        catalog = catalog or load_catalog()
        ind_id = self.indicator_id
        known = ind_id is not None and ind_id in catalog
        name = catalog[ind_id].name(lang) if known else (ind_id or "")
        words = dict(self.fields)
        for key in _AMOUNTS:  # a number of the indicator's unit: 100%, 3000 per million
            if key in words:
                unit = catalog[ind_id].unit_in(lang) if known else ""
                words[key] = _with_unit(number_text(words[key]), unit)
        return t(f"profiles.problem_{self.code}", lang, indicator=name, **words)

    def __str__(self) -> str:
        return self.message(DEFAULT_LANG)


def _problem(code: str, indicator_id: str | None = None, **fields: Any) -> ProfileProblem:
    return ProfileProblem(code, indicator_id, MappingProxyType(fields))


class ProfileError(CatalogError):
    """A profile refused by check_profile: the message is a heading and one line per problem."""

    def __init__(self, problems: Iterable[ProfileProblem], where: str = "") -> None:
        self.problems = tuple(problems)
        self.where = where
        AtlasError.__init__(self, "profile_refused", where=where, count=len(self.problems))

    def message(self, lang: str = DEFAULT_LANG) -> str:
        head = t("profiles.refused", lang, where=self.where or "—", count=len(self.problems))
        return "\n".join([head, *(f"  - {p.message(lang)}" for p in self.problems)])


# --- numbers -------------------------------------------------------------------------------------------------
def as_threshold(value: Any) -> Fraction:
    """A threshold as an exact Fraction: an int, a decimal (Decimal, a float taken as its shortest decimal,
    "82.5"), a fraction string ("1/3") or a Fraction. ValueError for anything else, NaN, infinity, or an
    exponent too large to be a target."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(value)
        return as_threshold(Decimal(repr(value)))
    if isinstance(value, Decimal):
        if not value.is_finite() or abs(value.adjusted()) > MAX_EXPONENT:
            raise ValueError(value)
        return Fraction(value)
    if isinstance(value, str):
        text = value.strip()
        if "/" in text:
            top, _, bottom = text.partition("/")
            try:
                return Fraction(int(top.strip()), int(bottom.strip()))
            except ZeroDivisionError:
                raise ValueError(value) from None
        try:
            return as_threshold(Decimal(text))
        except InvalidOperation:
            raise ValueError(value) from None
    raise ValueError(value)


def _terminates(f: Fraction) -> int | None:
    """The number of decimals of `f` written exactly, None when its decimal never ends (1/3)."""
    den, twos, fives = f.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    return max(twos, fives) if den == 1 else None


def _decimal_text(f: Fraction, places: int) -> str:
    """`f` (exact at `places` decimals) as a plain decimal, no exponent: 165/2 -> "82.5"."""
    scaled = abs(f.numerator * 10**places // f.denominator)
    digits = str(scaled).rjust(places + 1, "0")
    body = f"{digits[:-places]}.{digits[-places:]}" if places else digits
    return f"-{body}" if f < 0 else body


def number_text(f: Fraction) -> str:
    """A threshold as people read it: 80, 82.5, 0.3333 (rounded only where the decimal never ends)."""
    places = _terminates(f)
    if places is not None and places <= TEXT_DECIMALS:
        return _decimal_text(f, places)
    text = f"{float(f):.{TEXT_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _with_unit(number: str, unit: str) -> str:
    return f"{number}{'' if unit == '%' else ' '}{unit}"


# --- reading ------------------------------------------------------------------------------------------------
def _text(table: Mapping, key: str, where: str, default: str | None = None) -> str:
    if key not in table:
        if default is None:
            raise CatalogError("catalog_missing_field", where=where, field=key)
        return default
    value = table[key]
    if not isinstance(value, str):
        raise CatalogError("catalog_not_text", where=where, field=key)
    return value


def _whole(table: Mapping, key: str, where: str, default: int | None = None) -> int:
    if key not in table:
        if default is None:
            raise CatalogError("catalog_missing_field", where=where, field=key)
        return default
    value = table[key]
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    raise CatalogError("catalog_not_whole", where=where, field=key, value=_shown(value))


def _flag(table: Mapping, key: str, where: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise CatalogError("catalog_not_flag", where=where, field=key, true="true", false="false")
    return value


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def profile_from_dict(raw: Mapping, where: str, catalog: Catalog | None = None) -> TargetProfile:
    """The one parser of a target profile (a data/targets/ file, an uploaded file, a stored version).

    Refuses what cannot make a profile at all (a missing or mistyped field, a threshold that is not a number)
    with a CatalogError naming `where`; what a profile may not say (an unknown indicator, "<", a threshold out
    of range, a missing target) is left to check_profile, so that every problem can be listed at once.
    Targets come in the catalog's order, unknown ids after them."""
    catalog = catalog or load_catalog()
    if not isinstance(raw, Mapping):
        raise CatalogError("catalog_not_table", where=where)
    version = raw.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION or isinstance(version, bool):
        raise CatalogError(
            "profile_schema_version", where=where, version=_shown(version), known=SCHEMA_VERSION
        )
    baseline_year = _whole(raw, "baseline_year", where)
    tables = raw.get("targets", {})
    if not isinstance(tables, Mapping):
        raise CatalogError("catalog_not_table", where=f"{where} [targets]")
    order = {ind_id: n for n, ind_id in enumerate(catalog.ids)}
    targets: dict[str, Target] = {}
    for ind_id in sorted(tables, key=lambda i: order.get(i, len(order))):
        entry, at = tables[ind_id], f"{where} [targets.{ind_id}]"
        if not isinstance(entry, Mapping):
            raise CatalogError("catalog_not_table", where=at)
        if "threshold" not in entry:
            raise CatalogError("catalog_missing_field", where=at, field="threshold")
        try:
            threshold = as_threshold(entry["threshold"])
        except ValueError:
            raise CatalogError(
                "catalog_not_number", where=at, field="threshold", value=_shown(entry["threshold"])
            ) from None
        targets[ind_id] = Target(
            indicator_id=ind_id,
            comparator=_text(entry, "comparator", at),
            threshold=threshold,
            aspirational=_flag(entry, "aspirational", at, False),
            text_zh=_text(entry, "text_zh", at, ""),
            certain=_flag(entry, "certain", at, True),
            note=_text(entry, "note", at, ""),
            note_zh=_text(entry, "note_zh", at, ""),
            baseline_year=_whole(entry, "baseline_year", at, baseline_year),
        )
    return TargetProfile(
        id=_text(raw, "id", where),
        name_zh=_text(raw, "name_zh", where),
        name_en=_text(raw, "name_en", where),
        short_zh=_text(raw, "short_zh", where, ""),
        short_en=_text(raw, "short_en", where, ""),
        source=_text(raw, "source", where, ""),
        target_year=_whole(raw, "target_year", where),
        baseline_year=baseline_year,
        targets=targets,
    )


_AT = re.compile(r"at line (\d+), column (\d+)")


def profile_from_toml(
    text: str, where: str = "profile.toml", catalog: Catalog | None = None
) -> TargetProfile:
    """A profile from the text of a TOML file (a BOM is fine); a syntax error is a CatalogError with its line.
    Not checked: call check_profile (resolve_profile and Store.save_profile do)."""
    try:
        raw = tomllib.loads(text.removeprefix("\ufeff"), parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        at = _AT.search(str(exc))
        if at:
            line, column = at.groups()
        else:  # "at end of document"
            lines = text.splitlines() or [""]
            line, column = str(len(lines)), str(len(lines[-1]) + 1)
        raise CatalogError("profile_toml_syntax", where=where, line=line, column=column) from None
    return profile_from_dict(raw, where, catalog)


def read_profile_file(path: str | Path, catalog: Catalog | None = None) -> TargetProfile:
    """A profile file as it is (not checked): refused unread when over 1 MB, not UTF-8, or not there."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise FileNotFoundError(path)
    except (OSError, ValueError):  # ValueError: a NUL in the path
        raise CatalogError("profile_file_missing", path=str(path)) from None
    if size > MAX_FILE_BYTES:
        raise CatalogError("profile_file_too_big", path=str(path), size=size, limit=MAX_FILE_BYTES)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError("profile_file_unreadable", path=str(path), reason=exc.strerror or "") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogError("profile_file_not_utf8", path=str(path)) from None
    return profile_from_toml(text, path.name, catalog)


# --- writing ------------------------------------------------------------------------------------------------
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_str(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_str(key)


def threshold_toml(threshold: Fraction) -> str:
    """A threshold as a TOML value giving back the same Fraction: 80, 82.5, "1/3"."""
    f = Fraction(threshold)
    if f.denominator == 1:
        return str(f.numerator)
    places = _terminates(f)
    if places is not None and places <= MAX_PLACES:
        return _decimal_text(f, places)  # read back as a decimal (parse_float=Decimal), exactly
    return _toml_str(f"{f.numerator}/{f.denominator}")


def profile_to_toml(profile: TargetProfile) -> str:
    """The profile in the data/targets/ format (what profile_from_toml reads back as an equal profile)."""
    lines = [
        '# Target profile (Prevention Atlas). Thresholds: an integer, an exact decimal, or "p/q" for a fraction.',
        "",
        f"schema_version = {SCHEMA_VERSION}",
        f"id = {_toml_str(profile.id)}",
        f"name_zh = {_toml_str(profile.name_zh)}",
        f"name_en = {_toml_str(profile.name_en)}",
        f"short_zh = {_toml_str(profile.short_zh)}",
        f"short_en = {_toml_str(profile.short_en)}",
        f"source = {_toml_str(profile.source)}",
        f"target_year = {int(profile.target_year)}",
        f"baseline_year = {int(profile.baseline_year)}",
    ]
    for key, target in profile.targets.items():
        lines += [
            "",
            f"[targets.{_toml_key(key)}]",
            f"comparator = {_toml_str(target.comparator)}",
            f"threshold = {threshold_toml(target.threshold)}",
            f"aspirational = {'true' if target.aspirational else 'false'}",
            f"text_zh = {_toml_str(target.text_zh)}",
            f"certain = {'true' if target.certain else 'false'}",
            f"note = {_toml_str(target.note)}",
        ]
        if target.note_zh:
            lines.append(f"note_zh = {_toml_str(target.note_zh)}")
        if target.baseline_year is not None and target.baseline_year != profile.baseline_year:
            lines.append(f"baseline_year = {int(target.baseline_year)}")
    return "\n".join(lines) + "\n"


# --- copy and edit ----------------------------------------------------------------------------------------
def copy_profile(
    profile: TargetProfile, new_id: str, name_zh: str, name_en: str, **changes: Any
) -> TargetProfile:
    """A copy under a new id and names, to edit. The short names are cleared (the original's would name the
    wrong profile; pass short_zh= / short_en= to set them); other fields (source, years) may be changed too."""
    fields: dict[str, Any] = {"short_zh": "", "short_en": "", **changes}
    return replace(
        profile, id=new_id, name_zh=name_zh, name_en=name_en, targets=dict(profile.targets), **fields
    )


def target_text_zh(indicator: Indicator, target: Target, baseline_year: int | None = None) -> str:
    """The target in the plan's words: ＞80%, ≥98%, 100%, ＞3000例/百万人口, 力争达到8人/10万人口,
    比2020年下降10%以上."""
    number = number_text(target.threshold)
    strict = target.comparator == ">"
    rules = indicator.rules
    if rules.value_from == "reduction":
        year = target.baseline_year or baseline_year
        since = f"比{year}年" if year else ""
        wording = f"{since}下降超过{number}%" if strict else f"{since}下降{number}%以上"
        return f"力争{wording}" if target.aspirational else wording
    amount = f"{number}{indicator.unit}"
    if not strict and rules.ceiling is not None and target.threshold == Fraction(str(rules.ceiling)):
        return f"力争达到{amount}" if target.aspirational else amount  # the plan writes 100% for "all"
    if target.aspirational:
        return f"力争超过{amount}" if strict else f"力争达到{amount}"
    return f"{'＞' if strict else '≥'}{amount}"


def edit_target(
    profile: TargetProfile,
    indicator_id: str,
    comparator: str | None = None,
    threshold: Fraction | int | float | str | Decimal | None = None,
    aspirational: bool | None = None,
    catalog: Catalog | None = None,
) -> TargetProfile:
    """The profile with one target changed (None leaves a field as it is). When anything changes, text_zh is
    written again from the new target, and the old note (about the old target's source) is dropped: the target
    is now the profile's own decision, so `certain` becomes true. Not checked: call check_profile."""
    catalog = catalog or load_catalog()
    if indicator_id not in profile.targets:
        raise ProfileError([_problem("missing_indicator", indicator_id)], where=profile.id)
    old = profile.targets[indicator_id]
    new = old
    if comparator is not None:
        new = replace(new, comparator=str(comparator).strip())
    if threshold is not None:
        try:
            new = replace(new, threshold=as_threshold(threshold))
        except ValueError:
            problem = _problem("threshold_not_number", indicator_id, value=_shown(threshold))
            raise ProfileError([problem], where=profile.id) from None
    if aspirational is not None:
        new = replace(new, aspirational=bool(aspirational))
    if new == old:
        return profile
    if indicator_id in catalog:
        new = replace(new, text_zh=target_text_zh(catalog[indicator_id], new, profile.baseline_year))
    new = replace(new, note="", note_zh="", certain=True)
    return replace(profile, targets={**profile.targets, indicator_id: new})


# --- checks ---------------------------------------------------------------------------------------------
def _check_target(
    key: str, target: Target, indicator: Indicator, profile: TargetProfile
) -> list[ProfileProblem]:
    out: list[ProfileProblem] = []
    if target.indicator_id != key:
        out.append(_problem("target_id_mismatch", key, value=_shown(target.indicator_id)))
    comparator = target.comparator
    if comparator in LOWER_IS_BETTER:
        out.append(_problem("comparator_direction", key, comparator=comparator))
    elif comparator not in COMPARATORS:
        known = ", ".join(COMPARATORS)
        out.append(_problem("comparator_unknown", key, comparator=_shown(comparator), known=known))
    try:
        threshold = as_threshold(target.threshold)
    except ValueError:
        out.append(_problem("threshold_not_number", key, value=_shown(target.threshold)))
        return out
    rules = indicator.rules
    if math.isfinite(rules.floor) and threshold < as_threshold(rules.floor):
        out.append(_problem("threshold_below", key, threshold=threshold, floor=as_threshold(rules.floor)))
    if rules.ceiling is not None:
        ceiling = as_threshold(rules.ceiling)
        if threshold > ceiling:
            out.append(_problem("threshold_above", key, threshold=threshold, ceiling=ceiling))
        elif threshold == ceiling and comparator == ">":  # no value can pass the ceiling
            out.append(_problem("threshold_unreachable", key, threshold=threshold, ceiling=ceiling))
    year, last = target.baseline_year, profile.target_year
    own = year is not None and year != profile.baseline_year  # the profile's own is checked once, above
    if own and _year_ok(last) and not (_year_ok(year) and year < last):
        out.append(_problem("target_baseline_year", key, value=_shown(year), low=YEAR_MIN, high=last - 1))
    return out


def _year_ok(year: Any) -> bool:
    return isinstance(year, int) and not isinstance(year, bool) and YEAR_MIN <= year <= YEAR_MAX


def check_profile(profile: TargetProfile, catalog: Catalog | None = None) -> list[ProfileProblem]:
    """Everything a profile may not say, in order: its id and names, its years, then each indicator of the
    catalog (present once, a higher-is-better comparator, a threshold inside the indicator's range that some
    value can meet), then targets for indicators the catalog does not have. Empty = usable."""
    catalog = catalog or load_catalog()
    out: list[ProfileProblem] = []
    if not isinstance(profile.id, str) or not SLUG.fullmatch(profile.id):
        out.append(_problem("id_not_slug", value=_shown(profile.id)))
    for key in ("name_zh", "name_en"):
        value = getattr(profile, key)
        if not isinstance(value, str) or not value.strip():
            out.append(_problem(f"{key}_missing"))
    base, target = profile.baseline_year, profile.target_year
    for key, year in (("baseline_year", base), ("target_year", target)):
        if not _year_ok(year):
            out.append(_problem(f"{key}_range", value=_shown(year), low=YEAR_MIN, high=YEAR_MAX))
    if _year_ok(base) and _year_ok(target):
        if target <= base:
            out.append(_problem("target_year_order", target_year=target, baseline_year=base))
        elif target > base + MAX_SPAN:
            out.append(_problem("target_year_far", target_year=target, baseline_year=base, span=MAX_SPAN))
    for indicator in catalog.indicators:
        target_of = profile.targets.get(indicator.id)
        if target_of is None:
            out.append(_problem("missing_indicator", indicator.id))
            continue
        out += _check_target(indicator.id, target_of, indicator, profile)
    out += [_problem("unknown_indicator", key) for key in profile.targets if key not in catalog]
    return out


def checked(profile: TargetProfile, where: str = "", catalog: Catalog | None = None) -> TargetProfile:
    """`profile` if check_profile finds nothing, else ProfileError listing every problem."""
    problems = check_profile(profile, catalog)
    if problems:
        raise ProfileError(problems, where=where or str(profile.id))
    return profile


# --- which profile ----------------------------------------------------------------------------------------
def all_profile_ids(store: Store | None = None) -> list[str]:
    """The built-in profiles (data/targets/), then the ones saved in `store` (active, sorted)."""
    built_in = list_profiles()
    stored = store.profile_ids() if store is not None else []
    return built_in + [p for p in stored if p not in built_in]


def _looks_like_a_path(spec: str) -> bool:
    return spec.lower().endswith(".toml") or "/" in spec or "\\" in spec


def resolve_profile(spec: str, store: Store | None = None) -> TargetProfile:
    """What `--targets` names: a built-in profile id, else an id saved in `store`, else the path of a profile
    file (read, parsed and checked). Otherwise CatalogError unknown_profile, listing the ids there are."""
    spec = str(spec or "").strip()
    if spec in list_profiles():
        return load_profile(spec)
    if store is not None and spec in store.profile_ids():
        return store.stored_profile(spec)
    path = Path(spec).expanduser()
    if spec and (path.is_file() or _looks_like_a_path(spec)):
        profile = read_profile_file(path)
        return checked(profile, where=path.name)
    raise CatalogError("unknown_profile", profile=spec, known=", ".join(all_profile_ids(store)))
