"""The department follow-up list 督办清单 (analytics/followup.py) and `python -m analytics followup`
(analytics/cli_followup.py): every indicator not met at the province or a prefecture, under each of its lead
departments, with the shortfall (a survey's in points), the counties furthest behind and the trajectory."""

from __future__ import annotations

import argparse
import io

import numpy as np
import pandas as pd
import pytest

from analytics import sources
from analytics.attainment import attainment
from analytics.cli_followup import CSV_COLUMNS, run
from analytics.errors import AtlasError
from analytics.followup import (
    FOLLOWUP_COLUMNS,
    FollowupError,
    department_summary,
    departments,
    followup,
)
from analytics.i18n import t
from analytics.insights import format_number, format_value
from analytics.progress import progress
from analytics.regions import load_regions

YEAR = 2024
JILIN = "220000"


@pytest.fixture(scope="module")
def regions():
    return load_regions()


@pytest.fixture(scope="module")
def obs(catalog, regions):
    return sources.observations("demo", JILIN, catalog=catalog, regions=regions)


@pytest.fixture(scope="module")
def table(obs, regions, catalog, jilin):
    return followup(obs, regions, catalog, jilin, JILIN, YEAR)


@pytest.fixture(scope="module")
def evaluated(obs, regions, catalog, jilin):
    """This year's province, prefecture and county rows of the Jilin demo, as attainment() gives them."""
    out = {}
    for level in ("province", "prefecture", "county"):
        ev = attainment(obs, regions, catalog, jilin, JILIN, level, years=[YEAR])
        out[level] = ev.assign(
            region_code=ev["region_code"].astype(str),
            indicator_id=ev["indicator_id"].astype(str),
            status=ev["status"].astype(str),
        )
    return out


def _pairs(ev: pd.DataFrame, status: str = "not_met") -> set[tuple[str, str]]:
    rows = ev[ev["status"] == status]
    return set(zip(rows["indicator_id"], rows["region_code"], strict=True))


def _row(table: pd.DataFrame, indicator_id: str, region_code: str) -> pd.Series:
    rows = table[(table["indicator_id"] == indicator_id) & (table["region_code"] == region_code)]
    assert len(rows), (indicator_id, region_code)
    return rows.iloc[0]


# --- what is listed ---------------------------------------------------------------------------------------
def test_columns(table):
    assert list(table.columns) == FOLLOWUP_COLUMNS
    assert len(table) > 0


def test_covers_every_indicator_not_met_at_the_province_under_each_lead_department(table, evaluated, catalog):
    province = _pairs(evaluated["province"])
    assert province, "the demo should miss some targets at province level"
    for ind_id, code in province:
        listed = table[(table["indicator_id"] == ind_id) & (table["region_code"] == code)]
        assert sorted(listed["department"]) == sorted(catalog[ind_id].lead_departments_zh), ind_id
        assert set(listed["status"]) == {"not_met"} and listed["is_region"].all()
        assert set(listed["level"]) == {"province"}


def test_covers_every_prefecture_not_met_under_each_lead_department(table, evaluated, catalog):
    prefecture = _pairs(evaluated["prefecture"])
    assert len(prefecture) > 10
    for ind_id, code in prefecture:
        listed = table[(table["indicator_id"] == ind_id) & (table["region_code"] == code)]
        assert sorted(listed["department"]) == sorted(catalog[ind_id].lead_departments_zh), (ind_id, code)
        assert set(listed["level"]) == {"prefecture"} and not listed["is_region"].any()


def test_lists_nothing_else(table, evaluated):
    """Exactly the not-met pairs of the province and its prefectures, plus the province's own no_data."""
    expected = (
        _pairs(evaluated["province"])
        | _pairs(evaluated["province"], "no_data")
        | _pairs(evaluated["prefecture"])
    )
    listed = set(zip(table["indicator_id"], table["region_code"], strict=True))
    assert listed == expected
    assert not table.duplicated(["department", "indicator_id", "region_code"]).any()


def test_an_indicator_met_everywhere_is_absent(table, evaluated):
    both = pd.concat([evaluated["province"], evaluated["prefecture"]])
    met_everywhere = [i for i, part in both.groupby("indicator_id") if (part["status"] == "met").all()]
    assert met_everywhere, "the demo should meet some targets everywhere"
    assert not set(met_everywhere) & set(table["indicator_id"])


