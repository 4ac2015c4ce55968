"""Strings from files, users and links placed where Streamlit renders Markdown (titles, captions, alerts):
shown as typed, never as formatting, links or images. Streamlit escapes HTML itself; this escapes Markdown."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def escape_markdown(text: str) -> str:
    """A user's string (a file or dataset name, a column header, a county name from a file, a link's scope)
    placed inside Markdown: shown as typed, never as formatting."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
