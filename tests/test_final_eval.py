"""The final evaluation 终期评估 (analytics/final_eval.py) and `python -m analytics final` (analytics/cli_final.py):
baseline and final value per indicator at the region and one level down, met or not at the end, progress, how
many counties met it, and a paragraph per unit.

Known answers are computed here from the raw observation rows with exact fractions (sums of numerators and
denominators, a county status as a share of counties, a reduction against the summed 2020 counts), not with the
engine. The year is never hard-coded to a demo result: it is the profile's target year when the data has it,
else the newest year.
"""

from __future__ import annotations

import argparse
import io
import math
import re
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from analytics import sources
from analytics.attainment import attainment
from analytics.cli_final import CSV_COLUMNS, run
from analytics.errors import AtlasError
from analytics.final_eval import (
    INDICATOR_COLUMNS,
    PARAGRAPH_COLUMNS,
    SUMMARY_COLUMNS,
    FinalError,
    FinalEvaluation,
    final_evaluation,
)
from analytics.i18n import t
from analytics.progress import progress
from analytics.regions import COUNTRY, load_regions

JILIN = "220000"
LIAONING = "210000"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


@pytest.fixture(scope="module")
def regions():
    return load_regions()


@pytest.fixture(scope="module")
def obs(catalog, regions):
    return sources.observations("demo", JILIN, catalog=catalog, regions=regions)


@pytest.fixture(scope="module")
def fe(obs, regions, catalog, jilin) -> FinalEvaluation:
    return final_evaluation(obs, regions, catalog, jilin, JILIN)


@pytest.fixture(scope="module")
def fe_en(obs, regions, catalog, jilin) -> FinalEvaluation:
    return final_evaluation(obs, regions, catalog, jilin, JILIN, lang="en")


def expected_year(obs: pd.DataFrame, profile) -> int:
    years = {int(y) for y in obs["year"]}
    return profile.target_year if profile.target_year in years else max(years)


def with_target_year(obs: pd.DataFrame, profile) -> pd.DataFrame:
    """`obs` with the profile's target year present: the newest year's rows copied to it where it is missing."""
    if (obs["year"] == profile.target_year).any():
        return obs
    newest = obs[obs["year"] == obs["year"].max()]
    return pd.concat([obs, newest.assign(year=profile.target_year)], ignore_index=True)


# --- an independent reading of the raw rows --------------------------------------------------------------------
class Raw:
    """The observation rows as plain numbers, and the plan's rules written out with exact fractions."""

    def __init__(self, obs: pd.DataFrame, catalog, profile):
        self.catalog, self.profile = catalog, profile
        self.rows = {
            (str(r.region_code), str(r.indicator_id), int(r.year)): (r.numerator, r.denominator, r.value)
            for r in obs.itertuples()
        }

    @staticmethod
    def _num(x) -> Fraction | None:
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else Fraction(float(x))

    def _status_of(self, row) -> Fraction | None:
        num, _, value = row
        v = self._num(value)
        return v if v is not None else self._num(num)

    def applies(self, ind, code: str, year: int) -> bool:
        if not ind.applies_where:
            return True
        cond = self.rows.get((code, ind.applies_where, year))
        return cond is not None and self._status_of(cond) == 1

    def parts(self, ind, counties, year: int) -> list[tuple]:
        return [
            (c, self.rows[(c, ind.id, year)])
            for c in counties
            if (c, ind.id, year) in self.rows and self.applies(ind, c, year)
        ]

    def value(self, ind, counties, year: int) -> Fraction | None:
        """The value of `ind` over `counties` (one county: its own) in `year`, by its kind."""
        parts = self.parts(ind, counties, year)
        if ind.kind == "county_status":
            flags = [self._status_of(row) for _, row in parts if self._status_of(row) is not None]
            return Fraction(100 * sum(f == 1 for f in flags), len(flags)) if flags else None
        if ind.kind == "reduction_vs_baseline":
            base_year = self.profile.targets[ind.id].baseline_year or self.profile.baseline_year
            now = base = Fraction(0)
            seen = False
            for c, row in parts:
                b = self.rows.get((c, ind.id, base_year))
                if b is None or self._num(b[0]) is None or self._num(row[0]) is None:
                    continue
                now, base, seen = now + self._num(row[0]), base + self._num(b[0]), True
            return Fraction(100) * (base - now) / base if seen and base else None
        num = den = Fraction(0)
        seen = False
        for _, (n, d, _) in parts:
            if self._num(n) is None or self._num(d) is None:
                continue
            num, den, seen = num + self._num(n), den + self._num(d), True
        return num * ind.scale / den if seen and den else None

    def status(self, ind, counties, year: int) -> str:
        v = self.value(ind, counties, year)
        if v is None:
            return "no_data"
        target = self.profile.targets[ind.id]
        met = v > target.threshold if target.comparator == ">" else v >= target.threshold
        return "met" if met else "not_met"

    def counties_met(self, ind, counties, year: int) -> tuple[int, int]:
        """(counties met, counties judged) of `ind` in `year`."""
        statuses = [self.status(ind, [c], year) for c in counties]
        return statuses.count("met"), statuses.count("met") + statuses.count("not_met")


