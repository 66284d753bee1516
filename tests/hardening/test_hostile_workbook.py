"""Hostile and broken Erhebungsbögen for the workbook reader (issue 7, part 1): entity bombs in the
parts the formula check parses with lxml, junk in the metadata, zip bombs, far-away cells, sheets
renamed or swapped, formulas and dates where counts belong, random cell types and byte mutations.
Each case ends in a German error naming the file or in a finding naming sheet and cell."""
from __future__ import annotations

import shutil
import tempfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile_helpers import (assert_case, assert_german_error, attempt, attempt_file, billion_laughs, bomb_package,
                             cfb_bytes, csv_bytes, external_entity, flip_bits, zip_parts, zip_rewrite)
from xl_gleichplan.cli import main
from xl_gleichplan.io.template import write_template
from xl_gleichplan.io.workbook_reader import read_workbook
from xl_gleichplan.model import Agency
from xl_gleichplan.profiles import load_profile
from xl_gleichplan.schema import METADATA_SHEET

SETTINGS = dict(deadline=3000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """A filled, consistent Erhebungsbogen without findings."""
    from openpyxl import load_workbook

    path = write_template(tmp_path_factory.mktemp("gut") / "bogen.xlsx", load_profile("thueringen"),
                          Agency("Testamt", "landesverwaltung"), date(2025, 6, 30))
    wb = load_workbook(path)
    ws = wb["Bestand"]
    for row, (w, m) in {5: (10, 10), 6: (6, 4), 8: (4, 6)}.items():
        ws[f"C{row}"], ws[f"D{row}"] = w, m
    wb.save(path)
    dataset, _ = read_workbook(path)
    assert dataset.findings == [] and dataset.heads == 20
    return path


def _part_of(path: Path, sheet: str) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    index = wb.sheetnames.index(sheet) + 1
    wb.close()
    return f"xl/worksheets/sheet{index}.xml"


def _edited(func):
    def build(good, tmp):
        from openpyxl import load_workbook

        path = tmp / "bogen.xlsx"
        shutil.copy(good, path)
        wb = load_workbook(path)
        func(wb)
        wb.save(path)
        return path
    return build


def _meta(key, value):
    def edit(wb):
        ws = wb[METADATA_SHEET]
        for r in range(1, ws.max_row + 1):
            if ws.cell(r, 1).value == key:
                ws.cell(r, 3).value = value
    return edit


def _bytes(data: bytes):
    def build(good, tmp):
        path = tmp / "bogen.xlsx"
        path.write_bytes(data)
        return path
    return build


def _part(part, func):
    def build(good, tmp):
        return zip_rewrite(good, tmp / "bogen.xlsx", replace={part: func(zip_parts(good)[part])})
    return build


def _swap(wb):
    wb["Bestand"].title = "tmp"
    wb["Gremien"].title = "Bestand"
    wb["tmp"].title = "Gremien"


def _set(sheet, **cells):
    def edit(wb):
        for ref, value in cells.items():
            wb[sheet][ref] = value
    return edit


CASES = {
    # before: lxml raised XMLSyntaxError (amplification limit) in the formula check, a traceback
    "entity bomb in workbook.xml": (_part("xl/workbook.xml", billion_laughs), "error", ["DOCTYPE"]),
    "external entity in workbook.xml": (_part("xl/workbook.xml", external_entity), "error", ["DOCTYPE"]),
    "entity bomb in the workbook rels": (_part("xl/_rels/workbook.xml.rels", billion_laughs), "error", ["DOCTYPE"]),
    "entity bomb in an input sheet": (lambda good, tmp: _part(_part_of(good, "Bestand"), billion_laughs)(good, tmp),
                                      "error", ["DOCTYPE"]),
    "entity bomb in docProps": (_part("docProps/core.xml", billion_laughs), "error", ["DOCTYPE"]),
    # before: int() of a 5,000-digit text raised ValueError, a traceback
    "5,000-digit template version": (_edited(_meta("vorlagenversion", "9" * 5000)), "error", ["Vorlagenversion"]),
    "Stichtag as junk": (_edited(_meta("stichtag", "1e999")), "finding", ["Stichtag"]),
    "Stichtag as a serial number": (_edited(_meta("stichtag", 45838)), "same", []),
    "Stichtag as text": (_edited(_meta("stichtag", "30.06.2025")), "same", []),
    "empty file": (_bytes(b""), "error", []),
    "binary garbage": (_bytes(bytes(range(1, 256)) * 40), "error", ["keine Excel-Arbeitsmappe"]),
    "a CSV named .xlsx": (_bytes(csv_bytes([["a", "b"], ["1", "2"]])), "error", ["CSV"]),
    "password-protected (CFB container)": (_bytes(cfb_bytes()), "error", ["kennwortgeschützt"]),
    "truncated to half": (lambda good, tmp: _bytes(good.read_bytes()[:len(good.read_bytes()) // 2])(good, tmp),
                          "error", ["beschädigt"]),
    "zip bomb in an input sheet": (lambda good, tmp: bomb_package(good, tmp / "bogen.xlsx", _part_of(good, "Gremien"),
                                                                  60_000_000), "error", ["Zip-Bombe"]),
    "far-away cell in an input sheet": (_edited(_set("Gremien", XFD1048576=1)), "error", ["XFD1048576"]),
    "input sheet renamed": (_edited(lambda wb: setattr(wb["Bestand"], "title", "Bestand alt")), "finding",
                            ["Bestand"]),
    "two input sheets swapped by name": (_edited(_swap), "finding", ["Spaltenüberschrift"]),
    "metadata sheet renamed": (_edited(lambda wb: setattr(wb[METADATA_SHEET], "title", "Meta")), "error",
                               [METADATA_SHEET]),
    "text, date and negative in count cells": (_edited(_set("Bestand", C6="zehn", D6=datetime(2020, 1, 1), C8=-4)),
                                               "finding", ["Zählfeld"]),
    "fraction and huge number in count cells": (_edited(_set("Bestand", C6=2.5, D6=1e300, C8="9" * 5000)),
                                                "finding", ["ganze Zahl"]),
    "formulas without a saved value in the total": (_edited(_set("Bestand", C5="=SUM(C6:C8)", D5="=1/0")), "finding",
                                                    ["insgesamt"]),
    # before: calamine's XmlError for a broken input sheet came through as a traceback
    "input sheet XML broken": (lambda good, tmp: _part(_part_of(good, "Bestand"), lambda x: x[:-30])(good, tmp),
                               "error", ["Bestand", "beschädigt"]),
    "a very long measure text with a number": (_edited(_set("Maßnahmen", C5="1" * 40_000 + "x")), "finding",
                                               ["Personalnummer"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_workbook_case(name, good, tmp_path):
    build, expected, words = CASES[name]
    path = build(good, tmp_path)
    outcome = attempt(read_workbook, path, limit=15)
    assert_case(outcome, path, expected, words)
    if expected == "same":
        dataset = outcome.result[0]
        assert dataset.findings == [] and dataset.heads == 20


@pytest.mark.parametrize("name", ["entity bomb in workbook.xml", "5,000-digit template version"])
def test_cli_answers_in_german(name, good, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XL_GLEICHPLAN_LOG_DIR", str(tmp_path / "log"))
    path = CASES[name][0](good, tmp_path)
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert code == 1 and err.startswith("Fehler: ") and path.name in err
    assert "Traceback" not in out + err and "Unerwarteter Fehler" not in err
    assert not (tmp_path / "log").exists()


# ----------------------------------------------------------------------------- properties

COUNT_CELL = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 1, 1)),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
    st.sampled_from(["12", " 7 ", "1.000", "3,5", "=1+1", "#NV", "9" * 5000, "12.03.1970", "P12345"]))


@settings(max_examples=12, **SETTINGS)  # openpyxl load and save: about 0.7 s per example
@given(cells=st.dictionaries(st.sampled_from([f"{c}{r}" for c in "ABCDEFKLMN" for r in (5, 6, 8, 30)]), COUNT_CELL,
                             min_size=1, max_size=8))
def test_random_values_in_the_stock_sheet(good, cells):
    from openpyxl import load_workbook

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bogen.xlsx"
        shutil.copy(good, path)
        wb = load_workbook(path)
        for ref, value in cells.items():
            wb["Bestand"][ref] = value
        try:
            wb.save(path)
        except ValueError:
            return  # openpyxl refuses to write this value
        outcome = attempt(read_workbook, path, limit=15)
    if outcome.error is not None:
        assert_german_error(outcome, path)
    else:
        dataset = outcome.result[0]
        assert all(f.message and f.severity in ("error", "warning", "info") for f in dataset.findings)


@settings(max_examples=30, **SETTINGS)
@given(data=st.data())
def test_mutations_of_an_input_sheet(good, data):
    part = _part_of(good, "Bestand")
    xml = zip_parts(good)[part]
    mutated = flip_bits(xml, data.draw(st.lists(st.integers(0, len(xml) * 8 - 1), min_size=1, max_size=6)))
    cut = data.draw(st.one_of(st.none(), st.integers(0, len(xml))))
    outcome = attempt_file("bogen.xlsx", lambda p: zip_rewrite(good, p, replace={part: mutated if cut is None else
                                                                                 mutated[:cut]}), read_workbook, 15)
    _assert_plausible(outcome)


@settings(max_examples=30, **SETTINGS)
@given(data=st.data())
def test_mutations_of_the_file(good, data):
    raw = good.read_bytes()
    mutated = flip_bits(raw, data.draw(st.lists(st.integers(0, len(raw) * 8 - 1), min_size=1, max_size=6)))
    _assert_plausible(attempt_file("bogen.xlsx", lambda p: p.write_bytes(mutated), read_workbook, 15))


def _assert_plausible(outcome) -> None:
    """A mutated workbook that was still read: every finding says something, counts stay counts."""
    if outcome.error is None:
        dataset = outcome.result[0]
        assert all(f.message and f.severity in ("error", "warning", "info") for f in dataset.findings)
        assert dataset.heads >= 0
