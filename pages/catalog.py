"""指标说明 Indicator catalog: formula, notes, kind, targets in each profile, lead departments, how it is computed."""

import pandas as pd
import streamlit as st

from analytics.catalog import list_profiles
from analytics.i18n import t
from analytics.insights import target_text
from ui import render
from ui.context import catalog, current, profile, write_url

ctx = current()
lang, cat = ctx.lang, catalog()
write_url(ctx)
st.title(t("catalog_title", lang))
st.info(t("rule_compare", lang))

profiles = [profile(p) for p in list_profiles()]
overview = pd.DataFrame(
    [
        {
            "#": ind.order,
            t("domain_filter", lang): cat.domain(ind.domain).name(lang),
            t("indicator", lang): ind.name(lang),
            t("kind", lang): t(f"kind_{ind.kind}", lang),
            **{
                p.name(lang): target_text(p, ind, lang)
                + ("" if p.targets[ind.id].certain else t("uncertain", lang))
                for p in profiles
                if ind.id in p.targets
            },
        }
        for ind in cat.indicators
    ]
)
render.table(overview, height=35 * 26)

for domain in cat.domains:
    st.header(domain.name(lang))
    if domain.lead_departments_zh:
        st.caption(f"{t('lead_departments', lang)}：{'、'.join(domain.lead_departments_zh)}")
    for ind in cat.in_domain(domain.id):
        with st.expander(f"{ind.order}. {ind.name(lang)}", expanded=False):
            formula = ind.formula_zh if lang == "zh" else ind.formula_en
            notes = ind.notes_zh if lang == "zh" else ind.notes_en
            st.markdown(f"**{t('formula', lang)}**：{formula or '—'}")
            if notes:
                st.markdown(f"**{t('notes', lang)}**：{notes}")
            st.markdown(
                f"**{t('kind', lang)}**：{t(f'kind_{ind.kind}', lang)} · {ind.unit if lang == 'zh' else ind.unit_en}"
            )
            leads = "、".join(ind.lead_departments_zh) or "—"
            st.markdown(f"**{t('lead_departments', lang)}**：{leads} {ind.lead_departments_note}")
            rows = []
            for p in profiles:
                target = p.targets.get(ind.id)
                if target is None:
                    continue
                rows.append(
                    {
                        t("profile", lang): p.name(lang),
                        t("target", lang): target_text(p, ind, lang),
                        "原文 / wording": target.text_zh,
                        t("uncertain", lang).strip("（）()"): "" if target.certain else target.note,
                    }
                )
            st.markdown(f"**{t('targets_by_profile', lang)}**")
            render.table(pd.DataFrame(rows))
            unit = ind.numerator_unit_zh if lang == "zh" else ind.numerator_unit_en
            base_year = ctx.profile.targets[ind.id].baseline_year if ind.id in ctx.profile.targets else 2020
            scale = f"{ind.scale:,}"
            st.markdown(
                f"**{t('how_computed', lang)}**："
                + t(f"rule_{ind.kind}", lang, unit=unit, scale=scale, base=base_year)
            )
