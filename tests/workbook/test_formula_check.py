"""The check for formula cells overwritten by values settles the usual sheet by patterns
(``ooxml.all_formulas_in_place``) and parses only the others. The patterns may only ever say "all in
place" where the XML parser finds no such cell: every sheet below is also given to the parser, and
every odd way of writing a cell must send the sheet to it."""
from __future__ import annotations

import zipfile
from datetime import date

import pytest
from lxml import etree

from xl_gleichplan.io.ooxml import all_formulas_in_place
from xl_gleichplan.io.template import write_template
from xl_gleichplan.model import Agency
from xl_gleichplan.profiles import load_profile
from xl_gleichplan.schema import FIRST_DATA_ROW

LETTERS = frozenset({"G", "H"})
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def parsed_overwritten(data: bytes) -> list[str]:
    """The parser's answer, as the reader computes it (the exact path)."""
    root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    return [ref for ref in root.xpath("//m:sheetData/m:row/m:c[m:v and not(m:f)]/@r", namespaces={"m": MAIN})
            if ref.rstrip("0123456789") in LETTERS and int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) >= FIRST_DATA_ROW]


def sheet(rows: str, head: str = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n') -> bytes:
    return (f'{head}<worksheet xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships"><sheetData>{rows}</sheetData></worksheet>').encode("utf-8")


HEADER = '<row r="4"><c r="G4" t="inlineStr"><is><t>gesamt</t></is></c><c r="H4" t="inlineStr"><is><t>x</t></is></c></row>'
GOOD = '<row r="5"><c r="C5"><v>3</v></c><c r="G5" s="2"><f>C5+D5</f><v>3</v></c><c r="H5"/></row>'

IN_PLACE = {
    "formulas first, an empty cell, a header above the data rows": sheet(HEADER + GOOD),
    "no cell in the formula columns": sheet('<row r="5"><c r="C5"><v>3</v></c></row>'),
    "a formula with an empty cached value": sheet('<row r="9"><c r="H9"><f>1</f><v></v></c></row>'),
    "a comment (it can only add cells the patterns see, never hide one)":
        sheet('<!-- x --><row r="5"><c r="G5"><f>1</f><v>1</v></c></row>'),
}
NOT_SETTLED = {  # each needs the parser: a value without formula, or a form the patterns do not read
    "a number over the formula": sheet('<row r="5"><c r="G5"><v>0.5</v></c></row>'),
    "one number among formulas": sheet(HEADER + GOOD + '<row r="6"><c r="G6" s="2"><f>1</f></c>'
                                       '<c r="H6" s="2"><v>7</v></c></row><row r="7"><c r="G7"/></row>'),
    "the value before the formula": sheet('<row r="5"><c r="G5"><v>1</v><f>1</f></c></row>'),
    "a text over the formula": sheet('<row r="12"><c r="H12" t="inlineStr"><is><t>ja</t></is></c></row>'),
    "row number with leading zeros": sheet('<row r="5"><c r="G0005"><v>1</v></c></row>'),
    "a cell without position": sheet('<row r="5"><c><v>1</v></c><c><v>1</v></c><c><v>1</v></c>'
                                     '<c><v>1</v></c><c><v>1</v></c><c><v>1</v></c><c><v>1</v></c></row>'),
    "position as an entity": sheet('<row r="5"><c r="&#71;5"><v>1</v></c></row>'),
    "single quotes": sheet("<row r='5'><c r='G5'><v>1</v></c></row>"),
    "blanks around the position": sheet('<row r="5"><c r = "G5"><v>1</v></c></row>'),
    "a '>' inside an attribute": sheet('<row r="5"><c r="G5" x="a&gt;b>&lt;f>"><v>1</v></c></row>'),
    "a prefixed cell": sheet(f'<row r="5"><m:c xmlns:m="{MAIN}" r="G5"><m:v>1</m:v></m:c></row>'),
    "UTF-16": sheet('<row r="5"><c r="G5"><v>1</v></c></row>', '<?xml version="1.0" encoding="UTF-16"?>\n')
    .decode("utf-8").encode("utf-16"),
    "another single-byte encoding": sheet('<row r="5"><c r="G5"><v>1</v></c></row>',
                                          '<?xml version="1.0" encoding="ISO-8859-1"?>\n'),
    "a cell in a comment": sheet('<!-- <c r="G5"><v>1</v></c> --><row r="5"><c r="G5"><f>1</f><v>1</v></c></row>'),
}


@pytest.mark.parametrize("data", IN_PLACE.values(), ids=IN_PLACE.keys())
def test_sheets_settled_by_the_patterns_have_nothing_the_parser_would_find(data):
    assert all_formulas_in_place(data, LETTERS, FIRST_DATA_ROW)
    assert parsed_overwritten(data) == []


@pytest.mark.parametrize("data", NOT_SETTLED.values(), ids=NOT_SETTLED.keys())
def test_other_sheets_go_to_the_parser(data):
    assert not all_formulas_in_place(data, LETTERS, FIRST_DATA_ROW)


def test_the_parser_finds_what_the_patterns_sent_to_it():
    # the cases above are real findings where the parser reads the cell (else the list proves nothing)
    assert parsed_overwritten(NOT_SETTLED["a number over the formula"]) == ["G5"]
    assert parsed_overwritten(NOT_SETTLED["one number among formulas"]) == ["H6"]
    assert parsed_overwritten(NOT_SETTLED["the value before the formula"]) == []
    assert parsed_overwritten(NOT_SETTLED["position as an entity"]) == ["G5"]
    assert parsed_overwritten(NOT_SETTLED["row number with leading zeros"]) == ["G0005"]


def test_a_fresh_template_is_settled_without_parsing(tmp_path):
    """Every input sheet of the shipped layout (the case the patterns are for)."""
    from xl_gleichplan.io.workbook_reader import _check_formulas  # noqa: F401 - the reader uses the same call
    from xl_gleichplan.schema import SHEETS

    path = write_template(tmp_path / "t.xlsx", load_profile("thueringen"), Agency("Amt", "landesverwaltung"),
                          date(2025, 6, 30))
    with zipfile.ZipFile(path) as zf:
        book = etree.fromstring(zf.read("xl/workbook.xml"))
        rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))}
        rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        parts = {s.get("name"): rels[s.get(rid)] for s in book.iter(f"{{{MAIN}}}sheet")}
        checked = 0
        for s in SHEETS.values():
            letters = frozenset(s.letter(c.code) for c in s.columns if c.kind == "formula")
            if letters:
                data = zf.read("xl/" + parts[s.name].lstrip("/").removeprefix("xl/"))
                assert all_formulas_in_place(data, letters, FIRST_DATA_ROW), s.name
                checked += 1
    assert checked >= 4


