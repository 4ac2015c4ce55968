"""目标方案 Target profiles made in the app: copy a profile, change any indicator's comparator, threshold and
aspirational flag and the target year, see every problem at once, export it as TOML (the format of
data/targets/), save it in the store as a new version, import a TOML file, withdraw a saved one."""

import streamlit as st

from analytics.errors import AtlasError
from analytics.i18n import t
from analytics.profiles import MAX_FILE_BYTES, check_profile, profile_from_toml, profile_to_toml
from ui import profile_editor as pe
from ui import render
from ui.loaders import catalog, profile, profile_ids, profile_key, profiles_changed, store
from ui.url_state import current, write_url

ctx = current()
lang, cat = ctx.lang, catalog()
write_url(ctx)
st.title(t("profiles.page_title", lang))
st.caption(t("profiles.page_help", lang))
db = store()


def passphrase_field(key: str) -> str | None:
    return st.text_input(t("passphrase", lang), type="password", key=key) if db.write_protected else None


SAVED = "_profile_saved"  # (id, version) of the last save, said once under the forms


def save(draft, passphrase: str | None, note: str) -> None:
    try:
        version = db.save_profile(draft, passphrase=passphrase, note=note)
    except AtlasError as exc:  # refused: nothing was written
        st.error(render.escape_markdown(exc.message(lang)))
        return
    profiles_changed()
    st.session_state[SAVED] = (draft.id, version)
    st.rerun()  # the sidebar, drawn before this page, lists the new profile at once


def saved_notice() -> None:
    """After a save: what was saved, and a button that makes it the sidebar's profile."""
    if SAVED not in st.session_state:
        return
    pid, version = st.session_state[SAVED]
    st.success(t("profiles.saved_ui", lang, profile=render.escape_markdown(pid), version=version))

    def use() -> None:
        st.session_state["profile"] = pid
        st.session_state.pop(SAVED, None)

    st.button(t("profiles.use", lang), key="w_prof_use", on_click=use)


def problems_box(problems) -> bool:
    """Every problem, one per line (as text); True when there is none."""
    if problems:
        lines = [f"- {render.escape_markdown(p.message(lang, cat))}" for p in problems]
        st.error("\n".join([t("profiles.problems", lang, n=len(problems)), *lines]))
        return False
    st.success(t("profiles.no_problems", lang))
    return True


# --- copy and edit -------------------------------------------------------------------------------------------
st.subheader(t("profiles.edit_heading", lang))
ids = profile_ids()
base_id = st.selectbox(
    t("profiles.base", lang),
    ids,
    index=ids.index(ctx.profile_id) if ctx.profile_id in ids else 0,
    key="w_prof_base",
    format_func=lambda p: profile(profile_key(p)).name(lang),
    on_change=pe.forget_edits,
)
base = profile(profile_key(base_id))
c1, c2, c3, c4 = st.columns([2, 3, 3, 1])
new_id = c1.text_input(t("profiles.new_id", lang), value=f"{base_id}-draft", key=f"w_prof_id_{base_id}")
name_zh = c2.text_input(
    t("profiles.name_zh", lang),
    value=t("profiles.draft_name", "zh", name=base.name_zh),
    key=f"w_prof_zh_{base_id}",
)
name_en = c3.text_input(
    t("profiles.name_en", lang),
    value=t("profiles.draft_name", "en", name=base.name_en),
    key=f"w_prof_en_{base_id}",
)
target_year = c4.number_input(
    t("profiles.target_year", lang), 2000, 2100, base.target_year, key=f"w_prof_year_{base_id}"
)

