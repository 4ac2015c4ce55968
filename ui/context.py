"""Shared Streamlit state: cached loaders, the sidebar (region, year, profile, language, source), URL sync.

Pages call `current()` to get the Context the sidebar set; they never load files themselves.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics import demo
from analytics.attainment import attainment
from analytics.catalog import (
    DEFAULT_PROFILE,
    Catalog,
    TargetProfile,
    list_profiles,
    load_catalog,
    load_profile,
)
from analytics.geo import topo_url
from analytics.i18n import DEFAULT_LANG, LANGS, t
from analytics.progress import progress
from analytics.regions import COUNTRY, RegionTable, load_regions
from analytics.store import DEMO_REGION, Store, load_demo

APP_DIR = Path(__file__).resolve().parent.parent
NATIONAL = COUNTRY  # the whole country as a "province" choice in the sidebar
SOURCES = ("demo", "store")
# session key -> URL query parameter
URL_KEYS = {
    "lang": "lang",
    "province": "prov",
    "prefecture": "pref",
    "year": "year",
    "profile": "targets",
    "indicator": "ind",
    "county": "county",
    "map_show": "show",
}


@st.cache_resource
def catalog() -> Catalog:
    return load_catalog()


@st.cache_resource
def regions() -> RegionTable:
    return load_regions()


@st.cache_resource
def profile(profile_id: str) -> TargetProfile:
    return load_profile(profile_id)


def _secret_passphrase() -> str | None:
    """An admin passphrase from Streamlit secrets (`admin_passphrase`), if the deployment set one."""
    try:
        return st.secrets.get("admin_passphrase")
    except Exception:  # no secrets file: local use, writes are open unless the environment sets one
        return None


@st.cache_resource
def store() -> Store:
    return Store(None, passphrase_required=_secret_passphrase())


def data_changed() -> None:
    """After an import or a rollback: drop the cached views of the old data at once (the new revision is a new
    cache key anyway, so this only frees their memory)."""
    observations.clear()
    evaluated.clear()
    county_progress.clear()


@st.cache_resource(show_spinner=False)
def observations(source: str, scope: str) -> pd.DataFrame:
    """Canonical county rows for a province (or NATIONAL). Demo: Jilin's file, other provinces generated;
    store: the merged current view of the imported datasets (latest active version per county/year/indicator)."""
    if source.startswith("store"):  # "store@<revision>": a new import or rollback is a new cache key
        counties = None if scope == NATIONAL else list(regions().counties(scope)["code"])
        return store().current(region_codes=counties)
    if source != "demo":
        raise ValueError(source)
    if scope == DEMO_REGION:
        return load_demo(catalog())
    provinces = regions().provinces()["code"] if scope == NATIONAL else [scope]
    parts = [
        load_demo(catalog()) if p == DEMO_REGION else demo.make(p)
        for p in provinces
        if len(regions().counties(p))
    ]
    return pd.concat(parts, ignore_index=True)


@st.cache_resource(show_spinner=False)
def evaluated(source: str, scope: str, profile_id: str, level: str) -> pd.DataFrame:
    """All years' attainment rows for every unit of `level` in the scope (read-only: shared between reruns)."""
    code = None if scope == NATIONAL else scope
    obs = observations(source, scope)
    return attainment(obs, regions(), catalog(), profile(profile_id), code, level, years=year_axis(obs))


def year_axis(obs: pd.DataFrame) -> list[int]:
    """The years to show: those with data, or the demo's years for a region without any rows (all no_data)."""
    return sorted(int(y) for y in obs["year"].unique()) or list(demo.YEARS)


@st.cache_resource(show_spinner=False)
def county_progress(source: str, scope: str, profile_id: str, year: int) -> pd.DataFrame:
    return progress(evaluated(source, scope, profile_id, "county"), catalog(), profile(profile_id), year)


