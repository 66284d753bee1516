"""Hostile and broken .xlsx exports (issue 7, part 1): zip bombs, lying zip headers, entity bombs
and external entities in every kind of XML part, truncation, far-away cells, sheets hidden,
renamed or duplicated, wrong types in every cell. Each ends in a German error naming the file or
in a finding; the property tests mutate a valid export byte by byte."""
from __future__ import annotations

import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile_helpers import (assert_case, assert_german_error, attempt, attempt_file, billion_laughs, bomb_package,
                             cfb_bytes, csv_bytes, external_entity, first_sheet_part, flip_bits, lie_about_sizes,
                             overwrite, run_staff, staff_rows, summary, write_xlsx, zip_parts, zip_rewrite)
from xl_gleichplan.cli import main

SETTINGS = dict(deadline=3000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
ROWS = staff_rows(12)


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    path = write_xlsx(tmp_path_factory.mktemp("gut") / "personal.xlsx", ROWS)
    dataset = run_staff(path)
    assert dataset.heads == 12 and not [f for f in dataset.findings if f.topic != "columns"]
    return path


def _with_shared_strings(good: Path, dst: Path) -> Path:
    """The same export with a sharedStrings part (openpyxl writes inline strings): what Excel writes."""
    from openpyxl import load_workbook

    wb = load_workbook(good)
    wb.save(dst)
    parts = zip_parts(dst)
    if "xl/sharedStrings.xml" not in parts:
        sst = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
               b'main" count="1" uniqueCount="1"><si><t>w</t></si></sst>')
        zip_rewrite(dst, dst, add={"xl/sharedStrings.xml": sst})
    return dst


XML_PARTS = ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml", "docProps/core.xml", "docProps/app.xml",
             "[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml"]


@pytest.mark.parametrize("part", XML_PARTS)
@pytest.mark.parametrize("attack", ["billion laughs", "external entity"])
def test_entity_declarations_are_refused_in_every_part(good, tmp_path, part, attack):
    source = _with_shared_strings(good, tmp_path / "sst.xlsx")
    parts = zip_parts(source)
    bad = billion_laughs(parts[part]) if attack == "billion laughs" else external_entity(parts[part])
    path = zip_rewrite(source, tmp_path / "personal.xlsx", replace={part: bad})
    outcome = attempt(run_staff, path, limit=10)
    assert_german_error(outcome, path, "DOCTYPE", part)
    assert outcome.seconds < 5


def test_entity_bomb_hidden_behind_a_long_prolog(good, tmp_path):
    """Comments before the DOCTYPE do not hide it from the check."""
    parts = zip_parts(good)
    bomb = billion_laughs(parts["xl/workbook.xml"])
    at = bomb.index(b"<!DOCTYPE")
    bomb = bomb[:at] + b"<!--" + b" " * 200_000 + b"-->" + bomb[at:]
    path = zip_rewrite(good, tmp_path / "personal.xlsx", replace={"xl/workbook.xml": bomb})
    assert_german_error(attempt(run_staff, path), path, "DOCTYPE")


def test_utf16_entity_bomb(good, tmp_path):
    parts = zip_parts(good)
    bomb = billion_laughs(parts["xl/workbook.xml"]).replace(b'encoding="UTF-8"', b'encoding="UTF-16"')
    path = zip_rewrite(good, tmp_path / "personal.xlsx", replace={"xl/workbook.xml": bomb.decode().encode("utf-16")})
    assert_german_error(attempt(run_staff, path), path, "DOCTYPE")


def test_zip_bomb_above_the_ratio_limit(good, tmp_path):
    """60 MB of sheet XML in 60 KB (1000:1): refused before anything is unpacked."""
    path = bomb_package(good, tmp_path / "personal.xlsx", first_sheet_part(good), 60_000_000)
    assert path.stat().st_size < 200_000
    outcome = attempt(run_staff, path, limit=10)
    assert_german_error(outcome, path, "Zip-Bombe", "250:1")
    assert outcome.seconds < 2


