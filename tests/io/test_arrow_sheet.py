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


def _shared_strings(path):
    """The same workbook with its in-line strings (openpyxl's way) in a shared-strings table (Excel's way)."""
    import re
    import zipfile

    from xl_gleichplan.io.ooxml import zip_parts

    parts, shared = zip_parts(path), []

    def shared_cell(m):
        shared.append(m[3])
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (m[1], m[2] or b"", len(shared) - 1)

    parts["xl/worksheets/sheet1.xml"] = re.sub(rb'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")? t="inlineStr"><is><t>([^<]*)</t></is></c>',
                                               shared_cell, parts["xl/worksheets/sheet1.xml"])
    assert b"inlineStr" not in parts["xl/worksheets/sheet1.xml"] and shared
    ns = b"http://schemas.openxmlformats.org"
    parts["xl/sharedStrings.xml"] = b'<sst xmlns="%s/spreadsheetml/2006/main">%s</sst>' % (
        ns, b"".join(b"<si><t>%s</t></si>" % t for t in shared))
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>'))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", (
        b'<Relationship Id="rIdS" Type="%s/officeDocument/2006/relationships/sharedStrings" '
        b'Target="sharedStrings.xml"/></Relationships>' % ns))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize("strings", ["shared", "inline"])
def test_a_text_cell_that_reads_like_a_typed_cell_stays_text(tmp_path, monkeypatch, strings):
    """fastexcel gives the number 13 and the text "13" alike; python-calamine (and so the import's findings:
    a text "13" is no birth date) tells them apart, and the Arrow path gives the same."""
    wb = Workbook()
    for row in [["Geschlecht", "Geburtsdatum", "Beschäftigungsumfang", "Befristet"],
                ["w", datetime(1971, 3, 12), 0.5, True],
                ["m", "13", "0.5", "true"],
                ["w", "1971-03-12 00:00:00", 1, False]]:
        wb.active.append(row)
    path = wb.save(tmp_path / "p.xlsx") or tmp_path / "p.xlsx"
    if strings == "shared":
        _shared_strings(path)
    fast = read(path)
    assert list(fast.columns["geburtsdatum"]) == [date(1971, 3, 12), "13", "1971-03-12 00:00:00"]
    assert list(fast.columns["beschaeftigungsumfang"]) == [0.5, "0.5", 1.0]
    assert list(fast.columns["befristet"]) == [True, "true", False]
    monkeypatch.setattr(arrow_sheet, "sheet_table", lambda *args: None)
    slow = read(path)
    assert {k: list(slow.columns[k]) for k in ("geburtsdatum", "beschaeftigungsumfang", "befristet")} == \
        {k: list(fast.columns[k]) for k in ("geburtsdatum", "beschaeftigungsumfang", "befristet")}


@pytest.mark.parametrize("text, found", [
    (b"<si><t>13</t></si>", {"13"}), (b'<si><t xml:space="preserve">true</t></si>', {"true"}),
    (b"<si><t>&#49;3</t></si>", {"13"}), (b"<si><t>teilzeit</t></si><si><t>007</t></si>", set()),
    (b"<si><r><t>1</t></r><r><t>3</t></r></si>", None), (b"<si><t><![CDATA[13]]></t></si>", None),
    (b'<si xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:t>13</x:t></si>', None),
    (b"<si><t>_x0031_3</t></si>", None), (b'<si><t xml:space = "preserve" >-1</t ></si>', {"-1"}),
    (b'<si><r><t>t</t></r><r><t>rue</t></r></si>', None), (b'<si><r><t>x</t></r><r><t>y</t></r></si>', set()),
    (b'<c r="A1" t = "str"><f>A2</f><v>13</v></c>', None),
    (b'<s xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"><t>2</t></s>', {"2"}),
])
def test_the_texts_that_read_like_typed_cells_are_found_in_every_form(tmp_path, text, found):
    import zipfile

    with zipfile.ZipFile(tmp_path / "p.xlsx", "w") as zf:
        zf.writestr("xl/sharedStrings.xml", b"<sst>" + text + b"</sst>")
        zf.writestr("xl/worksheets/sheet1.xml", b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
                                                b'</sheetData></worksheet>')
    got = arrow_sheet.typed_looking_texts(tmp_path / "p.xlsx")
    assert got == (None if found is None else frozenset(found))


