"""Target profiles made in the app (analytics/profiles.py, the store's profiles table, `python -m analytics profile`):
a profile made by copy + edit round-trips through TOML, passes or fails each check at its exact boundary, scores
known answers, is saved in the store in versions, and is what `--targets` names (an id, a stored id, a file)."""

from __future__ import annotations

import argparse
import hashlib
import io
import re
import sqlite3
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import cli_profiles
from analytics.attainment import attainment
from analytics.catalog import (
    COMPARATORS,
    CatalogError,
    Target,
    TargetProfile,
    list_profiles,
    load_catalog,
    load_profile,
)
from analytics.errors import AtlasError
from analytics.i18n import t
from analytics.profiles import (
    MAX_FILE_BYTES,
    ProfileError,
    all_profile_ids,
    as_threshold,
    check_profile,
    checked,
    copy_profile,
    edit_target,
    profile_from_toml,
    profile_to_toml,
    resolve_profile,
    target_text_zh,
    threshold_toml,
)
from analytics.store import PASSPHRASE_ENV, SCHEMA_VERSION, Store, StoreError

BUILT_IN = ["jilin-2022-2025", "national-2021-2025"]
ASCII_WORD = re.compile(r"[A-Za-z]{3,}")  # what tests/test_i18n_pages.py flags in the Chinese UI
USER_PASSPHRASE_ENV = "PREVENTION_ATLAS_PASSPHRASE"  # what the CLI hands the store (as `import` does)


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch):
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    monkeypatch.delenv(USER_PASSPHRASE_ENV, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "atlas.sqlite")


def made(base: TargetProfile, new_id: str = "county-push-2025", **edits) -> TargetProfile:
    """A copy of `base` with targets edited: edits = {indicator_id: (comparator, threshold)}."""
    profile = copy_profile(base, new_id, "县域推进方案", "County push profile")
    for ind_id, (comparator, threshold) in edits.items():
        profile = edit_target(profile, ind_id, comparator=comparator, threshold=threshold)
    return profile


def codes(problems) -> list[str]:
    return [p.code for p in problems]


def fingerprint(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        parts = [
            con.execute("PRAGMA user_version").fetchall(),
            con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall(),
            con.execute("SELECT * FROM profiles ORDER BY profile_id, version").fetchall(),
            con.execute("SELECT * FROM versions ORDER BY version_id").fetchall(),
        ]
    finally:
        con.close()
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# --- TOML round trip ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("profile_id", BUILT_IN)
def test_shipped_profiles_round_trip(profile_id):
    profile = load_profile(profile_id)
    text = profile_to_toml(profile)
    assert profile_from_toml(text) == profile
    assert profile_to_toml(profile_from_toml(text)) == text  # writing is stable
    assert check_profile(profile) == []


def test_an_edited_copy_round_trips_with_fractional_thresholds(jilin):
    profile = made(
        jilin,
        premarital_exam=(">=", Fraction(200, 3)),  # 66.666…: no finite decimal
        knowledge_awareness=(">", "82.5"),
        cataract_surgery_rate=(">=", Fraction(1, 1024) + 3000),
        work_safety_accidents=(">", 12),
    )
    text = profile_to_toml(profile)
    assert 'threshold = "200/3"' in text
    assert "threshold = 82.5" in text
    assert "threshold = 3000.0009765625" in text
    back = profile_from_toml(text)
    assert back == profile
    assert back["premarital_exam"].threshold == Fraction(200, 3)
    assert back["cataract_surgery_rate"].threshold == Fraction(3072001, 1024)


@pytest.mark.parametrize(
    ("threshold", "written"),
    [
        (Fraction(80), "80"),
        (Fraction(0), "0"),
        (Fraction(165, 2), "82.5"),
        (Fraction(-1, 2), "-0.5"),
        (Fraction(1, 3), '"1/3"'),
        (Fraction(-7, 3), '"-7/3"'),
        (Fraction(1, 1024), "0.0009765625"),
        (Fraction(1, 10**30), "0." + "0" * 29 + "1"),  # exact, where a float would not be
        (Fraction(1, 2**40), '"1/1099511627776"'),  # 40 decimals: shorter as a fraction
    ],
)
def test_threshold_written_exactly(threshold, written):
    assert threshold_toml(threshold) == written
    assert profile_from_dict_threshold(written) == threshold


def profile_from_dict_threshold(written: str) -> Fraction:
    import tomllib

    raw = tomllib.loads(f"x = {written}", parse_float=Decimal)["x"]
    return as_threshold(raw)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (80, Fraction(80)),
        ("82.5", Fraction(165, 2)),
        (82.5, Fraction(165, 2)),
        (0.1, Fraction(1, 10)),  # the decimal a person typed, not the binary float
        ("1/3", Fraction(1, 3)),
        (" 2 / 4 ", Fraction(1, 2)),
        (Decimal("1.5E+3"), Fraction(1500)),
        (Fraction(7, 9), Fraction(7, 9)),
    ],
)
def test_thresholds_accepted(value, expected):
    assert as_threshold(value) == expected


@pytest.mark.parametrize(
    "value",
    [True, None, float("nan"), float("inf"), "abc", "1/0", "", Decimal("NaN"), "1e999999999", [80]],
)
def test_thresholds_refused(value):
    with pytest.raises(ValueError):
        as_threshold(value)


