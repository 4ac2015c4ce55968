"""Cell values to numbers: `parse_number`, what a kind reads from its cells, warnings on allowed numbers.

The warnings are about numbers the observation contract accepts but that deserve a look: a value without
numerator and denominator, counts that are not whole, a value that differs from numerator / denominator.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np

from analytics.catalog import Indicator
from analytics.errors import Problem, Words, problem
from analytics.intake.files import cell_text
from analytics.intake.headers import Column
from analytics.schema import number_text

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,15})?")  # ASCII digits only: float() reads it exactly as below
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# Cells that mean "no figure" in Chinese statistical tables; "无", "不详" and the like stay errors.
EMPTY_TOKENS = frozenset(
    {"", "-", "--", "—", "——", "–", "―", "/", "\\", "na", "n/a", "nan", "null", "none", "…", "..."}
)
VALUE_TOLERANCE = 0.5  # a reported value this far from numerator / denominator is flagged


def parse_number(value: Any, *, percent_ok: bool = False) -> tuple[float | None, bool]:
    """(number or None for an empty cell, ok). '1,234', full-width digits and '—' (empty) are understood."""
    if value is None:
        return None, True
    if type(value) is str and _PLAIN.fullmatch(
        value
    ):  # the common cell, '1234' or '56.7': no NFKC, no tokens
        return float(value), True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, int | float | np.integer | np.floating):
        v = float(value)
        if v != v:
            return None, True
        return (v, True) if np.isfinite(v) else (None, False)
    if isinstance(value, datetime | date | time | timedelta):
        return None, False
    s = unicodedata.normalize("NFKC", str(value)).strip()
    if s.lower() in EMPTY_TOKENS:
        return None, True
    if percent_ok and s.endswith("%"):
        s = s[:-1].strip()
    s = s.replace(" ", "")
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    if not _NUMBER.match(s):
        return None, False
    return float(s), True


@dataclass(frozen=True, slots=True)
class Numbers:
    """The numbers of one indicator in one row (None: the cell is empty or absent)."""

    numerator: float | None = None
    denominator: float | None = None
    value: float | None = None

    def get(self, role: str) -> float | None:
        return getattr(self, role)

    @property
    def empty(self) -> bool:
        return self.numerator is None and self.denominator is None and self.value is None


def read_numbers(
    ind: Indicator, row: int, cells: Mapping[str, tuple[Column, Any]], problems: list[Problem]
) -> Numbers | None:
    """The numbers in an indicator's cells (role -> (column, raw cell)) as written; None when they are all
    empty or one cannot be read (reported). Whether they can be true is the observation contract's call."""
    parsed: dict[str, float | None] = {}
    bad = False
    for role, (col, raw) in cells.items():
        v, ok = parse_number(raw, percent_ok=role == "value")
        if not ok:
            bad = True
            problems.append(
                problem("error", "text_in_number", row, col.header, letter=col.letter, text=cell_text(raw))
            )
        parsed[role] = v
    if bad:
        return None
    numbers = Numbers(**parsed)
    if numbers.empty:
        return None
    if ind.rules.binary and numbers.value is None and numbers.numerator is None:
        col = cells["denominator"][0]
        problems.append(
            problem("error", "status_missing", row, col.header, letter=col.letter, indicator_id=ind.id)
        )
        return None
    return numbers


def canonical(ind: Indicator, numbers: Numbers) -> Numbers:
    """The numbers as stored: a status is its 1/0 value; a kind without a denominator drops one."""
    rules = ind.rules
    if rules.binary:
        return Numbers(value=numbers.value if numbers.value is not None else numbers.numerator)
    if "denominator" not in rules.template_roles:
        return Numbers(numerator=numbers.numerator, value=numbers.value)
    return numbers


def number_warnings(ind: Indicator, numbers: Numbers, row: int) -> list[Problem]:
    """Numbers the contract accepts that still deserve a look: shown, they do not block an import."""
    rules = ind.rules
    num, den, val = numbers.numerator, numbers.denominator, numbers.value
    out: list[Problem] = []

    def warn(code: str, **fields: Any) -> None:
        out.append(problem("warning", code, row, indicator_id=ind.id, **fields))

    if rules.binary:
        return out
    if "denominator" not in rules.template_roles:  # a count compared with the baseline year's count
        if den is not None:
            warn("denominator_ignored", denominator=number_text(den))
        if num is None:
            warn("value_only", variant="count", value=number_text(val))
        elif not float(num).is_integer():
            warn("non_integer_count", variant="count", number=number_text(num))
        return out
    if num is None and den is None:
        warn("value_only", variant="ratio", value=number_text(val), unit=Words(ind.unit_in))
        return out
    for role, v in (("numerator", num), ("denominator", den)):
        if v is not None and not float(v).is_integer():
            warn("non_integer_count", field=role, number=number_text(v))
    if val is not None and num is not None and den:
        computed = num / den * ind.scale
        if abs(computed - val) > VALUE_TOLERANCE + 1e-9 * abs(computed):
            warn("value_mismatch", value=number_text(val), computed=f"{computed:.2f}")
    return out
