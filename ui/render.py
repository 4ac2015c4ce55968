"""Rendering pieces every page uses: demo banner, chart + data table side by side, map clicks -> profile."""

from __future__ import annotations

import re

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec  # pinned (requirements.txt)

from analytics import figures
from analytics.cells import FORMULA_START
from analytics.i18n import DEFAULT_LANG, t
from ui.loaders import regions
from ui.sidebar import Context
from ui.text import escape_markdown  # noqa: F401  (the pages' one escaping rule, re-exported)

PROFILE_PAGE = "pages/county_profile.py"
MISSING = "—"  # a table cell without a value, in either language


def banner(ctx: Context) -> None:
    """The synthetic-data notice, on every page that shows demo numbers."""
    if ctx.is_demo:
        st.warning(t("demo_banner", ctx.lang), icon=":material/science:")


def header(ctx: Context, title: str) -> None:
    banner(ctx)
    st.title(title)


def chart(spec: alt.TopLevelMixin, *, key: str | None = None, selectable: bool = False, on_select=None):
    """Render with our own theme (theme=None keeps the registered Altair theme, not Streamlit's). `selectable`:
    clicks rerun the page and the chart returns its selection; `on_select`: a callback run on a click instead
    (it may change the sidebar's widgets, which the page itself may not once they are drawn).

    Sent steady (analytics.figures.steady): from one indicator to the next the spec stays the same and only its
    data changes, so the browser updates the chart in place. Streamlit's own conversion keeps the data frames as
    Arrow (categories stay dictionaries)."""
    lang = st.session_state.get("lang") or DEFAULT_LANG
    sent = figures.steady(_convert_altair_to_vega_lite_spec(spec), t("chart_alt_root", lang))
    if selectable or on_select:
        return st.vega_lite_chart(
            sent, theme=None, key=key, on_select=on_select or "rerun", selection_mode=None, width="stretch"
        )
    st.vega_lite_chart(sent, theme=None, key=key, width="stretch")
    return None


def lazy_tabs(labels: dict[str, str], key: str) -> dict:
    """Tabs of which only the open one is built (the page checks each tab's `.open`): choosing a tab reruns the
    page, and the tab stays chosen for the next view. `labels`: name -> label shown, the first open at first.
    Returns name -> tab."""
    return dict(zip(labels, st.tabs(list(labels.values()), key=key, on_change="rerun"), strict=True))


PICKED_ROW = "background-color: #fff2a8; font-weight: bold"  # the county picked beside a chart
_CALLS = re.compile(r"[(|!]")  # a function call, a DDE link or another sheet: what a formula needs to do harm


def inert(value):
    """A table cell that stays text in the grid's own CSV download (Streamlit's toolbar): a string from a file,
    a user or a link that a spreadsheet would run as a formula (=, +, -, @ … with a call, a DDE link or a
    sheet reference) gets a leading apostrophe; our own "+12.3 个百分点" and every number are unchanged."""
    risky = isinstance(value, str) and value.startswith(FORMULA_START)
    if risky and (value[0] in "=@\t\r" or _CALLS.search(value)):
        return "'" + value
    return value


def table(
    frame: pd.DataFrame,
    *,
    lang: str,
    caption: str | None = None,
    height: int | str = "auto",
    picked: pd.Series | None = None,
    **kwargs,
):
    """A table without its index; an empty one is a sentence in the UI's language (Streamlit would write
    "empty" in English inside the grid). `picked`: a boolean mask of rows shown highlighted (the county picked
    beside the map). Returns Streamlit's dataframe (its selection, when `on_select` is given)."""
    if caption:
        st.caption(caption)
    if frame.empty:
        st.caption(t("no_rows", lang))
        return None
    if isinstance(height, int):  # no empty rows under a short table
        height = min(height, (kwargs.get("row_height") or 35) * len(frame) + 35 + 3)
    kwargs.setdefault("placeholder", MISSING)  # Streamlit would write "None" in an empty cell
    text = frame.select_dtypes(include=["object", "string"]).columns
    data = frame.assign(**{c: frame[c].map(inert) for c in text}) if len(text) else frame
    if picked is not None and picked.any():
        marks = picked.to_numpy()
        data = data.style.apply(lambda _: [PICKED_ROW if m else "" for m in marks], axis=0)
    return st.dataframe(data, hide_index=True, height=height, **kwargs)


def selected_code(event, name: str) -> str | None:
    """The region_code a click selected in an Altair chart event, if any."""
    if not event:
        return None
    selection = event.get("selection", {}) if isinstance(event, dict) else getattr(event, "selection", {})
    picked = selection.get(name) if isinstance(selection, dict) else None
    if isinstance(picked, list) and picked:
        first = picked[0]
        return str(first.get("region_code")) if isinstance(first, dict) and first.get("region_code") else None
    if isinstance(picked, dict) and picked.get("region_code"):
        value = picked["region_code"]
        return str(value[0] if isinstance(value, list) else value)
    return None