NOTES = st.text(max_size=30)  # any text, control characters and quotes included


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(load_catalog().ids),
            st.sampled_from(COMPARATORS),
            st.fractions(min_value=0, max_value=100, max_denominator=10**6),
            st.booleans(),
            NOTES,
            st.sampled_from([2020, 2018]),  # a target's own baseline year is written only where it differs
        ),
        max_size=6,
    ),
    name=st.text(min_size=1, max_size=20),
)
def test_property_toml_round_trip_is_identity(edits, name):
    profile = copy_profile(load_profile("jilin-2022-2025"), "random-profile", name, name + " en")
    targets = dict(profile.targets)
    for ind_id, comparator, threshold, aspirational, note, baseline_year in edits:
        targets[ind_id] = Target(
            ind_id,
            comparator,
            threshold,
            aspirational,
            f"≥{note}",
            certain=aspirational,
            note=note,
            note_zh=note,
            baseline_year=baseline_year,
        )
    profile = TargetProfile(**{**profile.__dict__, "targets": targets})
    assert profile_from_toml(profile_to_toml(profile)) == profile


# --- reading files: what cannot be a profile at all ---------------------------------------------------------
MINIMAL = """schema_version = 1
id = "x-profile"
name_zh = "甲"
name_en = "A"
target_year = 2025
baseline_year = 2020
"""


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("id = [", "profile_toml_syntax"),
        (MINIMAL.replace('name_zh = "甲"\n', ""), "catalog_missing_field"),
        (MINIMAL.replace('name_zh = "甲"', "name_zh = 3"), "catalog_not_text"),
        (MINIMAL.replace("target_year = 2025", 'target_year = "2025"'), "catalog_not_whole"),
        (MINIMAL.replace("schema_version = 1", "schema_version = 2"), "profile_schema_version"),
        (MINIMAL + "targets = 3\n", "catalog_not_table"),
        (MINIMAL + '[targets.premarital_exam]\ncomparator = ">"\nthreshold = "lots"\n', "catalog_not_number"),
        (MINIMAL + '[targets.premarital_exam]\ncomparator = ">"\nthreshold = nan\n', "catalog_not_number"),
        (MINIMAL + '[targets.premarital_exam]\ncomparator = ">"\n', "catalog_missing_field"),
        (
            MINIMAL + '[targets.premarital_exam]\ncomparator = ">"\nthreshold = 70\naspirational = "no"\n',
            "catalog_not_flag",
        ),
    ],
)
def test_files_that_are_no_profile_are_refused_with_words(text, code):
    with pytest.raises(CatalogError) as refused:
        profile_from_toml(text, "upload.toml")
    assert refused.value.code == code
    for lang in ("zh", "en"):
        message = refused.value.message(lang)
        assert "upload.toml" in message and not message.startswith("error.")


def test_syntax_error_names_the_line():
    with pytest.raises(CatalogError) as refused:
        profile_from_toml(MINIMAL + "oops\n", "upload.toml")
    assert refused.value.fields["line"] == "7"
    assert "第 7 行" in refused.value.message("zh")


def test_a_bom_and_shuffled_targets_are_fine(jilin, catalog):
    text = profile_to_toml(jilin)
    head, *tables = text.split("\n\n[")
    shuffled = "\ufeff" + "\n\n[".join([head, *reversed(tables)])
    back = profile_from_toml(shuffled)
    assert back == jilin and list(back.targets) == catalog.ids  # the plan's order again


def test_load_profile_keeps_its_refusals(tmp_path):
    base = MINIMAL.replace('id = "x-profile"', 'id = "old"')
    (tmp_path / "unknown.toml").write_text(
        base + '[targets.nope]\ncomparator = ">"\nthreshold = 1\n', encoding="utf-8"
    )
    (tmp_path / "less.toml").write_text(
        base + '[targets.premarital_exam]\ncomparator = "<"\nthreshold = 1\n', encoding="utf-8"
    )
    with pytest.raises(CatalogError) as unknown:
        load_profile("unknown", tmp_path)
    assert unknown.value.code == "catalog_unknown_indicator"
    with pytest.raises(CatalogError) as less:
        load_profile("less", tmp_path)
    assert less.value.code == "catalog_comparator"
    assert load_profile("jilin-2022-2025") is load_profile("jilin-2022-2025")  # still cached


