"""The app's last line: whatever a page raises reaches the user as one sentence in their language, never as a
traceback with server paths (and Streamlit's "Ask Google / Ask ChatGPT" buttons). The traceback goes to the
server's log under an incident number that the sentence gives, so a report can be matched to it.

Tests set PREVENTION_ATLAS_RAISE=1 (tests/conftest.py) so that a bug still fails them loudly.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from analytics.errors import AtlasError
from analytics.i18n import t
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
