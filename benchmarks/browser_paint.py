"""Speed a person feels, measured in Chromium beside the floor (issue 11.6).

    python benchmarks/browser_paint.py [--repeat 3] [--national]

Four timings, each beside benchmarks/floor_map.py (a one-chart Streamlit app drawing the same map), the
two measured interleaved in one run on this machine, and the ratio app / floor:
- server start to the first painted map (Jilin; the whole country with --national): process spawn until the
  map's SVG holds its county shapes; the app launched as scripts/run.sh launches it (scripts/serve.py);
- open to the first painted map (Jilin): the browser opens the page OPEN_AFTER s after the server answers, as a
  person does after launching it, until the map has painted;
- indicator change to the repainted map: a new indicator chosen in the select box (keyboard) until the map's
  heading names it;
- a click on a county to its painted profile (the app only: the floor has no profile);
- kb_sent: kilobytes the server sent over the websocket per indicator change (what a change costs the network).
Goals: indicator change within 1.3x the floor for Jilin and 1.5x for the whole country; county click to
painted profile <= 1.2 s; server start to first painted Jilin map <= 5 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser_helpers import county_point, free_port, launch, python  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from analytics.catalog import load_catalog  # noqa: E402

JILIN, CHINA = "220000", "100000"
# Streamlit serves static/ from beside the main script (and would list a pages/ folder there): the floor runs
# from a folder of its own holding a copy of it, links to static/ and .streamlit/, and no pages/
FLOOR_DIR = Path(tempfile.mkdtemp(prefix="atlas-floor-"))
FLOOR = FLOOR_DIR / "floor_map.py"
SHAPES = {JILIN: 60, CHINA: 2875}
INDICATORS = ["premarital_exam", "rehab_physicians", "knowledge_awareness", "hypertension_management"]
GOALS = {"change_jilin": 1.3, "change_china": 1.5, "click_profile": 1.2, "start_jilin": 5.0}

# the county map has painted when its largest shape group holds the region's counties
PAINTED_JS = """([key, n]) => {
  const chart = document.querySelector('.st-key-' + key + ' [data-testid="stVegaLiteChart"] svg');
  if (!chart) return false;
  return [...chart.querySelectorAll('g.mark-shape')].some(g => g.querySelectorAll(':scope > path').length >= n);
}"""
# the county's profile has painted: its name in a heading and a chart of the page drawn (not app.py's hidden one)
PROFILE_PAINTED_JS = """n => [...document.querySelectorAll('h1')].some(h => h.innerText.includes(n))
  && document.querySelectorAll('[data-testid="stMain"] [data-testid="stVegaLiteChart"] svg').length > 0"""
HEADING_JS = """([key, text]) => {
  const chart = document.querySelector('.st-key-' + key + ' [data-testid="stVegaLiteChart"] svg');
  return !!chart && [...chart.querySelectorAll('text')].some(t => t.textContent.includes(text));
}"""


class Server:
    def __init__(self, script: list[str]):
        self.script, self.port, self.proc = script, free_port(), None
        self.cwd = FLOOR_DIR if Path(script[0]).is_absolute() else ROOT

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        # the app as scripts/run.sh launches it; the floor as a plain Streamlit app
        launch = (
            ["scripts/serve.py"] if self.script[0] == "app.py" else ["-m", "streamlit", "run", self.script[0]]
        )
        cmd = [python(), *launch, "--server.port", str(self.port)]
        cmd += ["--server.headless", "true", "--browser.gatherUsageStats", "false", "--", *self.script[1:]]
        env = {**os.environ, "ATLAS_ROOT": str(ROOT)}
        self.proc = subprocess.Popen(
            cmd,
            cwd=self.cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        return
            except OSError:
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)


OPEN_AFTER = 4.0  # seconds between the server answering and a person opening the app in the browser


def first_paint(
    browser, script: list[str], path: str, key: str, shapes: int, open_after: float | None = None
) -> float:
    """Seconds from spawning the server to the painted map; with `open_after`, from opening the page that long after
    the server answered to the painted map."""
    start = time.perf_counter()
    server = Server(script)
    server.start()
    if open_after is not None:
        time.sleep(open_after)
        start = time.perf_counter()
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(server.url + path, wait_until="domcontentloaded", timeout=120_000)
        page.wait_for_function(PAINTED_JS, arg=[key, shapes], timeout=180_000, polling=50)
        return time.perf_counter() - start
    finally:
        page.close()
        server.stop()


SETTLE_MS = 2500  # after the repaint, the rest of a change's messages (bars, table …) arrive within this


class Received:
    """Bytes the page received over Streamlit's websocket (what the server sends per change)."""

    def __init__(self, page) -> None:
        self.bytes = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._add))

    def _add(self, payload) -> None:
        self.bytes += len(payload)


