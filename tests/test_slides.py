"""The meeting's slides (analytics.slides) hold the engine's numbers: the headline "N / 25" and the 25 statuses,
the five actions, the sub-regions ranked, one slide per indicator not met with its shortfall, the lagging counties,
each saved scenario and the method; every slide carries the demo label, the footer and speaker notes.

Known answers come from analytics.attainment and analytics.scenarios run directly on Jilin's demo data (its latest year, the plan's target year).
"""

from __future__ import annotations

import dataclasses

import known_answers as ka
import pandas as pd
import pytest

from analytics import sources
from analytics.attainment import attainment, summarize
from analytics.catalog import load_catalog, load_profile
from analytics.charts import STATUS_SYMBOL
from analytics.i18n import t
from analytics.insights import format_value, shortfall_text, status_labels, target_text
from analytics.meeting import Meeting
from analytics.regions import load_regions
from analytics.scenario_library import SavedScenario, ViewContext
from analytics.scenario_words import describe
from analytics.scenarios import Adjustment, Scenario, apply, compare
from analytics.slides import ReportError, Slide, build_slides, scenario_runs

REGION, YEAR = "220000", ka.latest_year()  # the plan's target year: the final evaluation too
DEMO = "示例数据（模拟，非真实统计）"
SCENARIO = Scenario(
    "=康复医师+40",  # a name a spreadsheet would run: the slides keep it as text
    (
        Adjustment("rehab_physicians", "add_units", 40),
        Adjustment("premarital_exam", "add_pp", 3, scope="lagging"),
    ),
)


def make_meeting(lang: str = "zh", *, synthetic: bool = True, obs=None, year: int = YEAR) -> Meeting:
    catalog, regions = load_catalog(), load_regions()
    obs = sources.observations("demo", REGION, catalog=catalog, regions=regions) if obs is None else obs
    return Meeting.from_observations(
        obs,
        catalog=catalog,
        regions=regions,
        profile=load_profile("jilin-2022-2025"),
        region_code=REGION,
        year=year,
        lang=lang,
        source_text=t("meeting.source_demo", lang) if synthetic else "数据：test.csv",
        synthetic=synthetic,
    )


@pytest.fixture(scope="module")
def obs():
    return sources.observations("demo", REGION, catalog=load_catalog(), regions=load_regions())


@pytest.fixture(scope="module")
def meeting(obs):
    return make_meeting(obs=obs)


@pytest.fixture(scope="module")
def runs(meeting, obs):
    return scenario_runs(meeting, [SCENARIO], obs)


@pytest.fixture(scope="module")
def slides(meeting, runs) -> list[Slide]:
    return build_slides(meeting, runs)


@pytest.fixture(scope="module")
def engine(obs, meeting):
    """The engine's own rows, computed here without the Meeting: province and prefecture levels."""
    run = {"regions": meeting.regions, "catalog": meeting.catalog, "profile": meeting.profile}
    province = attainment(obs, region_code=REGION, level="province", years=[YEAR], **run)
    prefecture = attainment(obs, region_code=REGION, level="prefecture", years=[YEAR], **run)
    county = attainment(obs, region_code=REGION, level="county", years=[YEAR], **run)
    province = province.set_index(province["indicator_id"].astype(str))
    return {"province": province, "prefecture": prefecture, "county": county}


def by_key(slides: list[Slide]) -> dict[str, Slide]:
    return {s.key: s for s in slides}


def test_slide_order_and_one_slide_per_indicator_not_met(slides, engine, meeting):
    not_met = [i for i in meeting.catalog.ids if str(engine["province"].loc[i, "status"]) == "not_met"]
    assert len(not_met) >= 2  # the demo's Jilin misses a few indicators: the test means something
    keys = [s.key for s in slides]
    assert keys == [
        "headline",
        "final:1",  # the plan's target year: the final evaluation follows the headline
        "final:2",
        "final_areas",
        "domains",
        "prefectures",
        "met_map",
        *(f"indicator:{i}" for i in not_met),
        "lagging",
        "followup",
        f"scenario:{SCENARIO.name}",
        "method",
    ]


def test_headline_counts_and_the_25_statuses(slides, engine, meeting):
    head = by_key(slides)["headline"]
    status = engine["province"]["status"].astype(str)
    met = int((status == "met").sum())
    assert f"{met} / 25" in head.title and "吉林省" in head.title
    assert f"未达标 {int((status == 'not_met').sum())} 项" in head.subtitle
    table = head.table
    assert len(table) == 25 and list(table.columns) == ["序号", "指标", "值", "目标", "状态"]
    labels = status_labels("zh")
    for row, ind in zip(table.itertuples(index=False), meeting.catalog.indicators, strict=True):
        engine_row = engine["province"].loc[ind.id]
        assert row[1] == ind.short("zh")
        assert row[2] == format_value(engine_row["value"], ind, "zh")
        assert row[3] == target_text(meeting.profile, ind, "zh")
        assert row[4] == labels[str(engine_row["status"])]
        assert row[4].startswith(STATUS_SYMBOL[str(engine_row["status"])])  # never colour alone
    assert all(isinstance(v, str) for v in table.to_numpy().ravel())


