"""Hostile and broken .xlsb exports (issue 7, part 1). The files are written by the small BIFF12
writer in hostile_helpers (python-calamine and pyxlsb both read them), then broken on purpose: a
string index beyond the string table or a cut record makes python-calamine panic in Rust, which
arrives in Python as a BaseException; it must still end in a German error."""
from __future__ import annotations

import struct
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile_helpers import (assert_case, assert_german_error, attempt, attempt_file, billion_laughs, cfb_bytes,
                             csv_bytes, flip_bits, run_staff, staff_rows, summary, write_xlsb, zip_parts, zip_rewrite)

SETTINGS = dict(deadline=3000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
ROWS = staff_rows(12)
SHEET = "xl/worksheets/sheet1.bin"


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    path = write_xlsb(tmp_path_factory.mktemp("gut") / "personal.xlsb", ROWS)
    dataset = run_staff(path)
    assert dataset.heads == 12 and not [f for f in dataset.findings if f.topic != "columns"]
    return path


def _first_isst(sheet: bytes) -> int:
    return sheet.index(b"\x07\x0c")  # BrtCellIsst: id 0x07, 12 bytes


def _sheet_edit(func):
    def build(good, tmp):
        return zip_rewrite(good, tmp / "personal.xlsb", replace={SHEET: func(zip_parts(good)[SHEET])})
    return build


def _bytes(data: bytes):
    def build(good, tmp):
        path = tmp / "personal.xlsb"
        path.write_bytes(data)
        return path
    return build


def _string_index_beyond_table(sheet: bytes) -> bytes:
    i = _first_isst(sheet)
    return sheet[:i + 10] + struct.pack("<I", 999_999) + sheet[i + 14:]


def _cut_record(sheet: bytes) -> bytes:
    i = _first_isst(sheet)
    return sheet[:i] + b"\x07\x02ab" + sheet[i + 14:]


CASES = {
    "empty file": (_bytes(b""), "error", ["leer"]),
    "binary garbage": (_bytes(bytes(range(1, 256)) * 50), "error", ["keine Excel-Arbeitsmappe"]),
    "a CSV named .xlsb": (_bytes(csv_bytes(ROWS)), "error", ["keine Excel-Arbeitsmappe"]),
    "password-protected (CFB container)": (_bytes(cfb_bytes()), "error", ["kennwortgeschützt"]),
    "zip signature and garbage": (_bytes(b"PK\x03\x04" + bytes(range(1, 256)) * 20), "error", ["beschädigt"]),
    "truncated to half": (lambda good, tmp: _bytes(good.read_bytes()[:len(good.read_bytes()) // 2])(good, tmp),
                          "error", ["beschädigt"]),
    "string index beyond the string table (Rust panic)": (_sheet_edit(_string_index_beyond_table), "error",
                                                          [".xlsb-Arbeitsmappe"]),
    "record cut short (Rust panic)": (_sheet_edit(_cut_record), "error", [".xlsb-Arbeitsmappe"]),
    "record length of 256 MB": (_sheet_edit(lambda s: s[:_first_isst(s)] + b"\x07\xff\xff\xff\x7f"), "error",
                                ["beschädigt"]),
    "far-away cell (row 1,000,000, column XFD)": (_sheet_edit(lambda s: s[:-6] + b"\x00\x11" + struct.pack(
        "<IIHBBBI", 999_999, 0, 0x0120, 0, 0, 0, 0) + b"\x05\x10" + struct.pack("<IId", 16_383, 0, 1.0) + s[-6:]),
        "error", ["XFD1000000"]),
    "sheet ends without its end records": (_sheet_edit(lambda s: s[:-4]), "error", ["xlsb"]),
    "string table missing": (lambda good, tmp: zip_rewrite(good, tmp / "personal.xlsb", drop=("xl/sharedStrings.bin",)),
                             "error", ["geschlecht"]),
    "string table replaced by an XML entity bomb": (lambda good, tmp: zip_rewrite(
        good, tmp / "personal.xlsb", replace={"xl/sharedStrings.bin": billion_laughs(b"<sst><si><t>a</t></si></sst>")}),
        "error", ["beschädigt"]),
    "workbook part truncated": (lambda good, tmp: zip_rewrite(
        good, tmp / "personal.xlsb", replace={"xl/workbook.bin": zip_parts(good)["xl/workbook.bin"][:20]}),
        "error", ["beschädigt"]),
    "rels with an entity bomb": (lambda good, tmp: zip_rewrite(
        good, tmp / "personal.xlsb",
        replace={"xl/_rels/workbook.bin.rels": billion_laughs(zip_parts(good)["xl/_rels/workbook.bin.rels"])}),
        "error", ["DOCTYPE"]),
    "hidden helper sheet first": (lambda good, tmp: write_xlsb(tmp / "personal.xlsb", ROWS, extra={"Hilfe": [["x"]]},
                                                               first="Hilfe", hidden=("Hilfe",)), "same", []),
    "export renamed and duplicated": (lambda good, tmp: write_xlsb(tmp / "personal.xlsb", ROWS, sheet="Tabelle1 (2)",
                                                                   extra={"Tabelle1": ROWS}), "same", []),
    "another sheet first": (lambda good, tmp: write_xlsb(tmp / "personal.xlsb", ROWS, extra={"Info": [["Stand"]]},
                                                         first="Info"), "same", []),  # issue 11: the sheet with the header is found
    "wrong types in every cell": (lambda good, tmp: write_xlsb(tmp / "personal.xlsb", [ROWS[0]] + [
        [1.5, True, date(2020, 1, 1), -3, 1e300, "=1+1", None, 45000, "x" * 2000]] * 3), "error",
        ["Geschlecht", "3 von 3 Zeilen"]),  # issue 11: no plan from nothing
    "dates as serial numbers and as text": (lambda good, tmp: write_xlsb(tmp / "personal.xlsb", [
        ["geschlecht", "geburtsdatum"], ["w", 25569], ["m", "25569"], ["w", date(1960, 1, 1)], ["m", "01.01.1960"],
        ["w", -1], ["m", 1e12], ["w", "31.02.1960"]]), "finding", ["B6", "B7", "B8"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_xlsb_case(name, good, tmp_path):
    build, expected, words = CASES[name]
    path = build(good, tmp_path)
    outcome = attempt(run_staff, path, limit=10)
    assert_case(outcome, path, expected, words)
    if expected == "same":
        assert summary(outcome.result) == summary(run_staff(good))


def test_far_away_cell_in_a_large_sheet(tmp_path):
    """An export of 60,000 rows (a sheet part of several MB, beyond the 4 MB the check once stopped
    at) with one stray cell at XFD1000000: refused before python-calamine allocates the rectangle."""
    from xl_gleichplan.io.ooxml import check_zip

    path = write_xlsb(tmp_path / "personal.xlsb", [ROWS[0]] + [ROWS[1]] * 60_000)
    assert len(zip_parts(path)[SHEET]) > 4_000_000
    assert SHEET in check_zip(path)  # without the stray cell: passes
    zip_rewrite(path, path, replace={SHEET: _far(zip_parts(path)[SHEET])})
    assert_german_error(attempt(run_staff, path, limit=30), path, "XFD1000000")


def _far(sheet: bytes) -> bytes:
    """A stray cell at XFD1000000 before the end of the sheet data."""
    return sheet[:-6] + b"\x00\x11" + struct.pack("<IIHBBBI", 999_999, 0, 0x0120, 0, 0, 0, 0) + b"\x05\x10" + \
        struct.pack("<IId", 16_383, 0, 1.0) + sheet[-6:]


@pytest.mark.parametrize("target", ["worksheets/sheet1.dat", "daten/blatt.bin"])
def test_a_sheet_stored_anywhere_is_checked(good, tmp_path, target):
    """calamine follows the workbook's relationship to the sheet, whatever its name and folder."""
    parts = zip_parts(good)
    rels = parts["xl/_rels/workbook.bin.rels"].replace(b"worksheets/sheet1.bin", target.encode())
    path = zip_rewrite(good, tmp_path / "personal.xlsb", drop=(SHEET,), replace={"xl/_rels/workbook.bin.rels": rels},
                       add={"xl/" + target: _far(parts[SHEET])})
    assert_german_error(attempt(run_staff, path, limit=10), path, "XFD1000000")


def test_a_sheet_too_large_to_check_is_refused(good, monkeypatch):
    from xl_gleichplan.io import ooxml

    monkeypatch.setattr(ooxml, "SCAN_BINARY_EXTENT_BELOW_BYTES", 100)
    assert_german_error(attempt(run_staff, good, limit=10), good, "wird nicht gelesen")


def test_time_budget(good, monkeypatch):
    monkeypatch.setenv("XL_GLEICHPLAN_TIME_BUDGET_SECONDS", "0.0001")
    assert_german_error(attempt(run_staff, good), good, "Sekunden")


def test_row_budget(good, monkeypatch):
    monkeypatch.setenv("XL_GLEICHPLAN_MAX_ROWS", "3")
    assert_german_error(attempt(run_staff, good), good, "Zeilen")


@settings(max_examples=40, **SETTINGS)
@given(data=st.data())
def test_mutations_of_the_sheet_records(good, data):
    """Bit flips and cuts inside the (uncompressed) sheet records, where the zip CRC is recomputed."""
    sheet = zip_parts(good)[SHEET]
    mutated = flip_bits(sheet, data.draw(st.lists(st.integers(0, len(sheet) * 8 - 1), min_size=1, max_size=6)))
    cut = data.draw(st.one_of(st.none(), st.integers(0, len(sheet))))
    mutated = mutated if cut is None else mutated[:cut]
    outcome = attempt_file("personal.xlsb", lambda p: zip_rewrite(good, p, replace={SHEET: mutated}), run_staff,
                           limit=10)
    if outcome.error is None:
        assert 0 <= outcome.result.heads <= 12


@settings(max_examples=30, **SETTINGS)
@given(data=st.data())
def test_mutations_of_the_file(good, data):
    raw = good.read_bytes()
    mutated = flip_bits(raw, data.draw(st.lists(st.integers(0, len(raw) * 8 - 1), min_size=1, max_size=6)))
    outcome = attempt_file("personal.xlsb", lambda p: p.write_bytes(mutated), run_staff, limit=10)
    if outcome.error is None:
        assert 0 <= outcome.result.heads <= 12
