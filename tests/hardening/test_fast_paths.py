"""An adversarial review of the fast paths of issue 16: input that the field or an attacker could
make, where a fast path would decide differently from the exact pass or from what calamine (the
reader behind python-calamine and fastexcel) actually does. Each test says what it shows.

The extent tests use a cell budget of 1,000 so that calamine's real allocation (the proof that the
attack reaches it) stays small: A1:Z50 is 1,300 cells."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from hostile_helpers import first_sheet_part, staff_rows, write_xlsx, zip_parts, zip_rewrite
from xl_gleichplan.errors import InputFileError, LimitError
from xl_gleichplan.io.ooxml import check_zip

FAR = b'<row r="50"><c r="Z50"><v>1</v></c></row>'  # with A1: 50 x 26 = 1,300 cells


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return write_xlsx(tmp_path_factory.mktemp("gut") / "personal.xlsx", staff_rows(3))


@pytest.fixture(autouse=True)
def small_budget(monkeypatch):
    monkeypatch.setenv("XL_GLEICHPLAN_MAX_SHEET_CELLS", "1000")


def calamine_extent(path: Path) -> tuple[int, int]:
    """(rows, columns) python-calamine allocates for the first sheet; fastexcel (calamine too) agrees."""
    import fastexcel
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    loaded = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None)
    assert (loaded.height, loaded.width) == (sheet.height, sheet.width)
    return sheet.height, sheet.width


def with_row(good: Path, dst: Path, row: bytes) -> Path:
    part = first_sheet_part(good)
    return zip_rewrite(good, dst, replace={part: zip_parts(good)[part].replace(b"</sheetData>", row + b"</sheetData>")})


def test_the_control_case_is_refused(good, tmp_path):
    """The far cell written plainly: calamine allocates A1:Z50, the check refuses it (the budget works)."""
    path = with_row(good, tmp_path / "personal.xlsx", FAR)
    assert calamine_extent(path) == (50, 26)
    with pytest.raises(LimitError):
        check_zip(path)


@pytest.mark.parametrize("cell", [
    b'<c r="A5" r="Z50">',       # a second r attribute: calamine's attribute reader keeps the last one
    b'<c r="A5"r="Z50">',        # ... without a blank between the two
    b'<c r="A5"\tr = \'Z50\'>',  # ... after a tab, blanks around "=", single quotes
])
def test_a_second_r_attribute_is_not_judged_by_the_first(good, tmp_path, cell):
    """The block scan read only the r=".." each cell starts with (A5: certainly inside A1:Z38) and
    passed the sheet without the exact pass; calamine places the cell by its last r attribute, at
    Z50. With the default budget <c r="A1" r="XFD1048576"> asks calamine for 17 billion cells. Fixed:
    an r attribute beyond the one each element starts with sends the block to the XML parser, which
    refuses the duplicate attribute (no spreadsheet program writes one)."""
    path = with_row(good, tmp_path / "personal.xlsx", b'<row r="5">' + cell + b"<v>1</v></c></row>")
    assert calamine_extent(path) == (50, 26)  # the attack reaches calamine
    with pytest.raises((LimitError, InputFileError)):
        check_zip(path)


def test_an_attribute_ending_in_r_still_takes_the_fast_path(good, tmp_path):
    """The fix costs the real templates nothing: footer="0.3" and error="Bitte .." are not r attributes."""
    from xl_gleichplan.io import ooxml

    block = b'<row r="1"><c r="A1"><v>1</v></c></row><pageMargins footer="0.3" header = "0.3"/>'
    assert ooxml._scan_block(block, 2) == (True, False)


def _write(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def test_a_sheet_part_named_with_backslashes_is_checked(good, tmp_path):
    """calamine finds a part by its name with "\\" read as "/" (zip files packed on Windows): the sheet
    stored as xl\\worksheets\\sheet1.xml is the one it reads. The check listed sheets by their exact
    name and passed this one unread (Python's zipfile keeps the backslashes on Linux and macOS)."""
    part = first_sheet_part(good)
    parts = zip_parts(good)
    far = parts.pop(part).replace(b"</sheetData>", FAR + b"</sheetData>")
    path = _write(tmp_path / "personal.xlsx", {**parts, part.replace("/", "\\"): far})
    assert calamine_extent(path) == (50, 26)
    with pytest.raises(LimitError):
        check_zip(path)


@pytest.mark.parametrize("rels_name", ["xl/_rels/workbook.xml.rels", "XL/_RELS/WORKBOOK.XML.RELS"])
def test_a_sheet_part_named_in_other_letter_case_is_checked(good, tmp_path, rels_name):
    """calamine looks parts up in lower case: a relationship to sheets/s.xml finds XL/SHEETS/S.XML (and
    the relationships part itself may be spelled in capitals). The check compared exact names and
    passed the sheet unread."""
    part = first_sheet_part(good)
    parts = zip_parts(good)
    far = parts.pop(part).replace(b"</sheetData>", FAR + b"</sheetData>")
    rels = parts.pop("xl/_rels/workbook.xml.rels").replace(part.split("xl/", 1)[1].encode(), b"sheets/s.xml")
    path = _write(tmp_path / "personal.xlsx", {**parts, rels_name: rels, "XL/SHEETS/S.XML": far})
    assert calamine_extent(path) == (50, 26)
    with pytest.raises(LimitError):
        check_zip(path)


def test_a_large_part_with_a_wrong_crc_is_refused(good, tmp_path, monkeypatch):
    """The block scan of parts above SCAN_EXTENT_BELOW_BYTES skipped the CRC, "python-calamine checks
    it": true for python-calamine, but fastexcel (which reads the sheet of an xlsx export) reads a
    damaged part without a word. A stored part with one digit changed after packing: before the
    skip, the check refused it as damaged; with it, fastexcel counted the changed value."""
    import fastexcel

    from xl_gleichplan.io import ooxml

    part = first_sheet_part(good)
    parts = zip_parts(good)
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, 1000 + r) for r in range(10, 30))
    # a comment after the data, so that the prolog check does not reach the end of the part either
    sheet = parts[part].replace(b"</sheetData>", rows + b"</sheetData>").replace(
        b"</worksheet>", b"<!--" + b"x" * 20_000 + b"--></worksheet>")
    path = tmp_path / "personal.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, sheet if name == part else data,
                        compress_type=zipfile.ZIP_STORED if name == part else zipfile.ZIP_DEFLATED)
    raw = bytearray(path.read_bytes())
    raw[raw.find(b"<v>1029</v>") + 3] = ord("9")  # 1029 -> 9029, the CRC left as packed
    path.write_bytes(bytes(raw))
    assert fastexcel.read_excel(str(path)).load_sheet(0, header_row=None).to_arrow().column(0)[-1].as_py() in (9029, "9029")
    monkeypatch.setattr(ooxml, "SCAN_EXTENT_BELOW_BYTES", 10)  # scanned in blocks, as a large export
    with pytest.raises(InputFileError, match="beschädigt"):
        check_zip(path)


