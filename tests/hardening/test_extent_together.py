"""The sheets of a workbook read whole are scanned for their extent in one joined block (issue 16):
the joined scan may only let a workbook pass when each sheet's own scan would; every doubt goes to
each sheet's own check."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hostile_helpers import zip_parts, zip_rewrite
from xl_gleichplan.errors import InputFileError, LimitError
from xl_gleichplan.io import ooxml
from xl_gleichplan.io.ooxml import _check_extents_together, check_zip

TEMPLATE = Path(__file__).parents[2] / "workbook_templates" / "erhebungsbogen_thueringen.xlsx"


def _sheets(path: Path) -> list[str]:
    return sorted(n for n in zipfile.ZipFile(path).namelist() if n.startswith("xl/worksheets/sheet"))


def test_a_returned_workbook_takes_one_joined_scan(monkeypatch):
    """All sheets of the template lie within A1:Z<row>: no sheet is checked on its own."""
    assert len(_sheets(TEMPLATE)) > 2

    def alone(*args, **kwargs):
        raise AssertionError("a sheet was checked on its own")

    monkeypatch.setattr(ooxml, "_check_extent", alone)
    assert "xl/workbook.xml" in check_zip(TEMPLATE)


@pytest.mark.parametrize("row", [
    b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    b'<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>',  # lower-case column
    b'<row r="3846154"><c r="A3846154"><v>1</v></c></row><row r="3846155"><c r="ZZ3846155"/></row>',
    b'<row r="20"><c r="XFD000000000000001048576"><v>1</v></c></row>',  # leading zeros
    b'<row r="1048576">' + b"<c/>" * 16_383 + b"<c><v>1</v></c></row>",  # cells without references
    b'<x:row r="1048576">' + b"<x:c/>" * 16_383 + b"<x:c><v>1</v></x:c></x:row>",  # a namespace prefix
], ids=["far", "lower-case", "two-rectangles", "leading-zeros", "no-references", "prefixed"])
@pytest.mark.parametrize("which", [0, 3, -1])
def test_a_far_cell_in_any_sheet_of_a_workbook_is_refused(tmp_path, row, which):
    part = _sheets(TEMPLATE)[which]
    sheet = zip_parts(TEMPLATE)[part].replace(b"</sheetData>", row + b"</sheetData>")
    path = zip_rewrite(TEMPLATE, tmp_path / "bogen.xlsx", replace={part: sheet})
    with pytest.raises((LimitError, InputFileError)) as refused:
        check_zip(path)
    assert "Strg+Ende" in str(refused.value) or "kein gültiges XML" in str(refused.value), str(refused.value)


def test_one_sheet_does_not_hide_the_end_of_the_one_before():
    """A sheet cut off after "<c" is refused as broken XML on its own (the element has no position);
    joined directly to a next sheet starting with "x" it would read as "<cx", no cell at all. Each
    sheet is followed by the zeros its own scan sees."""
    cut = b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet><c'
    after = b'x r="B2"/><worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
    sheets = [(zipfile.ZipInfo("xl/worksheets/sheet1.xml"), cut), (zipfile.ZipInfo("xl/worksheets/sheet2.xml"), after)]
    with pytest.raises(InputFileError, match="kein gültiges XML"):
        _check_extents_together("bogen.xlsx", sheets)


def test_only_a_decided_joined_scan_vouches_for_explicit_positions(tmp_path):
    """The formula check skips its own scan for the sheets check_zip names as explicit: all of them
    after the joined scan passed, none when one sheet has a cell without a position."""
    explicit: set[str] = set()
    check_zip(TEMPLATE, {}, explicit)
    assert explicit == set(_sheets(TEMPLATE))
    part = _sheets(TEMPLATE)[2]
    sheet = zip_parts(TEMPLATE)[part].replace(b"</sheetData>", b'<row r="300"><c><v>1</v></c></row></sheetData>')
    path = zip_rewrite(TEMPLATE, tmp_path / "bogen.xlsx", replace={part: sheet})
    explicit = set()
    check_zip(path, {}, explicit)
    assert explicit == set()


KEY_BYTES = b' \t\n\r\x0b\x0c"\'r=x<'  # what an r attribute is made of, and two bytes that are not


@given(st.binary(max_size=60).map(lambda b: bytes(KEY_BYTES[c % len(KEY_BYTES)] for c in b)))
@settings(max_examples=500, derandomize=True, database=None)
def test_the_count_of_r_attributes_by_numpy_is_the_patterns(block):
    """_scan_block counts the r attributes by numpy; the pattern calamine's reading is modelled on decides."""
    import numpy as np

    buf = np.frombuffer(block + b"\0" * 40, dtype=np.uint8)
    assert ooxml._r_keys(block, buf) == len(ooxml._R_KEY.findall(block))
