"""Hostile input in the browser: a spreadsheet built to exhaust memory is refused quickly on 数据管理 while a
second session keeps using the map, the server keeps running, and no request ever leaves for another host
(a file or link carrying Markdown images from an outside host included)."""

from __future__ import annotations

import io
import time
import zipfile
from urllib.parse import urlparse

import pytest
from browser_helpers import (
    BROWSER_MARKS,
    VIEWPORT,
    AppServer,
    assert_no_exception,
    body_text,
    goto,
    wait_for_app,
    wait_for_map,
)

pytestmark = BROWSER_MARKS
pytest.importorskip("playwright.sync_api")
LOCAL = {"127.0.0.1", "localhost"}


def far_cell_xlsx() -> bytes:
    """A 1-2 KB xlsx whose one cell sits at XFD1048576 (the sheet declares 16384 x 1048576 cells)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"'
            '/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1048576">'
            '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
        ),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buf.getvalue()


@pytest.fixture(scope="module")
def app():
    server = AppServer("hostile")
    server.start()
    yield server
    server.stop()


def watched(browser, hosts: set[str]):
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.on("request", lambda r: hosts.add(urlparse(r.url).hostname or ""))
    return context, page


def test_a_hostile_upload_is_refused_while_another_session_keeps_working(app, browser, tmp_path):
    hosts: set[str] = set()
    c1, uploader = watched(browser, hosts)
    c2, viewer = watched(browser, hosts)
    try:
        goto(uploader, f"{app.url}/data")
        goto(viewer, f"{app.url}/indicator_map?ind=premarital_exam")
        wait_for_map(viewer, "indicator_map", 60)
        bomb = tmp_path / "![x](http:\\\\evil.example\\i.png).xlsx"  # a browser reads \\ as /
        bomb.write_bytes(far_cell_xlsx())
        started = time.monotonic()
        uploader.locator("input[type=file]").first.set_input_files(str(bomb))
        # meanwhile the other session changes the indicator and its map draws again
        goto(viewer, f"{app.url}/indicator_map?ind=rehab_physicians")
        wait_for_map(viewer, "indicator_map", 60)
        assert_no_exception(viewer)
        uploader.get_by_text("未导入任何数据").first.wait_for(timeout=60_000)
        refused_in = time.monotonic() - started
        wait_for_app(uploader)
        assert_no_exception(uploader)
        assert refused_in < 30, refused_in  # seconds, with the browser and the other session on 2 cores
        assert app.proc is not None and app.proc.poll() is None  # the server is still running
        goto(viewer, f"{app.url}/")  # and still serves
        assert "达标" in body_text(viewer)
        assert "evil.example" in body_text(uploader)  # the file's name is shown as text
        assert hosts <= LOCAL, hosts  # nothing fetched from another host (no image from the name)
    finally:
        c1.close()
        c2.close()
