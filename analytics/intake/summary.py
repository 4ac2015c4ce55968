"""Problems summarised for a person: one line per kind of problem and column, with a count and the first rows.

A values-only file of 60 counties x 3 indicators has 180 "value only" warnings: read one by one they hide
the one that matters. `summarise` groups them (errors first, then warnings, each in the order first met):
"只有值、没有分子分母（可以显示，无法汇总到市州和全省）：居家患者康复率 共 60 行（第3、4、5、6、7行……）".
The full list stays available: `problems_csv` (the data page's download) and the CLI's `--all`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType

from analytics.cells import formula_safe
from analytics.errors import SEVERITIES, Problem, Words
from analytics.i18n import DEFAULT_LANG, strings, t

FIRST_ROWS = 5  # row numbers a summary line lists
# Warnings listed per kind (code and variant): a million-row file of values only is 200 warnings and one
# "另有 … 行同类提示" line, not a million. The one place the cap lives (read_submission applies it).
WARNINGS_LISTED = 200
ERRORS_LISTED = 1000  # errors too: a file of a million bad rows lists the first thousand of each kind


@dataclass(frozen=True)
class SummaryLine:
    """Problems of one kind (code and variant) in one column (or for one indicator), as one line."""

    severity: str
    code: str
    variant: str | None
    column: str | None  # the column as written ("F列（完成率）" is built from letter + column), or None
    letter: str | None
    indicator_id: str | None  # where a problem names no column: the indicator it is about
    count: int
    rows: tuple[int, ...]  # the first FIRST_ROWS rows, in order
    first: Problem  # the group's first problem: its whole text when it is alone

    def message(self, lang: str = DEFAULT_LANG) -> str:
        if self.count == 1:
            return self.first.message(lang)
        listed = t("summary.row_separator", lang).join(str(r) for r in self.rows)
        fields = {
            "where": self._where(lang),
            "count": self.count,
            "rows": listed,
            "more": t("summary.more_rows", lang) if self.count > len(self.rows) else "",
        }
        title = self._title(lang)
        if title is None:  # no short title for this kind: the first problem shows what it is
            return t("summary.line_example", lang, example=self.first.message(lang), **fields)
        return t("summary.line", lang, title=title, **fields)

    def _title(self, lang: str) -> str | None:
        known = strings(DEFAULT_LANG)
        for key in (f"summary.{self.code}_{self.variant}", f"summary.{self.code}"):
            if key in known:
                return t(key, lang)
        return None

    def _where(self, lang: str) -> str:
        if self.letter and self.column:
            return t("summary.where_cell", lang, letter=self.letter, column=self.column)
        if self.letter:
            return t("summary.where_letter", lang, letter=self.letter)
        if self.column:
            return t("summary.where_column", lang, column=self.column)
        if self.indicator_id:
            from analytics.catalog import load_catalog

            catalog = load_catalog()
            name = (
                catalog[self.indicator_id].short(lang) if self.indicator_id in catalog else self.indicator_id
            )
            return t("summary.where_indicator", lang, indicator=name)
        return ""


def _group_key(p: Problem, position: int) -> tuple:
    if p.row is None:
        return ("file", position)  # a problem of the whole file is its own line
    f = p.fields
    return (p.severity, p.code, f.get("variant"), f.get("letter"), p.column, f.get("indicator_id"))


def summarise(problems: Iterable[Problem]) -> list[SummaryLine]:
    """One line per kind of problem and column: errors first, then warnings, each in the order first met."""
    groups: dict[tuple, list[Problem]] = {}
    for n, p in enumerate(problems):
        groups.setdefault(_group_key(p, n), []).append(p)
    lines = []
    for members in groups.values():
        first = members[0]
        rows = sorted({p.row for p in members if p.row is not None})
        lines.append(
            SummaryLine(
                severity=first.severity,
                code=first.code,
                variant=first.fields.get("variant"),
                column=first.column,
                letter=first.fields.get("letter"),
                indicator_id=first.fields.get("indicator_id"),
                count=len(members),
                rows=tuple(rows[:FIRST_ROWS]),
                first=first,
            )
        )
    rank = {s: n for n, s in enumerate(SEVERITIES)}
    return sorted(lines, key=lambda line: rank.get(line.severity, len(rank)))  # stable: order met kept


class ProblemList(list):
    """Problems as they are found, holding at most `warnings` warnings and `errors` errors of each kind (code and
    variant): the rest are only counted (`left_out`), so a million bad or repeated rows cost a counter, not a
    million messages kept and sent. Problems of a kind are found in row order, so the ones held are the first
    rows; `cap_warnings` says how many more there were."""

    def __init__(self, warnings: int = WARNINGS_LISTED, errors: int = ERRORS_LISTED) -> None:
        super().__init__()
        self.limits = {"warning": warnings, "error": errors}
        self.listed: dict[tuple, int] = {}
        self.left_out: dict[tuple, tuple[int, Problem]] = {}

    def append(self, p: Problem) -> None:
        kind = (p.severity, p.code, p.fields.get("variant"))
        n = self.listed.get(kind, 0)
        if n >= self.limits[p.severity]:
            self._left_out(kind, 1, p)
            return
        self.listed[kind] = n + 1
        super().append(p)

    def extend(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            self.append(p)

    def put_at(self, position: int, other: ProblemList) -> None:
        """`other`'s problems placed at `position` (as if found there), its counts added to these."""
        self[position:position] = other
        for kind, n in other.listed.items():
            self.listed[kind] = self.listed.get(kind, 0) + n
        for kind, (n, first) in other.left_out.items():
            self._left_out(kind, n, first)

    def _left_out(self, kind: tuple, n: int, first: Problem) -> None:
        count, earlier = self.left_out.get(kind, (0, first))
        self.left_out[kind] = (count + n, earlier)


