"""Where the numbers shown came from: the data source of a view (demo, or the store at a revision) as a URL
token, what a shared link's source means in this store, each county row's version and department, and the
store's UTC times as local wall time."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from analytics.errors import AtlasError
from analytics.i18n import t
from analytics.store import KEY_COLUMNS, Store

DEMO = "demo"
STORE = "store"
PROVENANCE_FIELDS = ["dataset_version", "dataset", "department", "source"]
_REVISION = re.compile(r"[0-9a-f]{16}")
_VERSION = re.compile(r"v?([0-9]{1,9})")


class SourceNotice(AtlasError):
    """Why a view's numbers may differ from what its link or saved scenario recorded: provenance.<code>."""

    prefix = "provenance"


# --- time ------------------------------------------------------------------------------------------
def local_time(stamp: str | None, tz: str | None = None, *, iso: bool = False) -> str:
    """A stored UTC ISO time as local wall time "2025-03-01 14:05:09" (`iso`: "2025-03-01T14:05:09+08:00").

    `tz` is an IANA zone name (the browser's, from st.context.timezone); unknown or None: this machine's zone.
    A time without an offset is taken as UTC (the store writes UTC). Empty or unreadable: returned as given.
    """
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    zone = None
    if tz:
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            zone = None
    local = moment.astimezone(zone)  # None: the machine's own zone
    return local.isoformat(timespec="seconds") if iso else local.strftime("%Y-%m-%d %H:%M:%S")


# --- the source of a view, as a URL token ------------------------------------------------------------
def source_token(source: str, store: Store | None) -> str:
    """ "demo", or "store@<revision>" (the store's exact state: the cache key of its data, and the URL's src)."""
    if source == STORE:
        if store is None:
            raise AtlasError("no_store")
        return f"{STORE}@{store.revision()}"
    return DEMO


def parse_source(token: str | None) -> tuple[str | None, str | None]:
    """(source, pin) from a URL's src: "demo" -> ("demo", None); "store@<revision or version id>" ->
    ("store", pin); "store" -> ("store", None); anything else -> (None, None)."""
    text = str(token or "").strip()
    if text == DEMO:
        return DEMO, None
    if text == STORE:
        return STORE, None
    if text.startswith(f"{STORE}@"):
        return STORE, text.split("@", 1)[1].strip() or None
    return None, None


def check_pin(store: Store, pin: str | None) -> SourceNotice | None:
    """Why this store cannot show the numbers `pin` recorded (a revision, or a version id "12" / "v12"),
    or None when it shows exactly them. The store is only read."""
    if not pin:
        return None
    history = store.versions()
    newest = store.newest_active()
    shown = "—" if newest is None else str(newest)
    if history.empty:
        return SourceNotice("link_store_empty")
    if _REVISION.fullmatch(pin):
        if pin == store.revision():
            return None
        return SourceNotice("link_revision_differs", newest=shown)
    match = _VERSION.fullmatch(pin)
    if not match:
        return SourceNotice("link_unreadable", pin=pin[:40])
    version = int(match.group(1))
    known = set(history["version_id"])
    if version not in known:
        return SourceNotice(
            "link_version_missing",
            version=version,
            first=min(known),
            last=max(known),
        )
    status = history.set_index("version_id")["status"]
    if status[version] != "active":
        return SourceNotice("link_version_rolled_back", version=version, newest=shown)
    later = sorted(int(v) for v in history["version_id"] if v > version and status[v] == "active")
    if later:
        return SourceNotice(
            "link_versions_after",
            version=version,
            later=", ".join(map(str, later)),
            newest=shown,
        )
    return None


def source_words(token: str, lang: str, newest: int | None = None) -> str:
    """A source token in words for a table or a message ("示例数据（模拟）", "已导入的数据（截至版本 12）")."""
    source, _ = parse_source(token)
    if source == STORE:
        if newest is None:
            return t("source_store", lang)
        return t("provenance.store_up_to", lang, version=newest)
    return t("source_demo", lang)