# --- the checks, one rule at a time, at its boundary ---------------------------------------------------------
@pytest.mark.parametrize(
    ("indicator", "comparator", "threshold", "expected"),
    [
        # a rate: 0 … 100 %, and "> 100" is a target nobody can meet
        ("premarital_exam", ">=", 100, []),
        ("premarital_exam", ">", 100, ["threshold_unreachable"]),
        ("premarital_exam", ">", "99.9999", []),
        ("premarital_exam", ">=", "100.0001", ["threshold_above"]),
        ("premarital_exam", ">", "100.0001", ["threshold_above"]),
        ("premarital_exam", ">=", 0, []),
        ("premarital_exam", ">=", "-0.0001", ["threshold_below"]),
        ("premarital_exam", ">=", -5, ["threshold_below"]),
        # direction: every indicator is higher-is-better
        ("premarital_exam", "<", 50, ["comparator_direction"]),
        ("premarital_exam", "<=", 50, ["comparator_direction"]),
        ("premarital_exam", "≤", 50, ["comparator_direction"]),
        ("premarital_exam", "=", 50, ["comparator_unknown"]),
        ("premarital_exam", "<", 101, ["comparator_direction", "threshold_above"]),  # every problem at once
        # per population: no ceiling
        ("cataract_surgery_rate", ">", 1_000_000, []),
        ("cataract_surgery_rate", ">=", 0, []),
        ("cataract_surgery_rate", ">=", -1, ["threshold_below"]),
        ("rehab_physicians", ">=", Fraction(1, 3), []),
        # a share of counties (county status, in %)
        ("endemic_disease_control", ">", 95, []),
        ("endemic_disease_control", ">=", 100, []),
        ("endemic_disease_control", ">", 100, ["threshold_unreachable"]),
        ("endemic_disease_control", ">=", 101, ["threshold_above"]),
        # a reduction vs the baseline: at most 100 % (no accident left); a rise is a negative reduction
        ("work_safety_accidents", ">=", 100, []),
        ("work_safety_accidents", ">", 100, ["threshold_unreachable"]),
        ("work_safety_accidents", ">=", "100.5", ["threshold_above"]),
        ("work_safety_accidents", ">=", -20, []),
    ],
)
def test_target_checks(jilin, indicator, comparator, threshold, expected):
    profile = made(jilin, **{indicator: (comparator, threshold)})
    problems = check_profile(profile)
    assert codes(problems) == expected
    assert all(p.indicator_id == indicator for p in problems)


def test_a_missing_an_unknown_and_a_misfiled_target(jilin):
    profile = copy_profile(jilin, "holes-2025", "缺项", "Holes")
    targets = dict(profile.targets)
    del targets["rehab_physicians"]
    targets["made_up_indicator"] = Target("made_up_indicator", ">", Fraction(1), False, "")
    targets["premarital_exam"] = Target("prenatal_screening", ">", Fraction(70), False, "")
    problems = check_profile(TargetProfile(**{**profile.__dict__, "targets": targets}))
    assert [(p.code, p.indicator_id) for p in problems] == [
        ("target_id_mismatch", "premarital_exam"),
        ("missing_indicator", "rehab_physicians"),
        ("unknown_indicator", "made_up_indicator"),
    ]


@pytest.mark.parametrize(
    ("baseline", "target", "expected"),
    [
        (2020, 2025, []),
        (2020, 2021, []),
        (2020, 2035, []),  # 15 years: the longest plan allowed
        (2020, 2036, ["target_year_far"]),
        (2020, 2020, ["target_year_order"]),
        (2020, 2019, ["target_year_order"]),
        (2000, 2001, []),
        (1999, 2005, ["baseline_year_range"]),
        (2099, 2100, []),
        (2095, 2101, ["target_year_range"]),
    ],
)
def test_year_checks(jilin, baseline, target, expected):
    profile = copy_profile(jilin, "years-check", "年份", "Years", baseline_year=baseline, target_year=target)
    targets = {k: Target(**{**v.__dict__, "baseline_year": baseline}) for k, v in profile.targets.items()}
    profile = TargetProfile(**{**profile.__dict__, "targets": targets})
    assert codes(check_profile(profile)) == expected


def test_a_targets_own_baseline_year_must_come_before_the_target_year(jilin):
    profile = copy_profile(jilin, "own-base", "基准", "Base")
    late = Target(**{**profile["work_safety_accidents"].__dict__, "baseline_year": 2025})
    profile = TargetProfile(
        **{**profile.__dict__, "targets": {**profile.targets, "work_safety_accidents": late}}
    )
    assert [(p.code, p.indicator_id) for p in check_profile(profile)] == [
        ("target_baseline_year", "work_safety_accidents")
    ]


