"""Screenshots of every page (and every slide of the presentation mode) at 1280x720 and 1920x1080, to look at.

    .venv/bin/python scripts/screenshots.py [OUT_DIR] [--size 1920x1080 ...] [--page NAME ...] [--no-slides] [--no-pages]

OUT_DIR defaults to /tmp/atlas-shots; --size and --page pick some of the sizes and pages ("overview" is the
first page); --no-slides leaves out the presentation mode, --no-pages the pages.

Starts the app on the demo data (tests/browser_helpers.AppServer) and drives Debian chromium; the files are the
viewport as a person sees it (not the whole scrolled page), so whatever is cut or below the fold shows.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from browser_helpers import AppServer, goto, launch  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

PAGES = ["", "indicator_map", "county_profile", "scenarios", "data", "catalog"]
SIZES = [(1280, 720), (1920, 1080)]


def main(out: Path, sizes=SIZES, pages=PAGES, slides: bool = True) -> None:
    out.mkdir(parents=True, exist_ok=True)
    server = AppServer("screenshots")
    server.start()
    try:
        with sync_playwright() as p:
            browser = launch(p)
            for width, height in sizes:
                page = browser.new_page(viewport={"width": width, "height": height})
                for name in pages:
                    goto(page, f"{server.url}/{name}")
                    page.wait_for_timeout(1500)
                    page.screenshot(path=out / f"{width}-{name or 'overview'}.png")
                if not slides:
                    page.close()
                    continue
                goto(page, f"{server.url}/present?slide=1")
                picker = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first
                values = picker.locator("input").evaluate_all("l => l.map(i => i.value)")
                total = int(
                    re.search(r"\b\d+ / (\d+) · ", " ".join([picker.text_content(), *values])).group(1)
                )
                for n in range(1, int(total) + 1):
                    goto(page, f"{server.url}/present?slide={n}")
                    page.wait_for_timeout(1200)
                    page.screenshot(path=out / f"{width}-slide{n:02d}.png")
                page.close()
            browser.close()
    finally:
        server.stop()
    print(out)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path("/tmp/atlas-shots"))
    parser.add_argument("--size", action="append", help="WIDTHxHEIGHT (default: both)")
    parser.add_argument("--page", action="append", help="a page's url path, or overview (default: all)")
    parser.add_argument("--no-slides", action="store_true")
    parser.add_argument("--no-pages", action="store_true")
    args = parser.parse_args()
    sizes = [tuple(int(n) for n in s.split("x")) for s in args.size] if args.size else SIZES
    pages = ["" if p == "overview" else p for p in args.page] if args.page else PAGES
    pages = [] if args.no_pages else pages
    main(args.out, sizes, pages, not args.no_slides)
