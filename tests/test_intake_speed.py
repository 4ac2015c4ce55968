"""The fast paths of intake (names resolved once per distinct text, a pre-filtered fuzzy search, plain numbers
parsed without NFKC) give what the slow ones give; warnings are capped; a scenario's steps are bounded."""

from __future__ import annotations

import difflib

import pandas as pd
import pytest

from analytics.errors import problem
from analytics.intake import read_submission
from analytics.intake.summary import WARNINGS_LISTED, cap_warnings
from analytics.intake.values import parse_number
from analytics.regions import COUNTRY, RegionTable, load_regions
from analytics.scenarios import MAX_STEPS, Adjustment, Scenario, ScenarioError, from_param, to_param


@pytest.fixture(scope="module")
def regions() -> RegionTable:
    return load_regions()


def _fresh(regions: RegionTable) -> RegionTable:
    """A table with empty caches whose fuzzy search is plain difflib over every form: the slow reference."""
    slow = RegionTable(regions.frame.reset_index(drop=True), regions._aliases)
    slow._similar_forms = lambda index, key, within: difflib.get_close_matches(
        key, list(index), n=8, cutoff=0.5
    )
    return slow


def _csv(rows: list[list]) -> bytes:
    return "\r\n".join(",".join(str(c) for c in r) for r in rows).encode("utf-8")


# names as departments write them in Liaoning: official, short, prefixed, ambiguous (铁西区 twice), unknown,
# misspelt (near names), a county of another province, totals
LIAONING_NAMES = [
    "和平区", "沈阳市铁西区", "鞍山铁西区", "铁西区", "新民市", "新民", "康平县", "康平", "法库",
    "未知县", "沈阳市未知区", "新民县", "康平市", "长春市朝阳区", "前郭县", "合计", "沈阳市", "210106",
    "210199", "桓仁县", "岫岩县", "宽甸县", "喀左县", "本溪满族自治县", "ABC", "辽宁省新民市",
]  # fmt: skip


def test_fast_submission_equals_slow_reference(regions):
    """A few hundred rows of every kind of name: the same observations and the same problems (texts)."""
    rows = [["县（市、区）", "年份", "指标名称", "分子", "分母", "值"]]
    for n in range(300):
        name = LIAONING_NAMES[n % len(LIAONING_NAMES)]
        rows.append([name, 2024, "婚前医学检查率" if n % 2 else "premarital_exam", 100 + n, 1000 + n, ""])
    data = _csv(rows)
    fast = read_submission(data, "l.csv", region="210000", regions=regions, sandbox=False)
    slow = read_submission(data, "l.csv", region="210000", regions=_fresh(regions), sandbox=False)
    pd.testing.assert_frame_equal(fast.observations, slow.observations)
    assert [(p.row, p.code, p.message("zh")) for p in fast.problems] == [
        (p.row, p.code, p.message("zh")) for p in slow.problems
    ]
    codes = {p.code for p in fast.problems}
    assert {"ambiguous_county", "unknown_county", "total_row_kept"} <= codes
    assert any("相近的名称" in p.message("zh") for p in fast.problems)


@pytest.mark.parametrize(
    "within", ["210000", "220000", "222400", COUNTRY], ids=["liaoning", "jilin", "yanbian", "country"]
)
def test_prefiltered_fuzzy_search_equals_difflib(regions, within):
    index = regions._name_index(within)
    for key in [
        "铁西",
        "前郭尔罗斯县",
        "延吉县",
        "长白朝鲜族县",
        "未知县00001",
        "朝阳",
        "新民县",
        "和龙县",
        "X",
    ]:
        assert regions._similar_forms(index, key, within) == difflib.get_close_matches(
            key, list(index), n=8, cutoff=0.5
        ), key


@pytest.mark.parametrize(
    "text",
    [
        "1234",
        "-5",
        "56.7",
        "0.000",
        "007",
        " 12 ",
        "1,234",
        "１２",
        "12abc",
        "1e3",
        "12.",
        ".5",
        "--",
        "",
        "1" * 16,
    ],
)
def test_plain_number_fast_path_equals_full_parse(text):
    import unicodedata

    from analytics.intake import values

    slow = values._NUMBER.match(unicodedata.normalize("NFKC", text).strip().replace(",", "") or "x")
    assert parse_number(text) == parse_number(" " + text) or text.strip() != text or slow is None
    assert parse_number(text, percent_ok=True)[1] == parse_number(text)[1] or text.endswith("%")