@pytest.fixture(scope="module")
def raw(obs, catalog, jilin) -> Raw:
    return Raw(obs, catalog, jilin)


def unit_counties(regions, code: str) -> list[str]:
    groups = regions.county_groups(JILIN if code != COUNTRY else None)
    if code in (JILIN, COUNTRY):
        return list(groups["region_code"])
    return list(groups.loc[groups["prefecture_code"] == code, "region_code"])


def _close(value: float, exact: Fraction | None) -> bool:
    if exact is None:
        return pd.isna(value)
    return not pd.isna(value) and abs(float(value) - float(exact)) < 1e-9


# --- shape and year -------------------------------------------------------------------------------------------
def test_frames_have_their_documented_columns(fe, catalog, regions):
    assert list(fe.indicators.columns) == INDICATOR_COLUMNS
    assert list(fe.summary.columns) == SUMMARY_COLUMNS
    assert list(fe.paragraphs.columns) == PARAGRAPH_COLUMNS
    units = [JILIN, *sorted(regions.prefectures(JILIN)["code"])]
    assert list(fe.summary["region_code"]) == units  # the province first, then its prefectures by code
    assert list(fe.paragraphs["region_code"]) == units
    assert len(fe.indicators) == len(units) * len(catalog)
    for code, part in fe.indicators.groupby("region_code", sort=False):
        assert list(part["indicator_id"]) == catalog.ids, code
    assert fe.indicators["is_region"].tolist() == [True] * len(catalog) + [False] * (len(units) - 1) * len(
        catalog
    )
    assert set(fe.indicators["level"]) == {"province", "prefecture"}
    assert (fe.level, fe.sublevel, fe.region_code, fe.region_name) == (
        "province",
        "prefecture",
        JILIN,
        "吉林省",
    )


def test_year_is_the_target_year_when_the_data_has_it(obs, fe, regions, catalog, jilin):
    assert fe.year == expected_year(obs, jilin)
    assert (fe.indicators["final_year"] == fe.year).all()
    assert fe.target_year == jilin.target_year and fe.baseline_year == jilin.baseline_year
    full = final_evaluation(with_target_year(obs, jilin), regions, catalog, jilin, JILIN)
    assert (full.year, full.year_source, full.year_note) == (jilin.target_year, "target", "")
    assert not full.target_year_missing


def test_year_falls_back_to_the_newest_and_says_so(obs, regions, catalog, jilin):
    before = obs[obs["year"] < jilin.target_year]
    newest = int(before["year"].max())
    for lang in ("zh", "en"):
        out = final_evaluation(before, regions, catalog, jilin, JILIN, lang=lang)
        assert (out.year, out.year_source, out.target_year_missing) == (newest, "latest", True)
        assert str(jilin.target_year) in out.year_note and str(newest) in out.year_note
        assert out.year_note == t("final.year_note", lang, target_year=jilin.target_year, year=newest)
        assert (out.indicators["final_year"] == newest).all()
    assert not CJK.search(out.year_note)  # the English one