@pytest.mark.parametrize(
    ("profile_id", "ok"),
    [
        ("ab", True),
        ("jilin-2026-2030", True),
        ("0-county", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("a", False),
        ("-ab", False),
        ("Jilin", False),
        ("my profile", False),
        ("吉林", False),
        ("../etc", False),
        ("a_b", False),
    ],
)
def test_id_is_a_safe_slug(jilin, profile_id, ok):
    problems = codes(check_profile(copy_profile(jilin, profile_id, "名", "Name")))
    assert problems == ([] if ok else ["id_not_slug"])


def test_names_are_needed(jilin):
    assert codes(check_profile(copy_profile(jilin, "no-names", " ", ""))) == [
        "name_zh_missing",
        "name_en_missing",
    ]


def test_problems_read_in_both_languages_naming_the_indicator(jilin):
    profile = made(jilin, premarital_exam=("<", 101), cataract_surgery_rate=(">=", -1))
    profile = copy_profile(profile, "Bad Id", "", "x", target_year=2050)
    with pytest.raises(ProfileError) as refused:
        checked(profile, where="upload.toml")
    error = refused.value
    assert isinstance(error, AtlasError) and isinstance(error, CatalogError)
    zh, en = error.message("zh"), error.message("en")
    assert len(zh.splitlines()) == 1 + len(error.problems) == 1 + 6
    assert "婚前医学检查率：比较符“<”表示越低越好" in zh
    assert "白内障复明手术率：目标值 -1 例/百万人口 低于可能的最小值 0 例/百万人口" in zh
    assert "upload.toml" in zh.splitlines()[0]
    assert "Premarital medical examination rate: comparator '<' means lower is better" in en
    assert "-1 per million" in en
    for line in zh.splitlines():
        assert not [w for w in ASCII_WORD.findall(line.replace("upload.toml", "")) if w != "Bad"], line
    assert "{" not in zh + en and "profiles." not in zh + en


# --- copy and edit ------------------------------------------------------------------------------------------
def test_copy_keeps_the_targets_and_clears_the_short_names(jilin):
    copy = copy_profile(jilin, "jilin-copy", "吉林省（复制）", "Jilin (copy)", source="mine")
    assert (copy.id, copy.name_zh, copy.name_en, copy.source) == (
        "jilin-copy",
        "吉林省（复制）",
        "Jilin (copy)",
        "mine",
    )
    assert copy.short("zh") == "吉林省（复制）" and copy.short_en == ""
    assert copy.targets == jilin.targets and copy.targets is not jilin.targets
    assert (copy.target_year, copy.baseline_year) == (jilin.target_year, jilin.baseline_year)


@pytest.mark.parametrize(
    ("indicator", "comparator", "threshold", "aspirational", "text"),
    [
        ("premarital_exam", ">", 80, None, "＞80%"),
        ("newborn_metabolic_screening", ">=", 98, None, "≥98%"),
        ("premarital_exam", ">=", "82.5", None, "≥82.5%"),
        ("premarital_exam", ">", Fraction(1, 3), None, "＞0.3333%"),
        ("barrier_free_buildings", ">=", 100, None, "100%"),
        ("endemic_disease_control", ">", 95, None, "＞95%"),
        ("cataract_surgery_rate", ">", 3500, None, "＞3500例/百万人口"),
        ("rehab_physicians", ">=", 9, True, "力争达到9人/10万人口"),
        ("rehab_physicians", ">=", 9, False, "≥9人/10万人口"),
        ("work_safety_accidents", ">=", 12, None, "比2020年下降12%以上"),
        ("work_safety_accidents", ">", 12, None, "比2020年下降超过12%"),
    ],
)
def test_edit_writes_the_target_in_the_plans_words(
    jilin, indicator, comparator, threshold, aspirational, text
):
    edited = edit_target(
        jilin, indicator, comparator=comparator, threshold=threshold, aspirational=aspirational
    )
    target = edited[indicator]
    assert target.text_zh == text
    assert (target.comparator, target.threshold) == (comparator, as_threshold(threshold))
    assert jilin[indicator].threshold != target.threshold or jilin[indicator] == load_profile()[indicator]


def test_edit_drops_the_old_note_and_leaves_other_targets(national):
    edited = edit_target(national, "maternal_management", threshold=88)
    target = edited["maternal_management"]
    assert (target.note, target.note_zh, target.certain) == ("", "", True)
    assert national["maternal_management"].note  # the original is untouched
    assert {k: v for k, v in edited.targets.items() if k != "maternal_management"} == {
        k: v for k, v in national.targets.items() if k != "maternal_management"
    }
    assert edit_target(national, "maternal_management", threshold=85) is national  # nothing changed


def test_edit_refuses_what_is_no_number_or_no_target(jilin):
    with pytest.raises(ProfileError) as bad:
        edit_target(jilin, "premarital_exam", threshold=float("nan"))
    assert codes(bad.value.problems) == ["threshold_not_number"]
    with pytest.raises(ProfileError) as unknown:
        edit_target(jilin, "no_such_indicator", threshold=1)
    assert codes(unknown.value.problems) == ["missing_indicator"]


def test_shipped_text_matches_the_generated_words_where_the_plan_uses_symbols(jilin, catalog):
    """The generator follows data/targets' conventions (达到 / 以上 wording aside)."""
    same = [
        i
        for i in catalog.ids
        if target_text_zh(catalog[i], jilin[i], jilin.baseline_year) == jilin[i].text_zh
    ]
    assert len(same) >= 20
    assert "barrier_free_buildings" in same and "work_safety_accidents" in same


# --- known answers: a profile made in the app scores like a shipped one --------------------------------------
def obs_frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region_code", "year", "indicator_id", "numerator", "denominator"])


@pytest.mark.parametrize(
    ("comparator", "threshold", "status"),
    [
        (">=", 90, "met"),  # 45 of 50 is exactly 90 %
        (">", 90, "not_met"),
        (">", "89.99", "met"),
        (">=", Fraction(271, 3), "not_met"),  # 90.333… %
        (">=", 100, "not_met"),
    ],
)
def test_a_made_profile_scores_known_answers(
    jilin, catalog, tiny_regions, store, comparator, threshold, status
):
    profile = made(jilin, premarital_exam=(comparator, threshold))
    obs = obs_frame([("990101", 2024, "premarital_exam", 45, 50)])
    via_toml = profile_from_toml(profile_to_toml(profile))
    store.save_profile(profile)
    via_store = store.stored_profile(profile.id)
    for p in (profile, via_toml, via_store):
        out = attainment(obs, tiny_regions, catalog, p, "990000", "county", years=[2024])
        row = out.set_index(["region_code", "indicator_id"]).loc[("990101", "premarital_exam")]
        assert row["status"] == status
        assert row["target"] == pytest.approx(float(as_threshold(threshold)))


def test_the_same_data_scores_differently_under_the_made_profile(jilin, catalog, tiny_regions):
    obs = obs_frame(
        [
            ("990101", 2024, "premarital_exam", 71, 100),  # Jilin: > 70 met
            ("990102", 2024, "premarital_exam", 70, 100),  # exactly 70: not met under ">", met under ">="
            ("990201", 2024, "premarital_exam", 60, 100),
        ]
    )
    mine = made(jilin, premarital_exam=(">=", 70))

    def statuses(profile):
        out = attainment(obs, tiny_regions, catalog, profile, "990000", "county", years=[2024])
        return out[out["indicator_id"] == "premarital_exam"].set_index("region_code")["status"].to_dict()

    assert statuses(jilin) == {"990101": "met", "990102": "not_met", "990201": "not_met"}
    assert statuses(mine) == {"990101": "met", "990102": "met", "990201": "not_met"}


# --- the store ---------------------------------------------------------------------------------------------
def test_save_list_load(store, jilin):
    profile = made(jilin, premarital_exam=(">=", Fraction(1, 3)))
    assert store.save_profile(profile, note="第一版", department="省残联") == 1
    assert store.profile_ids() == ["county-push-2025"]
    assert store.stored_profile("county-push-2025") == profile
    versions = store.profile_versions()
    assert versions.to_dict("records")[0] | {"saved_at": None} == {
        "profile_id": "county-push-2025",
        "version": 1,
        "saved_at": None,
        "department": "省残联",
        "note": "第一版",
        "status": "active",
        "name_zh": "县域推进方案",
        "name_en": "County push profile",
        "usable": True,
    }
    assert all_profile_ids(store) == [*BUILT_IN, "county-push-2025"]
    assert all_profile_ids() == BUILT_IN


def test_a_second_save_is_version_2(store, jilin):
    first = made(jilin, premarital_exam=(">=", 75))
    second = edit_target(first, "premarital_exam", threshold=78)
    revision = store.profiles_revision()
    data_revision = store.revision()
    assert store.save_profile(first) == 1
    assert store.profiles_revision() != revision
    assert store.save_profile(second) == 2
    assert store.stored_profile(first.id) == second
    assert store.stored_profile(first.id)["premarital_exam"].threshold == 78
    assert store.stored_profile(first.id, version=1) == first
    assert list(store.profile_versions(first.id)["version"]) == [2, 1]
    assert store.revision() == data_revision  # the data's token does not move
    with pytest.raises(StoreError) as none:
        store.stored_profile(first.id, version=3)
    assert none.value.code == "no_such_profile_version"


def test_a_withdrawn_profile_disappears(store, jilin):
    a, b = made(jilin, "plan-a"), made(jilin, "plan-b")
    store.save_profile(a)
    store.save_profile(b)
    store.save_profile(a)
    assert store.withdraw_profile("plan-a") == 2
    assert store.profile_ids() == ["plan-b"]
    assert all_profile_ids(store) == [*BUILT_IN, "plan-b"]
    with pytest.raises(StoreError) as gone:
        store.stored_profile("plan-a")
    assert gone.value.code == "no_such_profile" and "plan-b" in gone.value.message("en")
    assert set(store.profile_versions("plan-a")["status"]) == {"withdrawn"}
    assert store.stored_profile("plan-a", version=1) == a  # history is kept
    with pytest.raises(StoreError):
        store.withdraw_profile("plan-a")  # nothing active left
    assert store.save_profile(a) == 3  # saved again: the next version, active
    assert store.profile_ids() == ["plan-a", "plan-b"]


@pytest.mark.parametrize("wrong", [None, "", "guess"])
def test_saving_and_withdrawing_need_the_passphrase(store, jilin, monkeypatch, wrong):
    profile = made(jilin)
    store.save_profile(profile)
    monkeypatch.setenv(PASSPHRASE_ENV, "s3cret-口令")
    before = fingerprint(store.path)
    with pytest.raises(StoreError, match="管理员口令"):
        store.save_profile(profile, passphrase=wrong)
    with pytest.raises(StoreError, match="管理员口令"):
        store.withdraw_profile(profile.id, passphrase=wrong)
    assert fingerprint(store.path) == before
    assert store.save_profile(profile, passphrase="s3cret-口令") == 2
    assert store.withdraw_profile(profile.id, passphrase="s3cret-口令") == 2


def test_passphrase_from_the_app_secret(tmp_path, jilin):
    store = Store(tmp_path / "a.sqlite", passphrase_required="from-secrets")
    with pytest.raises(StoreError):
        store.save_profile(made(jilin))
    assert store.save_profile(made(jilin), passphrase="from-secrets") == 1


def test_a_refused_profile_leaves_the_store_unchanged(store, jilin):
    store.save_profile(made(jilin))
    before = fingerprint(store.path)
    bad = made(jilin, premarital_exam=(">", 100), rehab_physicians=("<", 8))
    with pytest.raises(ProfileError) as refused:
        store.save_profile(bad)
    assert codes(refused.value.problems) == ["threshold_unreachable", "comparator_direction"]
    assert fingerprint(store.path) == before


@pytest.mark.parametrize("profile_id", BUILT_IN)
def test_a_built_in_id_is_refused(store, jilin, profile_id):
    before = fingerprint(store.path)
    with pytest.raises(StoreError) as refused:
        store.save_profile(copy_profile(jilin, profile_id, "冒名", "Impostor"))
    assert refused.value.code == "profile_builtin" and profile_id in refused.value.message("zh")
    assert fingerprint(store.path) == before


def test_bad_stored_toml_does_not_hide_the_others(store, jilin):
    store.save_profile(made(jilin, "good-one"))
    con = sqlite3.connect(store.path)
    con.execute(
        "INSERT INTO profiles (profile_id, version, toml, saved_at) VALUES"
        " ('broken-one', 1, 'id = [', '2025-01-01T00:00:00+00:00'),"
        " ('stale-one', 1, ?, '2025-01-01T00:00:00+00:00')",
        (
            profile_to_toml(made(jilin, "stale-one")).replace(
                "[targets.rehab_physicians]", "[targets.retired]"
            ),
        ),
    )
    con.commit()
    con.close()
    assert store.profile_ids() == ["broken-one", "good-one", "stale-one"]
    assert store.stored_profile("good-one") == made(jilin, "good-one")
    with pytest.raises(CatalogError) as broken:
        store.stored_profile("broken-one")
    assert broken.value.code == "profile_toml_syntax"
    with pytest.raises(ProfileError) as stale:
        store.stored_profile("stale-one")
    assert codes(stale.value.problems) == ["missing_indicator", "unknown_indicator"]
    usable = store.profile_versions().set_index("profile_id")["usable"].to_dict()
    assert usable == {"broken-one": False, "good-one": True, "stale-one": False}


def test_a_schema_2_store_gets_the_profiles_table_and_keeps_its_data(tmp_path, jilin):
    path = tmp_path / "old.sqlite"
    old = Store(path)
    rows = pd.DataFrame(
        [("220102", 2024, "premarital_exam", 700.0, 1000.0, 70.0)],
        columns=["region_code", "year", "indicator_id", "numerator", "denominator", "value"],
    )
    old.import_observations(rows, dataset="卫健委", source_name="a.csv", sha256="0" * 64)
    current = old.current()
    con = sqlite3.connect(path)
    con.execute("DROP TABLE profiles")
    con.execute("PRAGMA user_version = 2")
    con.commit()
    assert con.execute("SELECT name FROM sqlite_master WHERE name = 'profiles'").fetchall() == []
    con.close()

    reopened = Store(path)
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        assert con.execute("SELECT COUNT(*) FROM profiles").fetchone()[0] == 0
    finally:
        con.close()
    pd.testing.assert_frame_equal(reopened.current(), current)
    assert reopened.profile_ids() == []
    assert reopened.save_profile(made(jilin)) == 1


# --- resolve_profile: what --targets names -------------------------------------------------------------------
def test_resolve_a_built_in_id(store):
    assert resolve_profile("jilin-2022-2025") is load_profile("jilin-2022-2025")
    assert resolve_profile("national-2021-2025", store) is load_profile("national-2021-2025")


def test_resolve_a_stored_id(store, jilin):
    profile = made(jilin, premarital_exam=(">=", 72))
    store.save_profile(profile)
    assert resolve_profile("county-push-2025", store) == profile
    with pytest.raises(CatalogError) as no_store:
        resolve_profile("county-push-2025")  # not without its store
    assert no_store.value.code == "unknown_profile"


def test_resolve_a_path(tmp_path, jilin, monkeypatch):
    profile = made(jilin, premarital_exam=(">=", Fraction(1, 3)))
    path = tmp_path / "mine.toml"
    path.write_text(profile_to_toml(profile), encoding="utf-8")
    assert resolve_profile(str(path)) == profile
    monkeypatch.chdir(tmp_path)
    assert resolve_profile("mine.toml") == profile
    no_suffix = tmp_path / "mine-profile"
    no_suffix.write_text(profile_to_toml(profile), encoding="utf-8")
    assert resolve_profile(str(no_suffix)) == profile


def test_resolve_a_file_is_checked(tmp_path, jilin):
    path = tmp_path / "bad.toml"
    path.write_text(profile_to_toml(made(jilin, premarital_exam=(">", 100))), encoding="utf-8")
    with pytest.raises(ProfileError) as refused:
        resolve_profile(str(path))
    assert "bad.toml" in refused.value.message("zh")


def test_resolve_unknown_lists_what_there_is(store, jilin):
    store.save_profile(made(jilin, "saved-here"))
    with pytest.raises(CatalogError) as unknown:
        resolve_profile("nope", store)
    assert unknown.value.code == "unknown_profile"
    assert unknown.value.fields["known"] == "jilin-2022-2025, national-2021-2025, saved-here"
    assert "未知的目标方案 'nope'" in unknown.value.message("zh")
    for spec in ("", "x\0.toml", "a\0b"):
        with pytest.raises(CatalogError):
            resolve_profile(spec)


def test_resolve_a_missing_or_oversized_file(tmp_path):
    with pytest.raises(CatalogError) as missing:
        resolve_profile(str(tmp_path / "missing.toml"))
    assert missing.value.code == "profile_file_missing"
    big = tmp_path / "big.toml"
    big.write_bytes(MINIMAL.encode() + b"#" * MAX_FILE_BYTES)
    with pytest.raises(CatalogError) as too_big:
        resolve_profile(str(big))
    assert too_big.value.code == "profile_file_too_big"
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(MINIMAL.replace("甲", "é").encode("latin-1"))
    with pytest.raises(CatalogError) as not_utf8:
        resolve_profile(str(latin1))
    assert not_utf8.value.code == "profile_file_not_utf8"


# --- the command line --------------------------------------------------------------------------------------
def _parser(lang: str = "zh") -> argparse.ArgumentParser:
    """`python -m analytics` with only the profile commands (analytics/__main__.py registers them the same way)."""
    from analytics.__main__ import _Parser

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=["zh", "en"], default="zh")
    parser = _Parser(prog="python -m analytics", parents=[common])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def h(key: str, **fields) -> str:
        return t(f"cli.help_{key}", lang, **fields)

    h.lang = lang
    cli_profiles.add_parsers(sub, common, h, None)
    return parser


