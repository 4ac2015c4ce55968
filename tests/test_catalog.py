"""The catalog holds all 25 indicators of the plan, complete, and both target profiles cover them."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from analytics.catalog import KINDS, CatalogError, load_profile

DESIGN_IDS = [
    "knowledge_awareness", "premarital_exam", "preconception_checkup", "maternal_management",
    "prenatal_screening", "newborn_metabolic_screening", "newborn_hearing_screening",
    "child_under3_management", "hypertension_management", "diabetes_management", "cataract_surgery_rate",
    "community_counseling_rooms", "severe_mental_disorder_management", "child_immunization",
    "endemic_disease_control", "occupational_health_exam", "work_safety_accidents", "night_noise_compliance",
    "rehab_physicians", "disabled_elderly_health_service", "mental_rehab_counties",
    "mental_rehab_home_patients", "disability_rehab_coverage", "assistive_device_fitting",
    "barrier_free_buildings",
]  # fmt: skip
PLAN = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "reference"
    / "jilin-disability-prevention-plan-2022-2025.txt"
)


def test_25_indicators_in_plan_order(catalog):
    assert catalog.ids == DESIGN_IDS
    assert [i.order for i in catalog.indicators] == list(range(1, 26))


def test_every_field_is_present(catalog):
    for ind in catalog.indicators:
        assert ind.kind in KINDS
        assert ind.name_zh and ind.name_en and ind.short_zh and ind.short_en and ind.unit
        assert ind.numerator_zh and ind.numerator_unit_zh and ind.numerator_unit_en
        assert ind.direction == "higher_is_better"
        assert ind.lead_departments_zh or ind.lead_departments_note
        if ind.kind != "county_status":
            assert ind.formula_zh, ind.id
        if ind.kind in ("rate", "per_population"):
            assert ind.denominator_zh, ind.id


def test_kinds_and_scales(catalog):
    assert {i.id for i in catalog.indicators if i.kind == "county_status"} == {
        "endemic_disease_control",
        "mental_rehab_counties",
    }
    assert catalog["cataract_surgery_rate"].scale == 1_000_000
    assert catalog["rehab_physicians"].scale == 100_000
    assert catalog["work_safety_accidents"].kind == "reduction_vs_baseline"
    assert sum(i.kind == "rate" for i in catalog.indicators) == 20


def test_five_actions_each_with_indicators(catalog):
    assert [d.id for d in catalog.domains] == [
        "awareness",
        "birth_defects",
        "disease",
        "injury",
        "rehabilitation",
    ]
    assert [len(catalog.in_domain(d.id)) for d in catalog.domains] == [1, 7, 8, 2, 7]


@pytest.mark.skipif(not PLAN.is_file(), reason="shared/reference not beside the checkout")
def test_names_and_formulas_are_the_plans_words(catalog):
    text = PLAN.read_text(encoding="utf-8")
    for ind in catalog.indicators:
        assert ind.name_zh in text, ind.id
        if ind.formula_zh:
            assert ind.formula_zh in text, ind.id


@pytest.mark.parametrize("profile_id", ["jilin-2022-2025", "national-2021-2025"])
def test_profiles_cover_all_indicators(catalog, profile_id):
    profile = load_profile(profile_id)
    assert list(profile.targets) == catalog.ids
    assert profile.target_year == 2025 and profile.baseline_year == 2020
    for t in profile.targets.values():
        assert t.comparator in (">", ">=")
        assert t.threshold > 0
        assert t.certain or t.note, f"{profile_id} {t.indicator_id}: an uncertain target must say why"


def test_jilin_targets_follow_the_plans_wording(jilin):
    assert (jilin["premarital_exam"].comparator, jilin["premarital_exam"].threshold) == (">", 70)
    assert (
        jilin["newborn_metabolic_screening"].comparator,
        jilin["newborn_metabolic_screening"].threshold,
    ) == (">=", 98)
    assert jilin["rehab_physicians"].aspirational and jilin["rehab_physicians"].comparator == ">="
    assert jilin["night_noise_compliance"].comparator == ">="  # 达到85%
    assert jilin["barrier_free_buildings"].threshold == Fraction(100)
    assert jilin["work_safety_accidents"].baseline_year == 2020
    assert jilin["severe_mental_disorder_management"].threshold == 83
    assert all(t.certain for t in jilin.targets.values())


def test_national_profile_flags_what_is_uncertain(national):
    uncertain = [t.indicator_id for t in national.targets.values() if not t.certain]
    assert "maternal_management" in uncertain


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(CatalogError, match="未知的目标方案"):
        load_profile("nope")


@pytest.mark.parametrize("profile_id", ["jilin-2022-2025", "national-2021-2025"])
def test_profiles_have_short_names_that_fit_a_column_heading(profile_id):
    """The sidebar (240 px on a projector) and the catalog's column headings show the short name."""
    profile = load_profile(profile_id)
    for lang in ("zh", "en"):
        assert 0 < len(profile.short(lang)) <= 18 < len(profile.name(lang)), (lang, profile.short(lang))
        assert str(profile.target_year) in profile.short(lang)
