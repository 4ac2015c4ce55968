"""ui/guard.py: an error inside a page reaches the user as one sentence with an incident number (or the
AtlasError's own message), never a traceback; Streamlit's rerun and stop pass through; tests see errors."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analytics.i18n import t

pytestmark = pytest.mark.apptest


def page_that_fails(kind: str) -> None:
    import streamlit as st

    from analytics.regions import RegionError
    from ui.guard import guarded

    with guarded(st.session_state.get("lang", "zh")):
        st.title("before")
        if kind == "bug":
            raise KeyError("C:/server/path/secret.py")
        if kind == "refusal":
            raise RegionError("unknown_region_code", code="999999")
        if kind == "stop":
            st.stop()
        st.write("after")


@pytest.fixture
def users(monkeypatch):
    from ui.guard import RAISE_ENV

    monkeypatch.delenv(RAISE_ENV, raising=False)  # as on a real server


def run(kind: str, lang: str = "zh") -> AppTest:
    at = AppTest.from_function(page_that_fails, args=(kind,))
    at.session_state["lang"] = lang
    return at.run()


def test_a_bug_is_one_sentence_with_an_incident_number(users):
    at = run("bug")
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith(t("unexpected_error", incident="")[:8])
    assert "secret.py" not in error.value and "Traceback" not in error.value and "KeyError" not in error.value
    assert [x.value for x in at.title] == ["before"]


def test_an_atlas_error_is_its_own_message_in_english_too(users):
    at = run("refusal", "en")
    assert not at.exception
    assert at.error[0].value == "Unknown administrative code 999999"


def test_stop_passes_through(users):
    at = run("stop")
    assert not at.exception and not at.error


def test_tests_still_see_the_error():
    """conftest sets the raise switch: a bug fails AppTest runs instead of hiding behind the sentence."""
    at = run("bug")
    assert at.exception


def page_body_that_fails() -> None:
    import streamlit as st

    from ui.guard import page_body

    def body() -> None:
        st.title("before")
        raise KeyError("C:/server/path/secret.py")

    page_body(body)  # no guard of app.py's around it: the fragment has its own
    st.write("after the body")


def test_a_page_body_fragment_is_guarded_on_its_own(users):
    at = AppTest.from_function(page_body_that_fails).run()
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith(t("unexpected_error", incident="")[:8]) and "secret.py" not in error.value
    assert [x.value for x in at.title] == ["before"] and at.markdown[-1].value == "after the body"
