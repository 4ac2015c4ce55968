"""The meeting deck as a PPTX file (python-pptx): the slides of analytics.slides on 16:9, to hand round.

Tables are real PowerPoint tables a secretary can edit, maps and charts PNG images (analytics.export), every
slide has speaker notes with the numbers and the meeting's footer (source, data version, profile, date, demo
label). Every text run names an East Asian typeface (a:ea) so that PowerPoint and WPS on Chinese Windows pick a
Chinese font, and every text is sized by measuring it against its box (`text_height`), so nothing overflows.
"""

from __future__ import annotations

import io
import math
import struct
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Emu, Inches, Pt

from analytics.i18n import t
from analytics.slides import Slide, build_slides

FONT = "Microsoft YaHei"  # 微软雅黑: on every Chinese Windows; WPS maps it too
SLIDE_W, SLIDE_H = 13.333, 7.5  # inches, 16:9
MARGIN = 0.45
GAP = 0.25
LINE = 1.2  # line height / font size
INSET = 0.05  # text box insets, inches
SLACK = 0.92  # share of a line counted as usable: kinsoku (no "）" opening a line) and font differences
CELL_X, CELL_Y = 0.06, 0.03  # table cell margins, inches

INK = RGBColor(0x1A, 0x1A, 0x1A)
GREY = RGBColor(0x4D, 0x4D, 0x4D)
WARN = RGBColor(0xA6, 0x36, 0x03)  # dark orange: ≥ 4.5:1 on white, for the demo label and ✗
MET = RGBColor(0x08, 0x30, 0x6B)

# box geometry (inches)
LABEL_Y, LABEL_H = 0.12, 0.34
TITLE_Y, TITLE_H = 0.46, 0.68
SUBTITLE_Y, SUBTITLE_H = 1.14, 0.42
CONTENT_Y = 1.62
FOOTER_Y = 6.86
FOOTER_H = SLIDE_H - FOOTER_Y - 0.06
CONTENT_H = FOOTER_Y - 0.08 - CONTENT_Y
CONTENT_W = SLIDE_W - 2 * MARGIN
NUMBER_W = 0.9


# --- measuring text ---------------------------------------------------------------------------------------
def char_em(ch: str) -> float:
    """A character's advance in em, on the generous side for Microsoft YaHei and its stand-ins (WPS, Mac)."""
    if unicodedata.east_asian_width(ch) in "WF":
        return 1.0
    if ch == " ":
        return 0.3
    if ch in "✓✗–—…·→↔↑↗↓●■▲":
        return 1.0
    if ch in "il.,:;'|!()[]":
        return 0.36
    if ch in "mwMW@%":
        return 0.92
    return 0.62


def _tokens(text: str) -> list[str]:
    """Units a line may break between: each CJK character, each Latin word with its trailing space."""
    out, word = [], ""
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF":
            if word:
                out.append(word)
                word = ""
            out.append(ch)
        elif ch == " ":
            out.append(word + ch)
            word = ""
        else:
            word += ch
    if word:
        out.append(word)
    return out


def em_width(text: str) -> float:
    return sum(char_em(c) for c in text)


def lines_needed(text: str, width_in: float, pt: float) -> int:
    """Lines `text` takes in a box `width_in` wide at `pt` points, wrapping as PowerPoint does (greedy)."""
    per_line = width_in * SLACK * 72 / pt  # em that fit on one line
    total = 0
    for para in str(text).split("\n"):
        lines, used = 1, 0.0
        for tok in _tokens(para):
            w = em_width(tok)
            if used + em_width(tok.rstrip()) <= per_line or used == 0:
                while w > per_line:  # a word longer than the line is broken
                    lines += 1
                    w -= per_line
                used += w
            else:
                lines += 1
                used = w
                while used > per_line:
                    lines += 1
                    used -= per_line
        total += lines
    return total