# --- the whole country -----------------------------------------------------------------------------------
NATIONAL = [
    ("朝阳区", None, None, "error", None),  # 北京市朝阳区 and 长春市朝阳区
    ("朝阳区", "吉林省", None, "county", "220104"),
    ("朝阳区", "北京", None, "county", "110105"),
    ("朝阳区", None, "长春市", "county", "220104"),
    ("吉林省长春市朝阳区", None, None, "county", "220104"),
    ("长春市朝阳区", None, None, "county", "220104"),
    ("前郭县", None, None, "county", "220721"),
    ("220721", None, None, "county", "220721"),
    ("延吉市", "辽宁省", None, "error", None),  # the row's province holds no such county
    ("吉林省", None, None, "total", "220000"),
    ("合计", None, None, "total", COUNTRY),
    ("未知县", None, None, "error", None),
]


@pytest.mark.parametrize("text, province, prefecture, outcome, code", NATIONAL)
def test_national_names_are_read_inside_their_province(regions, text, province, prefecture, outcome, code):
    m = regions.resolve_county(text, COUNTRY, province=province, prefecture=prefecture)
    assert (m.outcome, m.code) == (outcome, code)


def test_a_bare_ambiguous_name_nationally_lists_its_candidates(regions):
    m = regions.resolve_county("朝阳区", COUNTRY)
    p = problem("error", m.problem, 7, **m.fields)
    assert p.message("zh") == (
        "第7行：县名“朝阳区”在全国不止一处，可能是：北京市朝阳区（110105）、长春市朝阳区（220104）；"
        "请加上省份或所属市州列、写全称（如吉林省长春市朝阳区），或使用行政区划代码"
    )


def test_ambiguous_name_in_a_province_is_read_in_its_prefecture_column(regions):
    assert regions.resolve_county("铁西区", "210000").problem == "ambiguous_county"
    assert regions.resolve_county("铁西区", "210000", prefecture="鞍山市").code == "210303"
    assert regions.resolve_county("铁西区", "210000", prefecture="不存在市").problem == "ambiguous_county"


def test_national_file(regions):
    """--region 100000: names repeated across China are read in the file's province column."""
    rows = [["省份", "县（市、区）", "年份", "指标", "分子", "分母"]]
    rows += [
        ["北京市", "朝阳区", 2024, "premarital_exam", 10, 100],
        ["吉林省", "朝阳区", 2024, "premarital_exam", 20, 100],
    ]
    rows += [
        ["", "朝阳区", 2024, "premarital_exam", 30, 100],
        ["", "前郭县", 2024, "premarital_exam", 40, 100],
    ]
    sub = read_submission(_csv(rows), "n.csv", region=COUNTRY, regions=regions, sandbox=False)
    assert sub.observations[["region_code", "numerator"]].values.tolist() == [
        ["110105", 10.0],
        ["220104", 20.0],
        ["220721", 40.0],
    ]
    assert [(p.row, p.code) for p in sub.errors] == [(4, "ambiguous_county")]


def test_a_name_starting_with_a_province_name_is_not_always_in_it(regions):
    """青海省's 河南蒙古族自治县 starts with 河南: a province prefix that leaves no county there is no prefix."""
    assert regions.resolve_county("河南蒙古族自治县", COUNTRY).code == "632324"
    assert regions.resolve_county("河南省郑州市中原区", COUNTRY).code == "410102"
    told = regions.resolve_county("河南省不存在县", COUNTRY)
    assert (told.problem, told.fields["within_name"]) == ("unknown_county", "河南省")


def test_a_code_settles_a_name_the_region_holds_twice(regions):
    """A table with both 地区代码 and 地区名称: 铁西区 is two counties of Liaoning, the code says which; a code
    that is neither of them leaves the name ambiguous."""
    rows = [["地区代码", "地区名称", "年份", "指标", "分子", "分母"]]
    rows += [
        ["210106", "铁西区", 2024, "premarital_exam", 10, 100],
        ["210303", "铁西区", 2024, "premarital_exam", 20, 100],
        ["210102", "铁西区", 2024, "premarital_exam", 30, 100],
    ]
    for region in ("210000", COUNTRY):
        sub = read_submission(_csv(rows), "n.csv", region=region, regions=regions, sandbox=False)
        assert sub.observations[["region_code", "numerator"]].values.tolist() == [
            ["210106", 10.0],
            ["210303", 20.0],
        ]
        assert [(p.row, p.code) for p in sub.errors] == [(4, "ambiguous_county")]


# --- the warning cap ---------------------------------------------------------------------------------------
def _value_only(n: int) -> list:
    from analytics.errors import Words

    unit = Words(lambda lang: "%")
    return [
        problem(
            "warning", "value_only", r, indicator_id="premarital_exam", variant="ratio", value="1", unit=unit
        )
        for r in range(3, 3 + n)
    ]


