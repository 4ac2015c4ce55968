"""Reading Vega-Lite specs in tests: every dict of a spec, depth first; the view's row a steady spec reads."""

from __future__ import annotations

import re
from collections.abc import Iterator

from analytics.figures import VIEW_DATASET


def walk(node) -> Iterator[dict]:
    """Every dict in a spec, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def row_values(row, expr: str) -> list:
    """The values of the view's row (analytics.figures.steady: a dict or a data frame's row) that an expression of
    the steady spec reads, in order."""
    return [row[key] for key in re.findall(rf"data\('{VIEW_DATASET}'\)\[0\]\.(\w+)", expr)]
