"""What-if in words: each adjustment as a sentence, the counties a roll-up left out, what to submit for units.

One place for these sentences, used by the 情景推演 page and the `whatif` command alike (data/i18n/*/whatif.toml).
"""

from __future__ import annotations

from analytics.catalog import Catalog, Indicator, TargetProfile
from analytics.i18n import t
from analytics.insights import COMPARATOR_KEYS, with_unit
from analytics.scenarios import Adjustment

NAMES_SHOWN = 5  # a scope of more regions is named by its first few and a count


def scope_words(scope: str, regions, lang: str = "zh") -> str:
    """'全部县' / '未达标县', or the names of the regions (counties or prefectures) a step is limited to."""
    if scope in ("", "all", "lagging"):
        return t(f"whatif.scope_{scope or 'all'}", lang)
    codes = [c.strip() for c in scope.split(",") if c.strip()]
    names = [regions.name(c) if c in regions else c for c in codes]
    shown = t("name_sep", lang).join(names[:NAMES_SHOWN])
    if len(names) <= NAMES_SHOWN:
        return shown
    return t("whatif.scope_many", lang, names=shown, n=len(names))


def _amount(x: float) -> str:
    return f"{abs(x):g}"


def _points_unit(ind: Indicator, lang: str) -> str:
    """A percent value moves by percentage points; any other value by its own unit."""
    unit = ind.unit_in(lang)
    return t("whatif.points", lang) if unit == "%" else unit


def describe(
    adj: Adjustment, catalog: Catalog, regions, lang: str = "zh", profile: TargetProfile | None = None
) -> str:
    """One adjustment as a sentence: "未达标县的产前筛查率提高 5 个百分点", "40 人（康复医师数）按最接近目标优先分配给
    全部县", "婚检率的目标改为 ＞60%". `profile` gives a changed target its comparator."""
    ind = catalog[adj.indicator_id]
    name = ind.short(lang)
    scope = scope_words(adj.scope, regions, lang)
    direction = "down" if adj.amount < 0 else "up"
    if adj.operation == "add_pp":
        return t(
            f"whatif.add_pp_{direction}",
            lang,
            scope=scope,
            indicator=name,
            amount=_amount(adj.amount),
            unit=_points_unit(ind, lang),
        )
    if adj.operation == "scale_pct":
        return t(
            f"whatif.scale_pct_{direction}",
            lang,
            scope=scope,
            indicator=name,
            amount=_amount(adj.amount),
            numerator=ind.numerator_text(lang),
        )
    if adj.operation == "add_units":
        return t(
            "whatif.add_units_fewer" if ind.rules.unit_sign < 0 else "whatif.add_units_more",
            lang,
            n=f"{int(adj.amount):,}",
            unit=ind.numerator_unit(lang),
            indicator=name,
            rule=t(f"whatif.rule_{adj.allocate}", lang),
            scope=scope,
        )
    target = with_unit(f"{adj.amount:g}", ind.unit_in(lang))
    current = profile.targets.get(adj.indicator_id) if profile is not None else None
    if current is not None:
        target = t(COMPARATOR_KEYS[current.comparator], lang) + target
    return t("whatif.set_target", lang, indicator=name, target=target)


def units_text(ind: Indicator, n, lang: str = "zh") -> str:
    """Units a county received, in words: "新增 12 人", or for avoided events "减少 3 起"."""
    key = "whatif.units_fewer" if ind.rules.unit_sign < 0 else "whatif.units_more"
    return t(key, lang, n=f"{int(n):,}", unit=ind.numerator_unit(lang))


def units_heading(ind: Indicator, lang: str = "zh") -> str:
    """The heading of a column of units received: "新增数量（人）", for avoided events "减少数量（起）"."""
    key = "whatif.units_removed" if ind.rules.unit_sign < 0 else "whatif.units_added"
    return t("bracketed", lang, text=t(key, lang), note=ind.numerator_unit(lang))


def value_only_note(n_value_only, lang: str = "zh") -> str:
    """Under a prefecture's or the province's value: how many of its counties sent only a value, left out of it
    ("" when none)."""
    n = int(n_value_only or 0)
    return t("whatif.value_only_note", lang, n=n) if n > 0 else ""


def submit_counts(ind: Indicator, n_skipped: int, lang: str = "zh") -> str:
    """Why some counties got no units, and what to submit so that they can ("" when none were skipped): the
    counts the kind's template asks for (numerator and denominator; a reduction's count)."""
    if n_skipped <= 0:
        return ""
    parts = [
        t(f"whatif.part_{role}", lang, text=getattr(ind, f"{role}_text")(lang))
        for role in ind.rules.template_roles
        if role in ("numerator", "denominator")
    ]
    return t(
        "whatif.units_skipped",
        lang,
        n=n_skipped,
        unit=ind.numerator_unit(lang),
        parts=t("whatif.part_sep", lang).join(parts),
    )
