"""Map geometry: the committed TopoJSON files, their URLs for static serving, and county label points."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from analytics.catalog import DATA_DIR

BOUNDARIES_DIR = DATA_DIR / "boundaries"
NATIONAL_FILE = BOUNDARIES_DIR / "china_counties.topo.json"
# static/ is a link to data/boundaries: Streamlit serves the files at app/static/... (a link inside static/ is refused)
STATIC_PREFIX = "app/static"
# Mainland frame for the national map; the South China Sea islands go to an inset (南海诸岛).
MAINLAND_BBOX = (73.0, 17.5, 135.5, 54.0)
SOUTH_CHINA_SEA_BBOX = (105.5, 2.5, 124.5, 24.5)
SOUTH_CHINA_SEA_TITLE = "南海诸岛"


def topo_path(province: str | None) -> Path:
    """The province's own file (finer), or the national file when province is None."""
    return NATIONAL_FILE if province is None else BOUNDARIES_DIR / "provinces" / f"{province}.topo.json"


def topo_url(province: str | None) -> str:
    path = topo_path(province)
    return f"{STATIC_PREFIX}/{path.relative_to(BOUNDARIES_DIR).as_posix()}"


def bbox_feature(bbox: tuple[float, float, float, float]) -> dict:
    """A GeoJSON polygon for projection `fit` (clockwise, as d3 expects for a small area)."""
    x0, y0, x1, y1 = bbox
    ring = [[x0, y0], [x0, y1], [x1, y1], [x1, y0], [x0, y0]]
    return {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


@cache
def load_topology(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _decode_arcs(topo: dict) -> list[np.ndarray]:
    scale = np.asarray(topo["transform"]["scale"], dtype=float)
    translate = np.asarray(topo["transform"]["translate"], dtype=float)
    return [np.cumsum(np.asarray(a, dtype=np.int64), axis=0) * scale + translate for a in topo["arcs"]]


def _ring(arcs: list[np.ndarray], indexes: list[int]) -> np.ndarray:
    parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in indexes]
    return np.concatenate([parts[0], *(p[1:] for p in parts[1:])])


def shapes(path: Path, obj: str = "counties") -> pd.DataFrame:
    """adcode, name and a shapely geometry (lon/lat) per feature of a TopoJSON object."""
    topo = load_topology(path)
    arcs = _decode_arcs(topo)
    rows = []
    for geom in topo["objects"][obj]["geometries"]:
        polys = [geom["arcs"]] if geom["type"] == "Polygon" else geom["arcs"]
        polygons = [shapely.Polygon(_ring(arcs, p[0]), [_ring(arcs, h) for h in p[1:]]) for p in polys]
        shape = polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)
        rows.append(
            {
                "region_code": geom["properties"]["adcode"],
                "name": geom["properties"].get("name", ""),
                "geometry": shape,
            }
        )
    return pd.DataFrame(rows)


@cache
def label_points(path: Path, obj: str = "counties") -> pd.DataFrame:
    """A point inside each county's largest polygon, for status symbols printed on the map, and the county's
    area (square degrees, only to compare counties: a glyph on a tiny urban district would cover its neighbours)."""
    frame = shapes(path, obj)
    points = []
    for shape in frame["geometry"]:
        part = max(shape.geoms, key=lambda g: g.area) if isinstance(shape, shapely.MultiPolygon) else shape
        p = part.representative_point()
        points.append((p.x, p.y, shape.area))
    xy = np.asarray(points)
    return pd.DataFrame(
        {"region_code": frame["region_code"], "lon": xy[:, 0], "lat": xy[:, 1], "area": xy[:, 2]}
    )


@cache
def codes_in_bbox(
    path: Path, bbox: tuple[float, float, float, float], obj: str = "counties"
) -> frozenset[str]:
    """The features of a TopoJSON object that reach into `bbox` (lon/lat): what an inset of that box shows."""
    frame = shapes(path, obj)
    box = shapely.box(*bbox)
    return frozenset(frame.loc[[g.intersects(box) for g in frame["geometry"]], "region_code"])


def feature_codes(path: Path, obj: str) -> list[str]:
    """The adcodes of a TopoJSON object's features, in the file's order."""
    return [g["properties"]["adcode"] for g in load_topology(path)["objects"][obj]["geometries"]]