@pytest.fixture
def cli(capsys):
    """Run `profile …` in process like analytics.__main__.main: (exit status, stdout, stderr)."""
    from analytics import __main__ as entry

    def call(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        if "profile" in entry.COMMANDS:  # registered: the real entry point
            try:
                code = entry.main(list(argv))
            except SystemExit as exc:
                code = exc.code
        else:
            try:
                args = _parser().parse_args(list(argv))
                code = cli_profiles.COMMANDS[args.command](args)
            except SystemExit as exc:
                code = exc.code
            except AtlasError as exc:
                print(t("cli.error", args.lang, message=exc.message(args.lang)), file=sys.stderr)
                code = 1
        out = capsys.readouterr()
        assert "Traceback" not in out.out + out.err
        return code, out.out, out.err

    return call


def test_cli_export_to_stdout_and_file(cli, tmp_path, jilin):
    code, out, _ = cli("profile", "export")
    assert code == 0 and profile_from_toml(out) == jilin
    target = tmp_path / "national.toml"
    code, out, _ = cli("profile", "export", "--targets", "national-2021-2025", "--out", str(target))
    assert code == 0 and str(target) in out
    assert profile_from_toml(target.read_text(encoding="utf-8")) == load_profile("national-2021-2025")


def test_cli_check(cli, tmp_path, jilin):
    good = tmp_path / "good.toml"
    good.write_text(profile_to_toml(made(jilin)), encoding="utf-8")
    code, out, _ = cli("profile", "check", str(good))
    assert code == 0 and "可以使用" in out and "25 项指标" in out
    bad = tmp_path / "bad.toml"
    profile = made(jilin, premarital_exam=("<", 70))
    bad.write_text(
        profile_to_toml(profile).replace("[targets.rehab_physicians]", "[targets.gone]"), encoding="utf-8"
    )
    code, out, err = cli("profile", "check", str(bad), "--lang", "en")
    assert code == 1
    assert "3 problem(s)" in out
    assert "Premarital medical examination rate: comparator '<' means lower is better" in out
    assert "Unknown indicator id 'gone'" in out and "no target" in out
    assert "problems and was not used" in err


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"id = [", "第 1 行"),
        (b"\xff\xfe not text", "UTF-8"),
        (MINIMAL.encode() + b'[targets.premarital_exam]\ncomparator = ">"\nthreshold = "x"\n', "threshold"),
    ],
)
def test_cli_check_a_bad_file_exits_1_with_words(cli, tmp_path, content, words):
    path = tmp_path / "upload.toml"
    path.write_bytes(content)
    code, _, err = cli("profile", "check", str(path))
    assert code == 1 and words in err and "upload.toml" in err
    code, _, err = cli("profile", "check", str(tmp_path / "missing.toml"))
    assert code == 1 and "missing.toml" in err


