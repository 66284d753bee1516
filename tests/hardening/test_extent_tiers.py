"""The one-pass extent check (issue 16): a sheet is passed without collecting its positions only
when every cell lies in a rectangle within the cell budget; everything else goes to the exact pass."""
from __future__ import annotations

import io
import re
import zipfile

import pytest

from xl_gleichplan.errors import LimitError
from xl_gleichplan.io import ooxml
from xl_gleichplan.io.ooxml import _check_extent, _digits_above


@pytest.mark.parametrize("number", [1, 9, 10, 99, 142_450, 3_846_153, 99_999, 100_000, 1_000_009])
def test_digits_above_matches_exactly_the_larger_numbers(number):
    pattern = re.compile(b"^" + _digits_above(number) + b"$")
    for value in {0, 1, number - 1, number, number + 1, 10 * number, number // 10, 10 ** len(str(number)) - 1}:
        if value >= 0:
            assert bool(pattern.match(str(value).encode())) == (value > number), (number, value)
    assert pattern.match(b"0" + str(number).encode())  # leading zeros: doubtful, to the exact pass


def check(positions: list[str]) -> None:
    xml = b"<sheetData>" + b"".join(b'<row r="%s"><c r="%s"><v>1</v></c></row>'
                                    % (re.sub(rb"[A-Z]", b"", p.encode()), p.encode()) for p in positions) \
        + b"</sheetData>"
    _check_extent("x.xlsx", zipfile.ZipInfo("xl/worksheets/sheet1.xml"), lambda: (xml,),
                  stream=lambda: io.BytesIO(xml))


def test_a_tall_narrow_sheet_takes_one_pass(monkeypatch):
    """A1:N500000 lies in A1:Z3846153 (budget 100,000,000 / 26 columns): no position is collected."""
    monkeypatch.setattr(ooxml, "_CELL_ROW", None)  # the exact pass would fail on it
    check(["A1", "N500000", "Z3846153"])


@pytest.mark.parametrize("positions", [
    ["A1", "Z3846154"],            # one row beyond 100,000,000 / 26
    ["A1", "B2", "ZZ142451"],      # two letters: one row beyond 100,000,000 / 702
    ["AA1", "A3846153"],           # each cell in a rectangle of its own, together 27 x 3,846,153
    ["A1", "AAA1", "A200000"],     # three letters
])
def test_a_sheet_outside_both_rectangles_is_measured_exactly(monkeypatch, positions):
    """Hand-computed extents, each beyond 100,000,000 cells: 26 x 3,846,154 = 100,000,004;
    702 x 142,451 = 100,000,602; 27 x 3,846,153 = 103,846,131; AAA = column 703, 703 x 200,000."""
    calls = []
    findall = ooxml._CELL_ROW.findall
    monkeypatch.setattr(ooxml, "_CELL_ROW", type("P", (), {"findall": staticmethod(
        lambda b: calls.append(1) or findall(b))}))
    with pytest.raises(LimitError):
        check(positions)
    assert calls  # the exact pass ran


def test_a_doubtful_sheet_within_the_budget_is_read():
    """Outside both rectangles, but the exact pass finds A1:AA142451 = 27 x 142,451 cells."""
    check(["A1", "AA142451", "B2"])
    check(["A1", "ZZ142450"])  # 702 x 142,450 = 99,999,900: the second rectangle


def test_a_sheet_within_the_first_rectangle_needs_no_pattern_per_cell(monkeypatch):
    """A1:N500000 (as the 500,000-row export): the block scan decides alone; the exact rectangles (a
    pattern tried at every cell) are not asked."""
    monkeypatch.setattr(ooxml, "_near_tiers", lambda: (_ for _ in ()).throw(AssertionError("exact tiers asked")))
    check(["A1", "B2", "N500000", "Z999999"])


@pytest.mark.parametrize("cells", [100_000_000, 1_000, 26_000, 5_000_000])
def test_the_block_scan_misses_no_cell_beyond_the_first_rectangle(monkeypatch, cells):
    """Whenever the exact first rectangle finds a cell beyond it, the block scan says 'maybe'
    (it may say so more often: that only costs the exact pass). Positions around the borders,
    with leading zeros, lower-case letters and several letters."""
    monkeypatch.setenv("XL_GLEICHPLAN_MAX_SHEET_CELLS", str(cells))
    last = cells // 26
    digits = ooxml._first_rectangle_digits()
    assert digits == len(str(last))
    exact = ooxml._near_tiers()[0]
    rows = {1, 9, 10, last - 1, last, last + 1, 10 * last, 10 ** (digits - 1), 10 ** digits - 1, 10 ** digits}
    for letters in ("A", "Z", "z", "AA", "aZ", "XFD", ""):
        for row in rows:
            for text in (str(row), "0" + str(row), "00" + str(row)):
                block = b'<row r="1"><c r="%s%s"><v>1</v></c></row>' % (letters.encode(), text.encode())
                if exact.search(block):
                    assert ooxml._scan_block(block, digits) == (True, True), (letters, text)
    assert ooxml._scan_block(b'<row r="1"><c r="Z%d"><v>1</v></c></row>' % last, digits + 1) == (True, False)


# The rule of explicit positions as a pattern (the former check): an element c or row not followed by
# ' r="', or one with a namespace prefix
NOT_EXPLICIT = re.compile(rb'<(?:c|row)(?![\w.:-])(?! r=")|:(?:c|row)(?![\w.-])')


@pytest.mark.parametrize("block", [
    b'<row r="1"><c r="A1"><v>1</v></c></row>',
    b'<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1"/></row>',
    b'<row><c r="A1"><v>1</v></c></row>',                     # row without r
    b'<row r="1"><c><v>1</v></c></row>',                      # cell without r
    b'<row r="1"><c  r="A1"><v>1</v></c></row>',              # two blanks
    b'<row r="1"><c\tr="A1"><v>1</v></c></row>',              # a tab
    b"<row r='1'><c r='A1'><v>1</v></c></row>",               # single quotes
    b'<row r="1"><x:c r="A1"><v>1</v></x:c></row>',           # prefixed
    b'<cols><col min="1"/></cols><row r="1"><c r="A1"/></row><conditionalFormatting/>',
    b'<row r="1"><c r="A1"/><c/></row>', b'<c', b'<row', b'<c r="', b'<row r="1"/><c.x/><c-y/><c_z/><c:w/>',
    b'<row r="1"><c r="A1"/></row><c\xc3\xa4 r="B1"/>',       # a non-ASCII byte after the name
])
def test_the_block_scan_decides_explicit_positions_as_the_pattern_did(block):
    assert ooxml._scan_block(block)[0] == (NOT_EXPLICIT.search(block) is None), block
