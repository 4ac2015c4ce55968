"""情景推演 What-if: adjust indicators, allocate units, see "N / 25" and counties change; save and share."""

import streamlit as st

from analytics import insights, scenario_words, scenarios
from analytics.i18n import t
from analytics.kinds import ROUNDING_KEY
from ui import render
from ui.loaders import catalog, observations, regions, store
from ui.meeting import meeting_of
from ui.scenario_library_panel import library_panel
from ui.scenario_maps import status_pair, trajectory_pair
from ui.url_state import current, keep, write_url

OPS = list(scenarios.OPERATIONS)

ctx = current()
lang, cat, regs = ctx.lang, catalog(), regions()
render.banner(ctx)
st.title(t("scenarios_title", lang, region=ctx.region_name, year=ctx.year))

# A shared link carries the scenario: on a fresh session it becomes the committed adjustments.
token = st.session_state.pop("_url_scenario", None)
if token:
    try:
        st.session_state["scenario_steps"] = list(scenarios.from_link(token, cat).adjustments)
    except scenarios.ScenarioError as exc:
        st.error(render.escape_markdown(exc.message(lang)))  # a link's words are shown as typed
steps: list[scenarios.Adjustment] = st.session_state.setdefault("scenario_steps", [])

# A click on the "before" map adds a county to the chosen ones or removes it; the map's key changes after
# each click, so a second click on the same county is a new event.
before_map_key = f"scenario_map_before_{st.session_state.get('sc_map_round', 0)}"
county_frame = ctx.counties()
county_options = list(county_frame["code"])
county_names = dict(zip(county_frame["code"], county_frame["name"], strict=True))
if ctx.national:  # county names repeat across China: with the prefecture's
    parents = dict(zip(county_frame["code"], regs.names(county_frame["parent_code"]), strict=True))
    county_names = {c: f"{parents[c]}{n}" for c, n in county_names.items()}
clicked = render.selected_code(st.session_state.get(before_map_key), "county")
if clicked in county_names:
    picked_now = list(st.session_state.get("sc_scope_counties", []))
    if clicked in picked_now:
        picked_now.remove(clicked)
    else:
        picked_now.append(clicked)
    st.session_state["sc_scope_counties"] = picked_now
    st.session_state["sc_scope"] = "chosen"
    st.session_state["sc_map_round"] = st.session_state.get("sc_map_round", 0) + 1
    before_map_key = f"scenario_map_before_{st.session_state['sc_map_round']}"

# --- the live adjustment -----------------------------------------------------------------------
c1, c2, c3 = st.columns([3, 2, 2])
ind_id = c1.selectbox(
    t("indicator", lang),
    cat.ids,
    key=keep("indicator", cat.ids[0], cat.ids),
    format_func=lambda i: f"{cat.domain(cat[i].domain).name(lang)} · {cat[i].name(lang)}",
)
st.session_state["indicator"] = ind_id
ind = cat[ind_id]
op = c2.radio(t("operation", lang), OPS, key="sc_op", format_func=lambda o: t(f"op_{o}", lang))
unit = ind.unit_in(lang)


def amount_label(word: str, unit: str) -> str:
    return t("bracketed", lang, text=t(word, lang), note=unit)


if op == "add_pp":
    amount = c3.slider(
        amount_label("amount", unit), 0.0, 20.0 if ind.scale == 100 else 10.0, 0.0, 0.5, key="sc_pp"
    )
elif op == "scale_pct":
    amount = c3.slider(amount_label("amount", "%"), -50, 100, 0, 5, key="sc_scale")
elif op == "add_units":
    amount = c3.number_input(
        amount_label("amount", ind.numerator_unit(lang)), 0, 1_000_000, 0, 10, key="sc_units"
    )
else:
    current_target = float(ctx.profile.targets[ind_id].threshold)
    amount = c3.number_input(
        amount_label("target", unit), 0.0, 1e7, current_target, key=f"sc_target_{ind_id}"
    )