def test_sorted_by_department_then_indicator_then_province_first(table, catalog):
    order = departments(catalog)
    assert order[0] == catalog.indicators[0].lead_departments_zh[0]
    seen = list(dict.fromkeys(table["department"]))
    assert seen == [d for d in order if d in seen]
    ind_rank = {i: n for n, i in enumerate(catalog.ids)}
    for _, part in table.groupby("department", sort=False):
        ranks = part["indicator_id"].map(ind_rank).tolist()
        assert ranks == sorted(ranks)
        for _, rows in part.groupby("indicator_id", sort=False):
            flags = rows["is_region"].tolist()
            assert flags == sorted(flags, reverse=True)  # the province's row before its prefectures'
            below = rows.loc[~rows["is_region"], "region_code"].tolist()
            assert below == sorted(below)


# --- shortfall, worst counties, trajectory ----------------------------------------------------------------
def test_shortfall_is_the_evaluated_one_with_its_unit(table, evaluated, catalog):
    ev = evaluated["province"].set_index("indicator_id")
    for row in table[table["is_region"]].itertuples():
        ind = catalog[row.indicator_id]
        if not ind.shortfall_actionable:
            continue
        assert row.shortfall == ev.loc[row.indicator_id, "shortfall"]
        assert row.shortfall_unit == ind.numerator_unit("zh")
        assert row.shortfall_text.endswith(f"{int(row.shortfall):,} {ind.numerator_unit('zh')}")


def test_worst_counties_are_the_largest_shortfalls_of_the_region(table, evaluated, regions, catalog, jilin):
    row = _row(table, "premarital_exam", JILIN)
    county = evaluated["county"]
    behind = county[(county["indicator_id"] == "premarital_exam") & (county["status"] == "not_met")]
    expected = behind.sort_values("shortfall", ascending=False).head(3)
    assert row["worst_county_codes"].split(";") == expected["region_code"].tolist()
    assert row["n_counties_not_met"] == len(behind)
    # by hand: the first county as the list says it, "梅河口市 59.6%（还差 251 人）"
    first = expected.iloc[0]
    ind = catalog["premarital_exam"]
    value = format_value(first["value"], ind, "zh", level="county", status="not_met", profile=jilin)
    said = f"{regions.name(first['region_code'])} {value}（还差 {int(first['shortfall']):,} 人）"
    assert row["worst_counties"].split("；")[0] == said
    assert int(first["shortfall"]) >= int(expected.iloc[1]["shortfall"]) >= int(expected.iloc[2]["shortfall"])


def test_a_prefectures_worst_counties_are_its_own(table, evaluated, regions):
    rows = table[~table["is_region"] & (table["n_counties_not_met"] > 0)]
    assert len(rows)
    county = evaluated["county"]
    for row in rows.head(20).itertuples():
        inside = set(regions.counties(row.region_code)["code"])
        codes = row.worst_county_codes.split(";")
        assert set(codes) <= inside
        part = county[
            (county["indicator_id"] == row.indicator_id)
            & (county["status"] == "not_met")
            & county["region_code"].isin(inside)
        ]
        assert row.n_counties_not_met == len(part)
        assert len(codes) == min(3, len(part))


def test_a_survey_says_its_shortfall_in_points(table, evaluated, catalog):
    surveys = [i.id for i in catalog.indicators if not i.shortfall_actionable]
    rows = table[table["indicator_id"].isin(surveys) & (table["status"] == "not_met")]
    assert len(rows), "the Jilin demo misses the survey target somewhere"
    for row in rows.itertuples():
        ind = catalog[row.indicator_id]
        assert pd.isna(row.shortfall) and row.shortfall_unit == ""
        assert row.shortfall_text == f"还差 {format_number(row.gap, ind.decimals)} 个百分点"
        assert "人" not in row.shortfall_text
        assert "个百分点" in row.worst_counties and "人）" not in row.worst_counties
    # ordered by gap: there is no shortfall in people to order by
    row = rows.iloc[0]
    county = evaluated["county"]
    inside = set(county.loc[county["region_code"].isin(row["worst_county_codes"].split(";")), "region_code"])
    part = county[
        (county["indicator_id"] == row["indicator_id"])
        & (county["status"] == "not_met")
        & county["region_code"].isin(inside)
    ]
    gaps = part.set_index("region_code").loc[row["worst_county_codes"].split(";"), "gap"].tolist()
    assert gaps == sorted(gaps, reverse=True)


def test_a_survey_in_english_is_in_points(obs, regions, catalog, jilin):
    en = followup(obs, regions, catalog, jilin, JILIN, YEAR, lang="en")
    surveys = [i.id for i in catalog.indicators if not i.shortfall_actionable]
    rows = en[en["indicator_id"].isin(surveys) & (en["status"] == "not_met")]
    assert len(rows) and rows["shortfall_text"].str.contains("points").all()
    assert (en["trajectory_label"] == en["trajectory"].map(lambda s: t(f"trajectory_{s}", "en"))).all()


