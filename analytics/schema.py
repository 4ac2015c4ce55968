"""The one observation contract: what makes a row of observations valid, for every path that brings them in.

`--data FILE`, the demo loader, department submissions (intake), the store's import and diff, and the rows
a what-if scenario starts from all pass `contract_problems` / `validate_observations`. The rules that depend
on an indicator's kind (bounded numerator, 1/0 status, value range, pairs) are read from analytics.kinds.
Each failure becomes a `Problem` with the row number the user sees (spreadsheet row, CSV line).
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analytics.catalog import Catalog, load_catalog
from analytics.errors import AtlasError, Problem, problem
from analytics.i18n import DEFAULT_LANG, t
from analytics.kinds import KINDS

if TYPE_CHECKING:
    import pandera.pandas as pa

OBS_COLUMNS = ["region_code", "year", "indicator_id", "numerator", "denominator", "value"]
NUMBER_COLUMNS = ("numerator", "denominator", "value")
KEY_COLUMNS = ["region_code", "year", "indicator_id"]
MIN_YEAR = 2000
MAX_LISTED = 30  # problems written into an error message
CONTRACT_MARK = "observation_contract"  # DataFrame.attrs key set on frames that passed the contract


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
_KIND_ATTRIBUTES = (
    "binary",
    "numerator_within_denominator",
    "numerator_needs_denominator",
    "value_from",
    "value_min",
    "value_max",
    "count_max",
)


def _with_kind_columns(df: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Each row's kind attributes as `_k_<attribute>` columns, looked up once per distinct indicator id."""
    codes, uniques = pd.factorize(df["indicator_id"])
    by_id = {i.id: i for i in catalog.indicators}
    known = [by_id.get(i) for i in uniques]
    out = df.copy()
    for attribute in _KIND_ATTRIBUTES:
        per_id = [getattr(KINDS[i.kind], attribute) if i is not None else None for i in known]
        if attribute in ("value_min", "value_max", "count_max"):
            table = np.array([np.nan if v is None else v for v in per_id] + [np.nan], dtype="float64")
        elif attribute == "value_from":
            table = np.array([v or "" for v in per_id] + [""], dtype=object)
        else:
            table = np.array([bool(v) for v in per_id] + [False], dtype=bool)
        out[f"_k_{attribute}"] = table[codes]  # code -1 (missing id) takes the trailing blank
    region_codes, region_uniques = pd.factorize(df["region_code"])
    well_formed = np.array([bool(re.fullmatch(r"\d{6}", c)) for c in region_uniques] + [False], dtype=bool)
    out["_k_region_ok"] = well_formed[region_codes]
    return out


def _status(df: pd.DataFrame) -> pd.Series:
    return df["value"].where(df["value"].notna(), df["numerator"])


# (code, variant, field the problem points at, mask) — `field` is also the column the user must correct.
def _rules(catalog: Catalog):
    ids = set(catalog.ids)
    num = lambda df: df["numerator"]  # noqa: E731
    den = lambda df: df["denominator"]  # noqa: E731
    val = lambda df: df["value"]  # noqa: E731
    binary = lambda df: df["_k_binary"]  # noqa: E731
    ratio = lambda df: df["_k_value_from"] == "ratio"  # noqa: E731
    return [
        ("bad_region_code", None, "region_code", lambda df: ~df["_k_region_ok"]),
        (
            "impossible_year",
            "contract",
            "year",
            lambda df: (df["year"] < MIN_YEAR) | (df["year"] > latest_year()),
        ),
        ("unknown_indicator", "contract", "indicator_id", lambda df: ~df["indicator_id"].isin(ids)),
        ("negative_count", None, "numerator", lambda df: ~binary(df) & (num(df) < 0)),
        ("negative_count", None, "denominator", lambda df: ~binary(df) & (den(df) < 0)),
        ("count_too_large", None, "numerator", lambda df: num(df) > df["_k_count_max"]),
        ("count_too_large", None, "denominator", lambda df: den(df) > df["_k_count_max"]),
        (
            "status_not_binary",
            None,
            "value",
            lambda df: binary(df) & _status(df).notna() & ~_status(df).isin([0.0, 1.0]),
        ),
        (
            "status_mismatch",
            None,
            "value",
            lambda df: binary(df) & val(df).notna() & num(df).notna() & (val(df) != num(df)),
        ),
        (
            "status_denominator",
            None,
            "denominator",
            lambda df: binary(df) & den(df).notna() & (den(df) != 1),
        ),
        ("value_out_of_range", "below", "value", lambda df: ~binary(df) & (val(df) < df["_k_value_min"])),
        ("value_out_of_range", "above", "value", lambda df: ~binary(df) & (val(df) > df["_k_value_max"])),
        (
            "incomplete_pair",
            "numerator",
            "numerator",
            lambda df: df["_k_numerator_needs_denominator"] & num(df).notna() & den(df).isna(),
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
                df["_k_numerator_within_denominator"]
                & ~binary(df)
                & (num(df) >= 0)
                & (den(df) > 0)
                & (num(df) > den(df))
            ),
        ),
        ("duplicate_key", None, None, lambda df: df.duplicated(KEY_COLUMNS, keep="first")),
    ]