def test_zip_bomb_above_the_size_limit(good, tmp_path, monkeypatch):
    """A real streamed bomb under a lowered size limit (the default 1 GB is tried below by a
    declared size, which costs nothing to build)."""
    monkeypatch.setenv("XL_GLEICHPLAN_MAX_UNPACKED_BYTES", "20000000")
    path = bomb_package(good, tmp_path / "personal.xlsx", first_sheet_part(good), 30_000_000)
    assert_german_error(attempt(run_staff, path), path, "entpackt", "30 MB", "XL_GLEICHPLAN_MAX_UNPACKED_BYTES")


def test_declared_size_above_1_gb(good, tmp_path):
    path = tmp_path / "personal.xlsx"
    path.write_bytes(good.read_bytes())
    lie_about_sizes(path, first_sheet_part(good), 1_500_000_000)
    assert_german_error(attempt(run_staff, path), path, "1,5 GB", "Grenze 1 GB")


def test_bomb_that_lies_about_its_size(good, tmp_path):
    """The directory claims 5 KB, the stream unpacks to 40 MB: the reader stops at the claim."""
    path = bomb_package(good, tmp_path / "personal.xlsx", first_sheet_part(good), 40_000_000)
    lie_about_sizes(path, first_sheet_part(good), 5000)
    outcome = attempt(run_staff, path, limit=10)
    assert_german_error(outcome, path, "beschädigt")
    assert outcome.seconds < 2


def test_many_parts(good, tmp_path, monkeypatch):
    monkeypatch.setenv("XL_GLEICHPLAN_MAX_PARTS", "50")
    path = zip_rewrite(good, tmp_path / "personal.xlsx", add={f"customXml/item{i}.xml": b"<a/>" for i in range(60)})
    assert_german_error(attempt(run_staff, path), path, "Teilen")


def test_far_away_cell(good, tmp_path):
    """Two cells at A1 and XFD1048576: python-calamine would allocate 17 billion cells."""
    part = first_sheet_part(good)
    sheet = zip_parts(good)[part].replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>m</t></is></c></row></sheetData>')
    path = zip_rewrite(good, tmp_path / "personal.xlsx", replace={part: sheet})
    outcome = attempt(run_staff, path, limit=10)
    assert_german_error(outcome, path, "XFD1048576", "Strg+Ende")
    assert outcome.seconds < 2


FAR_COLUMN = b'<row r="20"><c r="XFD20"><v>1</v></c></row>'  # with a far row below: 17 billion cells


@pytest.mark.parametrize("row", [
    b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>",  # single quotes
    b'<row r = "1048576"><c r = "XFD1048576"><v>1</v></c></row>',  # blanks around =
    b'<row\nr="1048576"><c\nr="XFD1048576"><v>1</v></c></row>',  # a line break before r
    b'<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>',  # lower-case column
    b'<row r="20"><c r="AAAAAA20"><v>1</v></c></row>',  # a column of six letters
    b'<row r="99999999"><c><v>1</v></c></row>',  # a far row whose cell has no reference
    b'<row r="20"><c r="XFD000000000000001048576"><v>1</v></c></row>',  # leading zeros
    # rows and cells without any reference: calamine counts them on from the previous one
    b"<row/>" * 1_048_560 + b"<row>" + b"<c/>" * 16_383 + b"<c><v>1</v></c></row>",
    b'<row r="1048576">' + b"<c/>" * 16_383 + b"<c><v>1</v></c></row>",
    b'<x:row r="1048576">' + b"<x:c/>" * 16_383 + b"<x:c><v>1</v></x:c></x:row>",  # with a namespace prefix
    b'<row r="1048576"><c foo=">" r="XFD1048576"><v>1</v></c></row>',  # ">" inside a quoted value
    # what calamine's tolerant parser reads but a regular expression over the tags would miss
    FAR_COLUMN + b'<row r="1048576"><c a/b="1"><v>1</v></c></row>',  # "/" in an attribute name
    FAR_COLUMN + b'<row r="1048576"><1:c><v>1</v></1:c></row>',  # a prefix starting with a digit
    FAR_COLUMN + b'<row r="1048576"><c x=" r=\'B2\'"><v>1</v></c></row>',  # r= inside another value
    FAR_COLUMN + b'<row r="1048576"><c x="1"s="0"><v>1</v></c></row>',  # no blank between attributes
    FAR_COLUMN + b'<row r="1048576"><c x="<A" r="XFD1048576"><v>1</v></c></row>',  # a raw "<" in a value
], ids=["single-quotes", "blanks", "line-break", "lower-case", "six-letters", "row-only", "leading-zeros",
        "no-references", "cells-without-references", "prefixed-elements", "quoted-gt", "slash-in-name",
        "digit-prefix", "r-inside-a-value", "no-blank", "raw-lt"])
