"""Launch the app: `streamlit run app.py` with the arguments given, once the analytics every page draws with is
imported.

Streamlit runs app.py only when a browser connects, and that first run would import pandas, Altair, SciPy and the
app's analytics (about 1.2 s on the 2-core machine) before it draws anything. Imported here, before the server
starts, they are ready when the committee opens the app: the first Jilin map painted 1.0 s sooner when the browser
opens a few seconds after launch, and no later when it opens at once (benchmarks/RESULTS.md, tenth session).

Only `analytics` is imported here (pure Python, no Streamlit): the pages' Streamlit caches are made once Streamlit's
runtime runs. A module that fails to import is left to the first run, whose page says what is wrong.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_RUN = ("analytics.figures", "analytics.insights")  # what every page's charts and tables are built with


def preload() -> None:
    for name in FIRST_RUN:
        try:
            importlib.import_module(name)
        except Exception:  # the first run imports it again and shows the error in a sentence (ui/guard.py)
            return


def main() -> int:
    sys.path.insert(0, str(ROOT))  # where `streamlit run` puts app.py's folder: the same modules
    preload()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