def test_headline_notes_name_each_shortfall(slides, engine, meeting):
    notes = by_key(slides)["headline"].notes
    for ind in meeting.catalog.indicators:
        row = engine["province"].loc[ind.id]
        if str(row["status"]) == "not_met":
            assert ind.name("zh") in notes
            assert shortfall_text(row["shortfall"], ind, "zh") in notes


def test_domains_add_up_to_the_headline(slides, engine):
    table = by_key(slides)["domains"].table
    assert len(table) == 5
    assert table["达标"].astype(int).sum() == int((engine["province"]["status"].astype(str) == "met").sum())
    assert table["指标数"].astype(int).sum() == 25
    assert len(by_key(slides)["domains"].figures) == 1


def test_prefectures_ranked_with_the_engines_counts(slides, engine):
    table = by_key(slides)["prefectures"].table
    counts = summarize(engine["prefecture"]).set_index("region_code")
    names = dict(
        zip(
            engine["prefecture"]["region_code"].astype(str), engine["prefecture"]["region_name"], strict=False
        )
    )
    assert len(table) == len(counts) == 9
    for row in table.itertuples(index=False):
        code = next(c for c, n in names.items() if n == row[1])
        assert int(row[2]) == counts.loc[code, "met"]
        assert int(row[3]) == counts.loc[code, "not_met"]
    met = table["达标"].astype(int).tolist()
    assert met == sorted(met, reverse=True)
    ranks = table["名次"].astype(int).tolist()
    assert ranks[0] == 1 and all(r == met.index(m) + 1 for r, m in zip(ranks, met, strict=True))  # ties share


def test_indicator_slides_give_the_shortfall_in_people(slides, engine, meeting):
    for slide in slides:
        if not slide.key.startswith("indicator:"):
            continue
        ind = meeting.catalog[slide.key.split(":", 1)[1]]
        row = engine["province"].loc[ind.id]
        assert ind.name("zh") in slide.title
        assert any(shortfall_text(row["shortfall"], ind, "zh") in b for b in slide.bullets)
        county = engine["county"][engine["county"]["indicator_id"].astype(str) == ind.id]
        n_not_met = int((county["status"].astype(str) == "not_met").sum())
        assert any(f"未达标 {n_not_met} / {len(county)}" in b for b in slide.bullets)
        # the county list: largest shortfall first, each the engine's number
        lagging = county[county["status"].astype(str) == "not_met"].sort_values("shortfall", ascending=False)
        first = lagging.iloc[0]
        assert slide.table.iloc[0, 0] == first["region_name"]
        assert slide.table.iloc[0, 2] == shortfall_text(first["shortfall"], ind, "zh")
        assert len(slide.figures) == 1


def test_lagging_counties(slides, engine):
    slide = by_key(slides)["lagging"]
    counts = summarize(engine["county"]).sort_values(["not_met", "met"], ascending=[False, True])
    assert len(slide.table) == 10
    assert slide.table.iloc[0]["未达标项数"] == counts.iloc[0]["not_met"]
    assert "region_code" not in slide.table.columns
    # a projector's column: the two largest gaps without the values; the notes carry three, with values
    gaps = slide.table["主要缺口"]
    assert gaps.str.count("；").max() == 1 and not gaps.str.contains("%").any()
    first_note = slide.notes.splitlines()[0]
    assert first_note.count("；") == 2 and "%" in first_note


def test_scenario_slide_matches_an_independent_run(slides, obs, meeting):
    slide = by_key(slides)[f"scenario:{SCENARIO.name}"]
    assert SCENARIO.name in slide.title  # the name stays as written
    for adj in SCENARIO.adjustments:
        assert any(
            describe(adj, meeting.catalog, meeting.regions, "zh", meeting.profile) in b for b in slide.bullets
        )
    run = {
        "catalog": meeting.catalog,
        "profile": meeting.profile,
        "regions": meeting.regions,
        "region_code": REGION,
    }
    result = apply(obs, SCENARIO, year=YEAR, **run)
    table = compare(obs, result, year=YEAR, indicator_ids=["rehab_physicians"], **run)
    county = table[table["level"] == "county"]
    before, after = (
        int((county["status_before"] == "met").sum()),
        int((county["status_after"] == "met").sum()),
    )
    assert after > before
    assert any(f"达标县 {before} → {after} / 60" in b for b in slide.bullets)
    newly = county[(county["status_before"] != "met") & (county["status_after"] == "met")]
    assert set(newly["region_name"]) <= set(slide.table["县（市、区）"]) | {""} or len(slide.table) == 11
    assert len(slide.figures) == 2  # before / after maps
    assert "情景推演" in slide.notes or "取整" in slide.notes  # the rounding rule is said


