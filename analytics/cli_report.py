"""The `report` command (python -m analytics report): registered by analytics.__main__ like cli_history."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def add_parsers(sub, common: argparse.ArgumentParser, h: Callable[..., str], add_source: Callable) -> None:
    """Adds the `report` subcommand (`add_source` adds --data/--db, --region, --year, --targets, --format)."""


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}