# --- each county row's version and department ------------------------------------------------------------
def with_provenance(evaluated: pd.DataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    """County rows of attainment() with the dataset_version, dataset, department and source (file) of the
    observation behind each (same county, year and indicator); rows without one get <NA> / "". Frames whose
    observations carry no provenance (the demo) come back as they are."""
    if "dataset_version" not in obs.columns or evaluated.empty:
        return evaluated
    fields = [c for c in PROVENANCE_FIELDS if c in obs.columns]
    right = obs[KEY_COLUMNS + fields].copy()
    right["region_code"] = right["region_code"].astype(str)
    right["indicator_id"] = right["indicator_id"].astype(str)
    right["year"] = right["year"].astype("int64")
    right = right.drop_duplicates(KEY_COLUMNS, keep="last")
    left = pd.DataFrame(
        {
            "region_code": evaluated["region_code"].astype(str).to_numpy(),
            "year": evaluated["year"].astype("int64").to_numpy(),
            "indicator_id": evaluated["indicator_id"].astype(str).to_numpy(),
        }
    )
    joined = left.merge(right, on=KEY_COLUMNS, how="left", validate="many_to_one")
    out = evaluated.copy()
    for col in fields:
        values = joined[col]
        out[col] = (
            values.astype("Int64").to_numpy()
            if col == "dataset_version"
            else values.fillna("").astype(str).to_numpy()
        )
    return out


def provenance_text(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """`version_text` ("12 · 婚检.xlsx") and `department_text` columns for a tooltip and a table ("—" where
    a county has no row)."""
    out = rows.copy()
    if "dataset_version" not in out.columns:
        out["version_text"] = out["department_text"] = "—"
        return out
    files = out["source"] if "source" in out.columns else pd.Series("", index=out.index)
    out["version_text"] = [
        "—" if pd.isna(v) else t("provenance.version_cell", lang, version=int(v), file=f or "—")
        for v, f in zip(out["dataset_version"], files, strict=True)
    ]
    departments = out["department"] if "department" in out.columns else pd.Series("", index=out.index)
    out["department_text"] = [d if isinstance(d, str) and d.strip() else "—" for d in departments]
    return out


# --- a store change (undo / rollback) as the data page shows it -----------------------------------------
def by_dataset_table(change, lang: str) -> pd.DataFrame:
    """StoreChange.by_dataset() with headings in words."""
    out = change.by_dataset()
    return out.rename(columns={c: t(f"provenance.by_dataset.{c}", lang) for c in out.columns})


def change_rows_table(change, catalog, regions, lang: str, limit: int = 200) -> pd.DataFrame:
    """The first `limit` keys a StoreChange touches: county, year, indicator, what happens, version · value
    now and after."""
    rows = change.rows.head(limit)

    def side(which: str) -> list[str]:
        out = []
        for v, value in zip(rows[f"version_{which}"], rows[f"value_{which}"], strict=True):
            if pd.isna(v):
                out.append("—")
            else:
                shown = "—" if pd.isna(value) else f"{float(value):,.6g}"
                out.append(f"{int(v)} · {shown}")
        return out

    table = pd.DataFrame(
        {
            "region": regions.names(rows["region_code"].astype(str)),
            "year": rows["year"].to_numpy(),
            "indicator": [catalog[i].short(lang) if i in catalog else i for i in rows["indicator_id"]],
            "change": [t(f"provenance.change_{c}", lang) for c in rows["change"]],
            "before": side("before"),
            "after": side("after"),
        }
    )
    return table.rename(columns={c: t(f"provenance.rows_table.{c}", lang) for c in table.columns})


def indicator_provenance(table: pd.DataFrame, county_rows: pd.DataFrame, county: str) -> pd.DataFrame:
    """A one-county table by `indicator_id` (the county profile) with the provenance of that county's rows
    (county_rows: evaluated county rows of one year, as with_provenance() left them)."""
    if "dataset_version" not in county_rows.columns:
        return table
    own = county_rows[county_rows["region_code"].astype(str) == str(county)]
    own = own.set_index(own["indicator_id"].astype(str))
    out = table.copy()
    ids = out["indicator_id"].astype(str)
    for col in PROVENANCE_FIELDS:
        if col in own.columns:
            out[col] = ids.map(own[col]).to_numpy()
    return out
