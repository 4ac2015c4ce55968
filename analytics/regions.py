"""China's province -> prefecture -> county hierarchy (adcodes), census population, and name resolution."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from analytics.catalog import DATA_DIR
from analytics.errors import AtlasError

REGIONS_FILE = DATA_DIR / "regions.csv"
ALIASES_FILE = DATA_DIR / "region_aliases.csv"
LEVELS = ("province", "prefecture", "county")
COUNTRY = "100000"  # 中华人民共和国 (Amap's adcode), the roll-up of every province
# Suffixes of county-level and prefecture-level names, longest first, for the short forms people write.
_SUFFIXES = ("自治县", "自治旗", "自治州", "林区", "特区", "地区", "新区", "县", "区", "市", "旗", "盟", "州")
_PUNCT = re.compile(r"[\s·•．.\-—_,，、()（）\[\]【】]+")
# Row labels of totals in Chinese statistical tables (全省, 合计 …): such a row sums counties, it is not one.
TOTAL_WORDS = frozenset(
    {"合计", "总计", "小计", "累计", "汇总", "全省", "全市", "全州", "全盟", "全区", "总数", "total", "sum"}
)
_TOTAL_ENDINGS = ("合计", "总计", "小计")
# A subtotal (小计, 全市 …) in a province's table sums the prefecture block above it; in a prefecture's table,
# or in a province without prefectures (a municipality), it is the whole region.
SUBTOTAL_WORDS = frozenset({"小计", "全市", "全州", "全盟"})
FUZZY_CUTOFF = 0.5  # difflib's similarity for "相近的名称"
MAX_FUZZY_CHARS = 40  # a text longer than any region name gets no similar names (difflib is len x len)
NEAR_CACHE_SIZE = 20_000  # distinct unknown texts whose similar names are kept


class RegionError(AtlasError):
    """A region code or name that cannot be used (code + fields; words in data/i18n errors.toml)."""


class UnknownRegion(RegionError):
    def __init__(self, name: str, within: str, candidates: list[tuple[str, str]] | None = None):
        self.name, self.within, self.candidates = name, within, candidates or []
        variant = "near" if self.candidates else "plain"
        super().__init__(
            f"unknown_region_{variant}", name=name, within=within, candidates=Places(self.candidates)
        )


class AmbiguousRegion(RegionError):
    def __init__(self, name: str, within: str, candidates: list[tuple[str, str]]):
        self.name, self.within, self.candidates = name, within, candidates
        super().__init__("ambiguous_region", name=name, within=within, candidates=Places(candidates))


class Places(tuple):
    """(code, name) pairs that list themselves in a message text: `{candidates:zh}` gives
    沈阳市铁西区（210106）、鞍山市铁西区（210303）, `{candidates:en}` gives 沈阳市铁西区 (210106), 鞍山市铁西区 (210303)."""

    def __format__(self, spec: str) -> str:
        if spec == "en":
            return ", ".join(f"{name} ({code})" for code, name in self)
        return "、".join(f"{name}（{code}）" for code, name in self)


@dataclass(frozen=True)
class CountyMatch:
    """What a region cell of a submission names, inside the submission's region.

    `outcome` is "county" (`code` is the county), "total" (a 合计 / 全省 / prefecture row that sums counties:
    `code` is the region it sums, None for a subtotal whose prefecture is the block of rows above it; `name` is
    that region's name as written, "" for a plain 合计) or "error" (`problem` is the code of the message
    problem.<problem>, `fields` fill it; unknown_county, ambiguous_county or county_outside_region).
    """

    outcome: str
    code: str | None = None
    name: str = ""
    problem: str | None = None
    fields: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


def _county(code: str) -> CountyMatch:
    return CountyMatch("county", code=code)


def _total(code: str | None, name: str = "") -> CountyMatch:
    return CountyMatch("total", code=code, name=name)


def _refused(problem: str, **fields: Any) -> CountyMatch:
    return CountyMatch("error", problem=problem, fields=MappingProxyType(fields))


def normalize_name(text: str) -> str:
    """NFKC (full-width -> half-width), no spaces or punctuation: '四平市 铁西区' == '四平市铁西区'."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", str(text))).strip()


