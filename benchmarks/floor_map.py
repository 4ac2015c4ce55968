"""The floor for benchmarks/browser_paint.py: a one-chart Streamlit app drawing the same indicator map.

    benchmarks/browser_paint.py copies it to a folder of its own with static/ and .streamlit/ linked beside it
    (Streamlit serves static/ from beside the main script) and runs `streamlit run floor_map.py -- REGION`
    with ATLAS_ROOT naming the repo (REGION: 220000 Jilin, 100000 the whole country)

Only a select box of indicators and the map that analytics.figures.indicator_map builds (the status mode, the
demo data), with the meeting cached once per server: what any Streamlit page showing that map must at least
pay. Not part of the app.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(
    os.environ.get("ATLAS_ROOT", Path(__file__).resolve().parent.parent)
)  # the repo (browser_paint.py)
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from analytics import figures  # noqa: E402
from analytics.__main__ import load_meeting  # noqa: E402

REGION = sys.argv[1] if len(sys.argv) > 1 else "220000"


@st.cache_resource
def meeting(region: str):
    args = argparse.Namespace(
        data=None, db=None, region=region, year=2024, targets="jilin-2022-2025", lang="zh"
    )
    return load_meeting(args)


m = meeting(REGION)
ind = st.selectbox(
    "indicator", m.catalog.ids, key="w_indicator", format_func=lambda i: m.catalog[i].name("zh")
)
chart = figures.indicator_map(m, ind, "status")  # clickable, as the app's map (the same widget cost)
st.altair_chart(
    chart, key="indicator_map", theme=None, width="stretch", on_select="rerun", selection_mode=None
)