s1, s2 = st.columns(2)
allocate = s1.radio(
    t("allocate", lang),
    list(scenarios.ALLOCATIONS),
    key="sc_alloc",
    horizontal=True,
    format_func=lambda a: t(f"alloc_{a}", lang),
    disabled=op != "add_units",
)
scope_labels = {k: t(f"scope_{k}", lang) for k in ("all", "lagging", "prefecture")}
scope_labels["chosen"] = t("whatif.scope_chosen", lang)
scope_choice = s2.radio(
    t("scope", lang), list(scope_labels), key="sc_scope", horizontal=True, format_func=scope_labels.get
)
scope = scope_choice
nothing_chosen, picked = False, []
if scope_choice == "chosen":
    picked = s2.multiselect(
        t("whatif.choose_counties", lang),
        county_options,
        key="sc_scope_counties",
        format_func=county_names.get,
        placeholder=t("choose_options", lang),
    )
    s2.caption(t("whatif.click_to_choose", lang))
    scope = ",".join(picked)
    nothing_chosen = not picked
if scope_choice == "prefecture":
    if ctx.national:
        options = list(regs.provinces()["code"])
    elif ctx.prefecture:  # the region itself is a prefecture: the scope can only be it
        options = [ctx.prefecture]
    else:
        options = list(regs.prefectures(ctx.province)["code"])
    scope = s2.selectbox(
        t("prefecture", lang),
        options,
        key="sc_scope_code",
        format_func=regs.name,
        placeholder=t("choose_one", lang),
    )

# no county chosen yet: the live adjustment touches nothing (an empty list is not "all counties")
live = scenarios.Adjustment(
    ind_id,
    op,
    0.0 if nothing_chosen and op != "set_target" else float(amount),
    allocate=allocate,
    scope=scope,
)


def commit(adjustment: scenarios.Adjustment) -> None:
    """The live adjustment becomes a step; the controls start again from zero so it is not counted twice."""
    st.session_state["scenario_steps"].append(adjustment)
    for key in ("sc_pp", "sc_scale", "sc_units", f"sc_target_{adjustment.indicator_id}"):
        st.session_state.pop(key, None)


b1, b2, _ = st.columns([1, 1, 4])
full = not scenarios.room_for(len(steps))  # a scenario has at most MAX_STEPS steps
b1.button(t("add_to_scenario", lang), on_click=commit, args=(live,), disabled=nothing_chosen or full)
if b2.button(t("clear_scenario", lang)):
    steps.clear()
scenario = scenarios.Scenario(
    st.session_state.get("sc_name", "") or t("scenario_default_name", lang),
    (*steps, live)[: scenarios.MAX_STEPS],
)
shared = scenarios.Scenario(
    scenario.name, tuple(a for a in scenario.adjustments if not scenarios.is_noop(a, ctx.profile))
)
write_url(ctx, ind=ind_id, scenario=scenarios.to_param(shared) if shared.adjustments else None)


if steps:
    st.markdown(f"**{t('scenario_steps', lang)}**")
    for k, a in enumerate([*steps, live]):
        extra = f" {t('live_adjustment', lang)}" if k == len(steps) else ""
        said = render.escape_markdown(scenario_words.describe(a, cat, regs, lang, ctx.profile))
        st.markdown(f"{k + 1}. {said}{extra}")

# --- results -----------------------------------------------------------------------------------
obs = observations(ctx.data_key, ctx.province)
code = None if ctx.national else ctx.region
before_levels = {lv: ctx.level_rows(lv) for lv in scenarios.levels_of(regs, code)}  # cached "before"


def view_of(s: scenarios.Scenario, focus: str) -> scenarios.ScenarioView:
    return scenarios.scenario_view(
        obs,
        s,
        focus=focus,
        before_levels=before_levels,
        catalog=cat,
        profile=ctx.profile,
        regions=regs,
        region_code=code,
        year=ctx.year,
    )


try:
    view = view_of(scenario, ind_id)
except scenarios.ScenarioError as exc:
    st.error(t("scenario_error", lang, error=render.escape_markdown(exc.message(lang))))
    st.stop()
