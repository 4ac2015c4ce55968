"""Launch the app: `streamlit run app.py` (arguments passed on), with what the first page needs imported and
loaded in a background thread meanwhile.

Streamlit runs app.py only when a browser connects; until then the server idles while the browser fetches and
parses Streamlit's scripts (about a second). Importing pandas, Altair and the app's modules and loading the
indicator catalog and the region table (about 1.5 s) in that time means the first run finds them ready, so the
first map paints sooner (benchmarks/browser_paint.py, "server start to first painted map"). The imported modules
are the ones the script uses (one sys.modules); a warm-up that fails only costs the time it saves.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def warm_up() -> None:
    """Import and load, once, what every page's first run needs (never raises)."""
    try:
        import altair  # noqa: F401
        import pandas  # noqa: F401

        from analytics import figures, insights  # noqa: F401
        from analytics.catalog import load_catalog
        from analytics.regions import load_regions

        load_catalog()
        load_regions()
        import ui.downloads
        import ui.meeting
        import ui.sidebar  # noqa: F401
    except Exception:  # the first run imports them again and says what is wrong
        pass


def main() -> int:
    sys.path.insert(0, str(ROOT))  # where `streamlit run` puts app.py's folder: the same module names
    threading.Thread(target=warm_up, daemon=True, name="warm-up").start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