def test_a_year_asked_for_is_used_or_refused(obs, regions, catalog, jilin):
    years = sorted({int(y) for y in obs["year"]})
    out = final_evaluation(obs, regions, catalog, jilin, JILIN, year=years[-2])
    assert (out.year, out.year_source, out.year_note) == (years[-2], "asked", "")
    with pytest.raises(FinalError) as refused:
        final_evaluation(obs, regions, catalog, jilin, JILIN, year=years[0] - 1)
    assert str(years[0] - 1) in refused.value.message("zh") and str(years[-1]) in refused.value.message("en")


def test_refusals(obs, regions, catalog, jilin):
    with pytest.raises(FinalError) as county:
        final_evaluation(obs, regions, catalog, jilin, "220581")
    assert "220581" in county.value.message("en") and "county" in county.value.message("en")
    assert "终期评估" in county.value.message("zh")
    with pytest.raises(AtlasError):
        final_evaluation(obs, regions, catalog, jilin, "999999")
    with pytest.raises(FinalError):
        final_evaluation(obs.iloc[0:0], regions, catalog, jilin, JILIN)


# --- known answers from the raw rows --------------------------------------------------------------------------
def test_final_values_and_statuses_are_the_exact_sums(fe, raw, regions, catalog):
    rows = fe.indicators.set_index(["region_code", "indicator_id"])
    for code in fe.summary["region_code"]:
        counties = unit_counties(regions, code)
        for ind in catalog.indicators:
            row = rows.loc[(code, ind.id)]
            assert _close(row["final_value"], raw.value(ind, counties, fe.year)), (code, ind.id)
            assert row["status"] == raw.status(ind, counties, fe.year), (code, ind.id)


def test_baseline_is_the_2020_value(fe, raw, regions, catalog, jilin):
    rows = fe.indicators.set_index(["region_code", "indicator_id"])
    assert jilin.baseline_year == 2020
    for code in fe.summary["region_code"]:
        counties = unit_counties(regions, code)
        for ind in catalog.indicators:
            row = rows.loc[(code, ind.id)]
            exact = raw.value(ind, counties, 2020)
            if exact is None:  # the first year with a value instead, said in the note
                assert row["baseline_source"] == "first_observed" and row["baseline_note"], (code, ind.id)
                continue
            assert (row["baseline_year"], row["baseline_source"], row["baseline_note"]) == (
                2020,
                "baseline_year",
                "",
            )
            assert _close(row["baseline_value"], exact), (code, ind.id)
            assert row["baseline_status"] == raw.status(ind, counties, 2020)
            final = raw.value(ind, counties, fe.year)
            assert _close(row["change"], None if final is None else final - exact)


def test_counties_met_are_counted_county_by_county(fe, raw, regions, catalog):
    rows = fe.indicators.set_index(["region_code", "indicator_id"])
    for code in fe.summary["region_code"]:
        counties = unit_counties(regions, code)
        for ind in catalog.indicators:
            met, judged = raw.counties_met(ind, counties, fe.year)
            row = rows.loc[(code, ind.id)]
            assert (row["n_counties_met"], row["n_counties"]) == (met, judged), (code, ind.id)
            assert row["n_counties_not_met"] == judged - met
    province = rows.xs(JILIN)
    # a condition narrows the counties judged (indicator 22 only where indicator 21 is provided)
    conditional = [i.id for i in catalog.indicators if i.applies_where]
    assert (province.loc[conditional, "n_counties"] <= len(unit_counties(regions, JILIN))).all()


def test_summary_counts(fe, raw, regions, catalog):
    s = fe.summary.set_index("region_code")
    assert (s["n_met"] + s["n_not_met"] + s["n_no_data"] == len(catalog)).all()
    assert (s["n_indicators"] == len(catalog)).all()
    for code in s.index:
        counties = unit_counties(regions, code)
        statuses = [raw.status(ind, counties, fe.year) for ind in catalog.indicators]
        assert s.loc[code, "n_met"] == statuses.count("met")
        assert s.loc[code, "n_not_met"] == statuses.count("not_met")
        base = [raw.status(ind, counties, 2020) for ind in catalog.indicators]
        assert s.loc[code, "n_met_baseline"] == base.count("met")
        part = fe.indicators[fe.indicators["region_code"] == code]
        assert s.loc[code, "n_improved"] == int((part["change"] > 0).sum())
        assert s.loc[code, "n_worse"] == int((part["change"] < 0).sum())
        not_met = part[part["status"] == "not_met"]
        assert s.loc[code, "not_met_ids"] == ";".join(not_met["indicator_id"])
        assert s.loc[code, "not_met_names"] == "、".join(not_met["indicator_name"])
        assert s.loc[code, "met_text"] == t(
            "final.met_of", "zh", met=s.loc[code, "n_met"], total=len(catalog)
        )