def test_every_slide_has_label_footer_and_notes(slides, meeting):
    for slide in slides:
        assert DEMO in slide.label, slide.key
        assert slide.footer.startswith(meeting.footer()), slide.key
        assert DEMO in slide.footer
        assert slide.notes.strip(), slide.key
        if slide.key == "met_map" or slide.key.startswith(("indicator:", "scenario:")):
            assert meeting.map_note() in slide.footer


def test_method_names_profile_source_and_map_note(slides, meeting):
    text = "\n".join(by_key(slides)["method"].bullets)
    assert meeting.profile.name("zh") in text
    assert meeting.source_text in text
    assert meeting.map_note() in text


def test_english_words_and_the_chinese_demo_label(obs):
    slides = build_slides(make_meeting("en", obs=obs))
    head = slides[0]
    assert "indicators met" in head.title
    assert list(head.table.columns) == ["No.", "Indicator", "Value", "Target", "Status"]
    assert all(DEMO in s.label for s in slides)  # the Chinese words too: the label is the same everywhere
    assert all(s.title and s.notes for s in slides)


def test_real_data_has_no_demo_label(obs):
    slides = build_slides(make_meeting(synthetic=False, obs=obs))
    assert all(s.label == "" and DEMO not in s.footer for s in slides)


def test_saved_scenarios_run_on_the_meetings_observations(meeting, obs):
    saved = SavedScenario(SCENARIO, ViewContext("demo", REGION, None, YEAR, "jilin-2022-2025"))
    without = dataclasses.replace(meeting, observations=None)
    with pytest.raises(ReportError) as err:
        build_slides(without, [saved])
    assert err.value.code == "needs_observations"
    run = scenario_runs(without, [saved], obs)[0]
    assert run.name == SCENARIO.name and "吉林省" in run.context  # the view it was saved in, in words
    # a Meeting evaluates a saved scenario on its own observations
    assert [s.key for s in build_slides(meeting, [saved])][-2] == f"scenario:{SCENARIO.name}"


def test_an_empty_scenario_is_refused(meeting, obs):
    with pytest.raises(ReportError) as err:
        scenario_runs(meeting, [Scenario("空", ())], obs)
    assert err.value.code == "empty_scenario" and "空" in err.value.message("en")


def test_a_prefecture_ranks_its_counties(obs):
    meeting = dataclasses.replace(make_meeting(obs=obs), region_code="220100")  # 长春市
    slides = by_key(build_slides(meeting))
    table = slides["prefectures"].table
    assert slides["prefectures"].title == t("report.sub_title_county", "zh")
    assert len(table) == len(meeting.regions.counties("220100"))
    assert "长春市" in slides["headline"].title
    assert isinstance(table, pd.DataFrame)


@pytest.mark.national
def test_the_whole_country():
    """Region 100000: provinces ranked, county names with their prefecture (names repeat across China), and
    counties without any data left out of "fewest met" rather than shown as 0 met."""
    catalog, regions = load_catalog(), load_regions()
    obs = sources.observations("demo", None, catalog=catalog, regions=regions)
    meeting = Meeting.from_observations(
        obs,
        catalog=catalog,
        regions=regions,
        profile=load_profile("jilin-2022-2025"),
        region_code="100000",
        year=YEAR,
        lang="zh",
        source_text=t("meeting.source_demo", "zh"),
        synthetic=True,
    )
    slides = by_key(build_slides(meeting))
    assert slides["prefectures"].title == t("report.sub_title_province", "zh")
    provinces = meeting.rows("province")["region_code"].nunique()
    assert (
        len(slides["prefectures"].table) == 31 < provinces
    )  # 台湾, 香港, 澳门 have no demo data: not ranked
    assert "台湾省" in slides["prefectures"].bullets[0] and "台湾省" not in set(
        slides["prefectures"].table["省份"]
    )
    least = next(b for b in slides["met_map"].bullets if b.startswith("达标项数最少"))
    assert "（0 项）" not in least and "台湾省台湾省" not in least
    assert any("没有任何数据" in b for b in slides["met_map"].bullets)
    assert "全国" in slides["headline"].title


def test_a_region_value_resting_on_fewer_counties_says_so_on_the_slide(catalog):
    from analytics.slides import _value_text

    ind = catalog["premarital_exam"]
    row = {"value": 70.0, "n_units": 5, "n_reported": 4, "n_value_only": 0, "level": "prefecture"}
    assert _value_text(row, ind, "zh") == "70.0%（4/5 县，缺 1 县）"
    assert _value_text({**row, "n_reported": 5}, ind, "zh") == "70.0%"
