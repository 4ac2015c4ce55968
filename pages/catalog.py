"""指标说明 Indicator catalog: formula, notes, kind, targets in each profile, lead departments, how it is computed."""

import pandas as pd
import streamlit as st

from analytics.catalog import list_profiles
from analytics.i18n import t
from analytics.insights import in_its_language, target_text
from analytics.kinds import ROUNDING_KEY
from ui import render
from ui.loaders import catalog, profile, profile_key
from ui.url_state import current, write_url

# Free text the data files keep in one language only (see analytics.insights.in_its_language).
PLAN_WORDING_LANG = "zh"  # Target.text_zh: the plan's own words
DEPARTMENT_NOTE_LANG = "zh"  # Indicator.lead_departments_note: where the plan names the departments
WRAP_ROW = 68  # px: two lines of text; Streamlit wraps a cell's text only in rows taller than 4rem

ctx = current()
lang, cat = ctx.lang, catalog()
write_url(ctx)
st.title(t("catalog_title", lang))
st.info(t("rule_compare", lang))
st.caption(t(ROUNDING_KEY, lang))
with st.expander(
    t("method.certainty_title", lang)
):  # intervals, cannot tell, funnels, coverage: in plain words
    for key in ("certainty", "interval_kinds", "funnel", "coverage", "disparities", "peers"):
        st.markdown(t(f"method.{key}", lang))

shown_ids = list_profiles()  # the built-in profiles, and the sidebar's own when it is one saved in the store
shown_ids += [] if ctx.profile_id in shown_ids else [ctx.profile_id]
profiles = [profile(profile_key(p)) for p in shown_ids]


def with_certainty(p, ind) -> str:
    """The target as written in `p`, marked when it is still to be verified against the official text."""
    text = target_text(p, ind, lang)
    return text if p.targets[ind.id].certain else t("bracketed", lang, text=text, note=t("uncertain", lang))


def without_empty_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns whose every cell is empty (e.g. a note kept in the other language only) are left out."""
    return frame[[c for c in frame.columns if (frame[c].astype(str) != "").any()]]


overview = pd.DataFrame(
    [
        {
            "#": ind.order,
            t("domain_filter", lang): cat.domain(ind.domain).name(lang),
            t("indicator", lang): ind.name(lang),
            t("kind", lang): t(ind.rules.label_key, lang),
            **{p.short(lang): with_certainty(p, ind) for p in profiles if ind.id in p.targets},
        }
        for ind in cat.indicators
    ]
)
# fixed widths that fit a 1280x720 projector beside the sidebar; tall rows let a long name wrap, never cut
columns = {
    name: st.column_config.TextColumn(width=w)
    for name, w in ((t("domain_filter", lang), 150), (t("indicator", lang), 250), (t("kind", lang), 64))
}
columns |= {p.short(lang): st.column_config.TextColumn(width=220, help=p.name(lang)) for p in profiles}
render.table(overview, height=WRAP_ROW * 25 + 40, lang=lang, row_height=WRAP_ROW, column_config=columns)

for domain in cat.domains:
    st.header(domain.name(lang))
    if domain.lead_departments_zh:
        departments = t("name_sep", lang).join(domain.lead_departments_zh)
        st.caption(t("labelled", lang, label=t("lead_departments", lang), text=departments))
    for ind in cat.in_domain(domain.id):
        with st.expander(f"{ind.order}. {ind.name(lang)}", expanded=False):
            st.markdown(t("labelled_bold", lang, label=t("formula", lang), text=ind.formula(lang) or "—"))
            if ind.notes(lang):
                st.markdown(t("labelled_bold", lang, label=t("notes", lang), text=ind.notes(lang)))
            kind = f"{t(ind.rules.label_key, lang)} · {ind.unit_in(lang)}"
            st.markdown(t("labelled_bold", lang, label=t("kind", lang), text=kind))
            leads = t("name_sep", lang).join(ind.lead_departments_zh) or "—"
            note = in_its_language(ind.lead_departments_note, DEPARTMENT_NOTE_LANG, lang)
            leads = t("bracketed", lang, text=leads, note=note) if note else leads
            st.markdown(t("labelled_bold", lang, label=t("lead_departments", lang), text=leads))
            rows = []
            for p in profiles:
                target = p.targets.get(ind.id)
                if target is None:
                    continue
                rows.append(
                    {
                        t("profile", lang): p.name(lang),
                        t("target", lang): with_certainty(p, ind),
                        t("plan_wording", lang): in_its_language(target.text_zh, PLAN_WORDING_LANG, lang),
                        t("uncertain_note", lang): "" if target.certain else target.note_in(lang),
                    }
                )
            st.markdown(f"**{t('targets_by_profile', lang)}**")
            render.table(without_empty_columns(pd.DataFrame(rows)), lang=lang)
            base_year = ctx.profile.targets[ind.id].baseline_year if ind.id in ctx.profile.targets else 2020
            rule = t(
                ind.rules.rule_key,
                lang,
                unit=ind.numerator_unit(lang),
                scale=f"{ind.scale:,}",
                base=base_year,
            )
            if ind.applies_where:  # e.g. indicator 22: only counties with community rehabilitation count
                rule += " " + t("applies_where_note", lang, condition=cat[ind.applies_where].name(lang))
            st.markdown(t("labelled_bold", lang, label=t("how_computed", lang), text=rule))
            method = t(f"method.interval_{ind.rules.interval or 'none'}", lang)
            st.markdown(t("labelled_bold", lang, label=t("interval", lang), text=method))