def test_progress_and_trajectory_are_progress_on_the_same_level(fe, obs, regions, catalog, jilin):
    upto = sorted(int(y) for y in obs["year"].unique() if int(y) <= fe.year)
    every = attainment(obs, regions, catalog, jilin, JILIN, "prefecture", years=upto)
    trend = progress(every, catalog, jilin, fe.year)
    trend = trend.assign(
        region_code=trend["region_code"].astype(str), indicator_id=trend["indicator_id"].astype(str)
    ).set_index(["region_code", "indicator_id"])
    rows = fe.indicators[~fe.indicators["is_region"]].set_index(["region_code", "indicator_id"])
    for key, row in rows.iterrows():
        expected = trend.loc[key] if key in trend.index else None
        assert row["progress_status"] == (expected["progress_status"] if expected is not None else "no_data")
        assert row["trajectory"] == (expected["trajectory"] if expected is not None else "no_data")


def test_words_come_from_the_shared_helpers(fe, catalog, jilin):
    from analytics.insights import format_value, shortfall_text, target_text

    for row in fe.indicators.itertuples():
        ind = catalog[row.indicator_id]
        assert row.final_text == format_value(row.final_value, ind, "zh", status=row.status, profile=jilin)
        assert row.target_text == target_text(jilin, ind, "zh")
        if row.status == "not_met" and not row.unreachable:
            short = row.shortfall if ind.shortfall_actionable else pd.NA
            assert row.shortfall_text == shortfall_text(short, ind, "zh", gap=row.gap)
        if not ind.shortfall_actionable:  # a survey: no people to add, its gap in points
            assert pd.isna(row.shortfall)
        assert row.status_label == t(f"status_{row.status}", "zh")


# --- the paragraph --------------------------------------------------------------------------------------------
HEAD_ZH = re.compile(
    r"^(?P<name>[^：]+)：(?P<year>\d+)年(?P<total>\d+)项主要指标中达标(?P<met>\d+)项（(?P<by>\d+)年为(?P<bmet>\d+)项）"
)
HEAD_EN = re.compile(
    r"^(?P<name>[^:]+): in (?P<year>\d+), (?P<met>\d+) of the (?P<total>\d+) main indicators were met "
    r"\((?P<bmet>\d+) in (?P<by>\d+)\)"
)
COUNTIES_ZH = re.compile(
    r"达标县占比最低的指标是(?P<name>[^（]+)（(?P<total>[\d,]+)个县中(?P<met>[\d,]+)个达标）"
)
CHANGES_ZH = re.compile(r"与(?P<by>\d+)年基线相比，(?P<up>\d+)项上升、(?P<down>\d+)项下降")
NOT_MET_ZH = re.compile(r"未达标的(?P<n>\d+)项")


