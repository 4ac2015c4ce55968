"""Meeting exports on the demo data: the PPTX deck (Jilin, the whole country), the Excel workbook, one map PNG.

    python benchmarks/meeting.py [--repeat N] [--national]

Prints seconds per step (median of N) and the ratio to the issue's goals: deck Jilin <= 20 s, deck China
<= 90 s, one Jilin map PNG <= 2 s (a ratio below 1 meets the goal).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics import sources
from analytics.catalog import load_catalog, load_profile
from analytics.i18n import t
from analytics.meeting import Meeting
from analytics.regions import COUNTRY, load_regions

GOALS = {"deck_jilin": 20.0, "deck_china": 90.0, "png_jilin": 2.0}


def meeting(region: str, catalog, regions) -> Meeting:
    scope = None if region == COUNTRY else region
    obs = sources.observations(sources.DEMO, scope, catalog=catalog, regions=regions)
    return Meeting.from_observations(
        obs,
        catalog=catalog,
        regions=regions,
        profile=load_profile("jilin-2022-2025"),
        region_code=region,
        year=2024,
        lang="zh",
        source_text=t("meeting.source_demo", "zh"),
        synthetic=True,
    )


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--national", action="store_true", help="also the whole country (deck, PNG, workbook)"
    )
    args = parser.parse_args()
    from analytics import deck, export, figures, workbook

    catalog, regions = load_catalog(), load_regions()
    rows = []
    secs, jilin = timed(lambda: meeting("220000", catalog, regions), 1)
    rows.append(("meeting_jilin (evaluate)", secs, None, ""))
    secs, png = timed(lambda: export.to_png(figures.met_count_map(jilin, inline=True)), args.repeat)
    rows.append(("png_jilin", secs, GOALS["png_jilin"], f"{len(png) / 1024:.0f} KB"))
    secs, data = timed(lambda: deck.build_deck(jilin), args.repeat)
    rows.append(("deck_jilin", secs, GOALS["deck_jilin"], f"{len(data) / 1024:.0f} KB"))
    secs, data = timed(lambda: workbook.build_workbook(jilin), args.repeat)
    rows.append(("workbook_jilin", secs, None, f"{len(data) / 1024:.0f} KB"))
    if args.national:
        start = time.perf_counter()
        china = meeting(COUNTRY, catalog, regions)
        secs, data = timed(lambda: deck.build_deck(china), 1)
        rows.append(
            (
                "deck_china (incl. evaluation)",
                time.perf_counter() - start,
                GOALS["deck_china"],
                f"{len(data) / 1024:.0f} KB",
            )
        )
        secs, png = timed(lambda: export.to_png(figures.met_count_map(china, inline=True)), 1)
        rows.append(("png_china", secs, None, f"{len(png) / 1024:.0f} KB"))
        secs, data = timed(lambda: workbook.build_workbook(china), 1)
        rows.append(("workbook_china", secs, None, f"{len(data) / 1024:.0f} KB"))
    print(f"{'step':32} {'seconds':>8} {'goal':>6} {'of goal':>8}  size")
    for name, secs, goal, size in rows:
        ratio = f"{secs / goal:.2f}" if goal else ""
        print(f"{name:32} {secs:8.2f} {goal or '':>6} {ratio:>8}  {size}")


if __name__ == "__main__":
    main()
