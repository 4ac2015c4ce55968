"""Region hierarchy and name resolution as departments write names (short forms, prefixes, codes)."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.errors import problem
from analytics.regions import (
    AmbiguousRegion,
    RegionError,
    UnknownRegion,
    load_regions,
    normalize_name,
    short_forms,
)


@pytest.fixture(scope="module")
def regions():
    return load_regions()


def test_jilin_hierarchy(regions):
    assert regions.name("220000") == "吉林省"
    assert len(regions.prefectures("220000")) == 9
    assert len(regions.counties("220000")) == 60
    assert len(regions.counties("220300")) == 5  # 四平市
    assert [r.name for r in regions.path("220323")] == ["吉林省", "四平市", "伊通满族自治县"]
    groups = regions.county_groups("220000")
    assert set(groups["prefecture_code"]) == set(regions.prefectures("220000")["code"])


def test_every_province_has_counties(regions):
    mainland = [c for c in regions.provinces()["code"] if int(c) < 710000]
    assert len(mainland) == 31
    for code in mainland:
        assert len(regions.counties(code)) > 0, code
    assert len(regions.counties()) == 2875


def test_counties_directly_under_a_province_form_their_own_group(regions):
    # 海南省's 五指山市 sits directly under the province
    assert regions.prefecture_of("469001") == "469001"


def test_prefectures_of_many_equals_prefecture_of_each(regions):
    """The vectorised lookup the pages use (one reindex, not 2,875 `get`s) gives what prefecture_of gives."""
    counties = list(regions.counties()["code"])
    assert regions.prefectures_of(counties) == [regions.prefecture_of(c) for c in counties]
    assert regions.prefectures_of([]) == []
    with pytest.raises(RegionError, match="999999"):
        regions.prefectures_of(["220102", "999999"])
    with pytest.raises(RegionError):
        regions.prefectures_of(["220100"])  # a prefecture, not a county


RESOLVE = [
    ("220323", "220000", "220323"),
    ("伊通满族自治县", "220000", "220323"),
    ("伊通县", "220000", "220323"),
    ("前郭县", "220000", "220721"),
    ("前郭尔罗斯蒙古族自治县", "220000", "220721"),
    ("长白县", "220000", "220623"),
    ("四平市铁西区", "220000", "220302"),
    ("四平铁西区", "220000", "220302"),
    ("吉林省四平市铁西区", "220000", "220302"),
    ("铁西区", "220300", "220302"),  # unique inside 四平市
    ("  四平市 铁西区 ", "220000", "220302"),
    ("延吉市", "220000", "222401"),
    ("延吉", "220000", "222401"),
    ("延边州敦化市", "220000", "222403"),
    ("公主岭市", "220000", "220184"),
    ("朝阳区", "220100", "220104"),
    ("２２０３２３", "220000", "220323"),  # full-width digits
]


@pytest.mark.parametrize(("text", "within", "code"), RESOLVE)
def test_resolve(regions, text, within, code):
    assert regions.resolve(text, within) == code


def test_prefecture_names_resolve_at_prefecture_level(regions):
    assert regions.resolve("延边州", "220000", level="prefecture") == "222400"
    assert regions.resolve("长春", "220000", level="prefecture") == "220100"


def test_ambiguous_name_lists_candidates(regions):
    with pytest.raises(AmbiguousRegion) as err:
        regions.resolve("铁西区", "210000")  # 辽宁: 沈阳市铁西区 and 鞍山市铁西区
    assert {c for c, _ in err.value.candidates} == {"210106", "210303"}
    assert "沈阳市铁西区" in str(err.value) and "鞍山市铁西区" in str(err.value)
    assert regions.resolve("沈阳市铁西区", "210000") == "210106"


def test_unknown_name_suggests_near_names(regions):
    with pytest.raises(UnknownRegion) as err:
        regions.resolve("伊通满族县", "220000")
    assert "220323" in [c for c, _ in err.value.candidates]
    assert "伊通" in str(err.value)


def test_names_outside_the_region_are_unknown(regions):
    with pytest.raises(UnknownRegion):
        regions.resolve("延吉市", "220100")
    with pytest.raises(UnknownRegion):
        regions.resolve("110101", "220000")


def test_normalize_and_short_forms():
    assert normalize_name("四平市（铁西区）") == "四平市铁西区"
    assert {"前郭县", "前郭"} <= short_forms("前郭尔罗斯蒙古族自治县", "county")
    assert "长春" in short_forms("长春市", "prefecture")


# --- a county cell of a submission, read inside the submission's region ------------------------------------
COUNTY_CELLS = [
    # text, within, outcome, county code (county) or the region a total row sums (total) or problem code (error)
    ("前郭县", "220000", "county", "220721"),
    ("220721000000", "220000", "county", "220721"),
    ("延吉市", "222400", "county", "222401"),
    ("合计", "220000", "total", ""),
    ("全省合计", "220000", "total", ""),
    ("吉林省", "220000", "total", "吉林省"),
    ("220100", "220000", "total", "长春市"),
    ("长春市", "220000", "total", "长春市"),
    ("延边州", "222400", "total", "延边朝鲜族自治州"),
    ("南关区", "222400", "error", "county_outside_region"),
    ("220102", "222400", "error", "county_outside_region"),
    ("110101", "220000", "error", "county_outside_region"),
    ("229999", "220000", "error", "unknown_county"),
    ("伊通满族县", "220000", "error", "unknown_county"),
    ("铁西区", "210000", "error", "ambiguous_county"),
]


@pytest.mark.parametrize(("text", "within", "outcome", "expected"), COUNTY_CELLS)
def test_resolve_county(regions, text, within, outcome, expected):
    match = regions.resolve_county(text, within)
    assert match.outcome == outcome
    got = {"county": match.code, "total": match.name, "error": match.problem}[outcome]
    assert got == expected


def test_county_refusals_read_in_both_languages(regions):
    outside = regions.resolve_county("南关区", "222400")
    p = problem("error", outside.problem, 3, **outside.fields)
    assert (
        p.message("zh")
        == "第3行：“南关区”是吉林省长春市南关区（220102），不在本次填报的地区延边朝鲜族自治州（222400）内"
    )
    assert p.message("en").startswith("Row 3: '南关区' is 南关区 (220102) in 吉林省长春市")
    near = regions.resolve_county("伊通满族县", "220000")
    assert near.fields["variant"] == "near" and "220323" in [c for c, _ in near.fields["candidates"]]
    p = problem("error", near.problem, None, **near.fields)
    assert "相近的名称：四平市伊通满族自治县（220323）" in p.message("zh")
    assert "similar: 四平市伊通满族自治县 (220323)" in p.message("en")
    code = regions.resolve_county("229999", "220000")
    assert code.fields["variant"] == "code"
    assert problem("error", code.problem, **code.fields).message("en") == (
        "region code '229999' is not a county code of 吉林省 (220000)"
    )


@pytest.mark.parametrize(
    "codes",
    [
        ["220102", "100000", "999999", "220102", 220000],
        pd.Categorical(["220102", "100000", "999999", "220102", "220000"]),
        pd.Series(["220102", "100000", "999999", "220102", "220000"], dtype="str"),
    ],
    ids=["list", "categorical", "strings"],
)
def test_names_in_the_codes_order_with_the_country_and_unknown_codes(regions, codes):
    """Looked up once per distinct code, returned per row: a repeat, the country, a code not in the table."""
    assert regions.names(codes) == ["南关区", "全国", "999999", "南关区", "吉林省"]


def test_names_of_no_codes(regions):
    assert regions.names([]) == []