@cache
def _schema(catalog: Catalog, duplicates: bool = True) -> pa.DataFrameSchema:
    """The contract as a pandera schema: typed columns, then one named check per rule (all checked lazily);
    without `duplicates`, the rule of one row per key is left to the caller."""
    import pandera.pandas as pa  # here, not at the top: the app starts without it (0.3 s) on the demo

    checks = []
    for n, (code, variant, field, mask) in enumerate(_rules(catalog)):
        if code == "duplicate_key" and not duplicates:
            continue
        name = f"{n}:{code}:{variant or ''}:{field or ''}"
        checks.append(
            pa.Check(lambda df, mask=mask: ~mask(df).fillna(False).astype(bool), name=name, ignore_na=False)
        )
    number = pa.Column(float, nullable=True)
    return pa.DataFrameSchema(
        {
            "region_code": pa.Column(object),  # text, one object per cell (see _text_column)
            "year": pa.Column("int64"),
            "indicator_id": pa.Column(object),
            "numerator": number,
            "denominator": number,
            "value": number,
        },
        checks=checks,
        strict=False,  # provenance columns (source_row, source, dataset_version) may follow
        coerce=False,
    )


def _coerce(df: pd.DataFrame, rows: np.ndarray) -> tuple[pd.DataFrame, list[Problem]]:
    """Canonical types; cells that are not numbers (or not finite) become problems (and empty cells), a row
    whose year is not a whole number is left out."""
    problems: list[Problem] = []
    out = pd.DataFrame(index=df.index)
    out["region_code"] = _text_column(df["region_code"])
    out["indicator_id"] = _text_column(df["indicator_id"])
    bad = np.zeros(len(df), dtype=bool)
    year = (
        df["year"]
        if pd.api.types.is_numeric_dtype(df["year"])
        else pd.to_numeric(df["year"], errors="coerce")
    )
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
        if pd.api.types.is_numeric_dtype(raw):
            num = raw.astype("float64")
            not_number = np.zeros(len(df), dtype=bool)
        else:
            num = pd.to_numeric(raw, errors="coerce").astype("float64")
            not_number = num.isna().to_numpy(copy=True) & raw.notna().to_numpy()
            for pos in np.flatnonzero(not_number):  # few: blank text and text
                not_number[pos] = _cell(df, pos, col) != ""
        infinite = np.isinf(num.to_numpy())
        for pos in np.flatnonzero(not_number | infinite):
            # inf, -inf, and a number too large for a float ("1e309" reads as inf): the row is named
            code, variant = ("not_finite", None) if infinite[pos] else ("text_in_number", "contract")
            problems.append(
                problem("error", code, int(rows[pos]), col, variant=variant, text=_cell(df, pos, col))
            )
        out[col] = num.where(~np.isinf(num))  # the row stays, so its other problems are reported too
    for col in df.columns:
        if col not in out.columns:
            out[col] = df[col]
    return out[~bad], problems