@pytest.mark.parametrize("value", [13.0000000001, 1e-300, 0.9999999999999999], ids=["13+1e-10", "1e-300", "1-1e-16"])
def test_a_number_that_fastexcel_rounds_away_is_doubtful(tmp_path, monkeypatch, value):
    """fastexcel writes a number with at most nine decimals: 13.0000000001 in the pay group column comes
    out as "13" (the exact path reports it as looking like a personnel number and leaves the person
    without pay group; the Arrow path counted the person in group "13"), 1e-300 as 0. No test on
    fastexcel's text can see it, so the scan of the sheet XML (arrow_sheet._ROUNDED) sends such a sheet
    to python-calamine."""
    from hostile_helpers import run_staff, summary
    from xl_gleichplan.io import arrow_sheet

    rows = staff_rows(12)
    rows[1][rows[0].index("Besoldungs-/Entgeltgruppe")] = value
    path = write_xlsx(tmp_path / "personal.xlsx", rows)
    fast = summary(run_staff(path))
    monkeypatch.setattr(arrow_sheet, "sheet_table", lambda *args: None)  # the exact path
    assert fast == summary(run_staff(path))


def _two_directories(good: Path, hostile: bytes, plain_to_hostile: bool, sentinels: bool = False) -> bytes:
    """The hostile package's entries and directory, then the harmless package's with a zip64 end record
    and locator pointing to its directory, then a plain end record pointing to the hostile directory
    (``plain_to_hostile``; else to the harmless one, with its own values or the "see zip64" sentinels)."""
    import struct

    def end(data: bytes):
        at = data.rfind(b"PK\x05\x06")
        return (at, *struct.unpack_from("<HII", data, at + 10))

    harmless = good.read_bytes()
    h_at, h_count, h_size, h_offset = end(hostile)
    g_at, g_count, g_size, g_offset = end(harmless)
    prefix = hostile[:h_at]
    directory = bytearray(harmless[g_offset:g_offset + g_size])
    i = 0
    while i < len(directory):  # the harmless entries now lie after the hostile package
        names, extra, comment = struct.unpack_from("<HHH", directory, i + 28)
        struct.pack_into("<I", directory, i + 42, struct.unpack_from("<I", directory, i + 42)[0] + len(prefix))
        i += 46 + names + extra + comment
    body = prefix + harmless[:g_offset] + bytes(directory)
    wide = b"PK\x06\x06" + struct.pack("<QHHIIQQQQ", 44, 45, 45, 0, 0, g_count, g_count, g_size, len(prefix) + g_offset)
    locator = b"PK\x06\x07" + struct.pack("<IQI", 0, len(body), 1)
    if plain_to_hostile:
        plain = (h_count, h_count, h_size, h_offset)
    else:
        plain = (0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF) if sentinels else (g_count, g_count, g_size, len(prefix) + g_offset)
    return body + wide + locator + b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, *plain, 0)