def test_cli_save_list_withdraw(cli, tmp_path, jilin):
    db = tmp_path / "atlas.sqlite"
    path = tmp_path / "mine.toml"
    path.write_text(profile_to_toml(made(jilin)), encoding="utf-8")
    code, out, _ = cli("profile", "save", str(path), "--db", str(db), "--note", "试行")
    assert code == 0 and "第 1 版" in out
    assert cli("profile", "save", str(path), "--db", str(db))[0] == 0
    code, out, _ = cli("profile", "list", "--db", str(db))
    assert code == 0
    assert "jilin-2022-2025  吉林省残疾预防行动计划（2022—2025年）（内置）" in out
    assert "county-push-2025  县域推进方案（数据库，第 2 版" in out
    code, out, _ = cli("profile", "list", "--db", str(db), "--format", "csv")
    table = pd.read_csv(io.StringIO(out))
    assert list(table["profile_id"]) == [*BUILT_IN, "county-push-2025"]
    assert list(table["origin"]) == ["builtin", "builtin", "stored"]
    code, out, _ = cli("profile", "withdraw", "county-push-2025", "--db", str(db))
    assert code == 0
    code, out, _ = cli("profile", "list", "--db", str(db))
    assert "county-push-2025" not in out and "没有保存的目标方案" in out
    code, out, _ = cli("profile", "list")
    assert code == 0 and out.count("（内置）") == 2


