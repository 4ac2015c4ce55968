"""The one observation contract: what makes a row of observations valid, for every path that brings them in.

`--data FILE`, the demo loader, department submissions (intake), the store's import and diff, and the rows
a what-if scenario starts from all pass `contract_problems` / `validate_observations`. The rules that depend
on an indicator's kind (bounded numerator, 1/0 status, value range, pairs) are read from analytics.kinds.
Each failure becomes a `Problem` with the row number the user sees (spreadsheet row, CSV line).
"""

from __future__ import annotations

from datetime import date
from functools import cache

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analytics.catalog import Catalog, load_catalog
from analytics.errors import AtlasError, Problem, problem
from analytics.i18n import DEFAULT_LANG, t
from analytics.kinds import KINDS

OBS_COLUMNS = ["region_code", "year", "indicator_id", "numerator", "denominator", "value"]
NUMBER_COLUMNS = ("numerator", "denominator", "value")
KEY_COLUMNS = ["region_code", "year", "indicator_id"]
MIN_YEAR = 2000
MAX_LISTED = 30  # problems written into an error message


def latest_year() -> int:
    return date.today().year + 1


def number_text(v: float) -> str:
    """A number as the user typed it: 5, not 5.0; 1e+20 stays short."""
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else f"{v:g}"


class ObservationError(AtlasError):
    """Observations that break the contract; carries every problem (row-numbered), the message lists them."""

    def __init__(self, problems: list[Problem], source: str = "") -> None:
        self.problems = problems
        super().__init__("observations_refused", source=source, count=len(problems))

    def message(self, lang: str = DEFAULT_LANG) -> str:
        head = t("error.observations_refused", lang, source=self.fields["source"], count=len(self.problems))
        lines = [p.message(lang) for p in self.problems[:MAX_LISTED]]
        if len(self.problems) > MAX_LISTED:
            lines.append(t("error.more_problems", lang, n=len(self.problems) - MAX_LISTED))
        return "\n".join([head, *lines])


# --- the rules, as boolean masks on a coerced frame (True = the row breaks the rule) -----------------------
def _kind_attr(df: pd.DataFrame, catalog: Catalog, attribute: str) -> np.ndarray:
    by_id = {i.id: getattr(KINDS[i.kind], attribute) for i in catalog.indicators}
    values = df["indicator_id"].map(by_id)
    fill = {bool: False}.get(type(next(iter(by_id.values()))), np.nan)
    return values.where(values.notna(), fill).to_numpy()


def _status(df: pd.DataFrame) -> pd.Series:
    return df["value"].where(df["value"].notna(), df["numerator"])


# (code, variant, field the problem points at, mask) — `field` is also the column the user must correct.
def _rules(catalog: Catalog):
    ids = set(catalog.ids)

    def kind(df, attribute):
        return _kind_attr(df, catalog, attribute).astype(bool)

    def ratio(df):  # kinds whose value is numerator / denominator
        return _kind_attr(df, catalog, "value_from") == "ratio"

    num = lambda df: df["numerator"]  # noqa: E731
    den = lambda df: df["denominator"]  # noqa: E731
    val = lambda df: df["value"]  # noqa: E731
    vmin = lambda df: pd.Series(_kind_attr(df, catalog, "value_min"), index=df.index, dtype="float64")  # noqa: E731
    vmax = lambda df: pd.Series(_kind_attr(df, catalog, "value_max"), index=df.index, dtype="float64")  # noqa: E731
    return [
        ("bad_region_code", None, "region_code", lambda df: ~df["region_code"].str.fullmatch(r"\d{6}")),
        (
            "impossible_year",
            "contract",
            "year",
            lambda df: (df["year"] < MIN_YEAR) | (df["year"] > latest_year()),
        ),
        ("unknown_indicator", "contract", "indicator_id", lambda df: ~df["indicator_id"].isin(ids)),
        ("negative_count", None, "numerator", lambda df: ~kind(df, "binary") & (num(df) < 0)),
        ("negative_count", None, "denominator", lambda df: ~kind(df, "binary") & (den(df) < 0)),
        (
            "status_not_binary",
            None,
            "value",
            lambda df: kind(df, "binary") & _status(df).notna() & ~_status(df).isin([0.0, 1.0]),
        ),
        (
            "status_mismatch",
            None,
            "value",
            lambda df: kind(df, "binary") & val(df).notna() & num(df).notna() & (val(df) != num(df)),
        ),
        (
            "status_denominator",
            None,
            "denominator",
            lambda df: kind(df, "binary") & den(df).notna() & (den(df) != 1),
        ),
        ("value_out_of_range", "below", "value", lambda df: ~kind(df, "binary") & (val(df) < vmin(df))),
        ("value_out_of_range", "above", "value", lambda df: ~kind(df, "binary") & (val(df) > vmax(df))),
        (
            "incomplete_pair",
            "numerator",
            "numerator",
            lambda df: kind(df, "numerator_needs_denominator") & num(df).notna() & den(df).isna(),
        ),
        (
            "incomplete_pair",
            "denominator",
            "denominator",
            lambda df: ratio(df) & den(df).notna() & num(df).isna(),
        ),
        (
            "zero_denominator",
            None,
            "denominator",
            lambda df: ratio(df) & (den(df) == 0) & (num(df) > 0),
        ),
        (
            "numerator_exceeds_denominator",
            None,
            "numerator",
            lambda df: (
                kind(df, "numerator_within_denominator")
                & ~kind(df, "binary")
                & (num(df) >= 0)
                & (den(df) > 0)
                & (num(df) > den(df))
            ),
        ),
        ("duplicate_key", None, None, lambda df: df.duplicated(KEY_COLUMNS, keep="first")),
    ]


