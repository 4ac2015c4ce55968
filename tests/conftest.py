"""Shared fixtures: the real catalog and target profiles, and a tiny made-up province for roll-up tests."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from streamlit import config as streamlit_config

from analytics.catalog import load_catalog, load_profile
from analytics.figures import check_specs
from analytics.regions import RegionTable
from ui.guard import RAISE_ENV

check_specs()  # every chart the tests build (and their app servers draw) meets the schema
os.environ[RAISE_ENV] = "1"  # a page's error fails the test loudly (users see one sentence: ui/guard.py)
streamlit_config.set_option("client.showErrorDetails", "full")  # tests read the error (users: none)


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture(scope="session")
def jilin():
    return load_profile("jilin-2022-2025")


@pytest.fixture(scope="session")
def national():
    return load_profile("national-2021-2025")


@pytest.fixture(scope="session")
def tiny_regions() -> RegionTable:
    """Province 990000 with prefectures 990100 (counties 990101, 990102) and 990200 (county 990201)."""
    rows = [
        ("990000", "测试省", "province", "", "990000", 3_000_000),
        ("990100", "甲市", "prefecture", "990000", "990000", 2_000_000),
        ("990101", "东区", "county", "990100", "990000", 1_000_000),
        ("990102", "西县", "county", "990100", "990000", 1_000_000),
        ("990200", "乙市", "prefecture", "990000", "990000", 1_000_000),
        ("990201", "南县", "county", "990200", "990000", 1_000_000),
    ]
    frame = pd.DataFrame(
        rows, columns=["code", "name", "level", "parent_code", "province_code", "population"]
    )
    frame["population"] = frame["population"].astype("Int64")
    return RegionTable(frame)


@pytest.fixture(scope="session", autouse=True)
def _isolated_store(tmp_path_factory):
    """Tests (and the app servers they start) never touch the user's ~/.prevention_atlas files."""
    import os

    home = tmp_path_factory.mktemp("atlas-home")
    saved = {k: os.environ.get(k) for k in ("PREVENTION_ATLAS_DB", "PREVENTION_ATLAS_SCENARIOS")}
    os.environ["PREVENTION_ATLAS_DB"] = str(home / "atlas.sqlite")
    os.environ["PREVENTION_ATLAS_SCENARIOS"] = str(home / "scenarios.json")
    saved["LANG"] = os.environ.get("LANG")
    os.environ["LANG"] = "C.UTF-8"  # the CLI follows an en_* locale; the tests expect its default, Chinese
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def browser():
    """One headless Debian chromium per browser test module (tests/browser_helpers.py launches it)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from browser_helpers import launch

    with sync_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