def test_a_personnel_number_written_as_text_keeps_the_arrow_path(tmp_path, monkeypatch):
    """Texts like "100234" in a column the import does not count (and so in the header search's and the
    totals search's rows) decide nothing: the sheet is still read from Arrow columns."""
    wb = Workbook()
    for row in [["Personalnummer", "Geschlecht", "Beschäftigungsumfang"], ["100234", "w", 0.5], ["100235", "m", 1],
                ["Summe", None, 1.5]]:
        wb.active.append(row)
    path = _shared_strings(wb.save(tmp_path / "p.xlsx") or tmp_path / "p.xlsx")
    assert arrow_sheet.typed_looking_texts(path) == {"100234", "100235"}
    monkeypatch.setattr(tabular, "_column_reader", lambda *args: pytest.fail("the sheet was read as Python rows"))
    table = read(path)
    assert list(table.columns["beschaeftigungsumfang"]) == [0.5, 1.0, 1.5] and table.totals == [2]


def test_a_sheet_of_texts_only_keeps_the_arrow_path_and_its_texts(tmp_path, monkeypatch):
    """Without a typed cell in the package (every cell an inline string) "13" and "true" are texts for sure."""
    wb = Workbook()
    for row in [["Geschlecht", "Geburtsdatum", "Beschäftigungsumfang", "Befristet"], ["w", "13", "1", "true"],
                ["m", "12.03.1971", "0,5", "nein"]]:
        wb.active.append(row)
    path = wb.save(tmp_path / "p.xlsx") or tmp_path / "p.xlsx"
    assert arrow_sheet.typed_looking_texts(path) is arrow_sheet.ALL_TEXT
    with monkeypatch.context() as m:
        m.setattr(tabular, "_column_reader", lambda *args: pytest.fail("the sheet was read as Python rows"))
        fast = read(path)
    assert list(fast.columns["geburtsdatum"]) == ["13", "12.03.1971"]
    assert list(fast.columns["beschaeftigungsumfang"]) == ["1", "0,5"] and list(fast.columns["befristet"]) == ["true", "nein"]
    monkeypatch.setattr(arrow_sheet, "sheet_table", lambda *args: None)
    slow = read(path)
    assert {k: list(slow.columns[k]) for k in ("geburtsdatum", "beschaeftigungsumfang", "befristet")} == \
        {k: list(fast.columns[k]) for k in ("geburtsdatum", "beschaeftigungsumfang", "befristet")}


def test_a_sheet_stored_outside_the_worksheets_folder_is_scanned_too(tmp_path):
    """python-calamine and fastexcel follow the workbook's relationship to a sheet wherever it lies: its
    number cells are seen, so its texts are not all taken for text."""
    import zipfile

    from xl_gleichplan.io.ooxml import zip_parts

    wb = Workbook()
    wb.active.append(["Geschlecht", "Beschäftigungsumfang"])
    wb.active.append(["w", 1])
    wb.active.append(["m", "1"])
    wb.save(tmp_path / "p.xlsx")
    parts = zip_parts(tmp_path / "p.xlsx")
    parts["xl/blatt/daten.xml"] = parts.pop("xl/worksheets/sheet1.xml")
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(b"worksheets/sheet1.xml",
                                                                                       b"blatt/daten.xml")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"/xl/worksheets/sheet1.xml", b"/xl/blatt/daten.xml")
    with zipfile.ZipFile(tmp_path / "moved.xlsx", "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert arrow_sheet.typed_looking_texts(tmp_path / "moved.xlsx") == {"1"}
    assert list(read(tmp_path / "moved.xlsx").columns["beschaeftigungsumfang"]) == [1.0, "1"]
