"""Cached loaders of the web app: catalog, regions, profiles, the store, observations and evaluated tables.

Streamlit reruns every script on each click: everything here is cached (resources shared read-only between
reruns and sessions). Observations come from analytics.sources, the one place the CLI uses too.
"""

from __future__ import annotations

import threading

import pandas as pd
import streamlit as st

from analytics import demo, sources
from analytics.attainment import attainment
from analytics.catalog import Catalog, TargetProfile, list_profiles, load_catalog, load_profile
from analytics.errors import AtlasError
from analytics.progress import progress
from analytics.provenance import with_provenance
from analytics.regions import COUNTRY, RegionTable, load_regions
from analytics.store import Store, StoreChange

NATIONAL = COUNTRY  # the whole country as a "province" choice in the sidebar
SOURCES = (sources.DEMO, sources.STORE)


@st.cache_resource
def catalog() -> Catalog:
    return load_catalog()


@st.cache_resource
def regions() -> RegionTable:
    return load_regions()


@st.cache_resource
def profile(profile_key: str) -> TargetProfile:
    """A profile by its cache key (profile_key): a built-in id (data/targets), or "<id>@<revision>" for one saved
    in the store. Never a path: the app reads profiles only from data/targets and the store."""
    profile_id, _, revision = profile_key.partition("@")
    if not revision:
        return load_profile(profile_id)
    return store().stored_profile(profile_id)


def profile_ids() -> list[str]:
    """Every profile the sidebar offers: the built-in ones, then those saved in the store (an unreadable store
    offers none of its own, and the built-in ones still work)."""
    try:
        stored = store().profile_ids()
    except AtlasError:
        stored = []
    builtin = list_profiles()
    return [*builtin, *(p for p in stored if p not in builtin)]


def profile_key(profile_id: str) -> str:
    """The key the cached views of a profile go by: a re-saved profile is a new key, so nothing stale is shown."""
    if profile_id in list_profiles():
        return profile_id
    return f"{profile_id}@{store().profiles_revision()}"


def profiles_changed() -> None:
    """After a profile is saved or withdrawn: the sidebar's list and the views keyed by the old revision go."""
    profile.clear()


def _secret_passphrase() -> str | None:
    """An admin passphrase from Streamlit secrets (`admin_passphrase`), if the deployment set one."""
    try:
        return st.secrets.get("admin_passphrase")
    except Exception:  # no secrets file: local use, writes are open unless the environment sets one
        return None


@st.cache_resource(show_spinner=False)
def reading_worker() -> None:
    """Start the process that reads uploaded files under memory and time limits (5-7 s of imports), in the
    background, once per server, when the data page is first opened: the first upload does not wait for it,
    and the first map after server start does not share the two cores with it."""
    from analytics.intake.sandbox import start_worker

    threading.Thread(target=start_worker, daemon=True, name="intake-worker").start()


@st.cache_resource
def store() -> Store:
    return Store(None, passphrase_required=_secret_passphrase(), client="web")


def data_changed() -> None:
    """After an import or a rollback: drop the cached views of the old data at once (the new revision is a new
    cache key anyway, so this only frees their memory)."""
    observations.clear()
    evaluated.clear()
    county_progress.clear()
    store_change.clear()


@st.cache_resource(show_spinner=False, max_entries=8)
def store_change(action: str, version: int, revision: str) -> StoreChange:
    """The preview of undo / rollback of `version` while the store is at `revision` (seconds on a national
    store: computed once, not on every rerun while the user reads it)."""
    return getattr(store(), f"preview_{action}")(version)


def data_key(source: str) -> str:
    """The cache key of a source's data: "demo", or "store@<revision>" (an import or rollback is a new key)."""
    return f"{sources.STORE}@{store().revision()}" if source == sources.STORE else source


