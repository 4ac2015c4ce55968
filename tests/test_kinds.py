"""The table of indicator kinds: every kind's rules declared once, used everywhere, and nothing else branches
on a kind's name."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.i18n import LANGS, t
from analytics.kinds import KIND_IDS, KINDS, baselines, fill_census_denominators

ROOT = Path(__file__).resolve().parents[1]


def test_every_catalog_kind_is_in_the_table_with_its_words(catalog):
    assert {i.kind for i in catalog.indicators} == set(KIND_IDS)
    for kind in KINDS.values():
        for lang in LANGS:
            assert t(kind.label_key, lang) != kind.label_key
            assert t(kind.rule_key, lang, unit="u", scale="s", base="b") != kind.rule_key
            assert t(kind.shortfall_key, lang, n=3, unit="u") != kind.shortfall_key


# kind, numerator, denominator, value -> room (units a county can still take)
ROOM = [
    ("rate", 70, 100, np.nan, 30),
    ("rate", 100, 100, np.nan, 0),
    ("rate", np.nan, 100, np.nan, 0),  # nothing reported: nothing to add to
    ("county_status", np.nan, np.nan, 0, 1),
    ("county_status", np.nan, np.nan, 1, 0),
    ("reduction_vs_baseline", 4, np.nan, np.nan, 4),  # cannot avoid more accidents than happened
    ("per_population", 12, 50_000, np.nan, np.inf),
    ("per_population", 12, np.nan, np.nan, 0),
]


@pytest.mark.parametrize(("kind", "num", "den", "value", "room"), ROOM)
def test_room_for_one_more_unit(kind, num, den, value, room):
    got = KINDS[kind].room_for(pd.Series([num], dtype="float64"), [den], [value])
    assert got.iloc[0] == room


def test_unit_sign_and_shifts():
    assert KINDS["reduction_vs_baseline"].unit_sign == -1 and KINDS["rate"].unit_sign == 1
    assert not KINDS["county_status"].shifts and KINDS["rate"].shifts
    assert KINDS["reduction_vs_baseline"].shortfall_key == "shortfall_fewer"
    assert KINDS["county_status"].template_roles == ("value",)
    assert KINDS["reduction_vs_baseline"].bare_column_role == "numerator"


def test_census_fill_only_where_the_kind_says(catalog):
    obs = pd.DataFrame(
        {
            "region_code": ["220102", "220102", "220102"],
            "year": [2024] * 3,
            "indicator_id": ["rehab_physicians", "premarital_exam", "rehab_physicians"],
            "numerator": [10.0, 5.0, np.nan],
            "denominator": [np.nan, np.nan, np.nan],
            "value": [np.nan] * 3,
        }
    )
    out = fill_census_denominators(obs, catalog, pd.Series({"220102": 436_000}))
    assert out["denominator"].tolist()[0] == 436_000
    assert np.isnan(out["denominator"].tolist()[1])  # a rate keeps its missing denominator
    assert np.isnan(out["denominator"].tolist()[2])  # no count: nothing to divide
    assert np.isnan(obs["denominator"]).all()  # the input is not changed


def test_baselines_come_from_the_baseline_year_row(catalog, jilin):
    obs = pd.DataFrame(
        {
            "region_code": ["220102", "220102", "220103", "220103", "220102"],
            "year": [2020, 2024, 2024, 2020, 2024],
            "indicator_id": ["work_safety_accidents"] * 4 + ["premarital_exam"],
            "numerator": [8.0, 6.0, 3.0, 0.0, 5.0],
            "denominator": [np.nan] * 4 + [10.0],
            "value": [np.nan] * 5,
        }
    )
    got = baselines(obs, catalog, jilin)
    assert got[:4].tolist() == [8.0, 8.0, 0.0, 0.0]
    assert np.isnan(got[4])  # a rate needs no baseline


BRANCH = re.compile(
    r"""(\bkind\s*(==|!=|\bin\b)|KINDS\.index|\.kind\s*(==|!=|\bin\b)|["'](rate|per_population|county_status|reduction_vs_baseline)["']\s*(==|!=))"""
)


def test_no_module_but_the_kinds_table_branches_on_a_kind_name():
    found = []
    for folder in ("analytics", "pages", "ui"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == "kinds.py":
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if BRANCH.search(line) and "not in KINDS" not in line:
                    found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


# --- a shown value reads as its status (issue 12.4) --------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "threshold", "strict", "met", "shown"),
    [
        (389 / 486 * 100, 80, True, True, "80.04%"),  # 柳河县: met against "> 80 %", not "80.0 %"
        (97.97, 98, False, False, "97.97%"),  # 铁东区: not met against "≥ 98 %", not "98.0 %"
        (79.96, 80, False, False, "79.96%"),
        (80.0, 80, True, False, "80.0%"),  # equal to the target and not above it: equal it reads
        (80.0, 80, False, True, "80.0%"),
        (85.04, 80, True, True, "85.0%"),  # far from the target: the indicator's own decimals
        (80.000001, 80, True, True, "80.00000%"),  # at most MORE_DECIMALS (4) more
    ],
)
def test_a_value_gets_the_decimals_its_status_needs(value, threshold, strict, met, shown):
    assert KINDS["rate"].format_value(value, 1, "%", against=(threshold, strict, met)) == shown


def test_a_county_status_reads_met_or_not_met():
    assert KINDS["county_status"].format_value(1.0, 1, "%", level="county") == "达标（1）"
    assert KINDS["county_status"].format_value(0.0, 1, "%", level="county", lang="en") == "not met (0)"
    assert KINDS["county_status"].format_value(50.0, 1, "%") == "50.0%"  # a share of counties above a county


def test_the_indicator_table_shows_the_decimals(catalog, jilin):
    """Through insights.indicator_table: the value text of a county just above the target."""
    from analytics.attainment import evaluate
    from analytics.insights import indicator_table
    from analytics.regions import load_regions

    rows = pd.DataFrame(
        {
            "region_code": ["220581"],
            "year": [2024],
            "indicator_id": ["preconception_checkup"],
            "kind": ["rate"],
            "numerator": [389.0],
            "denominator": [486.0],
            "baseline": [np.nan],
            "value": [np.nan],
        }
    )
    ev = evaluate(rows, catalog, jilin)
    table = indicator_table(ev, None, catalog, jilin, catalog["preconception_checkup"], load_regions(), "zh")
    assert table["status"].iloc[0] == "met" and table["value_text"].iloc[0] == "80.04%"
