"""Domain errors and row-level problems carry a code and fields; their words live in data/i18n/ (zh and en).

`AtlasError("unknown_profile", profile="x", known="a, b").message("en")` renders `error.unknown_profile` in
English; `str(exc)` is the Chinese text (the CLI's default language). A `Problem` is one thing wrong with a
submission or an observation file, located by the row number the user sees; its text is `problem.<code>`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from analytics.i18n import DEFAULT_LANG, LANGS, t

SEVERITIES = ("error", "warning")


class Words:
    """A field value that reads differently per language: the zh text writes `{unit:zh}`, the en text
    `{unit:en}` (both define the same field, as data/i18n requires); `render(lang)` gives the words."""

    def __init__(self, render: Callable[[str], str]) -> None:
        self._render = render

    def __format__(self, spec: str) -> str:
        return self._render(spec if spec in LANGS else DEFAULT_LANG)

    def __str__(self) -> str:
        return self._render(DEFAULT_LANG)

    def __repr__(self) -> str:
        return f"Words({self._render(DEFAULT_LANG)!r})"


class AtlasError(ValueError):
    """A refusal the user can act on: `code` names the message (error.<code> in data/i18n), `fields` fill it."""

    prefix = "error"

    def __init__(self, code: str, /, **fields: Any) -> None:
        self.code = code
        self.fields = fields
        super().__init__(self.message(DEFAULT_LANG))

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return t(f"{self.prefix}.{self.code}", lang, **self.fields)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a submission, located as the user sees it (row 1 is the first row of the sheet)."""

    severity: str  # "error" (nothing is imported) or "warning" (import allowed)
    row: int | None
    column: str | None  # the column as the user wrote it, or a canonical field name
    code: str  # short machine id, e.g. "unknown_county": the message is problem.<code>
    fields: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def message(self, lang: str = DEFAULT_LANG) -> str:
        """The located text: "第3行 E列（分子）：" + problem.<code>. A pattern that places {row} itself gets no prefix."""
        variant = self.fields.get("variant")  # one code, several wordings: problem.<code>_<variant>
        key = f"problem.{self.code}_{variant}" if variant else f"problem.{self.code}"
        body = t(key, lang, row=self.row, column=self.column or "", **self._words(lang))
        if self.row is None or "{row}" in t(key, lang):
            return body
        letter = self.fields.get("letter")
        if letter and self.column:
            at = t("problem.at_row_cell", lang, row=self.row, letter=letter, column=self.column)
        elif letter:
            at = t("problem.at_row_letter", lang, row=self.row, letter=letter)
        elif self.column:
            at = t("problem.at_row_column", lang, row=self.row, column=self.column)
        else:
            at = t("problem.at_row", lang, row=self.row)
        return at + body

    def _words(self, lang: str) -> dict[str, Any]:
        """Fields plus their words in `lang`: `indicator` (name) from `indicator_id`, `role` (分子 / numerator)
        from `field`."""
        words = dict(self.fields)
        ind_id = words.get("indicator_id")
        if ind_id is not None and "indicator" not in words:
            from analytics.catalog import load_catalog

            catalog = load_catalog()
            words["indicator"] = catalog[ind_id].name(lang) if ind_id in catalog else str(ind_id)
        if "field" in words and "role" not in words:
            words["role"] = t(f"field_{words['field']}", lang)
        return words

    @property
    def message_zh(self) -> str:
        return self.message("zh")

    @property
    def message_en(self) -> str:
        return self.message("en")

    def __str__(self) -> str:
        return self.message(DEFAULT_LANG)


def problem(
    severity: str, code: str, row: int | None = None, column: str | None = None, **fields: Any
) -> Problem:
    return Problem(severity, row, column, code, MappingProxyType(dict(fields)))
