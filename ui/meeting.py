"""The page's view as an analytics.meeting.Meeting: what the figures layer, the presentation mode and the
exports take. Built from the same cached frames the pages show, so a download equals the screen."""

from __future__ import annotations

from analytics.i18n import t
from analytics.meeting import Meeting
from ui.loaders import catalog, observations, regions
from ui.sidebar import Context


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
        levels={level: ctx.all_years(level) for level in levels},
        source_text=source_text,
        synthetic=ctx.is_demo,
        progress_rows=ctx.progress(),
        observations=observations(ctx.data_key, ctx.province),
    )
