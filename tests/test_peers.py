"""Peer counties (issue 12.6, analytics/peers.py and the `peers` command): the nearest county-level units of the
same province in standardised (log population, urban share), and the county against them on the 25 indicators."""

from __future__ import annotations

import argparse
import io
import math
import statistics
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import cli_peers, sources
from analytics.attainment import attainment
from analytics.catalog import Catalog
from analytics.errors import AtlasError
from analytics.i18n import t
from analytics.peers import (
    COMPARISON_COLUMNS,
    PEER_COLUMNS,
    PeerError,
    peer_comparison,
    peer_pool_size,
    peers,
)
from analytics.regions import RegionError, RegionTable, load_regions

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2023
MEIHEKOU, FUSONG = "220581", "220621"


# --- a made-up table whose answer is worked out by hand -----------------------------------------------
@pytest.fixture(scope="module")
def made_up() -> RegionTable:
    """Province 980000: five usable counties, one without a population, one without an urban share.
    Province 970000: three counties on a line of log population, one of them directly under the province."""
    rows = [
        ("970000", "丙省", "province", "", "970000", None, None),
        ("970100", "丙市", "prefecture", "970000", "970000", None, None),
        ("970101", "丙一区", "county", "970100", "970000", 1_000_000, 0.5),
        ("970102", "丙二区", "county", "970100", "970000", 100_000, 0.5),
        ("970103", "丙三区", "county", "970100", "970000", 10_000, 0.5),
        ("970104", "丙四市", "county", "970000", "970000", 100_000, 0.9),  # directly under the province
        ("980000", "丁省", "province", "", "980000", None, None),
        ("980100", "丁市", "prefecture", "980000", "980000", None, None),
        ("980101", "甲县", "county", "980100", "980000", 100_000, 0.5),
        ("980102", "乙县", "county", "980100", "980000", 10_000, 0.5),
        ("980103", "丙县", "county", "980100", "980000", 10_000_000, 0.5),
        ("980104", "丁县", "county", "980100", "980000", 100_000, 0.4),
        ("980105", "戊县", "county", "980100", "980000", 100_000, 0.8),
        ("980106", "己县", "county", "980100", "980000", None, 0.5),  # no population
        ("980107", "庚县", "county", "980100", "980000", 100_000, None),  # no urban share
    ]
    cols = ["code", "name", "level", "parent_code", "province_code", "population", "urban_share"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["population"] = frame["population"].astype("Int64")
    frame["urban_share"] = frame["urban_share"].astype("float64")
    return RegionTable(frame)


# Province 980000 by hand. log10 population of the five usable counties: 5, 4, 7, 5, 5 (the base of the log
# does not change a z-score): mean 5.2, variance (ddof 0) (0.04 + 1.44 + 3.24 + 0.04 + 0.04) / 5 = 0.96.
# Urban share 0.5, 0.5, 0.5, 0.4, 0.8: mean 0.54, variance (3 x 0.0016 + 0.0196 + 0.0676) / 5 = 0.0184.
# From 甲县 (5, 0.5): 乙县 differs by 1 in log population only, 丙县 by 2, 丁县 by 0.1 in urban share only,
# 戊县 by 0.3.
SD_LOG, SD_URBAN = math.sqrt(0.96), math.sqrt(0.0184)
HAND = {
    "980104": 0.1 / SD_URBAN,  # 0.7372
    "980102": 1 / SD_LOG,  # 1.0206
    "980103": 2 / SD_LOG,  # 2.0412
    "980105": 0.3 / SD_URBAN,  # 2.2116
}


def test_nearest_by_hand(made_up):
    got = peers(made_up, "980101", n=3)
    assert list(got.columns) == PEER_COLUMNS
    assert list(got["region_code"]) == ["980104", "980102", "980103"]
    assert got["distance"].tolist() == pytest.approx([0.737210, 1.020621, 2.041241], abs=1e-6)
    assert got["distance"].tolist() == pytest.approx([HAND[c] for c in got["region_code"]], rel=1e-12)
    assert got["rank"].tolist() == [1, 2, 3]
    first = got.iloc[0]
    assert (first["region_name"], first["prefecture"], first["population"], first["urban_share"]) == (
        "丁县",
        "丁市",
        100_000,
        0.4,
    )


def test_the_county_is_never_its_own_peer_and_units_without_data_are_left_out(made_up):
    got = peers(made_up, "980101", n=10)
    assert list(got["region_code"]) == ["980104", "980102", "980103", "980105"]  # all there are: 4, not 10
    assert "980101" not in set(got["region_code"])
    assert not {"980106", "980107"} & set(got["region_code"])  # no population / no urban share
    assert not any(c.startswith("97") for c in got["region_code"])  # 970102 is identical, but elsewhere
    assert peer_pool_size(made_up, "980101") == 5


def test_ties_are_broken_by_code(made_up):
    # 丙二区 sits halfway (in log population) between 丙一区 and 丙三区: the same distance, up to float noise.
    got = peers(made_up, "970102", n=3)
    assert list(got["region_code"]) == ["970101", "970103", "970104"]
    assert got["distance"].iloc[0] == pytest.approx(got["distance"].iloc[1], rel=1e-12)
    assert got["prefecture"].tolist() == ["丙市", "丙市", "丙省"]  # directly under the province: its name
    assert peers(made_up, "970102", n=1)["region_code"].tolist() == ["970101"]


@pytest.mark.parametrize(
    ("code", "n", "error", "message_en"),
    [
        ("980106", 5, PeerError, "己县 (980106) has no resident population or urban share"),
        ("980107", 5, PeerError, "庚县 (980107) has no resident population or urban share"),
        ("980100", 5, PeerError, "丁市 (980100) is not a county-level unit"),
        ("980000", 5, PeerError, "丁省 (980000) is not a county-level unit"),
        ("123456", 5, RegionError, "Unknown administrative code 123456"),
        ("980101", 0, PeerError, "--n must be at least 1 (got 0)"),
    ],
)
def test_refusals(made_up, code, n, error, message_en):
    with pytest.raises(error) as caught:
        peers(made_up, code, n=n)
    assert caught.value.message("en").startswith(message_en)
    assert not caught.value.message("zh").startswith("peers.")  # a real sentence, not the key


# --- the real table ---------------------------------------------------------------------------------
def independent_nearest(code: str, n: int) -> pd.DataFrame:
    """The same definition computed straight from data/regions.csv, without analytics.peers."""
    raw = pd.read_csv(ROOT / "data" / "regions.csv", dtype={"code": str, "province_code": str})
    province = raw.loc[raw["code"] == code, "province_code"].iloc[0]
    pool = raw[(raw["level"] == "county") & (raw["province_code"] == province)]
    pool = pool.dropna(subset=["population", "urban_share"]).copy()
    x = np.log(pool["population"].to_numpy(dtype=float))
    u = pool["urban_share"].to_numpy(dtype=float)
    zx, zu = (x - x.mean()) / x.std(), (u - u.mean()) / u.std()  # numpy's std: ddof 0
    me = (pool["code"] == code).to_numpy()
    pool["distance"] = np.sqrt((zx - zx[me]) ** 2 + (zu - zu[me]) ** 2)
    return pool[~me].sort_values(["distance", "code"]).head(n)


@pytest.mark.parametrize("code", [MEIHEKOU, FUSONG])
def test_jilin_county_has_five_peers_in_jilin(code):
    regions = load_regions()
    got = peers(regions, code)
    assert len(got) == 5
    assert all(c.startswith("22") for c in got["region_code"])
    assert all(regions.get(c).province_code == "220000" for c in got["region_code"])
    assert code not in set(got["region_code"])
    assert got["distance"].is_monotonic_increasing and (got["distance"] > 0).all()
    expected = independent_nearest(code, 5)
    assert got["region_code"].tolist() == expected["code"].tolist()
    assert got["distance"].tolist() == pytest.approx(expected["distance"].tolist(), rel=1e-9)
    assert peer_pool_size(regions, code) == 60  # every Jilin county-level unit has both


def test_fusong_nearest_is_hunchun():
    got = peers(load_regions(), FUSONG)
    # 抚松县 233,759 / 79.39 %; 珲春市 239,359 / 79.28 %: nearly the same county on both counts
    assert got.iloc[0][["region_code", "region_name", "prefecture"]].tolist() == [
        "222404",
        "珲春市",
        "延边朝鲜族自治州",
    ]
    assert got.iloc[0]["distance"] < 0.05


def test_a_real_county_without_population_is_refused():
    with pytest.raises(PeerError, match="临平区"):
        peers(load_regions(), "330113")


# --- the comparison on the 25 indicators -------------------------------------------------------------
@pytest.fixture(scope="module")
def jilin_rows(catalog, jilin) -> pd.DataFrame:
    regions = load_regions()
    obs = sources.observations("demo", "220000", catalog=catalog, regions=regions)
    return attainment(obs, regions, catalog, jilin, "220000", "county", years=[YEAR])


@pytest.fixture(scope="module")
def meihekou_peers() -> list[str]:
    return peers(load_regions(), MEIHEKOU)["region_code"].tolist()


def values_of(rows: pd.DataFrame, codes: list[str], indicator_id: str) -> list[float]:
    part = rows[(rows["indicator_id"].astype(str) == indicator_id) & rows["region_code"].isin(codes)]
    return part.set_index("region_code")["value"].reindex(codes).dropna().tolist()


def test_comparison_has_every_indicator_in_catalog_order(jilin_rows, catalog, meihekou_peers):
    got = peer_comparison(jilin_rows, catalog, MEIHEKOU, meihekou_peers)
    assert list(got.columns) == COMPARISON_COLUMNS
    assert len(got) == 25 and got["indicator_id"].tolist() == catalog.ids
    assert (got["n_peers"] == 5).all()
    assert got.loc[got["binary"], "indicator_id"].tolist() == [
        "endemic_disease_control",
        "mental_rehab_counties",
    ]
    assert got.loc[got["binary"], "value"].isin([0.0, 1.0]).all()  # a status compares as 1 / 0


def test_median_and_rank_by_hand(jilin_rows, catalog, meihekou_peers):
    got = peer_comparison(jilin_rows, catalog, MEIHEKOU, meihekou_peers).set_index("indicator_id")
    peer_values = values_of(jilin_rows, meihekou_peers, "premarital_exam")
    assert len(peer_values) == 5
    row = got.loc["premarital_exam"]
    assert row["peer_median"] == pytest.approx(sorted(peer_values)[2])  # the third of five
    assert row["peer_median"] == pytest.approx(statistics.median(peer_values))
    mine = values_of(jilin_rows, [MEIHEKOU], "premarital_exam")[0]
    assert row["value"] == pytest.approx(mine)
    everyone = sorted([mine, *peer_values], reverse=True)  # higher is better: 1 = the highest
    assert row["rank"] == everyone.index(mine) + 1 and row["n_ranked"] == 6
    assert (
        row["status"]
        == jilin_rows.set_index(["region_code", "indicator_id"]).loc[(MEIHEKOU, "premarital_exam"), "status"]
    )
    # 梅河口市 has no community mental rehabilitation (0); its peers' 1s all rank above it.
    status = got.loc["mental_rehab_counties"]
    ones = sum(v > 0 for v in values_of(jilin_rows, meihekou_peers, "mental_rehab_counties"))
    assert status["value"] == 0.0 and status["rank"] == 1 + ones


def made_up_rows() -> pd.DataFrame:
    """Evaluated rows of county C and peers P1-P3 (P4 has none): two indicators, the rest missing."""
    rows = [
        ("C", "premarital_exam", 70.0, "met"),
        ("P1", "premarital_exam", 80.0, "met"),
        ("P2", "premarital_exam", 60.0, "not_met"),
        ("P3", "premarital_exam", 70.0, "met"),
        ("C", "endemic_disease_control", 0.0, "not_met"),
        ("P1", "endemic_disease_control", 100.0, "met"),
        ("P2", "endemic_disease_control", 100.0, "met"),
        ("P3", "endemic_disease_control", 0.0, "not_met"),
        ("P1", "prenatal_screening", 90.0, "met"),
        ("C", "prenatal_screening", math.nan, "no_data"),
    ]
    frame = pd.DataFrame(rows, columns=["region_code", "indicator_id", "value", "status"])
    frame["year"] = YEAR
    return frame


def test_comparison_by_hand(catalog):
    got = peer_comparison(made_up_rows(), catalog, "C", ["P1", "P2", "P3", "P4", "C"]).set_index(
        "indicator_id"
    )
    rate = got.loc["premarital_exam"]
    # 80 > 70 = 70 > 60: one peer above, the tie with P3 shares the better rank
    assert (rate["value"], rate["peer_median"], rate["rank"], rate["n_ranked"]) == (70.0, 70.0, 2, 4)
    assert (rate["n_peers_with_value"], rate["n_peers"], rate["peers_met"], rate["binary"]) == (
        3,
        4,
        2,
        False,
    )
    status = got.loc["endemic_disease_control"]
    # peers 1, 1, 0: median 1; the county's 0 is behind the two 1s and tied with P3
    assert (status["value"], status["peer_median"], status["rank"], status["n_ranked"]) == (0.0, 1.0, 3, 4)
    assert bool(status["binary"]) and status["status"] == "not_met"
    missing = got.loc["prenatal_screening"]
    assert math.isnan(missing["value"]) and missing["status"] == "no_data"
    assert pd.isna(missing["rank"]) and pd.isna(missing["n_ranked"])
    assert missing["peer_median"] == 90.0 and missing["n_peers_with_value"] == 1
    nothing = got.loc["knowledge_awareness"]
    assert nothing["status"] == "no_data" and math.isnan(nothing["peer_median"])
    assert nothing["n_peers_with_value"] == 0


def test_a_lower_is_better_indicator_ranks_the_other_way(catalog):
    flipped = Catalog(
        catalog.domains,
        tuple(
            replace(i, direction="lower_is_better") if i.id == "premarital_exam" else i
            for i in catalog.indicators
        ),
    )
    row = peer_comparison(made_up_rows(), flipped, "C", ["P1", "P2", "P3"]).set_index("indicator_id")
    assert row.loc["premarital_exam", "rank"] == 2  # 60 < 70 = 70 < 80: one peer better (lower)


def test_comparison_needs_the_county(catalog):
    with pytest.raises(PeerError, match="X"):
        peer_comparison(made_up_rows(), catalog, "X", ["P1"])


# --- the command ---------------------------------------------------------------------------------------
def args(**given) -> argparse.Namespace:
    base = {
        "lang": "zh",
        "data": None,
        "db": None,
        "county": MEIHEKOU,
        "year": YEAR,
        "n": 5,
        "targets": "jilin-2022-2025",
        "format": "table",
    }
    return argparse.Namespace(**{**base, **given})


def test_cli_csv_lists_the_peers(capsys):
    assert cli_peers.run(args(format="csv")) == 0
    out = capsys.readouterr().out
    table = pd.read_csv(io.StringIO(out), dtype={"region_code": str})
    assert list(table.columns) == PEER_COLUMNS
    expected = peers(load_regions(), MEIHEKOU)
    assert table["region_code"].tolist() == expected["region_code"].tolist()
    assert table["distance"].tolist() == pytest.approx(expected["distance"].round(4).tolist())
    assert table["rank"].tolist() == [1, 2, 3, 4, 5]
    assert "示例数据" not in out  # a CSV is data only


def test_cli_readable_in_chinese(capsys, catalog):
    assert cli_peers.run(args()) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "[示例数据（模拟，非真实统计）]"
    assert lines[1] == "梅河口市（220581）的同类县 · 吉林省 · 2023 年"
    first = peers(load_regions(), MEIHEKOU).iloc[0]
    assert f"  1. {first['region_name']}（{first['region_code']}，{first['prefecture']}）" in out
    assert sum(line.startswith(("  ✓", "  ✗", "  –")) for line in lines) == 25
    assert "孕前优生健康检查目标人群覆盖率：本县" in out
    assert "排名" in out and "/6" in out


def test_cli_readable_in_english(capsys):
    assert cli_peers.run(args(lang="en", county=FUSONG, n=3)) == 0
    out = capsys.readouterr().out
    assert "Peers of 抚松县 (220621) · 吉林省 · 2023" in out
    assert "1. 珲春市 (222404, 延边朝鲜族自治州)" in out and "  4. " not in out
    assert "Premarital medical examination rate: county" in out and "of 4" in out
    assert out.startswith("[示例数据（模拟，非真实统计）]")  # the demo label (analytics.__main__._demo_label)
    assert "peers." not in out and "cli." not in out  # no key left untranslated


def test_cli_says_when_the_province_has_fewer_units_than_asked(capsys):
    assert cli_peers.run(args(lang="en", n=80)) == 0
    out = capsys.readouterr().out
    assert "(the province has only 59 other county-level units to compare with)" in out
    assert "  59. " in out and "  60. " not in out and "; rank 60 of 60" not in out


def run_as_main(namespace: argparse.Namespace, capsys) -> tuple[int, str]:
    """What analytics.__main__.main does with a refusal: the message on stderr, exit status 1."""
    try:
        code = cli_peers.run(namespace)
    except AtlasError as exc:
        print(t("cli.error", namespace.lang, message=exc.message(namespace.lang)))
        code = 1
    return code, capsys.readouterr().out


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ({"county": "999999"}, "Unknown administrative code 999999"),
        ({"county": "220500"}, "通化市 (220500) is not a county-level unit"),
        ({"county": "330113"}, "临平区 (330113) has no resident population or urban share"),
        ({"n": 0}, "--n must be at least 1 (got 0)"),
        ({"year": 1999}, "The data have no year 1999"),
        ({"db": "/no/such/atlas.sqlite"}, "Database file not found"),
    ],
)
def test_cli_refusals(capsys, given, words):
    code, out = run_as_main(args(lang="en", **given), capsys)
    assert code == 1
    assert out.startswith("Error: ") and words in out
    assert "Traceback" not in out


def test_parser_options_and_help_language():
    def h(key: str, **fields) -> str:  # as analytics.__main__.build_parser makes it, in English
        return t(f"cli.help_{key}", "en", **fields).replace("%", "%%")

    h.lang = "en"  # as analytics.__main__ gives it
    parser = argparse.ArgumentParser(prog="python -m analytics")
    sub = parser.add_subparsers(dest="command")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=["zh", "en"], default="zh")
    cli_peers.add_parsers(sub, common, h, add_source=None)
    got = parser.parse_args(["peers", "--county", "220581", "--year", "2024"])
    assert (got.county, got.year, got.n, got.format, got.targets, got.data, got.db) == (
        "220581",
        2024,
        5,
        "table",
        "jilin-2022-2025",
        None,
        None,
    )
    assert parser.parse_args(["peers", "--county", "1", "--year", "1", "--n", "3"]).n == 3
    assert t("peers.help_n", "en") in sub.choices["peers"].format_help()
    assert "peers" in cli_peers.COMMANDS and cli_peers.COMMANDS["peers"] is cli_peers.run
