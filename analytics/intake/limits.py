"""How big and how complex a submitted file may be, stated once: intake refuses what is over, before parsing it.

A refusal is an intake `Problem` (code `too_large` with a variant naming the limit, or `xml_entities`,
`unclosed_quote`) that says the limit and the file's own figure; nothing further of the file is read. The
parser itself then runs in a worker process held to `memory_bytes` and `seconds` (analytics/intake/sandbox.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.i18n import t

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Upper bounds for one submitted file. Figures are chosen so that a real department file, up to one whole
    country's year (72k rows long, or 2,875 rows x ~50 columns wide) and a 1,000,000-row CSV, passes."""

    upload_bytes: int = 20 * MB  # the web page's cap: .streamlit/config.toml server.maxUploadSize (in MB)
    file_bytes: int = 100 * MB  # any file read (the CLI reads files the page could not take)
    rows: int = 1_100_000  # rows of a sheet or text table, header and blank rows included
    columns: int = 200  # columns of a row (trailing empty cells not counted)
    cells: int = 10_000_000  # filled-in or delimited cells of a text table
    cell_chars: int = 10_000  # characters in one cell
    xlsx_bytes: int = 100 * MB  # a workbook's parts, uncompressed, together
    xlsx_member_bytes: int = 60 * MB  # one part, uncompressed
    xlsx_ratio: int = 100  # uncompressed / compressed size of a part (above 1 MB): a zip bomb is ~1,000
    xlsx_members: int = 1_000  # parts in the workbook's zip
    xlsx_cells: int = 3_000_000  # cells of one sheet: those written in it, and those merged cells cover
    memory_bytes: int = 1536 * MB  # the reading worker's address space beyond what it has at start
    seconds: float = 120.0  # the reading worker's wall-clock time

    @property
    def xlsx_ratio_from(self) -> int:
        """Parts smaller than this are not held to the ratio (a small repetitive part compresses well)."""
        return MB


LIMITS = Limits()


def size_text(n: int) -> str:
    """A byte count as a person reads it: 958 KB, 1.5 MB, 200 MB, 1.5 GB."""
    if n >= 1024 * MB:
        return f"{n / (1024 * MB):.1f} GB"
    if n >= 10 * MB:
        return f"{n / MB:,.0f} MB"
    if n >= MB:
        return f"{n / MB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} B"


def limits_text(lang: str = "zh", limits: Limits = LIMITS) -> str:
    """One paragraph listing every limit, for the README and the upload page's help."""
    return t(
        "limits.text",
        lang,
        upload=size_text(limits.upload_bytes),
        file=size_text(limits.file_bytes),
        rows=f"{limits.rows:,}",
        columns=f"{limits.columns:,}",
        cells=f"{limits.cells:,}",
        cell_chars=f"{limits.cell_chars:,}",
        unzipped=size_text(limits.xlsx_bytes),
        member=size_text(limits.xlsx_member_bytes),
        ratio=f"{limits.xlsx_ratio:,}",
        members=f"{limits.xlsx_members:,}",
        xlsx_cells=f"{limits.xlsx_cells:,}",
        memory=size_text(limits.memory_bytes),
        seconds=f"{limits.seconds:g}",
    )