def short_forms(name: str, level: str) -> set[str]:
    """Forms people write for an official name: '前郭尔罗斯蒙古族自治县' -> {'前郭县', '前郭'}; '长春市' -> {'长春'}."""
    forms: set[str] = set()
    if name.endswith(("自治县", "自治旗", "自治州")):
        # Ethnic autonomous units are commonly written with the place's first two characters: 前郭县, 延边州.
        forms.add(name[:2] + name[-1])
        forms.add(name[:2])
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            forms.add(name[: -len(suffix)])
            break
    forms.discard(name)
    return forms


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str
    parent_code: str
    province_code: str
    population: int | None


class RegionTable:
    """All regions; counties are the map units, a 'region' the user picks is a province or a prefecture."""

    def __init__(self, frame: pd.DataFrame, aliases: dict[str, list[str]] | None = None):
        frame = frame.copy()
        frame["code"] = frame["code"].astype(str)
        frame["parent_code"] = frame["parent_code"].fillna("").astype(str)
        frame["province_code"] = frame["province_code"].astype(str)
        self.frame = frame.set_index("code", drop=False).sort_index()
        self._aliases = aliases or {}
        self._names: dict[str, dict[str, set[str]]] = {}
        self._inside: dict[str, frozenset[str]] = {}
        self._groups: dict[str | None, pd.DataFrame] = {}
        self._prefecture_index: pd.Series | None = None  # county code -> prefecture code (prefectures_of)
        self._by_code: dict[str, Region] | None = None  # code -> Region: `get` is a dict lookup, not a .loc
        # (within, normalised text) -> forms difflib finds similar: the fuzzy fallback runs once per distinct
        # text, and the cache is bounded (a file of 200,000 made-up names cannot grow it without end)
        self._near_forms: dict[tuple[str, str], list[str]] = {}
        self._char_index: dict[str, dict[str, dict[str, int]]] = {}  # within -> char -> form -> count
        self._form_order: dict[str, dict[str, int]] = {}  # within -> form -> its place in the index
        self._prefix_forms: dict[str, list[tuple[str, str]]] = {}  # within -> (prefecture form, code)
        self._province_by_form: dict[str, str] | None = None  # normalised province form -> code

    # --- lookup -------------------------------------------------------------------------------
    def __contains__(self, code: object) -> bool:
        return str(code) in self._table()

    def get(self, code: str) -> Region:
        found = self._table().get(str(code))
        if found is None:
            raise RegionError("unknown_region_code", code=str(code))
        return found

    def _table(self) -> dict[str, Region]:
        if self._by_code is None:
            f = self.frame
            self._by_code = {
                code: Region(
                    code=code,
                    name=name,
                    level=level,
                    parent_code=parent,
                    province_code=province,
                    population=None if pd.isna(pop) else int(pop),
                )
                for code, name, level, parent, province, pop in zip(
                    f["code"],
                    f["name"],
                    f["level"],
                    f["parent_code"],
                    f["province_code"],
                    f["population"],
                    strict=True,
                )
            }
        return self._by_code

    def name(self, code: str) -> str:
        return "全国" if str(code) == COUNTRY else self.get(code).name

    def names(self, codes) -> list[str]:
        """Each code's name ("全国" for the country, the code itself when unknown), in the codes' order. Looked
        up once per distinct code: the whole country's rows repeat 2,875 codes hundreds of thousands of times."""
        inverse, distinct = pd.factorize(pd.Series(codes, dtype=object).astype(str))
        distinct = pd.Index(distinct, dtype=object)
        found = self.frame["name"].reindex(distinct)
        fallback = pd.Series(["全国" if c == COUNTRY else c for c in distinct], index=distinct)
        return found.fillna(fallback).to_numpy(dtype=object)[inverse].tolist()

    def level(self, code: str) -> str:
        return self.get(code).level

    def provinces(self) -> pd.DataFrame:
        return self.frame[self.frame["level"] == "province"]

    def provinces_with_counties(self) -> list[str]:
        """Codes of the provinces that have county-level units (the sidebar's choices), in table order: one
        pass over the table, not a filter per province (34 of them, on every rerun)."""
        f = self.frame
        having = set(f.loc[f["level"] == "county", "province_code"])
        return [code for code in self.provinces()["code"] if code in having]

    def children(self, code: str) -> pd.DataFrame:
        return self.frame[self.frame["parent_code"] == str(code)]

    def prefectures(self, province_code: str) -> pd.DataFrame:
        """Prefecture-level units of a province (counties directly under the province are not included)."""
        f = self.frame
        return f[(f["level"] == "prefecture") & (f["province_code"] == str(province_code))]

    def counties(self, region_code: str | None = None) -> pd.DataFrame:
        """County-level units inside a province or prefecture (or all, or the county itself)."""
        f = self.frame
        c = f[f["level"] == "county"]
        if region_code is None:
            return c
        region = self.get(region_code)
        if region.level == "province":
            return c[c["province_code"] == region.code]
        if region.level == "prefecture":
            return c[c["parent_code"] == region.code]
        return c.loc[[region.code]]

    def prefecture_of(self, county_code: str) -> str:
        """The county's prefecture; a county directly under its province is its own group."""
        r = self.get(county_code)
        if r.level != "county":
            raise RegionError("not_a_county", code=county_code)
        parent = self.get(r.parent_code) if r.parent_code else None
        return parent.code if parent is not None and parent.level == "prefecture" else r.code

    def prefectures_of(self, county_codes) -> list[str]:
        """prefecture_of for many counties at once: one lookup in the cached county groups, not one `get` per
        county (2,875 of them on the whole-country pages). An unknown code or a non-county raises as
        prefecture_of does."""
        if self._prefecture_index is None:
            groups = self.county_groups(None)
            self._prefecture_index = pd.Series(
                groups["prefecture_code"].to_numpy(), index=groups["region_code"].to_numpy()
            )
        codes = [str(c) for c in county_codes]
        found = self._prefecture_index.reindex(codes)
        if found.isna().any():
            missing = codes[int(found.isna().to_numpy().argmax())]
            self.prefecture_of(missing)  # raises the precise error (unknown code, not a county)
        return found.tolist()

    def county_groups(self, region_code: str | None) -> pd.DataFrame:
        """region_code, prefecture_code, province_code for every county of a region (None: all China).

        Cached per region (the table never changes): callers must not modify the frame they get."""
        if region_code not in self._groups:
            self._groups[region_code] = self._county_groups(region_code)
        return self._groups[region_code]

    def _county_groups(self, region_code: str | None) -> pd.DataFrame:
        c = self.counties(region_code)
        parent_level = c["parent_code"].map(self.frame["level"])
        prefecture = c["parent_code"].where(parent_level == "prefecture", c["code"])
        return pd.DataFrame(
            {
                "region_code": c["code"].to_numpy(),
                "prefecture_code": prefecture.to_numpy(),
                "province_code": c["province_code"].to_numpy(),
                "country_code": COUNTRY,
            }
        )

    def population(self, codes) -> pd.Series:
        return self.frame["population"].reindex([str(c) for c in codes])

    def path(self, code: str) -> list[Region]:
        """Province › prefecture › county, top first."""
        out = [self.get(code)]
        while out[0].parent_code and out[0].parent_code in self.frame.index:
            out.insert(0, self.get(out[0].parent_code))
        return out

    # --- names --------------------------------------------------------------------------------
    def _name_index(self, within: str) -> dict[str, set[str]]:
        """normalized form -> codes, for the counties and prefectures inside `within`."""
        if within in self._names:
            return self._names[within]
        inside = self.frame
        if within != COUNTRY:  # the whole country: every prefecture and county
            region = self.get(within)
            inside = inside[(inside["province_code"] == region.province_code)]
            if region.level == "prefecture":
                inside = inside[(inside["parent_code"] == region.code) | (inside["code"] == region.code)]
        index: dict[str, set[str]] = {}
        for code, name, level in zip(inside["code"], inside["name"], inside["level"], strict=True):
            if level == "province":
                continue
            for form in {name, *short_forms(name, level), *self._aliases.get(code, [])}:
                index.setdefault(normalize_name(form), set()).add(code)
        self._names[within] = index
        return index

    def resolve(self, text: str, within: str, level: str | None = "county") -> str:
        """The adcode for a name or code written by a department, looked up inside region `within`.

        Accepts 6-digit codes, official names, short forms (前郭县, 长白县), and a prefecture (or province)
        prefix (四平市铁西区, 吉林省四平市铁西区). Raises UnknownRegion / AmbiguousRegion with candidates.
        """
        raw = str(text).strip()
        within_name = self.name(within)
        key = normalize_name(raw)
        if not key:
            raise UnknownRegion(raw, within_name)
        inside = self._in_region(within)
        if key.isdigit():
            code = key[:6] if len(key) >= 6 and key[6:].strip("0") == "" else key
            if code in inside and (level is None or self.get(code).level == level):
                return code
            raise UnknownRegion(raw, within_name)
        index = self._name_index(within)
        found: set[str] = set()
        # As written first: 吉林市昌邑区 inside 吉林省 begins like the province, but is the prefecture 吉林市's
        for form in dict.fromkeys((key, self._strip_province(key, within))):
            found = self._match(index, form, level) or self._match_with_prefix(form, within, level)
            if found:
                break
        key = self._strip_province(key, within)
        if len(found) == 1:
            return next(iter(found))
        if len(found) > 1:
            raise AmbiguousRegion(raw, within_name, sorted((c, self._label(c)) for c in found))
        raise UnknownRegion(raw, within_name, self._near(index, key, level, within))

    def resolve_county(
        self, text: str, within: str, *, province: str | None = None, prefecture: str | None = None
    ) -> CountyMatch:
        """A county cell of a department's table read inside region `within` (a province, a prefecture, or
        the whole country, 100000).

        Total rows (合计, 全省, a prefecture's name or code) are recognised; a county of the same province
        but outside `within` is named as such; an unknown or ambiguous name lists the candidates. `province`
        and `prefecture` are the row's own province / prefecture cells, if the table has such columns: a
        name the region holds more than once (铁西区, nationally 朝阳区) is looked up inside them.
        """
        if within == COUNTRY:
            return self._resolve_in_country(text, province, prefecture)
        match = self._resolve_county(text, within)
        if match.problem == "ambiguous_county" and (province or prefecture):
            narrowed = self._narrowed(text, within, province, prefecture)
            if narrowed is not None and narrowed.outcome == "county":
                return narrowed
        return match

    def _narrowed(
        self, text: str, within: str, province: str | None, prefecture: str | None
    ) -> CountyMatch | None:
        """The county cell read inside the row's own prefecture (else province) cell, when that names a
        region inside `within`; None when neither does."""
        inside = self._in_region(within)
        prov = self._region_named(province, COUNTRY, "province") if province else None
        pref = self._region_named(prefecture, prov or within, "prefecture") if prefecture else None
        for code in (pref, prov):
            if code is not None and code in inside:
                return self._resolve_county(text, code)
        return None

    def _region_named(self, text: str, within: str, level: str) -> str | None:
        """The province (or prefecture inside `within`) a province / prefecture cell names, or None."""
        key = normalize_name(text)
        if not key:
            return None
        if level == "province":
            return self._province_forms().get(key)
        try:
            code = self.resolve(text, within, level="prefecture")
        except RegionError:
            return None
        return code

    def _province_forms(self) -> dict[str, str]:
        """Normalised forms (name, short forms, code) of every province -> its code."""
        if self._province_by_form is None:
            forms: dict[str, str] = {}
            for code, name in zip(self.provinces()["code"], self.provinces()["name"], strict=True):
                for form in {name, *short_forms(name, "province"), name.rstrip("省"), code}:
                    if form := normalize_name(form):
                        forms.setdefault(form, code)
            self._province_by_form = forms
        return self._province_by_form

    def _resolve_in_country(self, text: str, province: str | None, prefecture: str | None) -> CountyMatch:
        """A county cell of a national table: inside the row's province / prefecture cells when the table
        has them, inside a province written before the name (吉林省朝阳区 is not 北京市朝阳区), else across
        the country, where a name found more than once is ambiguous (its candidates listed)."""
        key = normalize_name(text)
        word = key.lower()
        if word in TOTAL_WORDS or key == "全国" or key in {f"全国{e}" for e in _TOTAL_ENDINGS}:
            return _total(COUNTRY, "全国")
        narrowed = self._narrowed(text, COUNTRY, province, prefecture) if province or prefecture else None
        if narrowed is not None:
            return narrowed
        provinces = self._province_forms()
        for form in sorted(provinces, key=len, reverse=True):
            if key.startswith(form) and len(key) > len(form) + 1 and not form.isdigit():
                match = self._resolve_county(text, provinces[form])
                if match.problem != "unknown_county":
                    return match
                # not a province's prefix after all (青海省's 河南蒙古族自治县 is not in 河南省): the whole name,
                # across the country, else the province's own message
                try:
                    return _county(self.resolve(text, COUNTRY, level="county"))
                except RegionError:
                    return match
        if key in provinces:
            return _total(provinces[key], self.name(provinces[key]))  # a province's row: its total
        within_name = self.name(COUNTRY)
        if key.isdigit():
            code = key[:6] if len(key) >= 6 and key[6:].strip("0") == "" else None
            if code is not None and code in self:
                r = self.get(code)
                return _county(code) if r.level == "county" else _total(code, r.name)
            return _refused(
                "unknown_county", variant="code", text=text, within_name=within_name, within=COUNTRY
            )
        try:
            return _county(self.resolve(text, COUNTRY, level="county"))
        except AmbiguousRegion as exc:
            return _refused(
                "ambiguous_county",
                variant="country",
                text=text,
                within_name=within_name,
                candidates=Places(exc.candidates),
            )
        except UnknownRegion as exc:
            candidates = Places(exc.candidates)
        try:
            other = self.resolve(text, COUNTRY, level="prefecture")
        except RegionError:
            pass
        else:
            return _total(other, self.name(other))
        return _refused(
            "unknown_county",
            variant="near" if candidates else "name",
            text=text,
            within_name=within_name,
            candidates=candidates,
        )

    def _resolve_county(self, text: str, within: str) -> CountyMatch:
        key = normalize_name(text)
        total = self._total_row(key, within)
        if total is not None:
            return total
        within_name = self.name(within)
        province = self.get(within).province_code
        if province != within:
            # A name unique in the province is either inside the prefecture or outside it; resolving it there
            # first spares the prefecture-level miss (and its search for similar names) for outside counties.
            try:
                code = self.resolve(text, province, level="county")
            except RegionError:
                pass
            else:
                inside = self.get(code).parent_code == within
                return _county(code) if inside else self._outside(text, code, within)
        try:
            return _county(self.resolve(text, within, level="county"))
        except AmbiguousRegion as exc:
            return _refused(
                "ambiguous_county", text=text, within_name=within_name, candidates=Places(exc.candidates)
            )
        except UnknownRegion as exc:
            candidates = Places(exc.candidates)
        if key.isdigit():
            code = key[:6] if len(key) >= 6 and key[6:].strip("0") == "" else None
            if code is not None and code in self:
                r = self.get(code)
                if r.level == "county":
                    return self._outside(text, code, within)
                return _total(code, r.name)  # the code of a prefecture or the province: a total row
            return _refused(
                "unknown_county", variant="code", text=text, within_name=within_name, within=within
            )
        prov_name = self.name(province)
        if key in {normalize_name(f) for f in (prov_name, *short_forms(prov_name, "province"))}:
            return _total(province, prov_name)
        try:
            other = self.resolve(text, within, level=None)
        except RegionError:
            pass
        else:
            if self.get(other).level != "county":
                return _total(other, self.name(other))
        try:
            return self._outside(text, self.resolve(text, province, level="county"), within)
        except RegionError:
            pass
        return _refused(
            "unknown_county",
            variant="near" if candidates else "name",
            text=text,
            within_name=within_name,
            candidates=candidates,
        )

    def _total_row(self, key: str, within: str) -> CountyMatch | None:
        """A total row's label (合计, 全省合计, 长春市小计, 小计), or None when `key` is no total word.

        合计 / 全省 and the like sum the whole region `within`; a subtotal word (小计, 全市) in a province
        with prefectures sums the block of rows above it (code None, the reader knows the block); a region
        name before the ending (长春市合计) names the region summed."""
        word = key.lower()
        if word in TOTAL_WORDS:
            r = self.get(within)
            block = word in SUBTOTAL_WORDS and r.level == "province" and len(self.prefectures(within))
            return _total(None if block else within)
        ending = next((e for e in _TOTAL_ENDINGS if key.endswith(e)), None)
        if ending is None:
            return None
        rest = key[: -len(ending)]
        if not rest:
            return self._total_row(ending, within)
        if rest.lower() in TOTAL_WORDS:
            return self._total_row(rest, within)
        try:
            code = self.resolve(rest, within, level=None)
        except RegionError:
            return self._total_row(ending, within)
        if self.get(code).level == "county":
            return _county(code)  # a county's own total is the county's row
        return _total(code, self.name(code))

    def _outside(self, text: str, code: str, within: str) -> CountyMatch:
        path = self.path(code)
        return _refused(
            "county_outside_region",
            text=text,
            path="".join(r.name for r in path[:-1]),
            name=path[-1].name,
            county=code,
            within_name=self.name(within),
            within=within,
        )

    def _in_region(self, within: str) -> frozenset[str]:
        if within not in self._inside and within == COUNTRY:
            self._inside[within] = frozenset(self._table())
        if within not in self._inside:  # the table never changes: computed once per region
            region = self.get(within)
            f = self.frame
            inside = f[f["province_code"] == region.province_code]
            if region.level == "prefecture":
                inside = inside[(inside["parent_code"] == region.code) | (inside["code"] == region.code)]
            self._inside[within] = frozenset(inside["code"])
        return self._inside[within]

    def _strip_province(self, key: str, within: str) -> str:
        if within == COUNTRY:
            return key
        prov = self.name(self.get(within).province_code)
        for form in sorted({prov, *short_forms(prov, "province"), prov.rstrip("省")}, key=len, reverse=True):
            form = normalize_name(form)
            if form and key.startswith(form) and len(key) > len(form) + 1:
                return key[len(form) :]
        return key

    def _match(self, index: dict[str, set[str]], key: str, level: str | None) -> set[str]:
        codes = index.get(key, set())
        return {c for c in codes if level is None or self.get(c).level == level}

    def _match_with_prefix(self, key: str, within: str, level: str | None) -> set[str]:
        """'四平市铁西区' or '四平铁西区': a prefecture name, then a county name inside that prefecture."""
        found: set[str] = set()
        for form, pref_code in self._prefecture_forms(within):
            if key.startswith(form) and len(key) > len(form):
                rest = key[len(form) :]
                sub = self._match(self._name_index(pref_code), rest, level)
                found |= {c for c in sub if c != pref_code}
        return found

    def _prefecture_forms(self, within: str) -> list[tuple[str, str]]:
        """(normalised form, code) of every prefecture inside `within`, built once per region."""
        if within not in self._prefix_forms:
            f = self.frame
            prefectures = f[f["level"] == "prefecture"]
            if within != COUNTRY:
                prefectures = prefectures[prefectures["province_code"] == self.get(within).province_code]
            inside = self._in_region(within)
            forms = []
            for pref_code, pname in zip(prefectures["code"], prefectures["name"], strict=True):
                if pref_code in inside:
                    forms += [
                        (normalize_name(form), pref_code)
                        for form in {pname, *short_forms(pname, "prefecture")}
                    ]
            self._prefix_forms[within] = forms
        return self._prefix_forms[within]

    def _near(
        self, index: dict[str, set[str]], key: str, level: str | None, within: str | None = None
    ) -> list[tuple[str, str]]:
        forms = self._similar_forms(index, key, within) if within is not None else _close(key, list(index))
        codes: list[str] = []
        for form in forms:
            for c in sorted(index[form]):
                if c not in codes and (level is None or self.get(c).level == level):
                    codes.append(c)
        return [(c, self._label(c)) for c in codes[:5]]

    def _similar_forms(self, index: dict[str, set[str]], key: str, within: str) -> list[str]:
        """What difflib.get_close_matches(key, list(index)) gives, once per distinct (region, text), and run
        only on the forms sharing enough characters with `key` to pass difflib's own quick_ratio filter (the
        same answer: a form that fails that bound is never a match; nationally 10,000 forms, most share none).
        """
        hit = self._near_forms.get((within, key))
        if hit is not None:
            return hit
        if len(key) > MAX_FUZZY_CHARS:
            hit = []  # no region name is that long; difflib on it would cost len x len per form
        else:
            chars = self._char_index.get(within)
            if chars is None:
                chars = self._char_index[within] = {}
                for form in index:
                    for ch, n in Counter(form).items():
                        chars.setdefault(ch, {})[form] = n
            shared: dict[str, int] = {}
            for ch, n in Counter(key).items():
                for form, m in chars.get(ch, {}).items():
                    shared[form] = shared.get(form, 0) + min(n, m)
            order = self._form_order.get(within)
            if order is None:  # difflib's order: the index's
                order = self._form_order[within] = {form: n for n, form in enumerate(index)}
            plausible = sorted(
                (f for f, n in shared.items() if 2.0 * n / (len(f) + len(key)) >= FUZZY_CUTOFF),
                key=order.__getitem__,
            )
            hit = _close(key, plausible)
        if len(self._near_forms) >= NEAR_CACHE_SIZE:
            self._near_forms.clear()  # bounded: a file of made-up names cannot grow it without end
        self._near_forms[(within, key)] = hit
        return hit

    def _label(self, code: str) -> str:
        r = self.get(code)
        parent = self.get(r.parent_code).name if r.parent_code in self else ""
        return f"{parent}{r.name}" if r.level == "county" and parent else r.name


def _close(key: str, forms: list[str]) -> list[str]:
    import difflib

    return difflib.get_close_matches(key, forms, n=8, cutoff=FUZZY_CUTOFF)


def _read_aliases(path: Path) -> dict[str, list[str]]:
    if not path.is_file():
        return {}
    out: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            out.setdefault(row["code"], []).append(row["alias"])
    return out


@cache
def load_regions(path: Path = REGIONS_FILE, aliases_path: Path = ALIASES_FILE) -> RegionTable:
    frame = pd.read_csv(
        path,
        dtype={"code": str, "parent_code": str, "province_code": str, "name": str, "level": str},
    )
    frame["population"] = frame["population"].astype("Int64")
    return RegionTable(frame, _read_aliases(aliases_path))