def open_profile(code: str | None) -> None:
    """A click on a county opens its profile page."""
    if code:
        st.session_state["county"] = code
        st.session_state.pop("w_county", None)
        st.switch_page(PROFILE_PAGE)


PENDING_PROFILE = (
    "_profile_to_open"  # a county clicked on a chart (map_click, profile_click), opened next run
)


def rerun_app() -> None:
    """End a callback whose change reaches beyond the page's own body (the sidebar's region, a county's profile
    to open): the whole app reruns, not only the page's fragment (ui.guard.page_body). Elsewhere a callback's run
    is the whole app's anyway."""
    st.rerun()


def open_pending_profile() -> None:
    """Called by app.py before the sidebar: a county clicked on a chart in the last run opens its profile before
    anything else is drawn (the sidebar and the page's own work would only delay the profile)."""
    open_profile(st.session_state.pop(PENDING_PROFILE, None))


def profile_click(key: str, name: str):
    """The callback of a chart whose click on a county opens its profile (the ranked bars): `name` is the chart's
    selection."""

    def clicked() -> None:
        code = selected_code(st.session_state.get(key), name)
        if code:
            st.session_state[PENDING_PROFILE] = code
            rerun_app()

    return clicked


def map_click(ctx: Context, key: str, name: str = "county"):
    """The callback of a clickable county map: the map drills down one level, as the sidebar would. On the
    whole country a click zooms to the county's province, on a province to its prefecture; on a prefecture
    (or where the county has no prefecture of its own, or is its prefecture's only county) it opens the
    county's profile."""
    regs = regions()

    def clicked() -> None:
        code = selected_code(st.session_state.get(key), name)
        if not code or code not in regs:
            return
        prefecture = regs.prefecture_of(code)
        if ctx.national:
            st.session_state["province"], st.session_state["prefecture"] = regs.get(code).province_code, ""
        elif not ctx.prefecture and prefecture != code and len(regs.counties(prefecture)) > 1:
            st.session_state["prefecture"] = prefecture
        else:
            st.session_state[PENDING_PROFILE] = code
        rerun_app()

    return clicked


def map_click_hint(ctx: Context) -> None:
    """What a click on the map does at this level (map_click)."""
    level = "national" if ctx.national else "prefecture" if ctx.prefecture else "province"
    st.caption(t(f"map_click_hint_{level}", ctx.lang))


def map_caption(ctx: Context) -> None:
    st.caption(t("map_source", ctx.lang))


def region_map(
    ctx: Context,
    rows: pd.DataFrame,
    *,
    color: alt.Color,
    tooltip: list,
    symbol: str | None = "symbol",
    highlight: list[str] | None = None,
):
    """The county map of the sidebar's region, without heading or footer (analytics.figures.region_map)."""
    return figures.region_map(
        rows,
        province=None if ctx.national else ctx.province,
        prefecture=ctx.prefecture,
        regions=regions(),
        color=color,
        tooltip=tooltip,
        symbol=symbol,
        highlight=highlight,
    )


def picked_county(names: dict[str, str], key: str) -> str | None:
    """The county picked beside a map (read before the map is drawn, so the map can ring it); `names`: code ->
    "prefecture · county" of the counties on the map."""
    if st.session_state.get(key) not in names:
        st.session_state[key] = None
    return st.session_state[key]


def county_picker(names: dict[str, str], key: str, lang: str) -> None:
    """Beside every clickable map, so nothing needs a mouse: pick a county (the page marks it on the map, and
    in the bars and the table where it has them), then open its profile with a button."""
    pick_col, open_col = st.columns([3, 2], vertical_alignment="bottom")
    pick_col.selectbox(
        t("pick_county", lang),
        sorted(names, key=names.get),
        key=key,
        format_func=names.get,
        placeholder=t("pick_county_placeholder", lang),
    )
    picked = st.session_state.get(key)
    if picked and open_col.button(t("open_profile_of", lang, county=names[picked]), key=f"{key}_open"):
        open_profile(picked)


def drill_down(key: str, national: bool):
    """The callback of a prefecture's (province's) bar: the sidebar zooms to the clicked region."""

    def zoom() -> None:
        code = selected_code(st.session_state.get(key), figures.SUB_REGION_PICK)
        if not code:
            return
        if national:
            st.session_state["province"], st.session_state["prefecture"] = code, ""
        else:
            st.session_state["prefecture"] = code
        rerun_app()

    return zoom


def back_to_province_button(ctx: Context) -> None:
    """When a prefecture is chosen (the map is zoomed to it), a clear way back to the whole province."""
    if ctx.prefecture:

        def back() -> None:
            st.session_state["prefecture"] = ""
            rerun_app()

        st.button(t("back_to_province", ctx.lang), on_click=back, key="back_to_province")
