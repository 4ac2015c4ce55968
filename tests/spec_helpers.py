"""Reading Vega-Lite specs in tests: every dict of a spec, depth first."""

from __future__ import annotations

from collections.abc import Iterator


def walk(node) -> Iterator[dict]:
    """Every dict in a spec, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)