def text_height(paragraphs: Sequence[str], width_in: float, pt: float, space_pt: float = 0.0) -> float:
    """Inches a list of paragraphs takes in a text box of that width (insets included)."""
    inner = width_in - 2 * INSET
    lines = sum(lines_needed(p, inner, pt) for p in paragraphs)
    return lines * pt * LINE / 72 + max(len(paragraphs) - 1, 0) * space_pt / 72 + 2 * INSET


def fit_size(
    paragraphs: Sequence[str], width_in: float, height_in: float, sizes: Sequence[float], space: float = 0.0
) -> float | None:
    """The largest of `sizes` at which the paragraphs fit the box, or None."""
    for pt in sizes:
        if text_height(paragraphs, width_in, pt, space * pt) <= height_in:
            return pt
    return None


# --- tables -------------------------------------------------------------------------------------------
@dataclass
class TablePlan:
    """How a table is drawn: font size, blocks side by side (a long table in two halves), column widths and
    row heights (inches); `rows` are the cells per block (header first)."""

    pt: float
    blocks: list[list[list[str]]]
    widths: list[float]
    heights: list[list[float]]
    block_w: float

    @property
    def height(self) -> float:
        return max(sum(h) for h in self.heights)


def _natural_width(rows: list[list[str]], pt: float) -> float:
    """Inches the table takes with every cell on one line."""
    pad = 2 * CELL_X + 0.02
    return sum(max(em_width(str(r[c])) for r in rows) * pt / 72 + pad for c in range(len(rows[0])))


def _column_widths(rows: list[list[str]], width: float, pt: float) -> list[float] | None:
    """Widths that fit `width`: every column at least its longest unbreakable token, the rest shared in
    proportion to what each would need on one line. None when even the narrowest does not fit."""
    n = len(rows[0])
    pad = 2 * CELL_X + 0.02
    natural = [max(em_width(str(r[c])) for r in rows) * pt / 72 + pad for c in range(n)]
    floor = [
        max((em_width(tok.rstrip()) for r in rows for tok in _tokens(str(r[c]))), default=1) * pt / 72 + pad
        for c in range(n)
    ]
    if sum(floor) > width:
        return None
    if sum(natural) <= width:
        spare = width - sum(natural)
        return [w + spare * w / sum(natural) for w in natural]
    widths = list(floor)
    # water-filling: raise the narrowest-needing columns toward their natural width
    for _ in range(60):
        spare = width - sum(widths)
        hungry = [c for c in range(n) if widths[c] < natural[c] - 1e-6]
        if spare <= 1e-6 or not hungry:
            break
        weight = sum(natural[c] for c in hungry)
        for c in hungry:
            widths[c] = min(natural[c], widths[c] + spare * natural[c] / weight)
    return widths


def _row_heights(rows: list[list[str]], widths: list[float], pt: float) -> list[float]:
    return [
        max(lines_needed(str(cell), w - 2 * CELL_X, pt) for cell, w in zip(row, widths, strict=True))
        * pt
        * LINE
        / 72
        + 2 * CELL_Y
        + 0.02
        for row in rows
    ]


def plan_table(
    table: pd.DataFrame, width: float, height: float, sizes=(14, 13, 12, 11, 10, 9)
) -> TablePlan | None:
    """The largest font (one block before two) at which the table fits width x height; None if none does."""
    header = [str(c) for c in table.columns]
    body = [[str(v) for v in row] for row in table.itertuples(index=False)]
    # one block down to 11 pt, then two halves side by side (a long list of short rows), then small type
    tries = (
        [(pt, 1) for pt in sizes if pt >= 11]
        + [(pt, 2) for pt in sizes]
        + [(pt, 1) for pt in sizes if pt < 11]
    )
    for pt, n_blocks in tries:
        if n_blocks == 2 and len(body) < 8:
            continue
        block_w = (width - GAP * (n_blocks - 1)) / n_blocks
        per = math.ceil(len(body) / n_blocks) if body else 0
        blocks = [[header, *body[k * per : (k + 1) * per]] for k in range(n_blocks)]
        rows = [r for b in blocks for r in b]
        if n_blocks == 2 and _natural_width(rows, pt) > block_w:
            continue  # halves only where no cell wraps: narrow wrapped halves grow past the slide in other fonts
        widths = _column_widths(rows, block_w, pt)
        if widths is None:
            continue
        heights = [_row_heights(b, widths, pt) for b in blocks]
        if max(sum(h) for h in heights) <= height:
            return TablePlan(pt, blocks, widths, heights, block_w)
    return None


