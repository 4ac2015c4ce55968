"""Provenance in the app (AppTest): the data page's upload fields belong to one file, an identical file is
flagged, undo and rollback show a preview and wait for a confirm click; a link with `src=store@…` reopens the
store's numbers (with each county's version and department) or says why it cannot; saved scenarios record
their view, ask before overwriting and can be deleted.

Known answers: the three versions of two datasets of tests/test_store_history.py (南关区 220102, 宽城区 220103,
朝阳区 220104 of 长春市 220100).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from apptest_helpers import navigation_server
from streamlit.testing.v1 import AppTest
from test_store_history import HEALTH, V1, V2, V3, three_versions

from analytics.i18n import t
from analytics.store import Store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")

pytestmark = pytest.mark.apptest


@pytest.fixture(autouse=True)
def _own_store(tmp_path, monkeypatch):
    """Each test its own store and scenario file; cached store handles and views start empty."""
    monkeypatch.setenv("PREVENTION_ATLAS_DB", str(tmp_path / "atlas.sqlite"))
    monkeypatch.setenv("PREVENTION_ATLAS_SCENARIOS", str(tmp_path / "scenarios.json"))
    monkeypatch.delenv("PREVENTION_ATLAS_ADMIN_PASSPHRASE", raising=False)
    st.cache_resource.clear()
    with navigation_server():
        yield
    st.cache_resource.clear()


@pytest.fixture
def history(tmp_path) -> Store:
    return three_versions(tmp_path / "atlas.sqlite")


def check(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(page: str, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query)
    check(at.run())
    return check(at.switch_page(f"pages/{page}.py").run())


def field(at: AppTest, word: str):
    found = [w for w in at.text_input if w.label == t(word, "zh")]
    assert len(found) == 1, [w.label for w in at.text_input]
    return found[0]


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert found, [b.label for b in at.button]
    return found[0]


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def gbk(rows: str) -> bytes:
    return ("地区,年份,指标,分子,分母\n" + rows).encode("gb18030")


FILE_A = ("卫健委.csv", gbk("伊通县,2024,婚前医学检查率,50,100\n"), "text/csv")
FILE_B = ("残联.csv", gbk("伊通县,2024,残疾人辅助器具适配率,80,100\n"), "text/csv")


# --- data page ----------------------------------------------------------------------------------------
def test_upload_fields_start_empty_for_each_file_and_a_same_file_is_flagged(tmp_path):
    at = open_page("data")
    at.file_uploader(key="upload").set_value(FILE_A).run()
    check(at)
    assert field(at, "dataset").value == "卫健委"  # this file's name, not an earlier one's
    field(at, "department").set_value("省卫生健康委").run()
    field(at, "note").set_value("年报").run()
    field(at, "dataset").set_value("卫健委2024").run()
    check(button(at, "确认导入").click().run())
    assert any("已导入为数据版本 1" in s for s in texts(at.success))

    at.file_uploader(key="upload").set_value(FILE_B).run()  # the second department's file
    check(at)
    assert field(at, "department").value == "" and field(at, "note").value == ""
    assert field(at, "dataset").value == "残联"
    assert at.number_input[-1].value == 0  # the year field too (the last number input of the page)
    assert not any("内容完全相同" in w for w in texts(at.warning))
    field(at, "department").set_value("省残联").run()
    check(button(at, "确认导入").click().run())

    history = Store(tmp_path / "atlas.sqlite").versions().sort_values("version_id")
    assert history["dataset"].tolist() == ["卫健委2024", "残联"]
    assert history["department"].tolist() == ["省卫生健康委", "省残联"]
    assert history["note"].tolist() == ["年报", ""]

    at.file_uploader(key="upload").set_value(FILE_A).run()  # the first file again: flagged before import
    flagged = [w for w in texts(at.warning) if "内容完全相同的文件已导入过" in w]
    assert flagged and "版本 1" in flagged[0] and "卫健委2024" in flagged[0]


def test_undo_and_rollback_preview_then_confirm(history):
    at = open_page("data")
    assert at.radio(key="history_action").value == "undo"
    at.selectbox(key="history_version_undo").set_value(3).run()
    check(at)
    assert any("预览：撤销版本 3" in s.value for s in at.subheader)
    assert any("将标为已回退的版本：3" in s for s in texts(at.info))
    assert history.versions()["status"].tolist() == ["active"] * 3  # a preview writes nothing
    per_dataset = [d.value for d in at.dataframe if "撤下行数" in d.value.columns]
    assert per_dataset and per_dataset[0].iloc[0].tolist() == [HEALTH, 2, 1, 2, 1]

    check(button(at, "确认撤销版本 3").click().run())
    assert "已撤销版本 3。" in texts(at.success)
    assert history.versions().sort_values("version_id")["status"].tolist() == [
        "active",
        "active",
        "rolled_back",
    ]
    table = next(d.value for d in at.dataframe if "导入时间（本地时间）" in d.value.columns)
    assert table.set_index("版本").loc[3, "状态"] == "已回退"  # the history shows it at once
    assert table.set_index("版本").loc[2, "状态"] == "有效"  # 残联 untouched

    at.radio(key="history_action").set_value("rollback").run()
    at.selectbox(key="history_version_rollback").set_value(1).run()
    assert any("预览：回到版本 1 刚导入后的状态" in s.value for s in at.subheader)
    assert history.versions().sort_values("version_id")["status"].tolist() == [
        "active",
        "active",
        "rolled_back",
    ]
    check(button(at, "确认回到版本 1").click().run())
    assert "已回到版本 1 刚导入后的状态。" in texts(at.success)
    assert history.versions().sort_values("version_id")["status"].tolist() == [
        "active",
        "rolled_back",
        "rolled_back",
    ]


def test_every_version_can_be_turned_off_and_back_on_from_the_page(history):
    """Rolling back to 0 turns off the first version too; 恢复 brings one back, and only that one."""
    at = open_page("data")
    at.radio(key="history_action").set_value("reactivate").run()
    assert any(t("provenance.nothing_to_reactivate", "zh") in c.value for c in at.caption)
    at.radio(key="history_action").set_value("rollback").run()
    at.selectbox(key="history_version_rollback").set_value(0).run()
    assert any("预览：回到第一次导入之前的状态" in s.value for s in at.subheader)
    check(button(at, "确认回到第一次导入之前").click().run())
    assert history.versions()["status"].tolist() == ["rolled_back"] * 3
    assert len(history.current()) == 0

    at.radio(key="history_action").set_value("reactivate").run()
    assert len(at.selectbox(key="history_version_reactivate").options) == 3
    at.selectbox(key="history_version_reactivate").set_value(1).run()
    assert any("预览：恢复版本 1" in s.value for s in at.subheader)
    assert history.versions()["status"].tolist() == ["rolled_back"] * 3  # a preview writes nothing
    check(button(at, "确认恢复版本 1").click().run())
    assert "已恢复版本 1。" in texts(at.success)
    statuses = history.versions().sort_values("version_id")["status"].tolist()
    assert statuses == ["active", "rolled_back", "rolled_back"]
    now = history.current().set_index("region_code")["value"]
    assert now.to_dict() == {"220102": 70.0, "220103": 65.0}  # version 1's numbers, as imported


def test_a_file_is_read_once_while_its_fields_are_filled(monkeypatch):
    """Typing the department or note reruns the page: the file is not read and checked again each time."""
    import analytics.sources

    reads = []
    real = analytics.sources.check_submission
    monkeypatch.setattr(
        analytics.sources, "check_submission", lambda *a, **k: reads.append(a[1]) or real(*a, **k)
    )
    at = open_page("data")
    at.file_uploader(key="upload").set_value(FILE_A).run()
    field(at, "department").set_value("省卫生健康委").run()
    field(at, "note").set_value("年报").run()
    assert reads == ["卫健委.csv"]
    at.number_input[-1].set_value(2024).run()  # another year given: read again
    assert reads == ["卫健委.csv", "卫健委.csv"]
    check(button(at, "确认导入").click().run())
    assert any("已导入为数据版本 1" in s for s in texts(at.success))


# --- a link with the data source -------------------------------------------------------------------------
CHANGCHUN = {"prov": "220000", "pref": "220100", "year": "2024", "ind": "premarital_exam", "show": "value"}


def county_table(at: AppTest):
    return next(d.value for d in at.dataframe if "数据版本" in d.value.columns).set_index("县（市、区）")


def test_a_link_with_the_store_reopens_its_numbers_with_version_and_department(history):
    revision = history.revision()
    at = open_page("indicator_map", src=f"store@{revision}", **CHANGCHUN)
    assert at.selectbox(key="source").value == "store"
    assert not any("链接" in w for w in texts(at.warning))
    table = county_table(at)
    assert table.loc["南关区", ["值", "数据版本", "报送部门"]].tolist() == [
        "80.0%",
        "3 · 卫健委2024补报.xlsx",
        "省卫健委",
    ]
    assert table.loc["宽城区", ["值", "数据版本"]].tolist() == ["65.0%", "1 · 卫健委2024.xlsx"]
    assert table.loc["朝阳区", "值"] == "50.0%"
    assert table.loc["二道区", ["数据版本", "报送部门"]].tolist() == ["—", "—"]  # no row in the store
    spec = json.loads(next(c for c in at.get("vega_lite_chart") if c.key == "indicator_map").proto.spec)
    assert "数据版本" in json.dumps(spec, ensure_ascii=False) and "报送部门" in json.dumps(
        spec, ensure_ascii=False
    )
    assert at.query_params["src"] == f"store@{revision}"  # and the link it writes carries it on


def test_the_county_profile_names_each_values_version_and_department(history):
    at = open_page("county_profile", src=f"store@{history.revision()}", county="220102", **CHANGCHUN)
    table = next(d.value for d in at.dataframe if "数据版本" in d.value.columns).set_index("指标")
    assert table.loc["婚检率", ["本县", "数据版本", "报送部门"]].tolist() == [
        "80.0%",
        "3 · 卫健委2024补报.xlsx",
        "省卫健委",
    ]
    assert table.loc["辅具适配率", ["数据版本", "报送部门"]].tolist() == ["2 · 残联2024.csv", "省残联"]
    assert (table["数据版本"] == "—").sum() == 23  # the other indicators: no row in the store


def test_a_demo_link_stays_on_the_demo(history):
    at = open_page("indicator_map", src="demo", **CHANGCHUN)
    assert at.selectbox(key="source").value == "demo"
    assert not any("数据版本" in d.value.columns for d in at.dataframe)
    assert at.query_params["src"] == "demo"


@pytest.mark.parametrize(
    ("pin", "says"),
    [
        ("0123456789abcdef", "链接发出后，数据库中的数据有过变化"),
        ("v12", "链接指向数据版本 12，但它不在这个数据库"),
        ("1", "之后又导入了版本 2, 3"),
    ],
)
def test_a_link_this_store_cannot_honour_says_why(history, pin, says):
    at = open_page("indicator_map", src=f"store@{pin}", **CHANGCHUN)
    warnings = [w for w in texts(at.warning) if says in w]
    assert warnings, texts(at.warning)
    assert county_table(at).loc["南关区", "值"] == "80.0%"  # and shows what is there
    at.selectbox(key="w_map_show").set_value("status").run()  # still said on the next run
    assert any(says in w for w in texts(at.warning))


# --- saved scenarios --------------------------------------------------------------------------------------
def saved_file(tmp_path) -> dict:
    """The saved scenarios as the store keeps them (the JSON each entry is saved as), by name."""
    from analytics.scenario_library import load_saved

    saved = load_saved(Store(tmp_path / "atlas.sqlite"))
    return {name: json.loads(json.dumps(_entry(s))) for name, s in saved.items()}


def _entry(saved) -> dict:
    from analytics.scenario_library import _entry_json

    return _entry_json(saved)


def test_saving_over_a_name_asks_first_and_deleting_confirms(tmp_path):
    at = open_page("scenarios", ind="rehab_physicians", year="2023")
    at.radio(key="sc_op").set_value("add_units").run()
    at.number_input(key="sc_units").set_value(40).run()
    at.text_input(key="sc_name").set_value("甲").run()
    check(button(at, "保存情景").click().run())
    entry = saved_file(tmp_path)["甲"]
    assert entry["adjustments"][-1]["amount"] == 40
    assert entry["context"] == {
        "source": "demo",
        "province": "220000",
        "prefecture": None,
        "year": 2023,
        "profile": "jilin-2022-2025",
        "newest_version": None,
    }

    at.number_input(key="sc_units").set_value(80).run()
    check(button(at, "保存情景").click().run())
    assert any("已有名为“甲”的情景" in w for w in texts(at.warning))
    assert saved_file(tmp_path)["甲"]["adjustments"][-1]["amount"] == 40  # not overwritten silently
    check(button(at, "取消").click().run())
    assert not any("已有名为" in w for w in texts(at.warning))
    check(button(at, "保存情景").click().run())
    check(button(at, "覆盖").click().run())
    assert saved_file(tmp_path)["甲"]["adjustments"][-1]["amount"] == 80
    assert any("已保存：甲" in s for s in texts(at.success))

    at.select_slider(key="year").set_value(2024).run()  # load it in another view: it says so
    at.selectbox(key="sc_pick").set_value("甲").run()
    check(button(at, "载入").click().run())
    differs = [w for w in texts(at.warning) if "此情景保存时的视图与现在不同（年份）" in w]
    assert differs and "2023年" in differs[0] and "2024年" in differs[0]

    at.multiselect(key="sc_compare").set_value(["甲"]).run()  # compared, then deleted: no stale choice left
    check(button(at, "删除").click().run())
    assert any("确定删除情景“甲”吗" in w for w in texts(at.warning))
    assert "甲" in saved_file(tmp_path)
    check(button(at, "确认删除").click().run())
    assert saved_file(tmp_path) == {}
    assert any("已删除：甲" in s for s in texts(at.success))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_history_previews_and_provenance_speak_one_language(tmp_path, lang):
    """What the i18n page walk does not open: both previews, the store's map with versions, a link notice.
    The users' own words (dataset, department, file) are in neither language, as in that walk."""
    from test_i18n_pages import violations

    store = Store(tmp_path / "atlas.sqlite")
    for n, rows in enumerate((V1, V2, V3), start=1):
        store.import_observations(
            rows, dataset=f"D{n % 2}", source_name=f"{n}.csv", sha256=str(n) * 64, department=f"P{n % 2}"
        )
    at = open_page("data", lang=lang)
    found = []
    at.selectbox(key="history_version_undo").set_value(3).run()
    found += violations(at, lang, "undo preview")
    at.radio(key="history_action").set_value("rollback").run()
    at.selectbox(key="history_version_rollback").set_value(1).run()
    found += violations(at, lang, "rollback preview")
    at = open_page("indicator_map", lang=lang, src="store@v12", **CHANGCHUN)
    assert len(at.warning) >= 1
    found += violations(at, lang, "store map with a link notice")
    at.switch_page("pages/county_profile.py").run()
    found += violations(at, lang, "store county profile")
    assert not found, "\n".join(found)
