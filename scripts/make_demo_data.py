"""Write the embedded demo dataset: Jilin's 60 counties x 25 indicators x 2020-2025, SYNTHETIC.

    python scripts/make_demo_data.py     # writes data/demo/jilin_2020_2025.csv (fixed seed) and prints a check

How the numbers are made: analytics/demo.py and data/demo/README.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.demo import PROVINCE, check, make, seed_for
from analytics.store import DEMO_FILE


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=seed_for(PROVINCE))
    ap.add_argument("--out", type=Path, default=DEMO_FILE)
    args = ap.parse_args()
    frame = make(PROVINCE, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out, index=False, lineterminator="\n")
    print(f"wrote {args.out}: {len(frame)} rows")
    print(check(frame))
    return 0


if __name__ == "__main__":
    sys.exit(main())
