"""The app's last line: whatever a page raises reaches the user as one sentence in their language, never as a
traceback with server paths (and Streamlit's "Ask Google / Ask ChatGPT" buttons). The traceback goes to the
server's log under an incident number that the sentence gives, so a report can be matched to it.

Tests set PREVENTION_ATLAS_RAISE=1 (tests/conftest.py) so that a bug still fails them loudly.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from analytics.errors import AtlasError
from analytics.i18n import DEFAULT_LANG, t
from ui.render import escape_markdown

RAISE_ENV = "PREVENTION_ATLAS_RAISE"
log = logging.getLogger("prevention_atlas")


@contextmanager
def guarded(lang: str) -> Iterator[None]:
    """Run a page: an AtlasError is its own message; anything else a sentence with an incident number.
    Streamlit's own control flow (rerun, stop, switch page) is not an Exception and passes through."""
    try:
        yield
    except AtlasError as exc:
        if os.environ.get(RAISE_ENV):
            raise
        log.warning("refused: %s", exc.code)
        st.error(escape_markdown(exc.message(lang)))
    except Exception:
        if os.environ.get(RAISE_ENV):
            raise
        incident = uuid.uuid4().hex[:8]
        log.exception("page failed, incident %s", incident)
        st.error(t("unexpected_error", lang, incident=incident))


def page_body(body: Callable[[], None]) -> None:
    """Run a page's body as a fragment: a change of the page's own widgets (an indicator, a tab, a picked county)
    reruns the body alone, so app.py and the sidebar are neither run nor sent again (an indicator change repaints
    the Jilin map sooner, benchmarks/RESULTS.md). On such a rerun app.py's guard and busy note are not around the
    body, so it has its own (the busy note only then: a whole run has the sidebar's). A callback whose change
    reaches beyond the body (the sidebar's region, a county's profile to open) reruns the whole app
    (ui.render.rerun_app)."""

    @st.fragment
    def run() -> None:
        lang = st.session_state.get("lang") or DEFAULT_LANG
        busy = st.container(key="page_busy")  # in the page's corner (app.css): no shift of the page under it
        with guarded(lang):
            if _own_rerun():
                with busy.spinner(t("busy", lang)):
                    body()
            else:
                body()

    run()


def _own_rerun() -> bool:
    """Whether this run is a fragment's own (Streamlit names the fragments it reruns; a whole run names none)."""
    ctx = get_script_run_ctx()
    return bool(ctx and getattr(ctx, "fragment_ids_this_run", None))
