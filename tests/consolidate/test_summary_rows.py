"""The large tables of the summary workbook are written as sheet XML (output._RawRows), not cell by
cell through openpyxl: what a spreadsheet reads back must be what openpyxl would have written, and a
text from an input stays text (never a formula, never markup)."""
from __future__ import annotations

from datetime import date

import numpy as np
from openpyxl import Workbook, load_workbook

from xl_gleichplan.consolidation.output import PERCENT, _cell, _RawRows
from xl_gleichplan.io.ooxml import make_reproducible

TEXTS = ["=HYPERLINK(\"http://x\";\"y\")", "a < b & c > d", "</t></is></c><c r=\"Z9\"><v>1</v>", "  leading blanks",
         "Amt\x07mit Steuerzeichen", "", "Thüringer Staatskanzlei"]


def _both(tmp_path, rows):
    """The rows written by openpyxl and by _RawRows into otherwise equal workbooks, read back."""
    books = []
    for raw in (False, True):
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("T")
        ws.append(["Kopf"])
        writer = _RawRows(wb, ws, 1) if raw else ws
        for row in rows:
            writer.append([_cell(ws, v, f) if f or not isinstance(v, (int, np.integer)) else v for v, f in row])
        path = tmp_path / f"{raw}.xlsx"
        wb.save(path)
        make_reproducible(path, change={writer.part: writer.insert} if raw else None)
        books.append([[(c.value, c.number_format, c.data_type) for c in r] for r in load_workbook(path)["T"].iter_rows()])
    return books


def test_raw_rows_read_back_as_openpyxl_writes_them(tmp_path):
    rows = [[(t, None), (i, None), (np.int64(i * 7), None), (i / 3, PERCENT), (date(2025, 6, 30), None), (None, None),
             (True, None), (2.5, None)] for i, t in enumerate(TEXTS)]
    written, raw = _both(tmp_path, rows)
    assert raw == written
    texts = [r[0][0] for r in raw[1:]]
    assert texts[0] == TEXTS[0] and texts[2] == TEXTS[2]  # as text: no formula, no extra cell
    assert texts[4] == "Amtmit Steuerzeichen"  # a character XML cannot hold is dropped, as openpyxl does


# ---- review of the hand-written rows (issue 16): texts from outside that the raw rows wrote otherwise
# than openpyxl, or that no writer could hold

def test_a_carriage_return_reads_back_as_openpyxl_writes_it(tmp_path):
    """A raw CR in sheet XML is read as a line feed by every XML parser; openpyxl writes it as &#13;."""
    written, raw = _both(tmp_path, [[("Amt\rNord", None)], [("Amt\r\nSüd", None)]])
    assert [r[0][0] for r in raw[1:]] == ["Amt\rNord", "Amt\r\nSüd"] and raw == written


def test_a_text_beyond_excels_cell_limit_is_cut_as_openpyxl_cuts_it(tmp_path):
    """Excel holds 32,767 characters in a cell and repairs a file with more; openpyxl cuts there."""
    written, raw = _both(tmp_path, [[("x" * 40_000, None)]])
    assert len(raw[1][0][0]) == 32_767 and raw == written


def test_a_character_no_xml_can_hold_becomes_visible_instead_of_breaking_the_workbook(tmp_path):
    """A file name (the column Datei) may hold U+FFFE or an undecodable byte (a lone surrogate): the raw
    rows wrote a part no XML parser reads, openpyxl stopped with a ValueError. Now both show U+FFFD."""
    import zipfile

    from lxml import etree

    written, raw = _both(tmp_path, [[("Amt\ufffe.xlsx", None)], [("Amt\udcfc.xlsx", None)]])
    assert [r[0][0] for r in raw[1:]] == ["Amt\ufffd.xlsx", "Amt\ufffd.xlsx"] and raw == written
    with zipfile.ZipFile(tmp_path / "True.xlsx") as zf:
        etree.fromstring(zf.read("xl/worksheets/sheet1.xml"))


def test_a_rewrite_of_a_part_the_package_lacks_is_an_error(tmp_path):
    """The summary's data rows are put into the sheet parts openpyxl saved; a part name that does not
    exist would leave the sheet with headers only and nothing said."""
    import zipfile

    import pytest

    from xl_gleichplan.io.ooxml import make_reproducible

    path = tmp_path / "p.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    with pytest.raises(RuntimeError, match="sheet9"):
        make_reproducible(path, change={"xl/worksheets/sheet9.xml": lambda data: data})