def cap_warnings(problems: Iterable[Problem], limit: int = WARNINGS_LISTED) -> list[Problem]:
    """At most `limit` warnings and ERRORS_LISTED errors of each kind (code and variant), in order; those left
    out (here, or already by a ProblemList) are counted in one "more_warnings" warning (or "more_errors"
    error) per kind, after the rest."""
    held = ProblemList(warnings=limit)
    held.extend(problems)
    for kind, (n, first) in getattr(problems, "left_out", {}).items():
        held._left_out(kind, n, first)
    kept = list(held)
    # in the order their first left-out row was met (a ProblemList counts kinds in the order it was given them)
    for (severity, code, variant), (n, first) in sorted(
        held.left_out.items(), key=lambda kv: kv[1][1].row or 0
    ):
        kept.append(
            Problem(
                severity,
                None,
                None,
                "more_errors" if severity == "error" else "more_warnings",
                MappingProxyType(
                    {
                        "count": f"{n:,}",
                        "kind": Words(_kind_title(first)),
                        "of_code": code,
                        "of_variant": variant,
                    }
                ),
            )
        )
    return kept


def _kind_title(first: Problem):
    def render(lang: str) -> str:
        for key in (f"summary.{first.code}_{first.fields.get('variant')}", f"summary.{first.code}"):
            if key in strings(DEFAULT_LANG):
                return t(key, lang)
        return first.message(lang)  # no short title for this kind: the first one left out says what it is

    return render


def problems_csv(problems: Iterable[Problem], lang: str = DEFAULT_LANG) -> bytes:
    """Every problem, one per row (severity, row, column, code, message), as UTF-8 CSV with a BOM (Excel
    opens it in Chinese); every cell passes `formula_safe`."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([t(f"summary.csv_{c}", lang) for c in ("severity", "row", "column", "code", "message")])
    for p in problems:
        letter = p.fields.get("letter")
        column = (
            t("summary.where_cell", lang, letter=letter, column=p.column) if letter and p.column else None
        )
        cells = [
            t(f"cli.severity_{p.severity}", lang),
            "" if p.row is None else p.row,
            column or (letter or p.column or ""),
            p.code,
            p.message(lang),
        ]
        writer.writerow([formula_safe(c) for c in cells])
    return buf.getvalue().encode("utf-8-sig")
