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