def test_paragraph_numbers_read_back(fe, raw, regions, catalog):
    for p in fe.paragraphs.itertuples():
        counties = unit_counties(regions, p.region_code)
        statuses = [raw.status(ind, counties, fe.year) for ind in catalog.indicators]
        head = HEAD_ZH.match(p.paragraph)
        assert head, p.paragraph
        assert head["name"] == p.region_name == regions.name(p.region_code)
        assert (int(head["year"]), int(head["total"]), int(head["met"])) == (
            fe.year,
            len(catalog),
            statuses.count("met"),
        )
        base = [raw.status(ind, counties, 2020) for ind in catalog.indicators]
        assert (int(head["by"]), int(head["bmet"])) == (2020, base.count("met"))
        if statuses.count("not_met"):
            assert int(NOT_MET_ZH.search(p.paragraph)["n"]) == statuses.count("not_met")
        # the indicator with the smallest share of counties met, counted county by county
        shares = []
        for n, ind in enumerate(catalog.indicators):
            met, judged = raw.counties_met(ind, counties, fe.year)
            if judged > 1:
                shares.append((Fraction(met, judged), met, n, ind, judged))
        fewest = COUNTIES_ZH.search(p.paragraph)
        if not shares:
            assert fewest is None
            continue
        _, met, _, ind, judged = min(shares, key=lambda s: s[:3])
        assert fewest["name"] == ind.short("zh")
        assert (int(fewest["met"].replace(",", "")), int(fewest["total"].replace(",", ""))) == (met, judged)
        changes = CHANGES_ZH.search(p.paragraph)
        part = fe.indicators[fe.indicators["region_code"] == p.region_code]
        assert (int(changes["up"]), int(changes["down"])) == (
            int((part["change"] > 0).sum()),
            int((part["change"] < 0).sum()),
        )


def test_paragraph_names_the_indicator_furthest_behind(fe):
    for p in fe.paragraphs.itertuples():
        part = fe.indicators[
            (fe.indicators["region_code"] == p.region_code) & (fe.indicators["status"] == "not_met")
        ]
        if part.empty:
            continue
        relative = (part["gap"] / part["target"]).to_numpy()
        worst = part.iloc[int(np.argmax(relative))]
        assert f"{worst['indicator_short']}（{worst['final_text']}，目标{worst['target_text']}" in p.paragraph
        if worst["shortfall_text"]:
            assert worst["shortfall_text"] in p.paragraph
        assert 3 <= p.paragraph.count("。") <= 5  # three to five sentences


def test_english_paragraph_and_texts(fe, fe_en, regions):
    assert fe_en.summary[["region_code", "n_met", "n_not_met", "n_no_data"]].equals(
        fe.summary[["region_code", "n_met", "n_not_met", "n_no_data"]]
    )
    for p, s in zip(fe_en.paragraphs.itertuples(), fe_en.summary.itertuples(), strict=True):
        head = HEAD_EN.match(p.paragraph)
        assert head, p.paragraph
        assert (int(head["met"]), int(head["total"]), int(head["year"])) == (
            s.n_met,
            s.n_indicators,
            s.final_year,
        )
        assert (int(head["bmet"]), int(head["by"])) == (s.n_met_baseline, s.baseline_year)
        # no Chinese but the place's name (indicator names, units, shortfalls all have English words)
        assert not CJK.search(p.paragraph.replace(regions.name(p.region_code), "")), p.paragraph
    words = [c for c in INDICATOR_COLUMNS if c.endswith(("_text", "_label", "_note", "_name", "_short"))]
    words += ["coverage", "shortfall_unit"]
    words.remove("region_name")
    for col in words:
        for text in fe_en.indicators[col].astype(str):
            assert not CJK.search(text), (col, text)


# --- a hand-made province at the exact boundary -----------------------------------------------------------------
def _boundary_obs(target_year: int) -> pd.DataFrame:
    """tiny_regions (990000: 甲市 990101 东区 + 990102 西县, 乙市 990201 南县):
    premarital_exam (> 70 %): 甲市 700/1000 and the province 770/1100 are exactly 70 %: not met (strict);
    newborn_metabolic_screening (≥ 98 %): 甲市 98/100 exactly: met; no 2020 row, so its baseline is 2022."""
    rows = [
        ("990101", 2020, "premarital_exam", 30, 100),
        ("990102", 2020, "premarital_exam", 30, 100),
        ("990201", 2020, "premarital_exam", 50, 100),
        ("990101", target_year, "premarital_exam", 300, 400),  # 75 %: met
        ("990102", target_year, "premarital_exam", 400, 600),  # 66.7 %
        ("990201", target_year, "premarital_exam", 70, 100),  # exactly 70 %: not met
        ("990101", 2022, "newborn_metabolic_screening", 45, 50),
        ("990102", 2022, "newborn_metabolic_screening", 45, 50),
        ("990201", 2022, "newborn_metabolic_screening", 90, 100),
        ("990101", target_year, "newborn_metabolic_screening", 49, 50),  # exactly 98 %: met
        ("990102", target_year, "newborn_metabolic_screening", 49, 50),
        ("990201", target_year, "newborn_metabolic_screening", 97, 100),
    ]
    frame = pd.DataFrame(rows, columns=["region_code", "year", "indicator_id", "numerator", "denominator"])
    return frame.assign(value=np.nan)