def fit_table(table: pd.DataFrame, width: float, height: float, lang: str) -> tuple[TablePlan, pd.DataFrame]:
    """A plan for the table, leaving out its last rows (counted in a last row) only if it cannot fit whole."""
    plan = plan_table(table, width, height)
    if plan is not None:
        return plan, table
    for keep in range(len(table) - 1, 0, -1):
        shown = table.head(keep).copy()
        extra = dict.fromkeys(table.columns, "")
        extra[table.columns[0]] = t("report.more_rows", lang, n=len(table) - keep)
        shown = pd.concat([shown, pd.DataFrame([extra])], ignore_index=True)
        plan = plan_table(shown, width, height)
        if plan is not None:
            return plan, shown
    raise ValueError("table cannot fit")  # even one row does not fit: a layout bug, not user input


# --- text runs ----------------------------------------------------------------------------------------
def set_fonts(run, *, size: float | None = None, bold: bool = False, color: RGBColor | None = None) -> None:
    """Size, weight, colour and the typefaces of a run: latin and East Asian (a:ea, which python-pptx has no
    API for; without it PowerPoint on Chinese Windows may fall back to a font without these glyphs)."""
    font = run.font
    if size is not None:
        font.size = Pt(size)
    font.bold = bold
    if color is not None:
        font.color.rgb = color
    rpr = run._r.get_or_add_rPr()
    rpr.set("lang", "zh-CN")
    rpr.set("altLang", "en-US")
    latin = rpr.get_or_add_latin()
    latin.set("typeface", FONT)
    for old in rpr.findall(qn("a:ea")):
        rpr.remove(old)
    ea = OxmlElement("a:ea")
    ea.set("typeface", FONT)
    latin.addnext(ea)  # schema order: … latin, ea, cs, sym …


def _frame(shape):
    tf = shape.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(tf, side, Inches(INSET))
    return tf


def add_text(
    slide,
    paragraphs: Sequence[str],
    box: tuple[float, float, float, float],
    sizes: Sequence[float],
    *,
    bold: bool = False,
    color: RGBColor = INK,
    align=PP_ALIGN.LEFT,
    bullet: bool = False,
    space: float = 0.0,
    anchor=MSO_ANCHOR.TOP,
    shape=None,
):
    """A text box with the largest of `sizes` that fits; the smallest size with fewer words if none does
    (a long last paragraph is shortened with '…' until it fits). `shape`: a placeholder to fill instead (the
    slide's title, which PowerPoint's outline and screen readers use), moved to `box`."""
    x, y, w, h = box
    paragraphs = [f"• {p}" if bullet else p for p in paragraphs]
    pt = fit_size(paragraphs, w, h, sizes, space)
    if pt is None:
        pt = sizes[-1]
        paragraphs = _shorten(paragraphs, w, h, pt, space)
    if shape is None:
        shape = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
    else:
        shape.left, shape.top, shape.width, shape.height = Inches(x), Inches(y), Inches(w), Inches(h)
    tf = _frame(shape)
    tf.vertical_anchor = anchor
    for k, text in enumerate(paragraphs):
        p = tf.paragraphs[0] if k == 0 else tf.add_paragraph()
        p.alignment = align
        if space and k:
            p.space_before = Pt(space * pt)
        run = p.add_run()
        run.text = text
        set_fonts(run, size=pt, bold=bold, color=color)
    return shape