# ---- review of the pattern shortcut (issue 16): returned workbooks whose overwritten formula cell
# the shortcut settled as fine. End to end through read_workbook, on a fresh template.

def _bestand_with(tmp_path, replace_h5) -> list:
    """A fresh template whose cell H5 of "Bestand" (a formula) is rewritten by ``replace_h5``; the
    warnings the reader gives for overwritten formulas."""
    import re

    from xl_gleichplan.io.workbook_reader import read_workbook

    path = write_template(tmp_path / "t.xlsx", load_profile("thueringen"), Agency("Amt", "landesverwaltung"),
                          date(2025, 6, 30))
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    book = etree.fromstring(parts["xl/workbook.xml"])
    rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(parts["xl/_rels/workbook.xml.rels"])}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    target = next(rels[s.get(rid)] for s in book.iter(f"{{{MAIN}}}sheet") if s.get("name") == "Bestand")
    name = "xl/" + target.lstrip("/").removeprefix("xl/")
    cell = re.search(rb'<c r="H5"[^>]*>.*?</c>', parts[name])
    assert cell and b"<f>" in cell.group(0)  # H5 holds a formula in the shipped template
    parts[name] = parts[name].replace(cell.group(0), replace_h5)
    out = tmp_path / "zurueck.xlsx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    dataset = read_workbook(out)[0]
    return [f for f in dataset.findings if "fester Wert" in f.message]


def test_control_a_number_over_the_formula_is_reported(tmp_path):
    assert [f.cell for f in _bestand_with(tmp_path, b'<c r="H5"><v>0.5</v></c>')] == ["H5"]


def test_a_formula_element_of_another_namespace_is_no_formula(tmp_path):
    """<f xmlns="urn:x"> is not a formula of the sheet (the parser finds no m:f and reports the value)
    but it starts with "<f": the patterns settled the sheet as all in place, the value went unreported."""
    found = _bestand_with(tmp_path, b'<c r="H5"><f xmlns="urn:x">1</f><v>0.5</v></c>')
    assert [f.cell for f in found] == ["H5"]


def test_a_position_in_lower_case_is_the_same_cell(tmp_path):
    """calamine reads r="h5" as H5 (and counts its value); the patterns looked for "H5" only and the
    parser's filter compared the letters case-sensitively: the overwritten cell went unreported."""
    found = _bestand_with(tmp_path, b'<c r="h5"><v>0.5</v></c>')
    assert [f.cell.upper() for f in found] == ["H5"]


def test_a_cell_without_position_over_the_formula(tmp_path):
    """A cell without r after G5: calamine places it at H5 and reads its value. The patterns send the
    sheet to the parser, which read positions from r attributes only and did not report it; now it
    places cells as calamine does (ooxml.placed_cells)."""
    found = _bestand_with(tmp_path, b'<c r="G5"><f>1</f><v>1</v></c><c><v>0.5</v></c>')
    assert [f.cell for f in found] == ["H5"]


def test_cells_are_placed_as_calamine_places_them():
    """By hand: B3, then a cell without r after it (C3); a row without r below row 3 (row 4), its first
    cell without r in column A, then d4 (lower case, D4), then one more without r (E4); a malformed
    position (calamine refuses the sheet) is left out and does not move the next cell, which lands in F4."""
    import io

    from xl_gleichplan.io.ooxml import placed_cells

    xml = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="3"><c r="B3"/><c/></row>'
           '<row><c/><c r="d4"/><c/><c r="4"/><c/></row></sheetData></worksheet>').encode()
    assert [(r, c) for _, r, c in placed_cells(io.BytesIO(xml))] == [(3, 2), (3, 3), (4, 1), (4, 4), (4, 5), (4, 6)]
