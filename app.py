"""残疾预防达标地图 Prevention Atlas — the router: pages, the shared sidebar, then the chosen page."""

from pathlib import Path

import streamlit as st

from analytics.i18n import DEFAULT_LANG, LANGS, t

# Navigation is declared first (before anything slow), so a link to a page opens that page.
url_lang = (st.session_state.get("_deep_query") or st.query_params).get(
    "lang"
)  # a cold deep link keeps its URL
lang = st.session_state.get("lang") or (url_lang if url_lang in LANGS else DEFAULT_LANG)
st.set_page_config(page_title=t("app_title", lang), layout="wide", initial_sidebar_state="expanded")
pages = [
    st.Page("pages/overview.py", title=t("page_overview", lang), url_path="overview", default=True),
    st.Page("pages/indicator_map.py", title=t("page_map", lang), url_path="indicator_map"),
    st.Page("pages/county_profile.py", title=t("page_profile", lang), url_path="county_profile"),
    st.Page("pages/scenarios.py", title=t("page_scenarios", lang), url_path="scenarios"),
    st.Page("pages/disparities.py", title=t("page_disparities", lang), url_path="disparities"),
    st.Page("pages/final.py", title=t("page_final", lang), url_path="final"),
    st.Page("pages/followup.py", title=t("page_followup", lang), url_path="followup"),
    st.Page("pages/outlook.py", title=t("page_outlook", lang), url_path="outlook"),
    st.Page("pages/profiles.py", title=t("page_profiles", lang), url_path="profiles"),
    st.Page("pages/data.py", title=t("page_data", lang), url_path="data"),
    st.Page("pages/catalog.py", title=t("page_catalog", lang), url_path="catalog"),
    st.Page("pages/present.py", title=t("present.page", lang), url_path="present"),
]
page = st.navigation(pages, position="top")
st.html(Path(__file__).with_name("ui") / "app.css")  # projector-friendly widths (static rules)
# The browser loads Streamlit's chart library (Vega, about 1 MB of script) only when a chart is first shown: an
# empty chart, hidden by app.css, makes it do so while this script still imports pandas and altair, so the first
# map paints sooner (start to painted map, benchmarks/RESULTS.md)
st.sidebar.container(key="chart_warmup").vega_lite_chart({"mark": "point"}, width=1, height=1)

from ui.guard import guarded  # noqa: E402
from ui.render import open_pending_profile  # noqa: E402
from ui.sidebar import sidebar  # noqa: E402  (heavy imports after navigation: see above)
from ui.url_state import resume_deep_link  # noqa: E402

resume_deep_link()
open_pending_profile()  # a county clicked on a chart: its profile at once, not after this page's sidebar
# Back / Forward restore the view the URL names (static script, in the sidebar: no gap on the page)
st.sidebar.html(Path(__file__).with_name("ui") / "history.html", unsafe_allow_javascript=True)
# anything slower than half a second (the whole country's data, a whole-country page: seconds) says so, at the
# top of the sidebar: in view whatever the page's scroll (no time shown: Streamlit writes it in English)
# whatever goes wrong is one sentence in the user's language, never a traceback (ui/guard.py)
with st.sidebar.container().spinner(t("busy", lang)), guarded(st.session_state.get("lang") or lang):
    ctx = sidebar()
    st.session_state["_context"] = ctx
    st.sidebar.markdown(f"**{t('app_title', ctx.lang)}**  \n{t('app_subtitle', ctx.lang)}")
    if ctx.is_demo:
        st.sidebar.caption(t("demo_short", ctx.lang))
    page.run()
