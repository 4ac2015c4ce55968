"""The shared sidebar (language, source, province, prefecture, year, target profile) and the Context it gives
every page. Pages get it through ui.url_state.current(); they never load files themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from analytics.catalog import DEFAULT_PROFILE, TargetProfile
from analytics.geo import topo_url
from analytics.i18n import DEFAULT_LANG, LANGS, t
from analytics.provenance import STORE, check_pin
from analytics.scenario_library import ViewContext
from analytics.store import DEMO_REGION
from ui.loaders import (
    NATIONAL,
    SOURCES,
    county_progress,
    data_key,
    evaluated,
    observations,
    profile,
    profile_ids,
    profile_key,
    regions,
    store,
    year_axis,
)
from ui.text import escape_markdown
from ui.url_state import from_url, load_url_once


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
    profile_key: str = ""  # the profile's cache key: its id, or "<id>@<revision>" for a stored one
    newest_version: int | None = None  # the store's newest active version (source "store")

    def __post_init__(self) -> None:
        if not self.profile_key:  # a built-in profile's key is its id
            object.__setattr__(self, "profile_key", self.profile_id)

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
        return profile(self.profile_key)

    @property
    def topo_url(self) -> str:
        return topo_url(None if self.national else self.province)

    def level_rows(self, level: str, year: int | None = None) -> pd.DataFrame:
        """Evaluated rows of `level` (county / prefecture / province) inside the current region, one year."""
        ev = evaluated(self.data_key, self.province, self.profile_key, level)
        ev = ev[ev["year"] == (year or self.year)]
        if self.prefecture and level == "county":
            inside = set(regions().counties(self.prefecture)["code"])
            ev = ev[ev["region_code"].astype(str).isin(inside)]
        if self.prefecture and level == "prefecture":
            ev = ev[ev["region_code"].astype(str) == self.prefecture]
        return ev

    def all_years(self, level: str) -> pd.DataFrame:
        return evaluated(self.data_key, self.province, self.profile_key, level)

    def region_rows(self, year: int | None = None) -> pd.DataFrame:
        """The chosen region's own 25 rows for the year (the country, the province or the prefecture)."""
        level = "country" if self.national else ("prefecture" if self.prefecture else "province")
        ev = evaluated(self.data_key, self.province, self.profile_key, level)
        return ev[(ev["year"] == (year or self.year)) & (ev["region_code"].astype(str) == self.region)]

    def progress(self) -> pd.DataFrame:
        return county_progress(self.data_key, self.province, self.profile_key, self.year)

    def counties(self) -> pd.DataFrame:
        if self.national:
            return regions().counties()
        return regions().counties(self.region)

    def view_context(self) -> ViewContext:
        """The view as a saved scenario records it (data source, region, year, target profile)."""
        return ViewContext(
            self.data_key, self.province, self.prefecture, self.year, self.profile_id, self.newest_version
        )


def _set_default(key: str, value) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def sidebar() -> Context:
    """The shared sidebar. Widgets have explicit keys; their values live in st.session_state."""
    regs = regions()
    provinces = regs.provinces_with_counties()
    province_options = [*provinces, NATIONAL]
    profile_options = profile_ids()
    load_url_once(province_options, profile_options)
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
        url_pref = from_url("pref")
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
        key = data_key(source)
        newest = store().newest_active() if source == STORE else None
        if newest is not None:
            st.caption(t("provenance.sidebar_source_store", lang, version=newest))
        # a region without any rows (e.g. 香港, 澳门 in the demo) still gets a year axis: every status is no_data
        years = year_axis(observations(key, province))
        url_year = from_url("year")
        if url_year and url_year.isdigit() and int(url_year) in years:
            st.session_state["year"] = int(url_year)
        if st.session_state.get("year") not in years:
            st.session_state["year"] = years[-1]
        year = st.select_slider(t("year", lang), years, key="year")
        profile_id = st.selectbox(  # the short name fits the sidebar; the page captions give the full one
            t("profile", lang),
            profile_options,
            key="profile",
            format_func=lambda p: profile(profile_key(p)).short(lang),
        )
        st.caption(t("sidebar_help", lang))
    _source_notice(source, key, lang)
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
        profile_key=profile_key(profile_id),
        years=tuple(years),
        data_key=key,
        newest_version=newest,
    )


def _source_notice(source: str, key: str, lang: str) -> None:
    """A link whose data this store cannot show as it was: say why, above the page, for as long as the view
    shows that same data (the link's pin is checked once, on the session's first run)."""
    if "_url_src_pin" in st.session_state:
        pin = st.session_state.pop("_url_src_pin")
        notice = check_pin(store(), pin) if source == STORE else None
        st.session_state["_source_notice"] = (key, notice) if notice else None
    held = st.session_state.get("_source_notice")
    if held and held[0] == key:
        st.warning(escape_markdown(held[1].message(lang)), icon=":material/link_off:")