@dataclass(frozen=True)
class Context:
    lang: str
    source: str
    province: str  # a province adcode or NATIONAL
    prefecture: str | None
    year: int
    profile_id: str
    years: tuple[int, ...]
    data_key: str = "demo"  # the cache key of the data: "demo", or "store@<revision>"

    @property
    def is_demo(self) -> bool:
        return self.source == "demo"

    @property
    def national(self) -> bool:
        return self.province == NATIONAL

    @property
    def region(self) -> str:
        """The unit the committee looks at: the prefecture if one is chosen, else the province (or country)."""
        return self.prefecture or self.province

    @property
    def region_name(self) -> str:
        if self.region == NATIONAL:
            return t("whole_country", self.lang)
        return regions().name(self.region)

    @property
    def profile(self) -> TargetProfile:
        return profile(self.profile_id)

    @property
    def topo_url(self) -> str:
        return topo_url(None if self.national else self.province)

    def level_rows(self, level: str, year: int | None = None) -> pd.DataFrame:
        """Evaluated rows of `level` (county / prefecture / province) inside the current region, one year."""
        ev = evaluated(self.data_key, self.province, self.profile_id, level)
        ev = ev[ev["year"] == (year or self.year)]
        if self.prefecture and level == "county":
            inside = set(regions().counties(self.prefecture)["code"])
            ev = ev[ev["region_code"].astype(str).isin(inside)]
        if self.prefecture and level == "prefecture":
            ev = ev[ev["region_code"].astype(str) == self.prefecture]
        return ev

    def all_years(self, level: str) -> pd.DataFrame:
        return evaluated(self.data_key, self.province, self.profile_id, level)

    def region_rows(self, year: int | None = None) -> pd.DataFrame:
        """The chosen region's own 25 rows for the year (the country, the province or the prefecture)."""
        level = "country" if self.national else ("prefecture" if self.prefecture else "province")
        ev = evaluated(self.data_key, self.province, self.profile_id, level)
        return ev[(ev["year"] == (year or self.year)) & (ev["region_code"].astype(str) == self.region)]

    def progress(self) -> pd.DataFrame:
        return county_progress(self.data_key, self.province, self.profile_id, self.year)

    def counties(self) -> pd.DataFrame:
        if self.national:
            return regions().counties()
        return regions().counties(self.region)


def _valid(key: str, value: str, options: list) -> bool:
    return value in [str(o) for o in options]


def _load_url_once(province_options: list[str], profile_options: list[str]) -> None:
    """On a fresh session, the view comes from the URL (a shared link reopens the same view)."""
    if st.session_state.get("_url_loaded"):
        return
    st.session_state["_url_loaded"] = True
    qp = st.session_state.pop("_deep_query", None) or st.query_params
    if qp.get("lang") in LANGS:
        st.session_state["lang"] = qp["lang"]
    if _valid("province", qp.get("prov", ""), province_options):
        st.session_state["province"] = qp["prov"]
    if qp.get("targets") in profile_options:
        st.session_state["profile"] = qp["targets"]
    for key in ("pref", "year", "ind", "county", "show", "scenario"):
        if key in qp:
            st.session_state[f"_url_{key}"] = qp[key]


