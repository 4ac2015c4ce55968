"""The data page's history: the store's versions, and its two operations (undo one import; return to the
state right after a version), each previewed before a confirm button applies it."""

from __future__ import annotations

import streamlit as st

from analytics import insights
from analytics.i18n import t
from analytics.provenance import by_dataset_table, change_rows_table, local_time
from analytics.store import Store, StoreError
from ui import render
from ui.loaders import data_changed, store_change

PREVIEW_ROWS = 200


def flash(area: str) -> None:
    """The result of the last import / undo / rollback, shown once after the rerun that follows it."""
    held = st.session_state.get("_data_flash")
    if held and held[0] == area:
        del st.session_state["_data_flash"]
        (st.success if held[1] == "success" else st.error)(held[2])


def apply_history(db: Store, lang: str, action: str, version: int, revision: str) -> None:
    """The confirm button's callback (runs before the page, so everything drawn after shows the new state):
    refused if the store changed since the preview the user confirmed."""
    try:
        getattr(db, action)(version, passphrase=st.session_state.get("up_pass"), expect_revision=revision)
    except StoreError as exc:
        text = t(
            "bracketed", lang, text=render.escape_markdown(exc.message(lang)), note=t("store_unchanged", lang)
        )
        st.session_state["_data_flash"] = ("history", "error", text)
    else:
        data_changed()
        st.session_state["_data_flash"] = (
            "history",
            "success",
            t(f"provenance.done_{_words(action, version)}", lang, version=version),
        )
        st.session_state.pop(f"history_version_{action}", None)


def _words(action: str, version: int) -> str:
    """The words of an action: returning to version 0 is "before the first import" (every version off)."""
    return "rollback_zero" if action == "rollback" and version == 0 else action


def show_preview(db: Store, ctx, cat, regs, action: str, version: int) -> None:
    """What undoing `version` / returning to it would change, and the button that does it."""
    lang = ctx.lang
    try:
        change = store_change(action, version, db.revision())
    except StoreError as exc:
        st.error(render.escape_markdown(exc.message(lang)))
        return
    st.subheader(t(f"provenance.preview_{_words(action, version)}", lang, version=version))
    if change.changes_nothing:
        st.info(t("provenance.preview_nothing", lang))
        return
    ids = lambda vs: ", ".join(map(str, vs)) or "—"  # noqa: E731
    st.info(t("provenance.preview_versions", lang, off=ids(change.deactivated), on=ids(change.activated)))
    if change.rows.empty:
        st.caption(t("provenance.preview_no_rows", lang))
    else:
        render.table(by_dataset_table(change, lang), lang=lang)
        render.table(
            change_rows_table(change, cat, regs, lang, limit=PREVIEW_ROWS),
            caption=t("provenance.preview_rows", lang, n=min(PREVIEW_ROWS, len(change.rows))),
            height=300,
            lang=lang,
        )
    st.button(
        t(f"provenance.confirm_{_words(action, version)}", lang, version=version),
        type="primary",
        key="history_confirm",
        on_click=apply_history,
        args=(db, lang, action, version, change.revision_before),
    )


def history_panel(ctx, db: Store, *, catalog, regions) -> None:
    """Section 3 of the data page."""
    lang, cat, regs = ctx.lang, catalog, regions
    tz = st.context.timezone  # the browser's zone: the store keeps UTC, people read their own clock
    st.header(t("versions", lang))
    flash("history")
    versions = db.versions()
    if versions.empty:
        st.caption(t("no_versions", lang))
    else:
        render.table(insights.versions_table(versions, lang, tz), lang=lang)
        st.caption(t("provenance.history_help", lang))
        action = st.radio(
            t("provenance.action", lang),
            ["undo", "rollback", "reactivate"],
            key="history_action",
            horizontal=True,
            format_func=lambda a: t(f"provenance.action_{a}", lang),
        )
        by_id = versions.set_index("version_id")
        choices = [0, *versions["version_id"]]  # 0: before the first import
        if action == "undo":
            choices = list(versions.loc[versions["status"] == "active", "version_id"])
        elif action == "reactivate":
            choices = list(versions.loc[versions["status"] == "rolled_back", "version_id"])
        if not choices:
            st.caption(t(f"provenance.nothing_to_{action}", lang))
        else:
            picked = st.selectbox(
                t("provenance.pick_version", lang),
                choices,
                index=None,
                key=f"history_version_{action}",
                placeholder=t("choose_one", lang),
                format_func=lambda v: (
                    t("provenance.version_zero", lang)
                    if v == 0
                    else t(
                        "provenance.version_option",
                        lang,
                        version=v,
                        dataset=by_id.loc[v, "dataset"],
                        department=by_id.loc[v, "department"] or "—",
                        imported_at=local_time(by_id.loc[v, "imported_at"], tz),
                    )
                ),
            )
            if picked is not None:
                show_preview(db, ctx, cat, regs, action, int(picked))