def _shorten(paragraphs: list[str], w: float, h: float, pt: float, space: float) -> list[str]:
    out = list(paragraphs)
    while out and text_height(out, w, pt, space * pt) > h:
        last = out[-1]
        if len(last) > 4:
            out[-1] = last[: max(len(last) - max(len(last) // 8, 1) - 1, 1)] + "…"
        else:
            out.pop()
    return out


# --- pictures -----------------------------------------------------------------------------------------
def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


def add_picture(slide, png: bytes, box: tuple[float, float, float, float], description: str) -> None:
    """The image as large as the box allows, aspect kept, centred; `description` is its alt text."""
    x, y, w, h = box
    pw, ph = png_size(png)
    scale = min(w / pw, h / ph)
    iw, ih = pw * scale, ph * scale
    pic = slide.shapes.add_picture(
        io.BytesIO(png), Inches(x + (w - iw) / 2), Inches(y + (h - ih) / 2), Inches(iw), Inches(ih)
    )
    pic._element.nvPicPr.cNvPr.set("descr", description)


# --- one slide ----------------------------------------------------------------------------------------
def _add_table(slide, plan: TablePlan, x: float, y: float) -> None:
    for k, rows in enumerate(plan.blocks):
        left = x + k * (plan.block_w + GAP)
        heights = plan.heights[k]
        shape = slide.shapes.add_table(
            len(rows), len(rows[0]), Inches(left), Inches(y), Inches(plan.block_w), Inches(sum(heights))
        )
        table = shape.table
        for c, w in enumerate(plan.widths):
            table.columns[c].width = Emu(int(Inches(w)))
        for r, row in enumerate(rows):
            table.rows[r].height = Emu(int(Inches(heights[r])))
            for c, text in enumerate(row):
                cell = table.cell(r, c)
                cell.margin_left = cell.margin_right = Inches(CELL_X)
                cell.margin_top = cell.margin_bottom = Inches(CELL_Y)
                cell.vertical_anchor = MSO_ANCHOR.MIDDLE
                tf = cell.text_frame
                tf.word_wrap = True
                p = tf.paragraphs[0]
                run = p.add_run()
                run.text = text
                color = WARN if text.startswith("✗") else MET if text.startswith("✓") else None
                set_fonts(run, size=plan.pt, bold=r == 0, color=None if r == 0 else color)


def _side_plan(slide_data: Slide, width: float, height: float, lang: str):
    """Bullets on top and the table below in a column: (bullet size, bullets height, table plan, table)
    or None when they do not fit."""
    bullets = [f"• {b}" for b in slide_data.bullets]
    table = slide_data.table if slide_data.table is not None and len(slide_data.table.columns) else None
    for pt in (16, 15, 14, 13, 12, 11):
        b_h = text_height(bullets, width, pt, 0.3 * pt) if bullets else 0.0
        if b_h > height:
            continue
        if table is None:
            return pt, b_h, None, None
        rest = height - b_h - (0.15 if bullets else 0)
        plan = plan_table(table, width, rest) if rest > 0.5 else None
        if plan is not None:
            return pt, b_h, plan, table
    return None


def render_slide(prs, data: Slide, pngs: list[bytes], number: int, total: int, lang: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only: the title is the slide's title
    title_w = CONTENT_W
    if data.label:
        label_w = min(em_width(data.label) * 12 / 72 + 2 * INSET + 0.1, CONTENT_W)
        add_text(
            slide,
            [data.label],
            (SLIDE_W - MARGIN - label_w, LABEL_Y, label_w, LABEL_H),
            (12, 11, 10),
            bold=True,
            color=WARN,
            align=PP_ALIGN.RIGHT,
        )
    add_text(
        slide,
        [data.title],
        (MARGIN, TITLE_Y, title_w, TITLE_H),
        (28, 26, 24, 22, 20, 18),
        bold=True,
        shape=slide.shapes.title,
    )
    if data.subtitle:
        add_text(
            slide,
            [data.subtitle],
            (MARGIN, SUBTITLE_Y, CONTENT_W, SUBTITLE_H),
            (16, 15, 14, 13, 12),
            color=GREY,
        )
    _content(slide, data, pngs, lang)
    add_text(
        slide, [data.footer], (MARGIN, FOOTER_Y, CONTENT_W - NUMBER_W, FOOTER_H), (10, 9, 8, 7), color=GREY
    )
    add_text(
        slide,
        [t("report.slide_number", lang, n=number, total=total)],
        (SLIDE_W - MARGIN - NUMBER_W, FOOTER_Y, NUMBER_W, FOOTER_H),
        (10, 9),
        color=GREY,
        align=PP_ALIGN.RIGHT,
    )
    notes = slide.notes_slide.notes_text_frame
    for k, line in enumerate([*data.notes.split("\n"), data.footer] if data.notes else [data.footer]):
        p = notes.paragraphs[0] if k == 0 else notes.add_paragraph()
        run = p.add_run()
        run.text = line
        set_fonts(run, size=12)


def _content(slide, data: Slide, pngs: list[bytes], lang: str) -> None:
    x, y, w, h = MARGIN, CONTENT_Y, CONTENT_W, CONTENT_H
    has_side = bool(data.bullets) or (data.table is not None and len(data.table))
    if not pngs:
        _side(slide, data, (x, y, w, h), lang)
        return
    fig_w = w
    if has_side:
        for share in (0.34, 0.4, 0.46, 0.52):
            side_w = w * share
            if _side_plan(data, side_w, h, lang) is not None:
                break
        fig_w = w - side_w - GAP
        _side(slide, data, (x + fig_w + GAP, y, side_w, h), lang)
    each = (fig_w - GAP * (len(pngs) - 1)) / len(pngs)
    for k, png in enumerate(pngs):
        key = "report.map_alt" if data.key != "domains" and data.key != "prefectures" else "report.chart_alt"
        add_picture(slide, png, (x + k * (each + GAP), y, each, h), t(key, lang, title=data.title))


def _side(slide, data: Slide, box, lang: str) -> None:
    x, y, w, h = box
    planned = _side_plan(data, w, h, lang)
    if planned is None:  # too much for the column: bullets shortened, then the table cut with a count
        pt, b_h = (
            11,
            min(text_height([f"• {b}" for b in data.bullets], w, 11, 3.3) if data.bullets else 0.0, h / 2),
        )
        table = data.table if data.table is not None and len(data.table) else None
        plan = None
        if table is not None:
            plan, table = fit_table(table, w, h - b_h - 0.15, lang)
    else:
        pt, b_h, plan, table = planned
    if data.bullets:
        add_text(slide, data.bullets, (x, y, w, b_h), (pt,), bullet=True, space=0.3)
    if plan is not None:
        _add_table(slide, plan, x, y + b_h + (0.15 if data.bullets else 0))


# --- the deck -----------------------------------------------------------------------------------------
def render_figures(slides: Sequence[Slide], scale: float = 2.0, workers: int = 4) -> list[list[bytes]]:
    """Every slide's figures as PNG (analytics.export.to_png), rendered a few at a time."""
    from analytics.export import to_png

    jobs = [(k, f) for k, s in enumerate(slides) for f in s.figures]
    out: list[list[bytes]] = [[] for _ in slides]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        pngs = list(pool.map(lambda job: to_png(job[1], scale=scale), jobs))
    for (k, _), png in zip(jobs, pngs, strict=True):
        out[k].append(png)
    return out


def build_deck(
    meeting, scenarios: Sequence = (), *, slides: Sequence[Slide] | None = None, scale: float = 2.0
) -> bytes:
    """The meeting deck (.pptx bytes): `slides` if given, else build_slides(meeting, scenarios, inline=True)."""
    slides = list(slides) if slides is not None else build_slides(meeting, scenarios, inline=True)
    pngs = render_figures(slides, scale)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    core = prs.core_properties
    core.title = slides[0].title if slides else ""
    core.author = t("app_title", meeting.lang)
    core.language = "zh-CN" if meeting.lang == "zh" else "en-US"
    for k, (data, images) in enumerate(zip(slides, pngs, strict=True), start=1):
        render_slide(prs, data, images, k, len(slides), meeting.lang)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
