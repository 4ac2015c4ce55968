"""The draft a person edits on 目标方案: a copy of a profile with their changes, kept in st.session_state.

The draft is rebuilt on every run from its base profile and the changes made so far (analytics.profiles:
copy_profile, edit_target, check_profile), so what is shown, checked, exported and saved is always one profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pandas as pd
import streamlit as st

from analytics.catalog import Catalog, TargetProfile
from analytics.i18n import t
from analytics.insights import COMPARATOR_KEYS, target_text
from analytics.profiles import ProfileError, ProfileProblem, check_profile, copy_profile, edit_target

EDITS = "_profile_edits"  # {indicator_id: (comparator, threshold as text, aspirational)}
COMPARATORS = (">", ">=")  # what the file keeps; a person reads the sign of the UI's language


@dataclass(frozen=True)
class Draft:
    profile: TargetProfile
    problems: tuple[ProfileProblem, ...]


def edits() -> dict[str, tuple[str, str, bool]]:
    return st.session_state.setdefault(EDITS, {})


def forget_edits() -> None:
    st.session_state[EDITS] = {}


def build(base: TargetProfile, new_id: str, name_zh: str, name_en: str, target_year: int) -> Draft:
    """The base profile copied under the new id, names and target year, with every change applied."""
    draft = copy_profile(base, new_id.strip(), name_zh.strip(), name_en.strip(), target_year=int(target_year))
    problems: list[ProfileProblem] = []
    for ind_id, (comparator, threshold, aspirational) in edits().items():
        try:
            draft = edit_target(draft, ind_id, comparator, threshold, aspirational)
        except ProfileError as exc:  # a threshold that is no number: said with the other problems
            problems += exc.problems
    return Draft(draft, tuple(problems) + tuple(check_profile(draft)))


def comparator_word(comparator: str, lang: str) -> str:
    return t(COMPARATOR_KEYS[comparator], lang)


def threshold_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def targets_table(base: TargetProfile, draft: TargetProfile, catalog: Catalog, lang: str) -> pd.DataFrame:
    """The 25 targets: the base's, the draft's, and a mark where they differ."""
    rows = []
    for ind in catalog.indicators:
        old, new = base.targets.get(ind.id), draft.targets.get(ind.id)
        changed = old != new
        rows.append(
            {
                t("profiles.col_no", lang): ind.order,
                t("indicator", lang): ind.name(lang),
                t("profiles.col_base", lang): target_text(base, ind, lang) if old else "",
                t("profiles.col_draft", lang): target_text(draft, ind, lang) if new else "",
                t("profiles.col_changed", lang): t("profiles.changed_mark", lang) if changed else "",
            }
        )
    return pd.DataFrame(rows)