ind_id = st.selectbox(
    t("indicator", lang),
    cat.ids,
    key="w_prof_indicator",
    format_func=lambda i: f"{cat[i].order}. {cat[i].name(lang)}",
)
ind, current_target = cat[ind_id], base.targets.get(ind_id)
comparator0, threshold0, aspirational0 = pe.edits().get(
    ind_id,
    (current_target.comparator, pe.threshold_text(current_target.threshold), current_target.aspirational)
    if current_target
    else (">=", "0", False),
)
e1, e2, e3 = st.columns([1, 2, 1])
comparator = e1.radio(
    t("profiles.comparator", lang),
    pe.COMPARATORS,
    index=pe.COMPARATORS.index(comparator0) if comparator0 in pe.COMPARATORS else 0,
    format_func=lambda c: pe.comparator_word(c, lang),
    horizontal=True,
    key=f"w_prof_cmp_{ind_id}",
)
threshold = e2.text_input(
    t("profiles.threshold", lang, unit=ind.unit_in(lang)), value=threshold0, key=f"w_prof_thr_{ind_id}"
)
aspirational = e3.checkbox(t("aspirational", lang), value=aspirational0, key=f"w_prof_asp_{ind_id}")
b1, b2 = st.columns([1, 1])
if b1.button(t("profiles.apply", lang), key="w_prof_apply"):
    pe.edits()[ind_id] = (comparator, threshold.strip(), bool(aspirational))
if b2.button(t("profiles.revert", lang), key="w_prof_revert", disabled=ind_id not in pe.edits()):
    pe.edits().pop(ind_id, None)
    st.rerun()

draft = pe.build(base, new_id, name_zh, name_en, target_year)
render.table(pe.targets_table(base, draft.profile, cat, lang), lang=lang, height=420)
if problems_box(draft.problems):
    d1, d2 = st.columns([1, 2])
    d1.download_button(
        t("profiles.download", lang),
        profile_to_toml(draft.profile).encode("utf-8"),
        file_name=f"{draft.profile.id}.toml",
        mime="application/toml",
        key="dl_profile_toml",
    )
    with d2.form("prof_save"):
        note = st.text_input(t("profiles.note", lang), key="w_prof_note")
        passphrase = passphrase_field("prof_pass")
        if st.form_submit_button(t("profiles.save", lang)):
            save(draft.profile, passphrase, note)
saved_notice()

# --- import a TOML file -------------------------------------------------------------------------------------
st.subheader(t("profiles.import_heading", lang))
upload = st.file_uploader(t("profiles.import_help", lang), type=["toml"], key="w_prof_upload")
if upload is not None:
    if upload.size > MAX_FILE_BYTES:
        st.error(t("profiles.too_big", lang, size=upload.size, limit=MAX_FILE_BYTES))
    else:
        try:
            imported = profile_from_toml(upload.getvalue().decode("utf-8-sig"), upload.name, cat)
        except UnicodeDecodeError:
            st.error(t("profiles.not_utf8", lang))
        except AtlasError as exc:
            st.error(render.escape_markdown(exc.message(lang)))
        else:
            said = t(
                "profiles.imported", lang, name=imported.name(lang), id=imported.id, year=imported.target_year
            )
            st.markdown(render.escape_markdown(said))
            if problems_box(check_profile(imported, cat)):
                with st.form("prof_import_save"):
                    passphrase = passphrase_field("prof_import_pass")
                    if st.form_submit_button(t("profiles.save", lang)):
                        save(imported, passphrase, upload.name)
                saved_notice()

# --- saved profiles -------------------------------------------------------------------------------------------
st.subheader(t("profiles.saved_heading", lang))
versions = db.profile_versions()
if versions.empty:
    st.caption(t("profiles.none_saved", lang))
else:
    versions["status"] = versions["status"].map(lambda s: t(f"profiles.status_{s}", lang))
    render.table(
        versions[["profile_id", "version", "saved_at", "status", "note", f"name_{lang}"]].rename(
            columns={
                "profile_id": t("profiles.col_id", lang),
                "version": t("profiles.col_version", lang),
                "saved_at": t("profiles.col_saved_at", lang),
                "status": t("profiles.col_status", lang),
                "note": t("profiles.note", lang),
                f"name_{lang}": t("profiles.col_name", lang),
            }
        ),
        lang=lang,
    )
    active = db.profile_ids()
    if active:
        with st.form("prof_withdraw"):
            gone = st.selectbox(t("profiles.withdraw_which", lang), active, key="w_prof_withdraw")
            passphrase = passphrase_field("prof_withdraw_pass")
            if st.form_submit_button(t("profiles.withdraw", lang)):
                try:
                    n = db.withdraw_profile(gone, passphrase=passphrase)
                except AtlasError as exc:
                    st.error(render.escape_markdown(exc.message(lang)))
                else:
                    profiles_changed()
                    st.success(
                        t("profiles.withdrawn_ui", lang, profile=render.escape_markdown(gone), count=n)
                    )