def test_cli_save_refusals_leave_the_store_unchanged(cli, tmp_path, jilin, monkeypatch):
    db = tmp_path / "atlas.sqlite"
    Store(db).save_profile(made(jilin, "first-one"))
    before = fingerprint(db)
    builtin = tmp_path / "builtin.toml"
    builtin.write_text(profile_to_toml(jilin), encoding="utf-8")
    code, _, err = cli("profile", "save", str(builtin), "--db", str(db))
    assert code == 1 and "内置目标方案" in err and "数据库保持不变" in err
    bad = tmp_path / "bad.toml"
    bad.write_text(profile_to_toml(made(jilin, premarital_exam=(">", 100))), encoding="utf-8")
    code, _, err = cli("profile", "save", str(bad), "--db", str(db))
    assert code == 1 and "无法达到" in err and "数据库保持不变" in err
    good = tmp_path / "good.toml"
    good.write_text(profile_to_toml(made(jilin)), encoding="utf-8")
    monkeypatch.setenv(PASSPHRASE_ENV, "口令2025")
    code, _, err = cli("profile", "save", str(good), "--db", str(db))
    assert code == 1 and "管理员口令" in err
    assert fingerprint(db) == before
    monkeypatch.setenv(USER_PASSPHRASE_ENV, "口令2025")
    assert cli("profile", "save", str(good), "--db", str(db))[0] == 0
    code, _, err = cli("profile", "list", "--db", str(tmp_path / "missing.sqlite"))
    assert code == 1 and "missing.sqlite" in err


