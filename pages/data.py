"""数据管理 Data: templates, upload -> validation report -> preview -> confirm; versions and rollback; gaps."""

import altair as alt
import streamlit as st

from analytics import charts, insights
from analytics.i18n import t
from analytics.sources import check_submission
from analytics.store import StoreError
from analytics.templates import file_name, make_template
from ui import render
from ui.loaders import catalog, data_changed, regions, store
from ui.url_state import current, write_url

ctx = current()
lang, cat, regs = ctx.lang, catalog(), regions()
write_url(ctx)
render.banner(ctx)  # the completeness and quality sections below show the current source's data
st.title(t("data_title", lang, region=ctx.region_name))
if ctx.national:
    st.info(t("data_pick_province", lang))
    st.stop()
db = store()

# --- 1. templates ------------------------------------------------------------------------------
st.header(t("templates", lang))
c1, c2, c3 = st.columns([1, 2, 2])
tyear = c1.number_input(t("year", lang), 2000, 2100, ctx.year, key="tpl_year")
layout = c2.radio(
    t("layout", lang),
    ["long", "wide"],
    key="tpl_layout",
    horizontal=True,
    format_func=lambda x: t(f"layout_{x}", lang),
)
c3.download_button(
    t("download_template", lang),
    data=make_template(ctx.region, int(tyear), layout, catalog=cat, regions=regs, lang=lang),
    file_name=file_name(ctx.region_name, int(tyear), layout, lang),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)

# --- 2. upload -> validation report -> preview -> confirm ----------------------------------------
st.header(t("upload", lang))
upload = st.file_uploader(
    t("upload_help", lang),
    type=["xlsx", "csv", "txt"],
    key="upload",
    help=t("upload_limits", lang, mb=st.get_option("server.maxUploadSize")),
)
u1, u2, u3 = st.columns(3)
given_year = u1.number_input(t("year_if_missing", lang), 0, 2100, 0, key="up_year")
department = u2.text_input(t("department", lang), key="up_department")
note = u3.text_input(t("note", lang), key="up_note")
passphrase = (
    st.text_input(t("passphrase", lang), type="password", key="up_pass") if db.write_protected else None
)

if upload is not None:
    data = upload.getvalue()
    sub = check_submission(
        data,
        upload.name,
        region=ctx.region,
        year=int(given_year) or None,
        catalog=cat,
        regions=regs,
        store=db,
    )
    st.markdown(
        t(
            "report_summary",
            lang,
            name=upload.name,
            rows=len(sub.observations),
            errors=len(sub.errors),
            warnings=len(sub.warnings),
        )
    )
    # the problems as text first (readable by screen readers and in a printout), then as a table
    for severity, show in (("error", st.error), ("warning", st.warning)):
        found = [p for p in sub.problems if p.severity == severity]
        if found:
            lines = [f"- {p.message(lang)}" for p in found[:30]]
            if len(found) > 30:
                lines.append(f"- {t('more_lines', lang, n=len(found) - 30)}")
            show("\n".join(lines))
    if sub.problems:
        render.table(
            insights.problems_table(sub.problem_frame(lang), lang),
            height=300,
            caption=t("table_of_chart", lang),
            lang=lang,
        )
    if not sub.ok:
        st.error(t("not_imported", lang))
    else:
        diff = db.diff(sub.observations)
        counts = diff["change"].value_counts()
        st.success(
            t(
                "preview_counts",
                lang,
                new=int(counts.get("new", 0)),
                changed=int(counts.get("changed", 0)),
                unchanged=int(counts.get("unchanged", 0)),
            )
        )
        changed = diff[diff["change"] == "changed"]
        if len(changed):
            render.table(
                insights.changes_table(changed.head(200), cat, regs, lang),
                caption=t("what_changes", lang),
                lang=lang,
            )
        coverage = sub.observations.groupby("region_code")["indicator_id"].nunique().rename("n").reset_index()
        rows = (
            ctx.counties()[["code"]]
            .rename(columns={"code": "region_code"})
            .merge(coverage, how="left")
            .fillna({"n": 0})
        )
        rows["region_name"] = regs.names(rows["region_code"])
        rows["symbol"] = rows["n"].astype(int).astype(str)
        st.subheader(t("coverage_map", lang))
        render.chart(
            render.region_map(
                ctx,
                rows,
                color=charts.sequential_color(
                    "n", t("indicators_in_file", lang), scheme="blues", domain=[0, len(cat)]
                ),
                tooltip=[
                    alt.Tooltip("region_name:N", title=t("county", lang)),
                    alt.Tooltip("n:Q", title=t("indicators_in_file", lang)),
                ],
            )
        )
        dataset = st.text_input(t("dataset", lang), value=upload.name.rsplit(".", 1)[0], key="up_dataset")
        if st.button(t("confirm_import", lang), type="primary"):
            try:
                version = db.import_observations(
                    sub.observations,
                    dataset=dataset,
                    source_name=upload.name,
                    sha256=sub.sha256,
                    department=department,
                    note=note,
                    passphrase=passphrase,
                )
            except StoreError as exc:
                st.error(t("bracketed", lang, text=exc.message(lang), note=t("store_unchanged", lang)))
            else:
                data_changed()
                st.success(t("imported", lang, version=version, rows=len(sub.observations)))

# --- 3. versions and rollback -------------------------------------------------------------------
st.header(t("versions", lang))
versions = db.versions()
if versions.empty:
    st.caption(t("no_versions", lang))
else:
    render.table(insights.versions_table(versions, lang), lang=lang)
    r1, r2 = st.columns([3, 1])
    target = r1.selectbox(
        t("rollback_to", lang),
        list(versions["version_id"]),
        key="rollback_to",
        placeholder=t("choose_one", lang),
    )
    if r2.button(t("rollback", lang)):
        try:
            db.rollback(int(target), passphrase=passphrase)
        except StoreError as exc:
            st.error(exc.message(lang))
        else:
            data_changed()
            st.success(t("rolled_back", lang, version=target))

# --- 4. completeness and data quality of the data shown -----------------------------------------
st.header(t("completeness", lang, year=ctx.year))
grid = insights.completeness(ctx.level_rows("county"), cat, regs, lang)
st.caption(t("completeness_caption", lang, share=f"{grid['present'].mean() * 100:.1f}"))
wide = grid.pivot_table(index="region_name", columns="indicator", values="mark", aggfunc="first")
wide = (
    wide.reindex(columns=[i.short(lang) for i in cat.indicators]).rename_axis(t("county", lang)).reset_index()
)
render.table(wide.rename_axis(None, axis=1), height=500, lang=lang)
st.header(t("quality", lang))
flags = insights.quality_flags(ctx.all_years("county"), cat, regs, ctx.year, lang)
if flags.empty:
    st.caption(t("no_flags", lang))
else:
    render.table(
        flags.drop(columns=["region_code"]).rename(
            columns={
                "county": t("county", lang),
                "indicator": t("indicator", lang),
                "flag": t("message", lang),
            }
        ),
        lang=lang,
    )