@cache
def _schema(catalog: Catalog) -> pa.DataFrameSchema:
    """The contract as a pandera schema: typed columns, then one named check per rule (all checked lazily)."""
    checks = []
    for n, (code, variant, field, mask) in enumerate(_rules(catalog)):
        name = f"{n}:{code}:{variant or ''}:{field or ''}"
        checks.append(pa.Check(lambda df, mask=mask: ~mask(df).fillna(False).astype(bool), name=name))
    number = pa.Column(float, nullable=True)
    return pa.DataFrameSchema(
        {
            "region_code": pa.Column(str),
            "year": pa.Column("int64"),
            "indicator_id": pa.Column(str),
            "numerator": number,
            "denominator": number,
            "value": number,
        },
        checks=checks,
        strict=False,  # provenance columns (source_row, source, dataset_version) may follow
        coerce=False,
    )


def _coerce(df: pd.DataFrame, rows: np.ndarray) -> tuple[pd.DataFrame, list[Problem]]:
    """Canonical types; cells that are not numbers (or not finite) become problems and the row is left out."""
    problems: list[Problem] = []
    out = pd.DataFrame(index=df.index)
    out["region_code"] = df["region_code"].astype("string").str.strip().fillna("").astype(str)
    out["indicator_id"] = df["indicator_id"].astype("string").str.strip().fillna("").astype(str)
    bad = np.zeros(len(df), dtype=bool)
    year = pd.to_numeric(df["year"], errors="coerce")
    year_bad = (year.isna() | (year % 1 != 0)).to_numpy()
    for pos in np.flatnonzero(year_bad):
        problems.append(
            problem(
                "error", "bad_year", int(rows[pos]), "year", variant="contract", text=_cell(df, pos, "year")
            )
        )
    bad |= year_bad
    out["year"] = year.where(~year_bad, 0).astype("int64")
    for col in NUMBER_COLUMNS:
        raw = df[col] if col in df.columns else pd.Series(np.nan, index=df.index)
        num = pd.to_numeric(raw, errors="coerce").astype("float64")
        not_number = (num.isna() & raw.notna() & (raw.astype("string").str.strip() != "")).to_numpy()
        infinite = np.isinf(num.to_numpy())
        for pos in np.flatnonzero(not_number | infinite):
            code = "not_finite" if infinite[pos] else "text_in_number"
            problems.append(
                problem("error", code, int(rows[pos]), col, variant="contract", text=_cell(df, pos, col))
            )
        out[col] = num.where(~np.isinf(num))  # the row stays, so its other problems are reported too
    for col in df.columns:
        if col not in out.columns:
            out[col] = df[col]
    return out[~bad], problems


def _cell(df: pd.DataFrame, pos: int, col: str) -> str:
    v = df[col].iloc[pos]
    return "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()


