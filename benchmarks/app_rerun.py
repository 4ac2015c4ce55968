"""Benchmark: server time of a rerun after a widget change (指标地图, 情景推演) and the map spec's size.

    python benchmarks/app_rerun.py [--repeat 7]

Runs the real app with streamlit's AppTest (in process, no browser): opens 指标地图, warms the caches, then
changes the indicator selectbox `repeat` times and times each rerun (the script run a click causes on the
server). Jilin (60 counties) and the whole country (2,875 counties). The spec size is the JSON of the map
chart as sent to the browser (spec + its data), against the naive alternative of inlining the TopoJSON.
Goals (issue #3): <= 0.3 s Jilin, <= 1.5 s national, Jilin spec <= 250 KB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the AppTest helper the page tests use

from apptest_helpers import navigation_server  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from analytics.geo import topo_path  # noqa: E402

IDS = [
    "premarital_exam",
    "prenatal_screening",
    "rehab_physicians",
    "work_safety_accidents",
    "endemic_disease_control",
]


def open_map(province: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["prov"] = province
    at.run()
    at.switch_page("pages/indicator_map.py").run()
    assert not at.exception, at.exception
    return at


def map_spec(at: AppTest) -> dict:
    """The first Vega-Lite chart on the page (the map): spec with its datasets, as the browser receives it."""
    for el in at.main.get("vega_lite_chart"):
        proto = el.proto
        spec = json.loads(proto.spec)
        if "geoshape" in proto.spec:
            datasets = {d.name: len(d.data.data) for d in proto.datasets}
            return {
                "spec": spec,
                "spec_bytes": len(proto.spec.encode()),
                "data_bytes": sum(datasets.values()),
            }
    raise AssertionError("no map chart on the page")


def time_reruns(at: AppTest, repeat: int) -> list[float]:
    times = []
    for k in range(repeat):
        box = next(s for s in at.selectbox if s.key == "w_indicator")
        box.set_value(IDS[k % len(IDS)])
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    with navigation_server():
        return _run(args)


def time_scenario(province: str, repeat: int) -> tuple[float, list[float]]:
    """情景推演: change the points slider and time each rerun (the scenario is re-applied and re-evaluated)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params.update({"prov": province, "ind": "prenatal_screening"})
    t0 = time.perf_counter()
    at.run()
    at.switch_page("pages/scenarios.py").run()
    first = time.perf_counter() - t0
    assert not at.exception, at.exception
    times = []
    for k in range(repeat):
        at.slider(key="sc_pp").set_value(float(1 + k % 10))
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    return first, times


def _run(args) -> int:
    for label, province, goal in (("Jilin", "220000", 0.3), ("national", "100000", 1.5)):
        t0 = time.perf_counter()
        at = open_map(province)
        first = time.perf_counter() - t0
        times = time_reruns(at, args.repeat)
        spec = map_spec(at)
        topo_bytes = (topo_path(None if province == "100000" else province)).stat().st_size
        total = spec["spec_bytes"] + spec["data_bytes"]
        print(
            f"{label}: first load {first:.2f} s (caches cold); rerun after an indicator change: "
            f"median {statistics.median(times):.3f} s, max {max(times):.3f} s over {args.repeat} (goal <= {goal} s)"
        )
        print(
            f"{label}: map spec {spec['spec_bytes'] / 1024:.0f} KB + data {spec['data_bytes'] / 1024:.0f} KB = "
            f"{total / 1024:.0f} KB per rerun; geometry fetched once from static/ ({topo_bytes / 1024:.0f} KB, cached by "
            f"the browser); inlining it instead would send {(total + topo_bytes) / 1024:.0f} KB per rerun "
            f"({(total + topo_bytes) / total:.1f}x)"
        )
    for label, province, goal in (("Jilin", "220000", 0.3), ("national", "100000", 1.5)):
        first, times = time_scenario(province, args.repeat)
        print(
            f"{label} 情景推演: first load {first:.2f} s; rerun after a slider change: median "
            f"{statistics.median(times):.3f} s, max {max(times):.3f} s over {args.repeat} (goal <= {goal} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
