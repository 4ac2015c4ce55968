"""A spreadsheet cell that must not run: the one rule for every table the app writes (CSV, xlsx) or shows for
download. Light on purpose: the pages import it without the intake package."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads a cell starting so as a formula


def formula_safe(value):
    """A cell a spreadsheet will not run: text starting with = + - @ (or a tab / carriage return) gets a
    leading apostrophe; numbers and other text are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