def _fields(df: pd.DataFrame, i, code: str, variant: str | None, field: str | None, catalog) -> dict:
    row = df.loc[i]
    fields: dict = {"indicator_id": row["indicator_id"]}
    if variant:
        fields["variant"] = variant
    if field:
        fields["field"] = field
    for col in NUMBER_COLUMNS:
        v = row[col]
        fields[col] = "" if v != v else number_text(v)
    if code == "status_not_binary":
        fields["number"] = fields["value"] or fields["numerator"]
    elif field in NUMBER_COLUMNS:
        fields["number"] = fields[field]
    if code == "value_out_of_range":
        kind = KINDS[catalog[row["indicator_id"]].kind]
        fields["min"] = number_text(kind.value_min) if kind.value_min is not None else ""
        fields["max"] = number_text(kind.value_max) if kind.value_max is not None else ""
    if code == "bad_region_code":
        fields["text"] = str(row["region_code"])
    if code == "impossible_year":
        fields.update(year=int(row["year"]), min=MIN_YEAR, max=latest_year())
    if code == "unknown_indicator":
        fields["text"] = str(row["indicator_id"])
        fields["indicator_id"] = None
    if code == "duplicate_key":
        fields.update(region_code=str(row["region_code"]), year=int(row["year"]))
    return fields


def contract_problems(
    frame: pd.DataFrame, *, catalog: Catalog | None = None, rows: np.ndarray | None = None
) -> list[Problem]:
    """Every way `frame` breaks the contract, as error Problems in row order.

    `frame` has OBS_COLUMNS (numbers as numbers or text); `rows` are the user-visible row numbers of its rows
    (default: CSV lines, the header being line 1). A problem's `column` is the canonical field to correct.
    """
    catalog = catalog or load_catalog()
    df = frame.reset_index(drop=True)
    rows = np.arange(2, len(df) + 2) if rows is None else np.asarray(rows)
    missing = [c for c in OBS_COLUMNS if c not in df.columns]
    if missing:
        return [
            problem("error", "missing_columns", None, None, variant="contract", columns=", ".join(missing))
        ]
    coerced, problems = _coerce(df, rows)
    if coerced.empty:
        return sorted(problems, key=_order)
    try:
        _schema(catalog).validate(coerced, lazy=True)
    except pa.errors.SchemaErrors as exc:
        rules = _rules(catalog)
        cases = exc.failure_cases
        cases = cases[cases["check"].astype(str).str.match(r"^\d+:")]
        seen: set = set()
        for check, index in zip(cases["check"].astype(str), cases["index"], strict=True):
            if (check, index) in seen or index is None or index != index:
                continue
            seen.add((check, index))
            code, variant, field, _ = rules[int(check.split(":", 1)[0])]
            fields = _fields(coerced, index, code, variant, field, catalog)
            problems.append(problem("error", code, int(rows[index]), field, **fields))
    return sorted(problems, key=_order)


def _order(p: Problem) -> tuple:
    return (p.row if p.row is not None else -1, p.code)


def validate_observations(
    frame: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    rows: np.ndarray | None = None,
    source: str = "",
) -> pd.DataFrame:
    """The frame with canonical types (region_code str, year int64, numbers float64), or ObservationError
    listing every problem with its row number. Extra columns (provenance) are kept."""
    catalog = catalog or load_catalog()
    problems = contract_problems(frame, catalog=catalog, rows=rows)
    if problems:
        raise ObservationError(problems, source)
    df = frame.reset_index(drop=True)
    coerced, _ = _coerce(df, np.arange(len(df)))
    return coerced.reset_index(drop=True)


def read_observations_csv(path, *, catalog: Catalog | None = None) -> pd.DataFrame:
    """A canonical long CSV (UTF-8, header region_code,year,indicator_id,numerator,denominator,value[,…]),
    checked line by line: ObservationError names the CSV lines."""
    from pathlib import Path

    path = Path(path)
    if not path.is_file():
        raise AtlasError("data_file_missing", path=str(path))
    try:
        df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise AtlasError("data_file_unreadable", name=path.name, reason=type(exc).__name__) from None
    return validate_observations(df, catalog=catalog, source=path.name)