def test_warnings_counted_at_sight_give_what_the_cap_gives():
    """ProblemList holds WARNINGS_LISTED warnings of a kind and counts the rest as they are found; with
    number warnings put back in place (put_at), the capped list is the one the whole list gives."""
    from analytics.intake.summary import ProblemList

    def found(n: int) -> list:
        out = []
        for r in range(n):
            out.append(problem("warning", "duplicate_identical", r + 2, county="x", first_row=1))
            if r % 7 == 0:
                out.append(problem("error", "missing_county", r + 2))
        return out

    numbers = _value_only(WARNINGS_LISTED + 31)
    plain = found(500)
    held = ProblemList()
    held.extend(plain[:100])
    later = ProblemList()
    later.extend(numbers)
    held.extend(plain[100:])
    held.put_at(100, later)
    assert len(held) == 2 * WARNINGS_LISTED + sum(p.severity == "error" for p in plain)
    by_row = lambda p: p.row  # noqa: E731 - read_submission sorts by row before capping
    expect = cap_warnings(sorted([*plain[:100], *numbers, *plain[100:]], key=by_row))
    held.sort(key=by_row)
    got = cap_warnings(held)
    assert [(p.code, p.row, dict(p.fields).get("count")) for p in got] == [
        (p.code, p.row, dict(p.fields).get("count")) for p in expect
    ]
    assert {p.fields["count"] for p in got[-2:]} == {"300", "31"}


def test_errors_are_capped_too_and_the_file_stays_refused(regions):
    """1,500 rows naming no county: the first ERRORS_LISTED are listed, one error line counts the rest."""
    from analytics.intake.summary import ERRORS_LISTED

    rows = [["地区", "年份", "指标", "分子", "分母"]]
    rows += [["不存在县", 2024, "premarital_exam", 1, 2]] * 1500
    sub = read_submission(_csv(rows), "bad.csv", region="220000", regions=regions, sandbox=False)
    assert not sub.ok
    listed = [p for p in sub.errors if p.code == "unknown_county"]
    assert [p.row for p in listed] == list(range(2, 2 + ERRORS_LISTED))
    last = sub.errors[-1]
    assert (last.code, last.row, last.fields["count"]) == ("more_errors", None, "500")
    assert last.message("zh").startswith("另有 500 行同类错误未逐条列出：")


def test_warnings_at_the_cap_are_all_listed():
    capped = cap_warnings([problem("error", "missing_county", 2), *_value_only(WARNINGS_LISTED)])
    assert len(capped) == WARNINGS_LISTED + 1
    assert all(p.code != "more_warnings" for p in capped)


def test_one_warning_over_the_cap_is_summarised():
    capped = cap_warnings([*_value_only(WARNINGS_LISTED + 1), problem("error", "missing_county", 999)])
    assert [p.row for p in capped if p.code == "value_only"] == list(range(3, 3 + WARNINGS_LISTED))
    assert capped[-2].code == "missing_county"  # every error is kept
    last = capped[-1]
    assert (last.code, last.row) == ("more_warnings", None)
    assert (
        last.message("zh")
        == "另有 1 行同类提示未逐条列出：只有值、没有分子分母（可以显示，无法汇总到市州和全省）"
    )
    many = cap_warnings(_value_only(WARNINGS_LISTED + 998_312 // 1000))
    assert many[-1].message("zh").startswith("另有 998 行同类提示")
    assert cap_warnings(_value_only(1200), limit=1)[-1].fields["count"] == "1,199"


# --- a scenario's steps ------------------------------------------------------------------------------------
def _steps(n: int) -> Scenario:
    return Scenario("s", tuple(Adjustment("premarital_exam", "add_pp", 1.0) for _ in range(n)))


def test_a_link_at_the_step_limit_opens():
    assert len(from_param(to_param(_steps(MAX_STEPS))).adjustments) == MAX_STEPS == 20


def test_a_link_one_step_over_the_limit_is_refused():
    with pytest.raises(ScenarioError) as exc:
        from_param(to_param(_steps(MAX_STEPS + 1)))
    assert exc.value.code == "too_many_steps"
    assert exc.value.message("zh") == "情景有 21 步调整，超过上限 20 步；请删去一些步骤或拆成几个情景"
    with pytest.raises(ScenarioError, match="21"):
        Scenario.from_json(_steps(MAX_STEPS + 1).to_json())  # saved scenarios go through the same bound
