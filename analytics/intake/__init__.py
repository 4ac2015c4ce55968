"""Intake: departments' spreadsheets as they are (xlsx/csv, UTF-8/GBK, names/codes) to checked observations.

Nothing is guessed silently: every cell that cannot be read, every name that cannot be resolved and every
number that cannot be true becomes a `Problem` (a code and fields; its zh/en text is problem.<code> in
data/i18n/*/intake.toml) with the row number the user sees. Errors mean the submission must not be imported;
warnings are shown but do not block an import.

files (bytes -> sheets) -> headers (a ColumnPlan) -> rows (records) -> values (numbers) -> checks (the
observation contract, duplicates, jumps, coverage); `submission.read_submission` runs them in that order.
"""

from analytics.errors import Problem
from analytics.intake.headers import resolve_indicator
from analytics.intake.rows import county_problem
from analytics.intake.submission import COLUMNS, Submission, read_submission
from analytics.intake.values import parse_number

__all__ = [
    "COLUMNS",
    "Problem",
    "Submission",
    "county_problem",
    "parse_number",
    "read_submission",
    "resolve_indicator",
]
