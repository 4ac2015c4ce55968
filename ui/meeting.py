"""The page's view as an analytics.meeting.Meeting: what the figures layer, the presentation mode and the
exports take. Built from the same cached frames the pages show, so a download equals the screen."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pandas as pd

from analytics.i18n import t
from analytics.meeting import Meeting
from ui.loaders import catalog, observations, regions
from ui.sidebar import Context


class _Levels(Mapping[str, pd.DataFrame]):
    """The levels of the sidebar's scope, each evaluated (cached per server) when a figure first asks for it:
    the indicator map draws from the counties before the prefectures and the province are evaluated."""

    def __init__(self, ctx: Context, levels: tuple[str, ...]) -> None:
        self._ctx, self._levels = ctx, levels

    def __getitem__(self, level: str) -> pd.DataFrame:
        if level not in self._levels:
            raise KeyError(level)
        return self._ctx.all_years(level)

    def __contains__(self, level: object) -> bool:  # Mapping's own would evaluate the level to find out
        return level in self._levels

    def __iter__(self) -> Iterator[str]:
        return iter(self._levels)

    def __len__(self) -> int:
        return len(self._levels)


def meeting_of(ctx: Context) -> Meeting:
    """The Meeting of the sidebar's region, year, profile and data source (frames are shared, not copied)."""
    levels = (
        ("county", "prefecture", "province", "country")
        if ctx.national
        else ("county", "prefecture", "province")
    )
    if ctx.is_demo:
        source_text = t("meeting.source_demo", ctx.lang)
    elif ctx.newest_version:
        source_text = t("meeting.source_store", ctx.lang, version=ctx.newest_version)
    else:
        source_text = t("meeting.source_store_empty", ctx.lang)
    return Meeting(
        catalog=catalog(),
        regions=regions(),
        profile=ctx.profile,
        region_code=ctx.region,
        year=ctx.year,
        lang=ctx.lang,
        levels=_Levels(ctx, levels),
        source_text=source_text,
        synthetic=ctx.is_demo,
        progress_rows=ctx.progress,  # cached per server, made when a figure first needs it
        observations=observations(ctx.data_key, ctx.province),
    )
