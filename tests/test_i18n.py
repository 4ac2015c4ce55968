"""Every UI string exists in Chinese and English, and every key the code asks for is defined."""

from __future__ import annotations

import re
import string
from pathlib import Path

from analytics.i18n import LANGS, STRINGS, t

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    ROOT / "app.py",
    *sorted((ROOT / "pages").glob("*.py")),
    *sorted((ROOT / "ui").glob("*.py")),
    *(p for p in sorted((ROOT / "analytics").glob("*.py")) if p.name != "i18n.py"),
]


def test_every_key_has_both_languages_with_the_same_fields():
    for key, entry in STRINGS.items():
        assert set(entry) == set(LANGS), key
        fields = [{f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f} for lang in LANGS]
        assert fields[0] == fields[1], key


def test_keys_used_in_code_exist():
    used = set()
    for path in SOURCES:
        used |= set(re.findall(r'\bt\(\s*"([a-z0-9_]+)"', path.read_text(encoding="utf-8")))
    assert used, "no t(...) calls found"
    missing = sorted(k for k in used if k not in STRINGS)
    assert not missing, missing


def test_dynamic_keys_exist():
    from analytics.charts import PROGRESS_COLORS, TRAJECTORY_COLORS
    from analytics.progress import PROGRESS_STATUSES, TRAJECTORIES

    for s in ("met", "not_met", "no_data"):
        assert f"status_{s}" in STRINGS
    for s in (*PROGRESS_STATUSES, *PROGRESS_COLORS):
        assert f"progress_{s}" in STRINGS, s
    for s in (*TRAJECTORIES, *TRAJECTORY_COLORS):
        assert f"trajectory_{s}" in STRINGS, s
    for kind in ("rate", "per_population", "county_status", "reduction_vs_baseline"):
        assert f"kind_{kind}" in STRINGS and f"rule_{kind}" in STRINGS


def test_status_labels_carry_a_symbol_not_only_colour():
    for lang in LANGS:
        assert t("status_met", lang).startswith("✓")
        assert t("status_not_met", lang).startswith("✗")
        assert t("status_no_data", lang).startswith("–")


def test_demo_label_in_both_languages():
    for lang in LANGS:
        assert "示例数据（模拟，非真实统计）" in t("demo_banner", lang)


def test_fallbacks():
    assert t("no_such_key") == "no_such_key"
    assert t("headline_met", "en", met=3, total=25) == "3 / 25 indicators met"
