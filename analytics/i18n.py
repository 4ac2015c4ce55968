"""UI strings in Chinese (default) and English, kept as data: t("key", lang, **fields).

Every `data/i18n/<lang>/*.toml` file is merged into one namespace per language; a TOML table becomes a
dotted prefix (`[intake]` + `unknown_county` -> "intake.unknown_county"). A key may be defined only once
per language, and both languages define the same keys with the same {fields} (tests/test_i18n.py).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
I18N_DIR = Path(__file__).resolve().parent.parent / "data" / "i18n"


class I18nError(ValueError):
    """A strings file that cannot be used (duplicate key, not TOML, not text)."""


def _flatten(table: dict, prefix: str, out: dict[str, str], where: str) -> None:
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, f"{full}.", out, where)
            continue
        if not isinstance(value, str):
            raise I18nError(f"{where}: '{full}' is not text")
        if full in out:
            raise I18nError(f"{where}: '{full}' is defined twice")
        out[full] = value


@cache
def strings(lang: str) -> dict[str, str]:
    """Every string of one language (key -> text), read once from data/i18n/<lang>/."""
    out: dict[str, str] = {}
    for path in sorted((I18N_DIR / lang).glob("*.toml")):
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise I18nError(f"{path.name}: {exc}") from None
        _flatten(raw, "", out, f"{lang}/{path.name}")
    return out


def _all_strings() -> dict[str, dict[str, str]]:
    keys = {k for lang in LANGS for k in strings(lang)}
    return {k: {lang: strings(lang)[k] for lang in LANGS if k in strings(lang)} for k in sorted(keys)}


class _Strings(dict):
    """STRINGS[key][lang], built lazily from the data files (kept for tests and tools that list keys)."""

    def _load(self) -> None:
        if not dict.__len__(self):
            self.update(_all_strings())

    def __getitem__(self, key):
        self._load()
        return dict.__getitem__(self, key)

    def __contains__(self, key) -> bool:
        self._load()
        return dict.__contains__(self, key)

    def __iter__(self):
        self._load()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._load()
        return dict.__len__(self)

    def items(self):
        self._load()
        return dict.items(self)

    def keys(self):
        self._load()
        return dict.keys(self)

    def get(self, key, default=None):
        self._load()
        return dict.get(self, key, default)


STRINGS: dict[str, dict[str, str]] = _Strings()


def t(key: str, lang: str = DEFAULT_LANG, **fields: object) -> str:
    """The string for `key` in `lang` (falls back to Chinese, then to the key itself)."""
    text = strings(lang if lang in LANGS else DEFAULT_LANG).get(key)
    if text is None:
        text = strings(DEFAULT_LANG).get(key)
    if text is None:
        return key
    return text.format(**fields) if fields else text


def keys_under(prefix: str) -> list[str]:
    """The keys of one TOML table (`prefix`.*), in the order the Chinese file lists them: a sequence kept as data,
    such as the lines of an instruction sheet."""
    start = f"{prefix}."
    return [key for key in strings(DEFAULT_LANG) if key.startswith(start)]


def status_label(status: str, lang: str = DEFAULT_LANG) -> str:
    return t(f"status_{status}", lang)
