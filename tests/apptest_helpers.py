"""Running the app under streamlit's AppTest as a server runs it (used by the AppTest tests and by
benchmarks/app_rerun.py, which puts tests/ on sys.path).

With a pages/ folder, AppTest resets `PagesManager.uses_pages_directory` before every run, so every run after
the first executes the page script alone (Streamlit's older multipage mode): no app.py, no sidebar. A real
server is in that mode only until the first st.navigation call (ui.url_state.current() handles that cold start).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager


class AfterFirstNavigation(PagesManager):
    """A PagesManager as on a server that has run st.navigation once: app.py runs, then the chosen page."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@contextlib.contextmanager
def navigation_server() -> Iterator[None]:
    original = app_test_module.PagesManager
    app_test_module.PagesManager = AfterFirstNavigation
    try:
        yield
    finally:
        app_test_module.PagesManager = original


def downloaded(button) -> bytes:
    """The bytes a download button of an AppTest run would send (from Streamlit's in-memory media store)."""
    import gc

    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    for storage in gc.get_objects():
        if isinstance(storage, MemoryMediaFileStorage):
            for file_id, media in storage._files_by_id.items():
                if file_id in button.proto.url:
                    return media.content
    raise LookupError(button.proto.url)
