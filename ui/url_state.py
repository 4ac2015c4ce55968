"""The view in the URL: a fresh session reads it, page widgets keep their values across page switches, every run
writes it back (so a copied link reopens the same view), and a cold-start deep link goes through app.py.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from analytics.i18n import LANGS
from analytics.provenance import parse_source

if TYPE_CHECKING:
    from ui.sidebar import Context

APP_DIR = Path(__file__).resolve().parent.parent
# a page widget's session key -> its URL query parameter (the sidebar's are read in load_url_once)
_URL_NAME = {"indicator": "ind", "county": "county", "map_show": "show"}
_PAGE_PARAMS = ("pref", "year", "ind", "county", "show", "scenario", "slide", "sc")


def load_url_once(province_options: list[str], profile_options: list[str]) -> None:
    """On a fresh session, the view comes from the URL (a shared link reopens the same view)."""
    if st.session_state.get("_url_loaded"):
        return
    st.session_state["_url_loaded"] = True
    qp = st.session_state.pop("_deep_query", None) or st.query_params
    if qp.get("lang") in LANGS:
        st.session_state["lang"] = qp["lang"]
    if qp.get("prov", "") in province_options:
        st.session_state["province"] = qp["prov"]
    if qp.get("targets") in profile_options:
        st.session_state["profile"] = qp["targets"]
    source, pin = parse_source(qp.get("src"))
    if source is not None:  # the data the link was made with: the sidebar checks the pin against the store
        st.session_state["source"] = source
        st.session_state["_url_src_pin"] = pin
    for key in _PAGE_PARAMS:  # checked against their options where the widget is drawn
        if key in qp:
            st.session_state[f"_url_{key}"] = qp[key]


def from_url(param: str) -> str | None:
    """A URL value not yet applied (once: the widget it belongs to takes it on its first run)."""
    return st.session_state.pop(f"_url_{param}", None)


def keep(key: str, default, options: list | None = None) -> str:
    """Key for a page widget whose value survives page switches and comes from the URL on a fresh session.

    Streamlit forgets a widget's state when its page is not shown; the value is mirrored in `key` and put
    back into the widget key `w_<key>` when the page is shown again. Returns the widget key.
    """
    wkey = f"w_{key}"
    url = from_url(_URL_NAME.get(key, key))
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
    """Put the view in the URL (data source, region, year, profile, language + the page's own choices)."""
    params = {
        "lang": ctx.lang,
        "src": ctx.data_key,  # "demo" or "store@<revision>": a link reopens the same data or says why not
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