def _text_column(values: pd.Series) -> pd.Series:
    """Cells as stripped text (empty for missing), converted once per distinct value."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    codes, uniques = pd.factorize(values)
    stripped = np.array([str(u).strip() for u in uniques] + [""], dtype=object)
    return pd.Series(stripped[codes], index=values.index, dtype=object)


def _cell(df: pd.DataFrame, pos: int, col: str) -> str:
    v = df[col].iloc[pos]
    return "" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v).strip()


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
        fields["min"] = number_text(kind.value_min)
        fields["max"] = number_text(kind.value_max)
    if code == "count_too_large":
        fields["max"] = number_text(KINDS[catalog[row["indicator_id"]].kind].count_max)
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
    frame: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    rows: np.ndarray | None = None,
    duplicates: bool = True,
) -> list[Problem]:
    """Every way `frame` breaks the contract, as error Problems in row order.

    `frame` has OBS_COLUMNS (numbers as numbers or text); `rows` are the user-visible row numbers of its rows
    (default: CSV lines, the header being line 1). A problem's `column` is the canonical field to correct.
    `duplicates=False` leaves out the rule of one row per key (the intake judges repeats itself, telling an
    identical repeat from a conflicting one).
    """
    catalog = catalog or load_catalog()
    df = frame.reset_index(drop=True)
    rows = np.arange(2, len(df) + 2) if rows is None else np.asarray(rows)
    missing = [c for c in KEY_COLUMNS if c not in df.columns]  # an absent number column is empty
    if missing:
        return [
            problem("error", "missing_columns", None, None, variant="contract", columns=", ".join(missing))
        ]
    coerced, problems = _coerce(df, rows)
    unreadable = {p.row for p in problems if p.column in NUMBER_COLUMNS}
    if coerced.empty:
        return sorted(problems, key=_order)
    from pandera.errors import SchemaErrors

    try:
        _schema(catalog, duplicates).validate(_with_kind_columns(coerced, catalog), lazy=True)
    except SchemaErrors as exc:
        rules = _rules(catalog)
        cases = exc.failure_cases
        cases = cases[cases["check"].astype(str).str.match(r"^\d+:")]
        found = [
            (rules[int(check.split(":", 1)[0])], index)
            for check, index in dict.fromkeys(zip(cases["check"].astype(str), cases["index"], strict=True))
            if index is not None and index == index
        ]
        # a count no region can have is reported alone: 1.7e308 "exceeding its denominator" says nothing more
        too_large = {index for (code, *_), index in found if code == "count_too_large"}
        for (code, variant, field, _), index in found:
            if field in NUMBER_COLUMNS and int(rows[index]) in unreadable:
                continue  # a cell that is not a number was reported; what follows from its absence is not
            if index in too_large and code != "count_too_large" and field in ("numerator", "denominator"):
                continue
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
    out = coerced.reset_index(drop=True)
    out.attrs[CONTRACT_MARK] = True
    return out


def trusted_observations(frame: pd.DataFrame, *, source: str = "") -> pd.DataFrame:
    """Observations the project itself makes (the embedded demo file and the demo generator), typed as
    validate_observations types them, without checking the rules again on every server start (0.4 s for
    吉林, 34 times on the whole country): tests/test_demo_data.py holds every province's demo to the
    contract. Never for anything a user or a department supplies."""
    df = frame.reset_index(drop=True)
    coerced, problems = _coerce(df, np.arange(2, len(df) + 2))
    if problems:  # a cell that is not a number: the file was edited by hand
        raise ObservationError(problems, source)
    out = coerced.reset_index(drop=True)
    out.attrs[CONTRACT_MARK] = True
    return out


def ensure_valid(frame: pd.DataFrame, *, catalog: Catalog | None = None, source: str = "") -> pd.DataFrame:
    """`frame` as it is when it already passed the contract (pandas carries the mark through copies and
    selections), else validated now."""
    if frame.attrs.get(CONTRACT_MARK):
        return frame
    return validate_observations(frame, catalog=catalog, source=source)


def read_observations_csv(path, *, catalog: Catalog | None = None, trusted: bool = False) -> pd.DataFrame:
    """A canonical long CSV (UTF-8, header region_code,year,indicator_id,numerator,denominator,value[,…]),
    checked line by line: ObservationError names the CSV lines. `trusted`: the project's own demo file, only
    typed (trusted_observations)."""
    from pathlib import Path

    path = Path(path)
    if not path.is_file():
        raise AtlasError("data_file_missing", path=str(path))
    try:
        df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise AtlasError("data_file_unreadable", name=path.name, reason=type(exc).__name__) from None
    if trusted:
        return trusted_observations(df, source=path.name)
    return validate_observations(df, catalog=catalog, source=path.name)