def test_exact_boundary_strict_and_at_least(catalog, jilin, tiny_regions):
    assert jilin.targets["premarital_exam"].comparator == ">"
    assert jilin.targets["premarital_exam"].threshold == 70
    assert jilin.targets["newborn_metabolic_screening"].comparator == ">="
    assert jilin.targets["newborn_metabolic_screening"].threshold == 98
    out = final_evaluation(_boundary_obs(jilin.target_year), tiny_regions, catalog, jilin, "990000")
    rows = out.indicators.set_index(["region_code", "indicator_id"])
    assert Fraction(700 * 100, 1000) == 70 and Fraction(770 * 100, 1100) == 70
    exam = rows.xs("premarital_exam", level="indicator_id")
    assert exam.loc["990100", "status"] == "not_met" and exam.loc["990000", "status"] == "not_met"
    assert (
        exam.loc["990100", "shortfall"] == 1 and exam.loc["990000", "shortfall"] == 1
    )  # 701 of 1000, 771 of 1100
    assert exam.loc["990200", "status"] == "not_met"  # 70 of 100
    assert (exam.loc["990100", "n_counties_met"], exam.loc["990100", "n_counties"]) == (1, 2)
    assert (exam.loc["990000", "n_counties_met"], exam.loc["990000", "n_counties"]) == (1, 3)
    assert (exam.loc["990200", "n_counties_met"], exam.loc["990200", "n_counties"]) == (0, 1)
    assert exam.loc["990100", "final_text"] == "70.0%"
    screen = rows.xs("newborn_metabolic_screening", level="indicator_id")
    assert screen.loc["990100", "status"] == "met"  # 98 of 100 is ≥ 98 %
    assert screen.loc["990000", "status"] == "not_met"  # 195 of 200
    assert (screen.loc["990100", "n_counties_met"], screen.loc["990000", "n_counties_met"]) == (2, 2)
    # no 2020 row: the baseline is the first observed year, and says so
    assert (screen.loc["990100", "baseline_year"], screen.loc["990100", "baseline_source"]) == (
        2022,
        "first_observed",
    )
    assert screen.loc["990100", "baseline_value"] == pytest.approx(90.0)
    assert "2022" in screen.loc["990100", "baseline_note"] and "2020" in screen.loc["990100", "baseline_note"]
    assert exam.loc["990100", "baseline_year"] == 2020 and exam.loc["990100", "baseline_note"] == ""
    assert exam.loc["990100", "change"] == pytest.approx(70.0 - 30.0)
    # everything else has no data, and "N of 25" still counts 25
    s = out.summary.set_index("region_code")
    assert (s["n_met"] + s["n_not_met"] + s["n_no_data"] == len(catalog)).all()
    assert s.loc["990100", ["n_met", "n_not_met", "n_no_data"]].tolist() == [1, 1, len(catalog) - 2]
    assert s.loc["990000", ["n_met", "n_not_met"]].tolist() == [0, 2]
    assert s.loc["990100", "n_baseline_fallback"] == 1
    text = out.paragraph("990100")
    assert text.startswith(
        f"甲市：{jilin.target_year}年25项主要指标中达标1项（基线为0项；其中1项2020年无数据"
    )
    assert "，23项无数据。" in text
    assert "未达标的1项是婚检率（70.0%，目标＞70%，还差 1 人）。" in text
    assert "达标县占比最低的指标是婚检率（2个县中1个达标）。" in text
    assert "县中" not in out.paragraph("990200")  # one county: no share of counties to compare