def change_indicator(page, key: str, name: str) -> float:
    """Seconds from choosing indicator `name` in the select box to the map whose heading names it."""
    box = page.locator(".st-key-w_indicator input").first
    box.click()
    box.fill(name)
    start = time.perf_counter()
    page.keyboard.press("Enter")
    page.wait_for_function(HEADING_JS, arg=[key, name], timeout=180_000, polling=50)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--national", action="store_true")
    args = parser.parse_args()
    names = {i: load_catalog()[i].name("zh") for i in INDICATORS}
    regions = [JILIN, CHINA] if args.national else [JILIN]
    results: dict[str, list[float]] = {}

    def add(name: str, secs: float) -> None:
        results.setdefault(name, []).append(secs)

    shutil.copy(ROOT / "benchmarks" / "floor_map.py", FLOOR)
    for name in ("static", ".streamlit"):
        (FLOOR_DIR / name).symlink_to(ROOT / name)
    try:
        measure(args, names, regions, add)
    finally:
        shutil.rmtree(FLOOR_DIR, ignore_errors=True)
    report(results)


def measure(args, names: dict[str, str], regions: list[str], add) -> None:
    with sync_playwright() as p:
        browser = launch(p)
        for _ in range(args.repeat):  # interleaved: app, floor, app, floor ...
            for region in regions:
                tag = "jilin" if region == JILIN else "china"
                path = app_path(region)
                add(
                    f"start_{tag} app",
                    first_paint(browser, ["app.py"], path, "indicator_map", SHAPES[region]),
                )
                floor = [str(FLOOR), region]
                add(f"start_{tag} floor", first_paint(browser, floor, "/", "indicator_map", SHAPES[region]))
                if region == JILIN:
                    for name, script, at in (("app", ["app.py"], path), ("floor", floor, "/")):
                        secs = first_paint(browser, script, at, "indicator_map", SHAPES[region], OPEN_AFTER)
                        add(f"open_{tag} {name}", secs)
        for region in regions:
            tag = "jilin" if region == JILIN else "china"
            app, floor = Server(["app.py"]), Server([str(FLOOR), region])
            app.start()
            floor.start()
            pages, received = {}, {}
            try:
                for name, server, path in (
                    ("app", app, app_path(region)),
                    ("floor", floor, "/"),
                ):
                    page = browser.new_page(viewport={"width": 1920, "height": 1080})
                    received[name] = Received(page)  # before the page opens its websocket
                    page.goto(server.url + path, wait_until="domcontentloaded", timeout=120_000)
                    page.wait_for_function(PAINTED_JS, arg=["indicator_map", SHAPES[region]], timeout=180_000)
                    pages[name] = page
                for _ in range(args.repeat):
                    for ind in INDICATORS[1:] + INDICATORS[:1]:
                        for name in ("app", "floor"):
                            before = received[name].bytes
                            add(
                                f"change_{tag} {name}",
                                change_indicator(pages[name], "indicator_map", names[ind]),
                            )
                            pages[name].wait_for_timeout(SETTLE_MS)  # the rest of the rerun's messages
                            add(f"kb_sent_{tag} {name}", (received[name].bytes - before) / 1024)
                if region == JILIN:  # a county click to its painted profile (the app only), on a prefecture's
                    page = pages["app"]  # map: on the whole province a click zooms to the prefecture
                    for _ in range(args.repeat):
                        page.goto(app.url + app_path(region) + "&pref=220200", wait_until="domcontentloaded")
                        page.wait_for_function(PAINTED_JS, arg=["indicator_map", 9], timeout=60_000)
                        time.sleep(1)
                        point = county_point(page, "indicator_map")
                        start = time.perf_counter()
                        page.mouse.click(point["x"], point["y"])
                        page.wait_for_function(
                            PROFILE_PAINTED_JS,
                            arg=point["name"],
                            timeout=60_000,
                            polling=50,
                        )
                        add("click_profile app", time.perf_counter() - start)
            finally:
                for page in pages.values():
                    page.close()
                app.stop()
                floor.stop()
        browser.close()


def report(results: dict[str, list[float]]) -> None:
    print(f"{'measure':24} {'app':>8} {'floor':>8} {'ratio':>6} {'goal':>6}  (seconds; kb_sent: KB)")
    for measure in sorted({k.split(" ")[0] for k in results}):
        app_s = statistics.median(results[f"{measure} app"])
        floor_s = statistics.median(results[f"{measure} floor"]) if f"{measure} floor" in results else None
        ratio = app_s / floor_s if floor_s else None
        goal = GOALS.get(measure, "")
        floor_text = f"{floor_s:.2f}" if floor_s is not None else ""
        ratio_text = f"{ratio:.2f}" if ratio else ""
        print(f"{measure:24} {app_s:8.2f} {floor_text:>8} {ratio_text:>6} {goal!s:>6}")


def app_path(region: str) -> str:
    return f"/indicator_map?prov={region}&ind={INDICATORS[0]}&show=status"


if __name__ == "__main__":
    main()