counts = view.counties_met.set_index("indicator_id")
m1, m2 = st.columns(2)
m1.metric(
    t("region_met_change", lang),
    f"{view.region_met_before} → {view.region_met_after} / {len(cat)}",
    delta=view.region_met_after - view.region_met_before,
    border=True,
)
m2.metric(
    t("counties_met_change", lang),
    f"{counts.loc[ind_id, 'met_before']} → {counts.loc[ind_id, 'met_after']} / {len(ctx.counties())}",
    delta=int(counts.loc[ind_id, "met_after"] - counts.loc[ind_id, "met_before"]),
    border=True,
)
u = ind.numerator_unit(lang)
fmt = lambda n: "—" if n is None else f"{n:,} {u}"  # noqa: E731
st.markdown(
    t("minimum_units", lang, region=fmt(view.minimum["region"]), every=fmt(view.minimum["every_county"]))
)
st.markdown(
    t(
        "remaining_shortfall",
        lang,
        region=fmt(view.remaining["region"]),
        every=fmt(view.remaining["every_county"]),
        counties=view.remaining["counties_not_met"],
    )
)
top_rows = view.comparison[
    (view.comparison["level"] == scenarios.levels_of(regs, code)[-1])
    & (view.comparison["indicator_id"] == ind_id)
]
if len(top_rows):  # the region's own value: counties that sent only a value are not in it, and it says so
    top_row = top_rows.iloc[0]
    st.markdown(
        t(
            "whatif.region_value",
            lang,
            region=top_row["region_name"],
            indicator=ind.name(lang),
            before=insights.format_value(top_row["value_before"], ind, lang),
            after=insights.format_value(top_row["value_after"], ind, lang),
        )
    )
    note = scenario_words.value_only_note(top_row["n_value_only"], lang)
    if note:
        st.caption(note)
skipped = scenario_words.submit_counts(ind, view.result.skipped_value_only.get(ind_id, 0), lang)
if skipped:
    st.info(skipped, icon=":material/info:")
if view.result.unallocated.get(ind_id):
    st.caption(t("unallocated", lang, n=fmt(view.result.unallocated[ind_id])))
st.caption(t(ROUNDING_KEY, lang))

# --- maps: status before / after, or trajectory today / with the adjustment ---
county = view.comparison[
    (view.comparison["level"] == "county") & (view.comparison["indicator_id"] == ind_id)
].copy()
pair = st.radio(
    t("map_pair", lang),
    ["status", "trajectory"],
    key="sc_maps",
    horizontal=True,
    format_func=lambda k: t(f"pair_{k}", lang),
)
units_given = bool(county["units_added"].gt(0).any())
notes = [
    scenario_words.describe(a, cat, regs, lang, ctx.profile) for a in shared.adjustments
]  # under the maps
if pair == "status":  # a click on the "before" map chooses counties (handled at the top of the page)
    chosen = picked if scope_choice == "chosen" else None
    status_pair(meeting_of(ctx), county, ind_id, chosen, before_map_key, notes)
else:
    trajectory_pair(meeting_of(ctx), county, view, ind_id, notes)

st.subheader(t("changed_counties", lang))
render.table(
    insights.scenario_changes(
        view.changed[view.changed["indicator_id"] == ind_id],
        ind,
        lang,
        units_heading=scenario_words.units_heading(ind, lang) if units_given else None,
    ),
    lang=lang,
)
st.subheader(t("per_indicator_change", lang))
render.table(
    view.counties_met.assign(
        indicator_id=lambda d: d["indicator_id"].map(lambda i: cat[i].name(lang))
    ).rename(
        columns={
            "indicator_id": t("indicator", lang),
            "met_before": t("before", lang),
            "met_after": t("after", lang),
        }
    ),
    lang=lang,
)

# --- save, load, delete, compare, share (each saved scenario keeps the view it was made in) ---------------
library_panel(
    ctx,
    saved_file=store(),  # saved scenarios live in the store (one transaction each; the old file is brought in)
    steps=steps,
    live=live,
    ind_id=ind_id,
    view_of=view_of,
    catalog=cat,
    regions=regs,
)