# --- --targets on the other commands ---------------------------------------------------------------------
def _followup_targets(capsys, *argv: str) -> pd.Series:
    from analytics import __main__ as entry

    capsys.readouterr()
    code = entry.main(["followup", *argv, "--format", "csv"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    frame = pd.read_csv(io.StringIO(captured.out), dtype={"region_code": str})
    return frame.drop_duplicates("indicator_id").set_index("indicator_id")["target"]


def test_followup_takes_a_profile_file_and_a_stored_id(capsys, tmp_path, jilin):
    profile = made(jilin, premarital_exam=(">=", 99), maternal_management=(">=", 99))
    path = tmp_path / "strict.toml"
    path.write_text(profile_to_toml(profile), encoding="utf-8")
    targets = _followup_targets(capsys, "--region", "220000", "--year", "2024", "--targets", str(path))
    assert targets["premarital_exam"] == 99 and targets["maternal_management"] == 99

    db = tmp_path / "atlas.sqlite"
    store = Store(db)
    rows = pd.DataFrame(
        [
            ("220102", 2024, "premarital_exam", 700.0, 1000.0, None),
            ("220103", 2024, "premarital_exam", 990.0, 1000.0, None),
        ],
        columns=["region_code", "year", "indicator_id", "numerator", "denominator", "value"],
    )
    store.import_observations(rows, dataset="卫健委", source_name="a.csv", sha256="0" * 64)
    store.save_profile(profile)
    targets = _followup_targets(
        capsys, "--region", "220000", "--year", "2024", "--db", str(db), "--targets", profile.id
    )
    assert targets["premarital_exam"] == 99


def test_other_commands_refuse_a_bad_targets_file_with_exit_1(capsys, tmp_path):
    from analytics import __main__ as entry

    path = tmp_path / "broken.toml"
    path.write_text("id = [", encoding="utf-8")
    for argv in (
        ["followup", "--region", "220000", "--year", "2024"],
        ["disparities", "--region", "220000", "--year", "2024"],
        ["peers", "--county", "220102", "--year", "2024"],
        ["outlook", "--region", "220000", "--indicator", "premarital_exam", "--to", "2025"],
    ):
        capsys.readouterr()
        assert entry.main([*argv, "--targets", str(path)]) == 1
        err = capsys.readouterr().err
        assert "broken.toml" in err and "Traceback" not in err and "内部错误" not in err, argv


def _registered() -> bool:
    from analytics import __main__ as entry

    return "profile" in entry.COMMANDS


@pytest.mark.skipif(not _registered(), reason="analytics/__main__.py does not register cli_profiles yet")
def test_attainment_takes_a_profile_file(capsys, tmp_path, jilin):
    from analytics import __main__ as entry

    path = tmp_path / "strict.toml"
    path.write_text(profile_to_toml(made(jilin, premarital_exam=(">=", 99))), encoding="utf-8")
    argv = ["attainment", "--region", "220000", "--year", "2024", "--level", "province"]
    capsys.readouterr()
    assert entry.main([*argv, "--targets", str(path), "--format", "csv"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert frame.set_index("indicator_id")["target"]["premarital_exam"] == 99


def test_list_profiles_is_unchanged():
    assert list_profiles() == BUILT_IN
