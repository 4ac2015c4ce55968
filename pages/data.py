"""数据管理 Data: templates, upload -> validation report -> preview -> confirm; history (undo one import, return to
the state after a version: each previewed, then confirmed); gaps."""

import altair as alt
import streamlit as st

from analytics import charts, insights
from analytics.i18n import t
from analytics.intake.limits import limits_text, size_text
from analytics.intake.summary import problems_csv, summarise
from analytics.provenance import local_time
from analytics.sources import check_submission
from analytics.store import StoreError, file_sha256
from analytics.templates import file_name, make_template
from ui import render
from ui.history_panel import flash, history_panel
from ui.loaders import catalog, data_changed, reading_worker, regions, store
from ui.render import escape_markdown
from ui.url_state import current, write_url

reading_worker()  # started in the background the first time anyone opens this page (ui/loaders.py)
ctx = current()
lang, cat, regs = ctx.lang, catalog(), regions()
write_url(ctx)
render.banner(ctx)  # the completeness and quality sections below show the current source's data
st.title(t("data_title", lang, region=ctx.region_name))
if ctx.national:
    st.info(t("data_pick_province", lang))
    st.stop()
db = store()
tz = st.context.timezone  # the browser's zone: the store keeps UTC, people read their own clock


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
flash("upload")
upload = st.file_uploader(
    t("upload_help", lang),
    type=["xlsx", "csv", "txt"],
    key="upload",
    help=limits_text(lang),  # the limits every file is held to, stated once (analytics/intake/limits.py)
)
data = upload.getvalue() if upload is not None else None
# the fields belong to one file: a new file gets fresh ones (never the previous department's name or note)
sha = file_sha256(data) if data is not None else "none"
file_key = sha[:16]
u1, u2, u3 = st.columns(3)
given_year = u1.number_input(t("year_if_missing", lang), 0, 2100, 0, key=f"up_year_{file_key}")
department = u2.text_input(t("department", lang), key=f"up_department_{file_key}")
note = u3.text_input(t("note", lang), key=f"up_note_{file_key}")
passphrase = (
    st.text_input(t("passphrase", lang), type="password", key="up_pass") if db.write_protected else None
)

if upload is not None:
    # checked once per file, region, year and store state: typing a department name does not read it again
    checked = (sha, ctx.region, int(given_year) or None, db.revision())
    held = st.session_state.get("up_checked")
    if held is not None and held[0] == checked:
        sub = held[1]
    else:
        size = size_text(len(data))
        # no timer (show_time): Streamlit writes it in English
        with st.spinner(t("checking_file", lang, name=escape_markdown(upload.name), size=size)):
            sub = check_submission(
                data,
                upload.name,
                region=ctx.region,
                year=int(given_year) or None,
                catalog=cat,
                regions=regs,
                store=db,
            )
        st.session_state["up_checked"] = (checked, sub)
    same = db.find_sha256(sub.sha256)
    if len(same):  # the same bytes were imported before: say so before anyone confirms again
        st.warning(
            t(
                "provenance.same_file",
                lang,
                versions=", ".join(map(str, sorted(same["version_id"]))),
                dataset=escape_markdown(same["dataset"].iloc[-1]),
                imported_at=local_time(same["imported_at"].iloc[-1], tz),
            ),
            icon=":material/content_copy:",
        )
    st.markdown(
        t(
            "report_summary",
            lang,
            name=escape_markdown(upload.name),
            rows=len(sub.observations),
            errors=len(sub.errors),
            warnings=len(sub.warnings),
        )
    )
    # the problems as text first, one line per kind and column (readable by screen readers and in a
    # printout), then every problem as a table and as a CSV to download
    summary = summarise(sub.problems)
    for severity, show in (("error", st.error), ("warning", st.warning)):
        found = [line for line in summary if line.severity == severity]
        if found:
            lines = [
                f"- {escape_markdown(line.message(lang))}" for line in found[:30]
            ]  # headers, names: text
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
        st.download_button(
            t("summary.download", lang),
            problems_csv(sub.problems, lang),
            file_name=f"{upload.name.rsplit('.', 1)[0]}_problems.csv",
            mime="text/csv",
            help=t("summary.download_help", lang),
            key=f"problems_{file_key}",
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
        dataset = st.text_input(
            t("dataset", lang), value=upload.name.rsplit(".", 1)[0], key=f"up_dataset_{file_key}"
        )
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
                st.error(
                    t(
                        "bracketed",
                        lang,
                        text=escape_markdown(exc.message(lang)),
                        note=t("store_unchanged", lang),
                    )
                )
            else:
                data_changed()
                # run again at once: the sidebar, the URL and the history below show the new version
                st.session_state["_data_flash"] = (
                    "upload",
                    "success",
                    t("imported", lang, version=version, rows=len(sub.observations)),
                )
                st.rerun()

# --- 3. versions: undo one import, or return to the state after a version --------------------------
history_panel(ctx, db, catalog=cat, regions=regs)

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
