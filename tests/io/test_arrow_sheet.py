"""The xlsx reader's Arrow path (issue 16): fastexcel's text columns give the same Table as python-calamine's
rows (values, row numbers, column letters, empty rows, totals rows), and a sheet whose numbers fastexcel
may have rounded is read the exact way."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest
from openpyxl import Workbook

from xl_gleichplan.io import arrow_sheet, tabular
from xl_gleichplan.io import vocabulary as vocab
from xl_gleichplan.io.arrow_sheet import Doubtful, cell_value
from xl_gleichplan.io.columns import Resolver
from xl_gleichplan.io.hr_import import STAFF_CODES
from xl_gleichplan.io.tabular import read_table

pytest.importorskip("fastexcel")


def _export(path, title: bool = True):
    """A title block (or two empty rows), the header in row 3 from column B, typed cells as an HR system
    writes them, an empty row and a totals row."""
    wb = Workbook()
    ws = wb.active
    if title:
        ws["A1"] = "Personalbestand zum 30.06.2025"
    rows = [["Geschlecht", "Name", "Geburtsdatum", "Besoldungsgruppe", "Beschäftigungsumfang", "Befristet", "Kostenstelle"],
            ["weiblich", "Müller", datetime(1971, 3, 12), 13, 0.5, True, "007"],
            ["männlich", "Schmidt", datetime(1980, 1, 2, 10, 30), "A 13", 1, False, 4711],
            [None, None, None, None, None, None, None],
            ["divers", "Ösi", "12.03.1971", "E 9b", 0.75, "ja", "1.50"],
            ["Summe", None, None, None, None, None, None]]
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row, start=2):
            if value is not None:
                ws.cell(r, c, value)
    ws["D4"].number_format = "DD.MM.YYYY"
    wb.save(path)
    return path


def read(path):
    return read_table(path, resolver=Resolver({}, STAFF_CODES, keep=frozenset({"geburtsdatum"})))


@pytest.mark.parametrize("title", [True, False], ids=["title block", "empty rows above"])
def test_an_xlsx_export_is_read_from_arrow_columns_with_python_calamines_values(tmp_path, monkeypatch, title):
    path = _export(tmp_path / "personal.xlsx", title)

    def no_rows(*args):
        raise AssertionError("the sheet was read as Python rows")

    with monkeypatch.context() as m:
        m.setattr(tabular, "_column_reader", no_rows)
        fast = read(path)
    # expected values written from the cells above
    assert fast.first_row == 4 and fast.rows == 5 and fast.cell("geschlecht", 1) == "B5"
    assert list(fast.columns["geschlecht"]) == ["weiblich", "männlich", "", "divers", "Summe"]
    assert list(fast.columns["besoldungs_entgeltgruppe"]) == [13.0, "A 13", "", "E 9b", ""]
    assert list(fast.columns["geburtsdatum"]) == [date(1971, 3, 12), datetime(1980, 1, 2, 10, 30), "", "12.03.1971", ""]
    assert list(fast.columns["beschaeftigungsumfang"]) == [0.5, 1.0, "", 0.75, ""]
    assert list(fast.columns["befristet"]) == [True, False, "", "ja", ""]
    assert list(fast.columns["?kostenstelle"]) == ["007", "4711", "", "1.50", ""]  # for the report: texts
    assert "name" not in fast.columns and fast.letters["befristet"] == "G"
    assert list(fast.blank) == [False, False, True, False, False] and fast.totals == [4]
    # the same Table as python-calamine's rows give
    monkeypatch.setattr(arrow_sheet, "sheet_table", lambda *args: None)
    slow = read(path)
    counted = [k for k in fast.columns if not k.startswith("?")]
    assert {k: list(slow.columns[k]) for k in counted} == {k: list(fast.columns[k]) for k in counted}
    assert list(slow.columns["?kostenstelle"].map(vocab.text)) == list(fast.columns["?kostenstelle"])
    assert (slow.first_row, slow.rows, slow.letters, slow.totals) == (fast.first_row, fast.rows, fast.letters, fast.totals)
    assert list(slow.blank) == list(fast.blank)
    assert [(c.header, c.status, c.code) for c in slow.header] == [(c.header, c.status, c.code) for c in fast.header]


@pytest.mark.parametrize("text, value", [
    (None, ""), ("", ""), ("weiblich", "weiblich"), ("13", 13.0), ("-2", -2.0), ("0.5", 0.5), ("0.875", 0.875),
    ("1000000000000000000000", 1e21), ("007", "007"), ("1.50", "1.50"), ("1e5", "1e5"),
    ("1971-03-12 00:00:00", date(1971, 3, 12)), ("1980-01-02 10:30:00", datetime(1980, 1, 2, 10, 30)),
    ("1899-12-31 10:30:00", time(10, 30)), ("2025-02-30 00:00:00", "2025-02-30 00:00:00"),
    ("true", True), ("false", False), ("TRUE", "TRUE"),
])
def test_cell_value_gives_what_python_calamine_gives(text, value):
    got = cell_value(text)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("text", ["0.333333333", "0.512820513", "0.001", "12345678.123456789", "123456789012345696"])
def test_a_decimal_fastexcel_may_have_rounded_is_doubtful(text):
    with pytest.raises(Doubtful):
        cell_value(text)


def test_a_sheet_with_a_rounded_share_is_read_the_exact_way(tmp_path):
    wb = Workbook()
    wb.active.append(["Geschlecht", "Beschäftigungsumfang"])
    wb.active.append(["w", 1 / 3])
    wb.active.append(["m", 0.5])
    wb.save(tmp_path / "p.xlsx")
    assert list(read(tmp_path / "p.xlsx").columns["beschaeftigungsumfang"]) == [1 / 3, 0.5]
