"""analytics.meeting.Meeting takes its levels as any mapping and its progress rows as a function: the web app
evaluates a level, and makes the progress rows, when a figure first asks (ui/meeting.py), and the figures are the
same as from a meeting evaluated up front."""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Iterator, Mapping

import pandas as pd
import pytest

from analytics import figures
from analytics.__main__ import load_meeting
from analytics.meeting import Meeting


@pytest.fixture(scope="module")
def eager() -> Meeting:
    args = argparse.Namespace(
        data=None, db=None, region="220000", year=2024, targets="jilin-2022-2025", lang="zh"
    )
    return load_meeting(args)


class Counted(Mapping[str, pd.DataFrame]):
    def __init__(self, levels: Mapping[str, pd.DataFrame]) -> None:
        self.levels, self.asked = levels, []

    def __getitem__(self, level: str) -> pd.DataFrame:
        self.asked.append(level)
        return self.levels[level]

    def __iter__(self) -> Iterator[str]:
        return iter(self.levels)

    def __len__(self) -> int:
        return len(self.levels)


def spec(chart) -> str:
    return json.dumps(chart.to_dict(), sort_keys=True)


def test_the_indicator_map_asks_for_the_counties_only(eager):
    levels = Counted(eager.levels)
    made = []

    def progress() -> pd.DataFrame:
        made.append(1)
        return eager.progress()

    lazy = dataclasses.replace(eager, levels=levels, progress_rows=progress, _derived={})
    assert spec(figures.indicator_map(lazy, "premarital_exam", "status")) == spec(
        figures.indicator_map(eager, "premarital_exam", "status")
    )
    assert set(levels.asked) == {"county"}
    assert made == [1]  # the tooltip's progress and trajectory: made once, then kept
    figures.indicator_map(lazy, "rehab_physicians", "trajectory")
    assert made == [1]
    assert [lv for lv in ("county", "prefecture", "province") if lv in lazy.levels] == [
        "county",
        "prefecture",
        "province",
    ]


def test_the_web_apps_levels_evaluate_only_what_is_asked_for():
    from ui.meeting import _Levels

    class Ctx:
        def __init__(self) -> None:
            self.asked: list[str] = []

        def all_years(self, level: str) -> pd.DataFrame:
            self.asked.append(level)
            return pd.DataFrame({"level": [level]})

    ctx = Ctx()
    levels = _Levels(ctx, ("county", "prefecture", "province"))
    assert list(levels) == ["county", "prefecture", "province"] and len(levels) == 3
    assert "prefecture" in levels and "country" not in levels
    assert ctx.asked == []  # listing and membership evaluate nothing
    assert levels["prefecture"]["level"].tolist() == ["prefecture"]
    assert ctx.asked == ["prefecture"]
    with pytest.raises(KeyError):
        levels["country"]  # outside the sidebar's scope