def test_far_away_cell_in_every_spelling(good, tmp_path, row):
    """python-calamine accepts these spellings of a cell's position; the extent check must refuse
    them (as too large, or as not well-formed XML where calamine is more tolerant than a parser)."""
    part = first_sheet_part(good)
    sheet = zip_parts(good)[part].replace(b"</sheetData>", row + b"</sheetData>")
    path = zip_rewrite(good, tmp_path / "personal.xlsx", replace={part: sheet})
    message = assert_german_error(attempt(run_staff, path, limit=10), path)
    assert "Strg+Ende" in message or "kein gültiges XML" in message, message


def test_the_standard_templates_take_the_fast_path_of_the_extent_check():
    """No sheet of a real Erhebungsbogen looks like it has far cells (the message of its drop-downs,
    error="Bitte ...", is an attribute ending in "r" too): otherwise every agency workbook of a batch
    is scanned twice."""
    import zipfile

    from xl_gleichplan.io.ooxml import _near_tiers, _positions_explicit

    templates = sorted((Path(__file__).parents[2] / "workbook_templates").glob("*.xlsx"))
    assert templates
    for template in templates:
        with zipfile.ZipFile(template) as zf:
            sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            assert sheets and any(b'error="Bitte' in zf.read(n) for n in sheets)
            for name in sheets:
                assert any(not t.search(zf.read(name)) for t in _near_tiers()), (template.name, name)
                assert _positions_explicit(zf.read(name)), (template.name, name)  # no element-by-element walk


@pytest.mark.parametrize("target", ["sheets/s.xml", "worksheets/sheet1.dat", "worksheets/blatt"])
def test_a_sheet_stored_anywhere_is_checked(good, tmp_path, target):
    """calamine follows the workbook's relationship to the sheet wherever it lies and however it is
    named; the check follows it too."""
    part = first_sheet_part(good)
    parts = zip_parts(good)
    far = parts[part].replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    rels = parts["xl/_rels/workbook.xml.rels"].replace(part.split("xl/", 1)[1].encode(), target.encode())
    assert rels != parts["xl/_rels/workbook.xml.rels"]
    moved = target.lstrip("/") if target.startswith("/") else "xl/" + target
    path = zip_rewrite(good, tmp_path / "personal.xlsx", drop=(part,),
                       replace={"xl/_rels/workbook.xml.rels": rels}, add={moved: far})
    assert_german_error(attempt(run_staff, path, limit=10), path, "Strg+Ende")