def _set_default(key: str, value) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def sidebar() -> Context:
    """The shared sidebar. Widgets have explicit keys; their values live in st.session_state."""
    regs = regions()
    provinces = [c for c in regs.provinces()["code"] if len(regs.counties(c))]
    province_options = [*provinces, NATIONAL]
    profile_options = list_profiles()
    _load_url_once(province_options, profile_options)
    # st.switch_page reruns without widget states: put the sidebar back as it was before the switch
    for key, value in st.session_state.get("_sidebar", {}).items():
        _set_default(key, value)
    _set_default("lang", DEFAULT_LANG)
    _set_default("province", DEMO_REGION)
    _set_default("profile", DEFAULT_PROFILE)
    _set_default("source", "demo")

    with st.sidebar:
        lang = st.radio(
            t("language", st.session_state["lang"]),
            LANGS,
            key="lang",
            horizontal=True,
            format_func=lambda x: {"zh": "中文", "en": "English"}[x],
        )
        st.selectbox(
            t("data_source", lang), SOURCES, key="source", format_func=lambda s: t(f"source_{s}", lang)
        )
        province = st.selectbox(
            t("province", lang),
            province_options,
            key="province",
            format_func=lambda c: t("whole_country", lang) if c == NATIONAL else regs.name(c),
        )
        prefecture_options = [""] if province == NATIONAL else ["", *regs.prefectures(province)["code"]]
        url_pref = st.session_state.pop("_url_pref", None)
        if url_pref in prefecture_options:
            st.session_state["prefecture"] = url_pref
        if st.session_state.get("prefecture") not in prefecture_options:
            st.session_state["prefecture"] = ""
        prefecture = st.selectbox(
            t("prefecture", lang),
            prefecture_options,
            key="prefecture",
            format_func=lambda c: t("all_prefectures", lang) if c == "" else regs.name(c),
            disabled=province == NATIONAL,
        )
        source = st.session_state["source"]
        data_key = f"store@{store().revision()}" if source == "store" else source
        # a region without any rows (e.g. 香港, 澳门 in the demo) still gets a year axis: every status is no_data
        years = year_axis(observations(data_key, province))
        url_year = st.session_state.pop("_url_year", None)
        if url_year and url_year.isdigit() and int(url_year) in years:
            st.session_state["year"] = int(url_year)
        if st.session_state.get("year") not in years:
            st.session_state["year"] = years[-1]
        year = st.select_slider(t("year", lang), years, key="year")
        profile_id = st.selectbox(
            t("profile", lang), profile_options, key="profile", format_func=lambda p: profile(p).name(lang)
        )
        st.caption(t("sidebar_help", lang))
    st.session_state["_sidebar"] = {
        "lang": lang,
        "source": source,
        "province": province,
        "prefecture": prefecture,
        "year": year,
        "profile": profile_id,
    }
    return Context(
        lang=lang,
        source=source,
        province=province,
        prefecture=prefecture or None,
        year=int(year),
        profile_id=profile_id,
        years=tuple(years),
        data_key=data_key,
    )


_URL_NAME = {"indicator": "ind", "county": "county", "map_show": "show"}


def keep(key: str, default, options: list | None = None) -> str:
    """Key for a page widget whose value survives page switches and comes from the URL on a fresh session.

    Streamlit forgets a widget's state when its page is not shown; the value is mirrored in `key` and put
    back into the widget key `w_<key>` when the page is shown again. Returns the widget key.
    """
    wkey = f"w_{key}"
    url = st.session_state.pop(f"_url_{_URL_NAME.get(key, key)}", None)
    if url is not None and (options is None or url in options):
        st.session_state[key] = url
        st.session_state[wkey] = url
    if wkey in st.session_state and (options is None or st.session_state[wkey] in options):
        st.session_state[key] = st.session_state[wkey]
    else:
        value = st.session_state.get(key, default)
        if options is not None and value not in options:
            value = default
        st.session_state[key] = st.session_state[wkey] = value
    return wkey


def write_url(ctx: Context, **page_values: str | None) -> None:
    """Put the view in the URL (region, year, profile, language + the page's own choices)."""
    params = {
        "lang": ctx.lang,
        "prov": ctx.province,
        "year": str(ctx.year),
        "targets": ctx.profile_id,
    }
    if ctx.prefecture:
        params["pref"] = ctx.prefecture
    for name, value in page_values.items():
        if value:
            params[name] = str(value)
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


def current() -> Context:
    """The Context app.py's sidebar built for this run.

    With a pages/ folder, the first session after the server starts runs a deep-linked page alone (Streamlit's
    older multipage mode) until some run calls st.navigation. Then there is no Context: go through app.py,
    which declares the navigation, and come back to this page with the same URL parameters.
    """
    if "_context" not in st.session_state:
        caller = Path(sys._getframe(1).f_globals.get("__file__", "")).resolve()
        st.session_state["_deep_link"] = caller.relative_to(APP_DIR).as_posix()
        st.session_state["_deep_query"] = st.query_params.to_dict()
        st.switch_page("app.py")
    return st.session_state["_context"]


def resume_deep_link() -> None:
    """Called by app.py right after st.navigation: finish a cold-start deep link (see current())."""
    target = st.session_state.pop("_deep_link", None)
    if target:
        st.switch_page(target)
