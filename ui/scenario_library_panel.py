"""The 情景推演 page's library of saved scenarios: save (asking before replacing a name), load, delete (asking
first), compare side by side; each saved scenario keeps the view it was made in and says when it differs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics import insights, scenarios
from analytics import scenario_library as library
from analytics.errors import AtlasError
from analytics.i18n import t
from analytics.provenance import local_time
from analytics.store import Store
from ui import render
from ui.text import escape_markdown


def library_panel(
    ctx,
    *,
    saved_file: Store | Path,
    steps: list,
    live,
    ind_id: str,
    view_of: Callable[[scenarios.Scenario, str], scenarios.ScenarioView],
    catalog,
    regions,
) -> None:
    """Draw the panel under the results (`steps` + `live` are the scenario on screen)."""
    lang, cat, regs = ctx.lang, catalog, regions
    st.divider()
    st.caption(t("share_link", lang))
    view_now = ctx.view_context()
    saved = library.load_saved(saved_file)
    protected = isinstance(saved_file, Store) and saved_file.write_protected
    n1, n2 = st.columns([3, 1])
    name = n1.text_input(t("scenario_name", lang), key="sc_name").strip()
    ask = st.container()  # "replace it?" / "delete it?" questions appear here, above the list

    passphrase = st.text_input(t("passphrase", lang), type="password", key="sc_pass") if protected else None

    def save_as(scenario_name: str, overwrite: bool) -> None:
        try:
            library.save(
                saved_file,
                scenarios.Scenario(scenario_name, (*steps, live)),
                view_now,
                overwrite=overwrite,
                passphrase=passphrase,
            )
        except AtlasError as exc:  # a wrong passphrase, a busy store: nothing saved
            ask.error(escape_markdown(exc.message(lang)))
            return
        st.session_state.pop("_sc_overwrite", None)
        ask.success(t("saved_ok", lang, name=escape_markdown(scenario_name)))

    if n2.button(t("save_scenario", lang), disabled=not name):
        if name in saved:  # saving over a name asks first
            st.session_state["_sc_overwrite"] = name
        else:
            save_as(name, overwrite=False)
    pending = st.session_state.get("_sc_overwrite")
    if pending and pending != name:  # the name was changed meanwhile: the question no longer applies
        st.session_state.pop("_sc_overwrite")
    elif pending and pending in saved:
        o1, o2, _ = ask.columns([1, 1, 4])
        if o1.button(t("provenance.overwrite_yes", lang), key="sc_overwrite_yes", type="primary"):
            save_as(pending, overwrite=True)
        elif o2.button(t("provenance.cancel", lang), key="sc_overwrite_no"):
            st.session_state.pop("_sc_overwrite")
            st.rerun()
        else:
            view_then = library.context_words(saved[pending].context, lang, regs)
            ask.warning(t("provenance.overwrite_ask", lang, name=escape_markdown(pending), view=view_then))
    found = library.load_library(saved_file)
    saved = found.saved
    if found.unreadable:  # listed, never hiding the others
        names = escape_markdown(t("name_sep", lang).join(sorted(found.unreadable)))
        st.warning(t("provenance.unreadable_scenarios", lang, n=len(found.unreadable), names=names))
    deleted = st.session_state.pop("_sc_deleted", None)
    if deleted:
        st.success(t("provenance.deleted_ok", lang, name=escape_markdown(deleted)))
    if not saved:
        st.caption(t("nothing_saved", lang))
    else:
        render.table(
            pd.DataFrame(
                {
                    t("scenario_name", lang): list(saved),
                    t("provenance.saved_view", lang): [
                        library.context_words(s.context, lang, regs) for s in saved.values()
                    ],
                    t("provenance.saved_at", lang): [
                        local_time(s.saved_at, st.context.timezone) or "—" for s in saved.values()
                    ],
                }
            ),
            lang=lang,
        )
        for key in ("sc_pick", "sc_compare"):  # a deleted scenario is no longer a choice
            value = st.session_state.get(key)
            if isinstance(value, list):
                st.session_state[key] = [n for n in value if n in saved]
            elif value is not None and value not in saved:
                del st.session_state[key]
        l1, l2, l3 = st.columns([3, 1, 1])
        pick = l1.selectbox(
            t("saved_scenarios", lang), sorted(saved), key="sc_pick", placeholder=t("choose_one", lang)
        )
        if l2.button(t("load_scenario", lang)):
            st.session_state["scenario_steps"] = list(saved[pick].scenario.adjustments)
            st.session_state["_sc_loaded"] = pick
            st.rerun()
        if l3.button(t("provenance.delete_scenario", lang), key="sc_delete"):
            st.session_state["_sc_delete"] = pick
        doomed = st.session_state.get("_sc_delete")
        if doomed and doomed != pick:
            st.session_state.pop("_sc_delete")
        elif doomed:
            d1, d2, _ = st.columns([1, 1, 4])
            if d1.button(t("provenance.delete_yes", lang), key="sc_delete_yes", type="primary"):
                try:
                    library.delete(saved_file, doomed, passphrase=passphrase)
                except AtlasError as exc:
                    st.error(escape_markdown(exc.message(lang)))
                    st.stop()
                st.session_state.pop("_sc_delete")
                st.session_state["_sc_deleted"] = doomed
                st.rerun()
            elif d2.button(t("provenance.cancel", lang), key="sc_delete_no"):
                st.session_state.pop("_sc_delete")
                st.rerun()
            else:
                st.warning(t("provenance.delete_ask", lang, name=escape_markdown(doomed)))
        loaded = saved.get(st.session_state.get("_sc_loaded", ""))
        if loaded is not None and tuple(steps) == loaded.scenario.adjustments:
            differ = library.differences(loaded.context, view_now)
            if differ:  # the numbers are computed for this view, not the saved one: say so
                st.warning(
                    t(
                        "provenance.load_differs",
                        lang,
                        fields=t("provenance.field_sep", lang).join(
                            t(f"provenance.field_{f}", lang) for f in differ
                        ),
                        then=library.context_words(loaded.context, lang, regs),
                        now=library.context_words(view_now, lang, regs),
                    )
                )
        chosen = st.multiselect(
            t("compare_scenarios", lang),
            sorted(saved),
            key="sc_compare",
            placeholder=t("choose_options", lang),
        )
        if chosen:
            rows = []
            for nm in chosen:
                v = view_of(
                    saved[nm].scenario,
                    saved[nm].scenario.adjustments[-1].indicator_id
                    if saved[nm].scenario.adjustments
                    else ind_id,
                )
                rows.append(insights.scenario_summary(nm, v, cat, lang))
            render.table(pd.DataFrame(rows), lang=lang)