def test_two_end_records_that_lead_to_different_sheets_are_refused(good, tmp_path):
    """A hostile package whose zip comment covers an appended harmless package: Python's zipfile
    reads the harmless one, the zip reader inside calamine the hostile one."""
    import struct

    part = first_sheet_part(good)
    far = zip_parts(good)[part].replace(b"</sheetData>",
                                        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    evil = bytearray(zip_rewrite(good, tmp_path / "boese.xlsx", replace={part: far}).read_bytes())
    harmless = bytearray(good.read_bytes())
    struct.pack_into("<H", harmless, harmless.rfind(b"PK\x05\x06") + 20, 0xFFFF)  # a comment beyond the end
    struct.pack_into("<H", evil, evil.rfind(b"PK\x05\x06") + 20, len(harmless))  # comment = the appended package
    path = tmp_path / "personal.xlsx"
    path.write_bytes(bytes(evil) + bytes(harmless))
    assert_german_error(attempt(run_staff, path, limit=10), path, "Inhaltsverzeichnis")


def test_far_away_cell_at_the_end_of_a_large_sheet(good, tmp_path):
    """A sheet part too large to be read whole for the check (an export of 300,000 rows) with one
    stray cell at XFD1048576: the part is scanned in blocks and refused; without the stray cell the
    same part passes the check."""
    from xl_gleichplan.errors import LimitError
    from xl_gleichplan.io.budget import SCAN_EXTENT_BELOW_BYTES
    from xl_gleichplan.io.ooxml import check_zip

    part = first_sheet_part(good)
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>w</t></is></c></row>' % (r, r)
                    for r in range(100, 300_100))
    large = zip_parts(good)[part].replace(b"</sheetData>", rows + b"</sheetData>")
    assert len(large) > SCAN_EXTENT_BELOW_BYTES
    plain = zip_rewrite(good, tmp_path / "gross.xlsx", replace={part: large})
    assert part in check_zip(plain)
    far = large.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    path = zip_rewrite(good, tmp_path / "personal.xlsx", replace={part: far})
    with pytest.raises(LimitError):
        check_zip(path)
    assert_german_error(attempt(run_staff, path, limit=30), path, "XFD1048576", "Strg+Ende")


def test_a_sheet_without_cell_references_is_still_read(good, tmp_path):
    """Some export tools write no r attributes at all: the element-by-element walk lets such a sheet
    through, and calamine places the cells as Excel would."""
    import re

    part = first_sheet_part(good)
    bare = re.sub(rb'(<(?:c|row)) r="[A-Z]*[0-9]+"', rb"\1", zip_parts(good)[part])
    assert b' r="' not in bare.split(b"<sheetData>")[1]
    path = zip_rewrite(good, tmp_path / "personal.xlsx", replace={part: bare})
    assert summary(run_staff(path)) == summary(run_staff(good))


def test_an_empty_formatted_row_far_below_is_no_reason_to_refuse(good, tmp_path):
    """Excel writes a row element for a row whose height was changed, even without cells; calamine
    allocates nothing for it, so the check must not count it."""
    part = first_sheet_part(good)
    sheet = zip_parts(good)[part].replace(b"</sheetData>", b'<row r="1048576" ht="30" customHeight="1"/></sheetData>')
    path = zip_rewrite(good, tmp_path / "personal.xlsx", replace={part: sheet})
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XL_GLEICHPLAN_MAX_SHEET_CELLS", "1000000")  # 1,048,576 rows x 9 columns would exceed it
        assert summary(run_staff(path)) == summary(run_staff(good))


def test_an_endless_element_in_a_large_part_is_refused(good, tmp_path):
    """A large sheet part that is one element without end (no further "<"): refused after 1 MB
    instead of being collected in memory."""
    from xl_gleichplan.io.budget import SCAN_EXTENT_BELOW_BYTES

    part = first_sheet_part(good)
    endless = b'<?xml version="1.0"?><worksheet a="' + b"x" * (SCAN_EXTENT_BELOW_BYTES + 1000)
    path = zip_rewrite(good, tmp_path / "personal.xlsx", replace={part: endless})
    assert_german_error(attempt(run_staff, path, limit=20), path, "beschädigt")


