"""The embedded demo dataset: complete, deterministic, plausible, and labelled synthetic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analytics.attainment import attainment
from analytics.regions import load_regions
from analytics.store import DEMO_DIR, DEMO_FILE, load_demo

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo(catalog):
    return load_demo(catalog)


def test_shape(demo, catalog):
    regions = load_regions()
    assert set(demo["region_code"]) == set(regions.counties("220000")["code"])
    assert sorted(demo["year"].unique()) == [2020, 2021, 2022, 2023, 2024]
    assert set(demo["indicator_id"]) == set(catalog.ids)
    per = demo.groupby(["indicator_id", "year"]).size()
    # every county reports every indicator, except home-patient rehab where no community rehab is offered
    assert (per.drop("mental_rehab_home_patients", level=0) == 60).all()
    assert (demo["source"] == "synthetic-demo").all()


def test_counts_are_whole_and_rates_possible(demo, catalog):
    counted = demo[demo["numerator"].notna()]
    assert (counted["numerator"] % 1 == 0).all()
    rates = counted[counted["indicator_id"].map(lambda i: catalog[i].kind) == "rate"]
    assert (rates["numerator"] <= rates["denominator"]).all()
    assert (rates["denominator"] > 0).all()


def test_per_population_denominators_are_census_residents(demo):
    regions = load_regions()
    cat = demo[demo["indicator_id"] == "cataract_surgery_rate"]
    pop = regions.population(cat["region_code"]).to_numpy()
    assert (cat["denominator"].to_numpy() == pop).all()


def test_province_meets_18_to_22_in_2024_and_every_prefecture_lags(demo, catalog, jilin):
    regions = load_regions()
    prov = attainment(demo, regions, catalog, jilin, "220000", "province", years=[2024])
    assert 18 <= (prov["status"] == "met").sum() <= 22
    county = attainment(demo, regions, catalog, jilin, "220000", "county", years=[2024])
    county["prefecture"] = county["region_code"].map(regions.prefecture_of)
    lagging = county[county["status"] == "not_met"].groupby("prefecture")["indicator_id"].nunique()
    assert len(lagging) == 9 and (lagging >= 3).all()


def test_generator_is_deterministic(tmp_path):
    out = tmp_path / "demo.csv"
    proc = subprocess.run(
        [sys.executable, "scripts/make_demo_data.py", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == DEMO_FILE.read_bytes()


def test_readme_says_synthetic():
    text = (DEMO_DIR / "README.md").read_text(encoding="utf-8")
    assert "示例数据（模拟，非真实统计）" in text and "synthetic" in text.lower()
