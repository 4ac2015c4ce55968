"""Every string exists in Chinese and English with the same {fields}, every key the code asks for is defined,
and a key is defined once (data/i18n/<lang>/*.toml, read by analytics.i18n)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from analytics import i18n
from analytics.i18n import LANGS, STRINGS, keys_under, strings, t
from analytics.kinds import KINDS

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    ROOT / "app.py",
    *sorted((ROOT / "pages").glob("*.py")),
    *sorted((ROOT / "ui").glob("*.py")),
    *(p for p in sorted((ROOT / "analytics").rglob("*.py")) if p.name != "i18n.py"),
]
KEY = r"[A-Za-z0-9_.\-]+"
LITERAL_KEY = re.compile(rf'\bt\(\s*"({KEY})"')
# t(f"status_{s}", …): the literal part before the first {field} is a prefix some keys must start with
DYNAMIC_PREFIX = re.compile(rf'\bt\(\s*f"({KEY})\{{')


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def source_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)


def test_every_key_has_both_languages_with_the_same_fields():
    for key, entry in STRINGS.items():
        assert set(entry) == set(LANGS), key
        assert fields(entry["zh"]) == fields(entry["en"]), key


def test_keys_used_in_code_exist():
    used = set(LITERAL_KEY.findall(source_text()))
    assert used, "no t(...) calls found"
    missing = sorted(k for k in used if k not in STRINGS)
    assert not missing, missing


def test_dynamic_key_prefixes_exist():
    prefixes = set(DYNAMIC_PREFIX.findall(source_text()))
    assert {"status_", "template.wide_suffix."} <= prefixes, prefixes
    missing = sorted(p for p in prefixes if not any(k.startswith(p) for k in STRINGS))
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


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_has_its_words(kind):
    """Adding a kind to analytics/kinds.py means adding these words (pages, templates, sentences)."""
    rules = KINDS[kind]
    keys = [rules.label_key, rules.rule_key, rules.shortfall_key]
    keys += [f"template.{part}.{kind}" for part in ("kind_how", "numerator_means", "denominator_means")]
    keys += [f"template.wide_suffix.{kind}_{role}" for role in rules.template_roles]
    missing = [k for k in keys if k not in STRINGS]
    assert not missing, missing


def test_a_key_is_defined_once(tmp_path, monkeypatch):
    for lang in LANGS:
        strings(lang)  # the real files load (I18nError on a key defined twice, across files too)
    (tmp_path / "zh").mkdir()
    (tmp_path / "zh" / "a.toml").write_text('[intake]\nx = "甲"\n', encoding="utf-8")
    (tmp_path / "zh" / "b.toml").write_text('"intake.x" = "乙"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "I18N_DIR", tmp_path)
    strings.cache_clear()
    try:
        with pytest.raises(i18n.I18nError, match=r"intake\.x"):
            strings("zh")
    finally:
        monkeypatch.undo()
        strings.cache_clear()


def test_sequences_keep_the_chinese_order():
    guide = keys_under("template.guide")
    assert guide[0] == "template.guide.title" and guide[-1] == "template.guide.step_8"
    for lang in LANGS:
        assert all(k in strings(lang) for k in guide)


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
    assert t("headline_met", "fr", met=3, total=25) == t("headline_met", "zh", met=3, total=25)