def test_trajectory_is_progress_on_the_same_level(table, obs, regions, catalog, jilin):
    years = sorted(int(y) for y in obs["year"].unique())
    for level, is_region in (("province", True), ("prefecture", False)):
        ev = attainment(obs, regions, catalog, jilin, JILIN, level, years=years)
        prog = progress(ev, catalog, jilin, YEAR)
        prog = prog.assign(
            region_code=prog["region_code"].astype(str), indicator_id=prog["indicator_id"].astype(str)
        ).set_index(["region_code", "indicator_id"])
        rows = table[table["is_region"] == is_region]
        for row in rows.itertuples():
            assert row.trajectory == prog.loc[(row.region_code, row.indicator_id), "trajectory"]
            assert row.trajectory_label == t(f"trajectory_{row.trajectory}", "zh")
    assert table["trajectory"].ne("maintaining").all()  # maintaining means met this year


# --- a tiny province: no data, a value without counts ----------------------------------------------------
def _tiny_obs() -> pd.DataFrame:
    """premarital_exam: 990101 50/100, 990102 60/100, 990201 only a value (40 %); child_immunization met in
    every county; nothing else."""
    rows = [
        ("990101", "premarital_exam", 50, 100, np.nan),
        ("990102", "premarital_exam", 60, 100, np.nan),
        ("990201", "premarital_exam", np.nan, np.nan, 40.0),
        ("990101", "child_immunization", 99, 100, np.nan),
        ("990102", "child_immunization", 99, 100, np.nan),
        ("990201", "child_immunization", 99, 100, np.nan),
    ]
    frame = pd.DataFrame(rows, columns=["region_code", "indicator_id", "numerator", "denominator", "value"])
    return frame.assign(year=YEAR)


def test_tiny_province(catalog, jilin, tiny_regions):
    out = followup(_tiny_obs(), tiny_regions, catalog, jilin, "990000", YEAR)
    assert "child_immunization" not in set(out["indicator_id"])  # met everywhere
    # no data at province level: listed, flagged no_data, under each lead department; never a prefecture's
    no_data = out[out["status"] == "no_data"]
    assert set(no_data["region_code"]) == {"990000"}
    assert set(no_data["indicator_id"]) == set(catalog.ids) - {"premarital_exam", "child_immunization"}
    assert len(no_data) == sum(
        len(i.lead_departments_zh) for i in catalog.indicators if i.id in set(no_data["indicator_id"])
    )
    assert (no_data["worst_counties"] == "").all() and no_data["shortfall"].isna().all()
    # premarital_exam: the province (110 of 200) and 甲市 are not met; 乙市 has only a value: no data, not listed
    exam = out[out["indicator_id"] == "premarital_exam"]
    assert set(exam["region_code"]) == {"990000", "990100"}
    province = exam[exam["region_code"] == "990000"].iloc[0]
    assert province["shortfall"] == 31  # > 70 % of 200: 141, has 110
    # furthest behind: known shortfalls first (21, 11 people), then the county with a value only, by gap
    assert province["worst_county_codes"] == "990101;990102;990201"
    assert province["worst_counties"] == "东区 50.0%（还差 21 人）；西县 60.0%（还差 11 人）；南县 40.0%"
    assert province["trajectory"] == "insufficient_data"  # one year only


def test_tiny_department_summary(catalog, jilin, tiny_regions):
    out = followup(_tiny_obs(), tiny_regions, catalog, jilin, "990000", YEAR)
    summary = department_summary(out).set_index("department")
    health = summary.loc["省卫生健康委"]
    assert health["n_region_not_met"] == 1 and health["n_subregion_not_met"] == 1
    assert health["total_shortfall"] == 31 and health["total_unit"] == "人"
    assert health["shortfall_totals"] == "31 人"
    assert health["subregion_shortfall_totals"] == "31 人"  # 甲市 alone: > 70 % of its 200 is 141, it has 110
    assert (
        health["n_no_data"]
        == out[(out["department"] == "省卫生健康委") & (out["status"] == "no_data")].shape[0]
    )


# --- summaries --------------------------------------------------------------------------------------------
def test_department_summary_adds_shortfalls_only_where_units_agree(table, catalog):
    summary = department_summary(table).set_index("department")
    assert list(summary.index) == list(dict.fromkeys(table["department"]))
    for dept, s in summary.iterrows():
        own = table[(table["department"] == dept) & table["is_region"] & (table["status"] == "not_met")]
        known = own[own["shortfall"].notna()]
        units = set(known["shortfall_unit"])
        assert s["n_region_not_met"] == len(own)
        assert s["n_indicators"] == table.loc[table["department"] == dept, "indicator_id"].nunique()
        if len(units) == 1:
            assert s["total_shortfall"] == int(known["shortfall"].sum())
            assert s["total_unit"] == units.pop()
        else:
            assert pd.isna(s["total_shortfall"]) and s["total_unit"] == ""
    mixed = [
        d
        for d, part in table[table["is_region"]].groupby("department")
        if part["shortfall_unit"].nunique() > 1
    ]
    assert mixed, "some department should have shortfalls in different units at province level"
    assert "；" in summary.loc[mixed[0], "shortfall_totals"]