def test_blocks_of_a_large_part_never_split_a_tag(good):
    import zipfile

    from xl_gleichplan.io.ooxml import _blocks

    part = first_sheet_part(good)
    with zipfile.ZipFile(good) as zf:
        whole = zf.read(part)
        blocks = list(_blocks(good, zf, zf.getinfo(part), size=7))
    assert b"".join(blocks) == whole and len(blocks) > 10
    assert all(b.startswith(b"<") and b.count(b"<") == b.count(b">") for b in blocks[1:-1])


def test_too_many_rows_for_the_budget(good, tmp_path, monkeypatch):
    monkeypatch.setenv("XL_GLEICHPLAN_MAX_ROWS", "5")
    assert_german_error(attempt(run_staff, good), good, "Zeilen", "Export")


def test_time_budget(good, monkeypatch):
    monkeypatch.setenv("XL_GLEICHPLAN_TIME_BUDGET_SECONDS", "0.0001")
    assert_german_error(attempt(run_staff, good), good, "Sekunden")


def test_file_size_budget(good, monkeypatch):
    monkeypatch.setenv("XL_GLEICHPLAN_MAX_WORKBOOK_FILE_BYTES", "1000")
    assert_german_error(attempt(run_staff, good), good, "groß")


# name -> (build(good, tmp_path) -> path, "error" / "finding" / "same", words)
def _bytes(data: bytes, name: str = "personal.xlsx"):
    def build(good, tmp):
        path = tmp / name
        path.write_bytes(data)
        return path
    return build


def _edit(func):
    def build(good, tmp):
        path = tmp / "personal.xlsx"
        path.write_bytes(good.read_bytes())
        func(path)
        return path
    return build


def _truncate(n):
    return _edit(lambda p: p.write_bytes(p.read_bytes()[:n] if n > 0 else p.read_bytes()[:n or None]))