def test_a_zip64_end_record_that_disagrees_with_the_plain_one_is_refused(good, tmp_path):
    """Python's zipfile follows the zip64 end record (harmless directory), calamine's zip reader the
    plain one (hostile directory): the check read the harmless sheet and passed the package, python-
    calamine and fastexcel allocated the far cell. Before issue 16 as well; found in this review."""
    hostile = with_row(good, tmp_path / "boese.xlsx", FAR).read_bytes()
    path = tmp_path / "personal.xlsx"
    path.write_bytes(_two_directories(good, hostile, plain_to_hostile=True))
    assert len(zipfile.ZipFile(path).read(first_sheet_part(good))) == len(zip_parts(good)[first_sheet_part(good)])
    assert calamine_extent(path) == (50, 26)
    with pytest.raises(InputFileError, match="Inhaltsverzeichnis"):
        check_zip(path)


@pytest.mark.parametrize("sentinels", [False, True], ids=["same values", "see zip64"])
def test_a_zip64_end_record_that_agrees_is_read(good, tmp_path, sentinels):
    """The same layout with both records pointing to the harmless directory passes (as a writer that
    always adds zip64 records writes it); calamine reads the harmless sheet."""
    hostile = with_row(good, tmp_path / "boese.xlsx", FAR).read_bytes()
    path = tmp_path / "personal.xlsx"
    path.write_bytes(_two_directories(good, hostile, plain_to_hostile=False, sentinels=sentinels))
    assert calamine_extent(path) == (4, 9)
    check_zip(path)


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED], ids=["stored", "deflated"])
@pytest.mark.parametrize("crc_of", ["beginning", "whole"])
@pytest.mark.parametrize("in_blocks", [False, True], ids=["read whole", "in blocks"])
def test_a_sheet_longer_than_its_declared_size_is_refused(good, tmp_path, monkeypatch, method, crc_of, in_blocks):
    """The sheet's declared size covers its harmless beginning only: zipfile gives exactly that many
    bytes (and the check passed them); fastexcel's zip reader reads on to the far cell after them
    (python-calamine refuses: "larger than its declared uncompressed size"). Found in this review;
    older than issue 16."""
    import struct
    import zlib

    from xl_gleichplan.io import ooxml

    part = first_sheet_part(good)
    parts = zip_parts(good)
    cut = parts[part].index(b"</sheetData>")
    beginning, whole = parts[part][:cut], parts[part][:cut] + FAR + parts[part][cut:]
    path = tmp_path / "personal.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, whole if name == part else data, compress_type=method if name == part else zipfile.ZIP_DEFLATED)
    raw = bytearray(path.read_bytes())
    crc = zlib.crc32(beginning if crc_of == "beginning" else whole)
    at = 0  # the sheet's directory entry and local header
    while (at := raw.find(b"PK\x01\x02", at)) >= 0:
        size = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46:at + 46 + size] == part.encode():
            local = struct.unpack_from("<I", raw, at + 42)[0]
            for crc_at, size_at in ((at + 16, at + 24), (local + 14, local + 22)):
                struct.pack_into("<I", raw, crc_at, crc)
                struct.pack_into("<I", raw, size_at, len(beginning))
        at += 4
    path.write_bytes(bytes(raw))
    assert zipfile.ZipFile(path).getinfo(part).file_size == len(beginning)
    import fastexcel
    from python_calamine import CalamineError, CalamineWorkbook

    loaded = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None)
    assert (loaded.height, loaded.width) == (50, 26)  # fastexcel reads the far cell
    with pytest.raises(CalamineError, match="larger than its declared"):
        CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    if in_blocks:
        monkeypatch.setattr(ooxml, "SCAN_EXTENT_BELOW_BYTES", 10)
    with pytest.raises(InputFileError, match="beschädigt"):
        check_zip(path)