@st.cache_resource(show_spinner=False)
def observations(key: str, scope: str) -> pd.DataFrame:
    """Canonical county rows for a province (or NATIONAL) from the data behind `key` (see data_key)."""
    source = key.split("@", 1)[0]
    if source not in SOURCES:  # the web app reads no file paths: uploads go through the store
        raise ValueError(key)
    return sources.observations(
        source,
        None if scope == NATIONAL else scope,
        catalog=catalog(),
        regions=regions(),
        store=store() if source == sources.STORE else None,
    )


@st.cache_resource(show_spinner=False)
def evaluated(key: str, scope: str, profile_id: str, level: str) -> pd.DataFrame:
    """All years' attainment rows for every unit of `level` in the scope (read-only: shared between reruns)."""
    code = None if scope == NATIONAL else scope
    obs = observations(key, scope)
    out = attainment(obs, regions(), catalog(), profile(profile_id), code, level, years=year_axis(obs))
    # a county row's numbers come from one stored row: carry its version and department (store only)
    return with_provenance(out, obs) if level == "county" else out


def year_axis(obs: pd.DataFrame) -> list[int]:
    """The years to show: those with data, or the demo's years for a region without any rows (all no_data)."""
    return sorted(int(y) for y in obs["year"].unique()) or list(demo.YEARS)


@st.cache_resource(show_spinner=False)
def county_progress(key: str, scope: str, profile_id: str, year: int) -> pd.DataFrame:
    return progress(evaluated(key, scope, profile_id, "county"), catalog(), profile(profile_id), year)


@st.cache_data(show_spinner=False, max_entries=64)
def disparity_frame(
    key: str, scope: str, profile_id: str, region_code: str, year: int, indicator: str
) -> pd.DataFrame:
    """analytics.disparities for one indicator of the sidebar's region (cached per view)."""
    from analytics.disparities import disparities

    code = COUNTRY if region_code == NATIONAL else region_code
    obs = observations(key, scope)
    return disparities(obs, regions(), catalog(), profile(profile_id), code, year, indicator)


@st.cache_data(show_spinner=False, max_entries=16)
def followup_frame(
    key: str, scope: str, profile_id: str, region_code: str, year: int, lang: str
) -> pd.DataFrame:
    """analytics.followup for the sidebar's region and year (cached per view)."""
    from analytics.followup import followup

    code = COUNTRY if region_code == NATIONAL else region_code
    obs = observations(key, scope)
    return followup(obs, regions(), catalog(), profile(profile_id), code, year, lang)


@st.cache_data(show_spinner=False, max_entries=32)
def outlook_frames(
    key: str,
    scope: str,
    profile_id: str,
    region_code: str,
    prefecture: str | None,
    indicator: str,
    to_year: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """analytics.outlook for the region itself and for its counties (cached: a slider move on the target-drafting
    page reads the fits again instead of refitting every county)."""
    from analytics.outlook import outlook

    national = region_code == NATIONAL
    level = "country" if national else ("prefecture" if prefecture else "province")
    own = evaluated(key, scope, profile_id, level)
    own = own[own["region_code"].astype(str) == (COUNTRY if national else region_code)]
    counties = evaluated(key, scope, profile_id, "county")
    if prefecture:
        inside = set(regions().counties(prefecture)["code"].astype(str))
        counties = counties[counties["region_code"].astype(str).isin(inside)]
    cat, prof = catalog(), profile(profile_id)
    return outlook(own, cat, prof, indicator, to_year), outlook(counties, cat, prof, indicator, to_year)


@st.cache_resource(show_spinner=False, max_entries=16)
def final_evaluation(key: str, scope: str, profile_id: str, region_code: str, year: int | None, lang: str):
    """analytics.final_eval for the sidebar's region (cached per view: it evaluates three levels)."""
    from analytics.final_eval import final_evaluation as evaluate

    code = COUNTRY if region_code == NATIONAL else region_code
    return evaluate(observations(key, scope), regions(), catalog(), profile(profile_id), code, year, lang)