CASES = {
    "empty file": (_bytes(b""), "error", ["leer"]),
    "binary garbage": (_bytes(bytes(range(1, 256)) * 50), "error", ["keine Excel-Arbeitsmappe"]),
    "a CSV named .xlsx": (_bytes(csv_bytes(ROWS)), "error", ["keine Excel-Arbeitsmappe"]),
    "password-protected (CFB container)": (_bytes(cfb_bytes()), "error", ["kennwortgeschützt"]),
    "only the zip signature": (_bytes(b"PK\x03\x04"), "error", ["beschädigt"]),
    "truncated to 100 bytes": (_truncate(100), "error", ["beschädigt"]),
    "truncated to half": (_edit(lambda p: p.write_bytes(p.read_bytes()[:len(p.read_bytes()) // 2])), "error",
                          ["beschädigt"]),
    "last byte missing": (_truncate(-1), "error", ["beschädigt"]),
    "zip without workbook part": (_edit(lambda p: zip_rewrite(p, p, drop=("xl/workbook.xml",))), "error",
                                  ["kein Tabellenblatt"]),
    "sheet part missing": (_edit(lambda p: zip_rewrite(p, p, drop=("xl/worksheets/sheet1.xml",))), "error",
                           ["keine lesbare Excel-Arbeitsmappe"]),
    "sheet XML cut in the middle": (_edit(lambda p: zip_rewrite(p, p, replace={
        "xl/worksheets/sheet1.xml": zip_parts(p)["xl/worksheets/sheet1.xml"][:900]})), "error",
        ["keine lesbare Excel-Arbeitsmappe"]),
    "garbage in the sheet XML": (_edit(lambda p: zip_rewrite(p, p, replace={
        "xl/worksheets/sheet1.xml": overwrite(zip_parts(p)["xl/worksheets/sheet1.xml"], 700, b"<<>>&&\x00\x01")})),
        # the garbage cuts the "<" of a cell: its r attribute no longer belongs to a cell the block scan
        # sees, so the XML parser reads the part and refuses it before calamine does
        "error", ["beschädigt", "kein gültiges XML"]),
    "export on a hidden sheet behind a visible empty sheet": (
        lambda good, tmp: write_xlsx(tmp / "personal.xlsx", ROWS, extra={"Leer": []}, first="Leer", hidden=("Export",)),
        "error", ["leer"]),
    "hidden helper sheet first": (
        lambda good, tmp: write_xlsx(tmp / "personal.xlsx", ROWS, extra={"Hilfe": [["geschlecht"], ["x"]]},
                                     first="Hilfe", hidden=("Hilfe",)), "same", []),
    "export sheet renamed": (lambda good, tmp: write_xlsx(tmp / "personal.xlsx", ROWS, sheet="Tabelle1 (2)"), "same", []),
    "export sheet duplicated": (lambda good, tmp: write_xlsx(tmp / "personal.xlsx", ROWS, extra={"Export (2)": ROWS}),
                                "same", []),
    "other sheet first": (lambda good, tmp: write_xlsx(tmp / "personal.xlsx", ROWS, extra={"Notizen": [["Stand", "heute"]]},
                                                       first="Notizen"), "same", []),  # issue 11: the sheet with the header is found
    "wrong types in every cell": (lambda good, tmp: write_xlsx(tmp / "personal.xlsx", [ROWS[0]] + [
        [1.5, True, datetime(2020, 1, 1), -3, 1e300, "=1+1", None, 45000, "x" * 2000]] * 3), "error",
        ["Geschlecht", "3 von 3 Zeilen"]),  # issue 11: no plan from nothing
    "formulas where values belong": (lambda good, tmp: write_xlsx(tmp / "personal.xlsx", [ROWS[0]] + [
        ["=A1", "=B1", '=IF(1,"w","m")', "=1/0", "=SUM(A1:A9)", "=NOW()", "=A2", "=B2", "=C2"]] * 2), "finding",
        ["keine Datenzeilen"]),  # formulas without a value saved by a spreadsheet program read as empty cells
    "dates as serial numbers and as text": (lambda good, tmp: write_xlsx(tmp / "personal.xlsx", [
        ["geschlecht", "geburtsdatum"], ["w", 25569], ["m", "25569"], ["w", datetime(1960, 1, 1)], ["m", "01.01.1960"],
        ["w", "1.1.60 "], ["m", -1], ["w", 1e12], ["m", "31.02.1960"]]), "finding", ["Zelle B7", "Zelle B8"]),
    "a Bereich longer than an Excel cell": (_edit(lambda p: zip_rewrite(p, p, replace={
        "xl/worksheets/sheet1.xml": zip_parts(p)["xl/worksheets/sheet1.xml"].replace(
            b"<t>Beamte</t>", b"<t>" + b"B" * 40_000 + b"</t>", 1)})), "error", ["32.767"]),
    "inf and nan as cell values": (_edit(lambda p: zip_rewrite(p, p, replace={
        "xl/worksheets/sheet1.xml": zip_parts(p)["xl/worksheets/sheet1.xml"].replace(
            b'<c r="C2" t="inlineStr"><is><t>', b'<c r="C2"><v>1e999</v></c><c r="Z2" t="inlineStr"><is><t>', 1)})),
        "finding", ["Zelle C2"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_xlsx_case(name, good, tmp_path):
    build, expected, words = CASES[name]
    path = build(good, tmp_path)
    outcome = attempt(run_staff, path, limit=10)
    assert_case(outcome, path, expected, words)
    if expected == "same":
        assert summary(outcome.result) == summary(run_staff(good))


@pytest.mark.parametrize("name", ["password-protected (CFB container)", "truncated to half", "a CSV named .xlsx"])
def test_cli_answers_in_german(name, good, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XL_GLEICHPLAN_LOG_DIR", str(tmp_path / "log"))
    path = CASES[name][0](good, tmp_path)
    code = main(["compute", "--staff", str(path), "--stichtag", "2025-06-30"])
    out, err = capsys.readouterr()
    assert code == 1 and err.startswith("Fehler: ") and path.name in err
    assert "Traceback" not in out + err and "Unerwarteter Fehler" not in err
    assert not (tmp_path / "log").exists()


# ----------------------------------------------------------------------------- properties

@pytest.fixture(scope="module")
def good_bytes(good) -> bytes:
    return good.read_bytes()


@pytest.fixture(scope="module")
def good_summary(good):
    return summary(run_staff(good))


def _classify(write, good_summary) -> None:
    outcome = attempt_file("personal.xlsx", write, run_staff, limit=10)
    if outcome.error is None and summary(outcome.result) != good_summary:
        # the mutation changed what was read: it must show as a finding (or the data still read
        # cleanly into plausible counts, e.g. a flipped letter inside a value that stays valid)
        assert outcome.result.findings or outcome.result.heads <= 12


@settings(max_examples=40, **SETTINGS)
@given(data=st.data())
def test_bit_flips_and_truncation(good_bytes, good_summary, data):
    flips = data.draw(st.lists(st.integers(0, len(good_bytes) * 8 - 1), min_size=1, max_size=8))
    cut = data.draw(st.one_of(st.none(), st.integers(4, len(good_bytes))))
    mutated = flip_bits(good_bytes, flips)
    _classify(lambda p: p.write_bytes(mutated if cut is None else mutated[:cut]), good_summary)


@settings(max_examples=40, **SETTINGS)
@given(data=st.data())
def test_sheet_xml_mutations(good, good_summary, data):
    """Mutations inside the (uncompressed) sheet XML, where zip CRCs cannot catch them."""
    parts = zip_parts(good)
    xml = parts["xl/worksheets/sheet1.xml"]
    at = data.draw(st.integers(0, len(xml) - 1))
    junk = data.draw(st.sampled_from([b"<", b">", b"&", b"\x00", b"\xff\xfe", b'"', b"</row>", b"<c r=\"ZZZ1\">",
                                      b"<v>1e999</v>", b"<!DOCTYPE x>", b"]]>", b"&#0;", b"t=\"e\""]))
    mutated = overwrite(xml, at, junk) if data.draw(st.booleans()) else xml[:at] + junk + xml[at:]
    _classify(lambda p: zip_rewrite(good, p, replace={"xl/worksheets/sheet1.xml": mutated}), good_summary)


@settings(max_examples=40, **SETTINGS)
@given(cells=st.lists(st.lists(st.one_of(
    st.none(), st.booleans(), st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 1, 1)),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=50),
    st.sampled_from(["w", "m", "weiblich", "Beamte", "A 13", "=1+1", "=HYPERLINK(\"x\")", "9" * 5000])),
    min_size=9, max_size=9), min_size=1, max_size=6))
def test_random_cell_types(cells):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "personal.xlsx"
        try:
            write_xlsx(path, [ROWS[0]] + cells)
        except ValueError:
            return  # openpyxl refuses to write this value: nothing to read
        outcome = attempt(run_staff, path, limit=10)
    if outcome.error is not None:
        assert_german_error(outcome, path)
    else:
        assert 0 <= outcome.result.heads <= len(cells)
        if outcome.result.heads < sum(1 for r in cells if any(v not in (None, "") for v in r)):
            assert outcome.result.findings


def test_password_protected_file_from_a_real_zip_with_encrypted_entry(good, tmp_path):
    """A zip whose entries carry the 'encrypted' flag (zip-level password): refused in German."""
    data = bytearray(good.read_bytes())
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        if pos < 0:
            break
        data[pos + 8] |= 1  # general purpose flag bit 0: encrypted
        pos += 4
    pos = 0
    while True:
        pos = data.find(b"PK\x03\x04", pos)
        if pos < 0:
            break
        data[pos + 6] |= 1
        pos += 4
    path = tmp_path / "personal.xlsx"
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf:  # the premise: Python sees encrypted entries
        assert all(i.flag_bits & 1 for i in zf.infolist())
    assert_german_error(attempt(run_staff, path), path)