def test_a_year_at_the_baseline_compares_nothing(catalog, jilin, tiny_regions):
    out = final_evaluation(
        _boundary_obs(jilin.target_year), tiny_regions, catalog, jilin, "990000", year=2020
    )
    assert out.year == 2020
    text = out.paragraph("990000")
    assert text.startswith("测试省：2020年25项主要指标中达标0项，")  # no "(2020年为…)"
    assert "基线相比" not in text


def test_a_prefecture_alone(obs, regions, catalog, jilin, fe):
    out = final_evaluation(obs, regions, catalog, jilin, "220500")
    assert (out.level, out.sublevel) == ("prefecture", None)
    assert set(out.indicators["region_code"]) == {"220500"} and out.indicators["is_region"].all()
    mine = fe.indicators[fe.indicators["region_code"] == "220500"].reset_index(drop=True)
    theirs = out.indicators.drop(columns=["level", "is_region"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(theirs, mine.drop(columns=["level", "is_region"]))


# --- the whole country ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_provinces(obs, catalog, regions):
    other = sources.observations("demo", LIAONING, catalog=catalog, regions=regions)
    return pd.concat([obs, other], ignore_index=True)


def test_whole_country_on_two_provinces(two_provinces, regions, catalog, jilin, fe):
    out = final_evaluation(two_provinces, regions, catalog, jilin, COUNTRY)
    assert (out.level, out.sublevel, out.region_code, out.region_name) == (
        "country",
        "province",
        COUNTRY,
        "全国",
    )
    assert out.year == expected_year(two_provinces, jilin)
    assert out.summary["region_code"].iloc[0] == COUNTRY
    assert set(regions.provinces()["code"]) <= set(out.summary["region_code"])  # every province, data or not
    rows = out.indicators.set_index(["region_code", "indicator_id"])
    raw = Raw(two_provinces, catalog, jilin)
    both = list(regions.counties(JILIN)["code"]) + list(regions.counties(LIAONING)["code"])
    for ind in catalog.indicators:
        country = rows.loc[(COUNTRY, ind.id)]
        assert _close(country["final_value"], raw.value(ind, both, out.year)), ind.id
        assert country["status"] == raw.status(ind, both, out.year)
        assert (
            country["n_counties"]
            == rows.loc[(JILIN, ind.id), "n_counties"] + rows.loc[(LIAONING, ind.id), "n_counties"]
        )
        assert (country["n_counties_met"], country["n_counties"]) == raw.counties_met(ind, both, out.year)
        assert rows.loc[("110000", ind.id), "status"] == "no_data"  # 北京: not in the frame
    if out.year == fe.year:  # Jilin's row is the same one the province's own evaluation gives
        jilin_rows = out.indicators[out.indicators["region_code"] == JILIN].reset_index(drop=True)
        own = fe.indicators[fe.indicators["is_region"]].reset_index(drop=True)
        cols = ["final_value", "status", "baseline_value", "n_counties_met", "n_counties", "progress_status"]
        pd.testing.assert_frame_equal(jilin_rows[cols], own[cols])
    assert out.paragraph(COUNTRY).startswith(f"全国：{out.year}年")
    en = final_evaluation(two_provinces, regions, catalog, jilin, COUNTRY, lang="en")
    assert en.region_name == "China" and en.paragraph(COUNTRY).startswith(f"China: in {out.year},")


@pytest.mark.national
def test_whole_country_demo(catalog, regions, national):
    obs = sources.observations("demo", None, catalog=catalog, regions=regions)
    out = final_evaluation(obs, regions, catalog, national, COUNTRY)
    assert out.year == expected_year(obs, national)
    rows = out.indicators
    country = rows[rows["region_code"] == COUNTRY].set_index("indicator_id")
    provinces = rows[~rows["is_region"]].groupby("indicator_id")[["n_counties", "n_counties_met"]].sum()
    pd.testing.assert_frame_equal(
        country[["n_counties", "n_counties_met"]].sort_index(), provinces.sort_index(), check_names=False
    )
    s = out.summary
    assert (s["n_met"] + s["n_not_met"] + s["n_no_data"] == len(catalog)).all()
    assert out.paragraphs["paragraph"].str.len().gt(0).all()


# --- the command ----------------------------------------------------------------------------------------------
def _args(**changes) -> argparse.Namespace:
    base = {
        "data": None,
        "db": None,
        "region": JILIN,
        "year": None,
        "targets": "jilin-2022-2025",
        "format": "table",
        "lang": "zh",
    }
    return argparse.Namespace(**{**base, **changes})


def test_csv_columns_are_the_frames_own():
    assert CSV_COLUMNS is INDICATOR_COLUMNS


def test_cli_csv(capsys, fe):
    assert run(_args(format="csv")) == 0
    out = capsys.readouterr().out
    assert not out.startswith("[")  # no demo label inside a CSV
    frame = pd.read_csv(io.StringIO(out), dtype={"region_code": str}, keep_default_na=False)
    assert list(frame.columns) == CSV_COLUMNS
    assert len(frame) == len(fe.indicators)
    assert list(zip(frame["region_code"], frame["indicator_id"], strict=True)) == list(
        zip(fe.indicators["region_code"], fe.indicators["indicator_id"], strict=True)
    )
    assert frame["status"].tolist() == fe.indicators["status"].tolist()
    assert frame["n_counties_met"].tolist() == fe.indicators["n_counties_met"].tolist()
    assert (frame["final_year"] == fe.year).all()


def test_cli_readable_zh_and_en(capsys, fe, fe_en, regions):
    assert run(_args()) == 0
    zh = capsys.readouterr().out
    assert zh.startswith(f"[{t('demo_short', 'zh')}]")
    assert f"终期评估 · 吉林省 · {fe.year}年" in zh
    for p in fe.paragraphs["paragraph"]:
        assert p in zh
    assert zh.index("【吉林省】") < zh.index("【长春市】") < zh.index("【延边朝鲜族自治州】")
    assert "婚前医学检查率：基线" in zh
    assert run(_args(lang="en")) == 0
    en = capsys.readouterr().out
    assert f"Final evaluation · 吉林省 · {fe.year}" in en
    for p in fe_en.paragraphs["paragraph"]:
        assert p in en
    body = en.split("\n", 1)[1]  # the first line is the demo label, always in Chinese
    for name in sorted(regions.names([JILIN, *regions.prefectures(JILIN)["code"]]), key=len, reverse=True):
        body = body.replace(name, "")
    assert not CJK.search(body), CJK.findall(body)[:10]


def test_cli_year_fallback_from_a_file(tmp_path, capsys, obs, jilin):
    before = obs[obs["year"] < jilin.target_year]
    path = tmp_path / "before.csv"
    before[["region_code", "year", "indicator_id", "numerator", "denominator", "value"]].to_csv(
        path, index=False
    )
    assert run(_args(data=str(path))) == 0
    out = capsys.readouterr().out
    newest = int(before["year"].max())
    assert t("final.year_note", "zh", target_year=jilin.target_year, year=newest) in out
    assert f"{newest}年" in out


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"region": "220581"}, "220581"),  # a county
        ({"year": 2019}, "2019"),  # a year without data
    ],
)
def test_cli_refusals(capsys, changes, words):
    with pytest.raises(AtlasError) as refused:
        run(_args(**changes))
    for lang in ("zh", "en"):
        message = refused.value.message(lang)
        assert words in message
        assert not message.startswith(("final.", "cli.", "error."))  # words, not a missing key


def test_cli_through_main(capsys):
    """Through `python -m analytics final` (analytics/__main__.py registers cli_final): exit 1 with words on
    stderr and no traceback on bad input, the CSV header on good."""
    from analytics import __main__ as cli

    for argv in (["--region", "999999"], ["--region", "220581"], ["--region", JILIN, "--year", "2019"]):
        assert cli.main(["final", *argv]) == 1, argv
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err and captured.err.strip(), argv
    assert cli.main(["final", "--region", "999999", "--lang", "en"]) == 1
    assert "999999" in capsys.readouterr().err
    assert cli.main(["final", "--region", JILIN, "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith(",".join(CSV_COLUMNS) + "\n")
    assert cli.main(["final", "--region", "220100"]) == 0
    assert "【长春市】" in capsys.readouterr().out
