"""汇报模式 Presentation mode: the meeting's slides (analytics.slides) one at a time, no sidebar or toolbars,
← / → keys and buttons; region, year, profile, chosen scenarios and the slide number live in the URL."""

import streamlit as st

from analytics import scenario_library as library
from analytics import slides as meeting_slides
from analytics.i18n import t
from ui import present
from ui.loaders import store
from ui.meeting import meeting_of
from ui.url_state import current, from_url, keep, write_url

ctx = current()
lang = ctx.lang
present.hide_chrome()

# --- which saved scenarios the deck shows (from the URL on a fresh session) ------------------------------
saved = library.load_saved(store())
from_link = from_url("sc")
if from_link is not None:
    st.session_state["present_sc"] = [n for n in from_link.split(",") if n in saved]
chosen = [n for n in st.session_state.get("present_sc", []) if n in saved]


with st.spinner(t("present.building", lang)):
    view = (ctx.data_key, ctx.region, ctx.year, ctx.profile_key, lang, tuple(chosen))
    if st.session_state.get("_present_view") != view:  # moving between slides costs no recomputation
        st.session_state["_present_slides"] = meeting_slides.build_slides(
            meeting_of(ctx), [saved[n] for n in chosen]
        )
        st.session_state["_present_view"] = view
    slides = st.session_state["_present_slides"]
numbers = [str(n) for n in range(1, len(slides) + 1)]
slide_key = keep("slide", "1", numbers)


def step(by: int) -> None:
    now = int(st.session_state[slide_key])
    st.session_state[slide_key] = str(min(max(now + by, 1), len(slides)))


current_no = int(st.session_state[slide_key])
nav = st.columns([2, 2, 5, 1.5, 1.5, 1.5, 1.3], vertical_alignment="center")
nav[0].button(
    t("present.previous", lang), on_click=step, args=(-1,), shortcut="Left", disabled=current_no == 1
)
nav[1].button(
    t("present.next", lang), on_click=step, args=(1,), shortcut="Right", disabled=current_no == len(slides)
)
nav[2].selectbox(
    t("present.jump", lang),
    numbers,
    key=slide_key,
    format_func=lambda n: f"{n} / {len(slides)} · {slides[int(n) - 1].title}",
    label_visibility="collapsed",
)
with nav[4].popover(t("present.scenarios", lang)):
    st.multiselect(
        t("present.scenarios", lang),
        sorted(saved),
        key="present_sc",
        placeholder=t("choose_options", lang),
        help=t("present.scenarios_help", lang),
    )
with nav[5].popover(t("present.export", lang)):  # one click each; built only when asked
    present.exports(meeting_of(ctx), slides, [saved[n] for n in chosen], lang)
if nav[6].button(t("present.exit", lang)):
    st.switch_page("pages/overview.py")

with st.container(key="clicker"):  # a presenter's clicker sends Page Down / Page Up; hidden (ui/present.css)
    st.button(t("present.next", lang), key="clicker_next", on_click=step, args=(1,), shortcut="PageDown")
    st.button(t("present.previous", lang), key="clicker_back", on_click=step, args=(-1,), shortcut="PageUp")

number = int(st.session_state[slide_key])
with nav[3]:
    present.notes(slides[number - 1], lang)
present.draw(slides[number - 1], lang, key=f"slide{number}")
write_url(ctx, slide=str(number), sc=",".join(chosen) or None)