# --- other regions --------------------------------------------------------------------------------------
def test_a_prefecture_lists_its_own_rows(obs, regions, catalog, jilin, evaluated):
    out = followup(obs, regions, catalog, jilin, "220500", YEAR)
    assert set(out["region_code"]) == {"220500"} and out["is_region"].all()
    pref = evaluated["prefecture"]
    expected = _pairs(pref[pref["region_code"] == "220500"])
    assert set(zip(out["indicator_id"], out["region_code"], strict=True)) == expected


def test_refusals(obs, regions, catalog, jilin):
    with pytest.raises(FollowupError) as county:
        followup(obs, regions, catalog, jilin, "220581", YEAR)
    assert "220581" in county.value.message("en") and "county-level" in county.value.message("en")
    with pytest.raises(FollowupError) as year:
        followup(obs, regions, catalog, jilin, JILIN, 2019)
    assert "2019" in year.value.message("zh") and "2024" in year.value.message("zh")
    with pytest.raises(FollowupError):
        followup(obs, regions, catalog, jilin, JILIN, YEAR, worst=0)


# --- the command ---------------------------------------------------------------------------------------
def _args(**changes) -> argparse.Namespace:
    base = {
        "data": None,
        "db": None,
        "region": JILIN,
        "year": YEAR,
        "targets": "jilin-2022-2025",
        "format": "table",
        "lang": "zh",
        "worst": 3,
        "department": None,
    }
    return argparse.Namespace(**{**base, **changes})


def test_cli_csv(capsys, table):
    assert run(_args(format="csv")) == 0
    out = capsys.readouterr().out
    frame = pd.read_csv(io.StringIO(out), dtype={"region_code": str})
    assert list(frame.columns[:5]) == ["department", "indicator_id", "region_code", "status", "shortfall"]
    assert list(frame.columns) == CSV_COLUMNS
    assert len(frame) == len(table)
    assert list(zip(frame["department"], frame["indicator_id"], frame["region_code"], strict=True)) == list(
        zip(table["department"], table["indicator_id"], table["region_code"], strict=True)
    )
    assert not out.startswith("[")  # no demo label inside a CSV


def test_cli_readable_zh_and_en(capsys, table):
    assert run(_args()) == 0
    zh = capsys.readouterr().out
    assert zh.startswith(f"[{t('demo_short', 'zh')}]")
    assert "督办清单 · 吉林省 · 2024年" in zh
    for dept in dict.fromkeys(table["department"]):
        assert f"【{dept}】" in zh
    assert "婚前医学检查率 · 吉林省" in zh and "最落后的县" in zh
    assert zh.index("【省残联】") < zh.index("【省卫生健康委】")
    assert run(_args(lang="en")) == 0
    en = capsys.readouterr().out
    assert "Follow-up list · 吉林省 · 2024" in en and "Counties furthest behind" in en
    assert "督办清单" not in en and "最落后" not in en


def test_cli_one_department(capsys):
    assert run(_args(format="csv", department="省应急管理厅")) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(frame) and set(frame["department"]) == {"省应急管理厅"}


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"region": "220581"}, "220581"),  # a county
        ({"year": 2019}, "2019"),  # a year without data
        ({"department": "省不存在厅"}, "省不存在厅"),
        ({"worst": 0}, "--worst"),
    ],
)
def test_cli_refusals(capsys, changes, words):
    with pytest.raises(AtlasError) as refused:
        run(_args(**changes))
    for lang in ("zh", "en"):
        message = refused.value.message(lang)
        assert words in message
        assert not message.startswith(("followup.", "cli.", "error."))  # words, not a missing key
    assert "Traceback" not in capsys.readouterr().out


def test_cli_exit_status_through_main(capsys):
    """Through `python -m analytics` (exit 1, words on stderr)."""
    from analytics import __main__ as cli

    assert cli.main(["followup", "--region", "220581", "--year", "2024"]) == 1
    err = capsys.readouterr().err
    assert "220581" in err and "Traceback" not in err
    assert cli.main(["followup", "--region", JILIN, "--year", "2024", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("department,indicator_id,region_code,status,shortfall")
