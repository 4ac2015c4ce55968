"""目标测算 Target drafting: where the observed trend takes the region by a chosen year, with 80 % and 95 %
intervals; a slider for a candidate target shows the probability the region reaches it and the share of
counties likely to; the targets reached with 50 % and 80 % probability are proposed."""

import math

import streamlit as st

from analytics import figures, insights, outlook
from analytics.i18n import t
from ui import render
from ui.downloads import figure_downloads, file_stem
from ui.loaders import catalog, outlook_frames
from ui.meeting import meeting_of
from ui.url_state import current, keep, write_url

ctx = current()
lang, cat = ctx.lang, catalog()
render.banner(ctx)
ids = cat.ids
c1, c2 = st.columns([3, 1])
ind_id = c1.selectbox(
    t("indicator", lang),
    ids,
    key=keep("indicator", ids[0], ids),
    format_func=lambda i: f"{cat.domain(cat[i].domain).name(lang)} · {cat[i].name(lang)}",
)
st.session_state["indicator"] = ind_id
last = max(ctx.years)
to_year = c2.number_input(
    t("outlook.to_year", lang), min_value=last + 1, max_value=last + 10, value=2030, step=1
)
write_url(ctx, ind=ind_id)
ind = cat[ind_id]
st.title(t("outlook.page_title", lang, region=ctx.region_name, year=int(to_year)))
st.caption(t("outlook.method", lang))

region, county_outlook = outlook_frames(
    ctx.data_key, ctx.province, ctx.profile_key, ctx.region, ctx.prefecture, ind_id, int(to_year)
)
row = region.iloc[0]
if not math.isfinite(row["low95"]):  # fewer than 3 years, or a county's 1/0 status
    st.info(t(f"outlook.method_{row['method']}", lang))
    st.stop()

proposed = outlook.proposed_targets(region).iloc[0]
value = lambda v: insights.format_value(v, ind, lang)  # noqa: E731
m1, m2, m3 = st.columns(3)
m1.metric(t("outlook.projected", lang, year=int(to_year)), value(row["projected"]), border=True)
m2.metric(t("outlook.p50", lang), value(proposed["target_p50"]), border=True)
m3.metric(t("outlook.p80", lang), value(proposed["target_p80"]), border=True)
st.caption(
    t(
        "outlook.intervals",
        lang,
        low80=value(row["low80"]),
        high80=value(row["high80"]),
        low95=value(row["low95"]),
        high95=value(row["high95"]),
    )
)

# --- a candidate target: the region's probability and the counties likely to reach it -------------------
curve = outlook.probability_curve(region)
low, high = float(curve["target"].min()), float(curve["target"].max())
step = 10.0**-ind.decimals
start = (
    float(ctx.profile.targets[ind_id].threshold) if ind_id in ctx.profile.targets else float(row["projected"])
)
candidate = st.slider(
    t("outlook.candidate", lang),
    min_value=round(low, ind.decimals),
    max_value=round(high, ind.decimals),
    value=round(min(max(start, low), high), ind.decimals),
    step=step,
    format=f"%.{ind.decimals}f",
    key=f"w_outlook_candidate_{ind_id}_{ctx.region}_{int(to_year)}",
)
probability = float(outlook.probability_at(region, candidate).iloc[0])
share = outlook.share_likely(county_outlook, candidate)
p1, p2 = st.columns(2)
p1.metric(t("outlook.probability_region", lang, region=ctx.region_name), f"{probability:.0%}", border=True)
p2.metric(t("outlook.share_counties", lang), "—" if math.isnan(share) else f"{share:.0%}", border=True)

meeting = meeting_of(ctx)
chart_col, table_col = st.columns([3, 2])
with chart_col:
    render.chart(
        figures.probability_curve(meeting, ind_id, curve, candidate, int(to_year)), key="outlook_curve"
    )
    figure_downloads(
        lambda: figures.probability_curve(meeting, ind_id, curve, candidate, int(to_year)),
        stem=file_stem(meeting, ind_id, "outlook"),
        lang=lang,
        key="dl_outlook",
    )
with table_col:
    shown = curve.iloc[:: max(1, len(curve) // 12)]
    render.table(
        shown.assign(
            target=shown["target"].map(value), probability=shown["probability"].map("{:.0%}".format)
        ).rename(
            columns={
                "target": t("outlook.candidate", lang),
                "probability": t("outlook.probability_axis", lang),
            }
        ),
        caption=t("table_of_chart", lang),
        lang=lang,
    )
