"""The one reader of workbook files (``read_workbook``): it closes calamine's book, says "no read
rights" (not "no write rights") for a file it may not read, turns a Rust panic into a German error
naming file and sheet, and reports a Bereich that looks like personal data in every file, however
many files one process reads (the Excel add-in runs for hours)."""
from __future__ import annotations

import errno
from datetime import date
from pathlib import Path

import pytest

from xl_gleichplan.errors import WorkbookError
from xl_gleichplan.io import workbook_reader
from xl_gleichplan.io.template import write_template
from xl_gleichplan.io.workbook_reader import read_workbook
from xl_gleichplan.model import Agency
from xl_gleichplan.profiles import load_profile


class PanicException(BaseException):
    """Stands in for ``pyo3_runtime.PanicException`` (a Rust panic in python-calamine): a BaseException."""


def _bogen(path: Path, total_area: str = "gesamt") -> Path:
    from openpyxl import load_workbook

    write_template(path, load_profile("thueringen"), Agency("Testamt", "landesverwaltung"), date(2025, 6, 30))
    wb = load_workbook(path)
    ws = wb["Bestand"]
    ws["B5"] = total_area  # the Bereich of the row „Beschäftigte insgesamt“
    for row, (w, m) in {5: (10, 10), 6: (6, 4), 8: (4, 6)}.items():
        ws[f"C{row}"], ws[f"D{row}"] = w, m
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    path = _bogen(tmp_path_factory.mktemp("gut") / "bogen.xlsx")
    dataset, _ = read_workbook(path)
    assert dataset.findings == [] and dataset.heads == 20
    return path


def _personal(dataset) -> list:
    return [f for f in dataset.findings if "Datum (Geburtsdatum?)" in f.message and f.sheet == "Bestand"]


def test_a_personal_bereich_is_reported_in_every_file(tmp_path):
    text = "geb. 17.03.1971"  # typed as the Bereich of the total row: „Gesamt“ still gives a key
    first = _bogen(tmp_path / "erste.xlsx", text)
    second = _bogen(tmp_path / "zweite.xlsx", text)
    for path in (first, second, first):
        dataset, _ = read_workbook(path)
        found = _personal(dataset)
        assert len(found) == 1 and found[0].cell == "B5", path
        assert dataset.heads == 20  # the total still counts
    # the text is kept nowhere in the process
    assert not any(text in str(key) for key in workbook_reader._AREAS)


class _Recorder:
    """calamine's book, counting close()."""

    def __init__(self, book, closed: list):
        self._book, self._closed = book, closed

    def __getattr__(self, name):
        return getattr(self._book, name)

    def close(self):
        self._closed.append(True)
        self._book.close()


def test_the_warnings_of_the_analysis_name_file_sheet_and_cell(tmp_path):
    """Review: the warning for a Stichtag other than 30 June and the one for a Zielvorgabe whose sex
    is not underrepresented named no place, unlike every other finding. The Stichtag is the ninth
    metadata field below the header row: Metadaten C10. The Zielvorgabe stands in the first data
    row of Zielvorgaben (row 5), its sex ("für") in the fourth column: D5. gehobener Dienst has
    6 women and 4 men: women 60 %, men 40 % (not below 40 %), so nobody is underrepresented."""
    from openpyxl import load_workbook

    from xl_gleichplan.analysis import analyse

    path = write_template(tmp_path / "bogen.xlsx", load_profile("thueringen"), Agency("Testamt", "landesverwaltung"),
                          date(2024, 12, 31))
    wb = load_workbook(path)
    ws = wb["Bestand"]
    assert (ws["A11"].value, ws["B11"].value) == ("Laufbahngruppe", "gehobener Dienst")
    ws["C5"], ws["D5"], ws["C11"], ws["D11"] = 6, 4, 6, 4
    ws = wb["Zielvorgaben"]
    for cell, value in (("A5", "Z1"), ("B5", "Laufbahngruppe"), ("C5", "gehobener Dienst"), ("D5", "Frauen"),
                        ("E5", 2), ("G5", "nein")):
        ws[cell] = value
    wb.save(path)
    dataset, profile = read_workbook(path)
    warnings = {f.message.split(" ")[0]: f for f in analyse(dataset, profile).findings if f.severity == "warning"}
    stichtag, target = warnings["Der"], warnings["Zielvorgabe"]
    assert "31.12.2024 ist nicht der 30.06." in stichtag.message
    assert (stichtag.file, stichtag.sheet, stichtag.cell) == ("bogen.xlsx", "Metadaten", "C10")
    assert "Zielvorgabe Z1 gilt für Frauen" in target.message
    assert (target.file, target.sheet, target.cell) == ("bogen.xlsx", "Zielvorgaben", "D5")


def test_the_book_is_closed_after_reading(good, tmp_path, monkeypatch):
    closed = []
    real = workbook_reader.open_workbook
    monkeypatch.setattr(workbook_reader, "open_workbook", lambda path, *parts: _Recorder(real(path, *parts), closed))
    read_workbook(good)
    assert closed == [True]
    read_workbook(good, check_formulas=False)
    assert closed == [True, True]


def test_the_book_is_closed_after_a_damaged_sheet(good, monkeypatch):
    closed = []
    real = workbook_reader.open_workbook
    monkeypatch.setattr(workbook_reader, "open_workbook", lambda path, *parts: _Recorder(real(path, *parts), closed))

    def panicking(book, file, profile=None):
        book.get_sheet_by_name("Bestand")
        raise PanicException("index out of bounds: the len is 3 but the index is 999999")

    monkeypatch.setattr(workbook_reader, "read_book", panicking)
    with pytest.raises(WorkbookError) as info:
        read_workbook(good)
    message = str(info.value)
    assert str(good) in message and "Blatt „Bestand“" in message and "beschädigt" in message
    assert closed == [True]


def test_no_read_rights_is_not_called_no_write_rights(good, monkeypatch):
    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(workbook_reader, "open", refused, raising=False)  # the module's open(); root may read all
    with pytest.raises(WorkbookError) as info:
        read_workbook(good)
    message = str(info.value)
    assert "keine Leserechte" in message and "Schreibrechte" not in message and str(good) in message


class _Sheet:
    def __init__(self, rows):
        self.rows = rows

    def to_python(self, **_):
        return self.rows


class _Book:
    """Just a metadata sheet, in calamine's API (``read_metadata`` takes any such book)."""

    def __init__(self, stichtag_row: int):
        from xl_gleichplan.schema import DOCUMENT_TYPE, METADATA_SHEET, TEMPLATE_VERSION

        rows = [["dokumenttyp", "", DOCUMENT_TYPE], ["vorlagenversion", "", TEMPLATE_VERSION]]
        rows += [["", "", ""]] * (stichtag_row - 1 - len(rows)) + [["stichtag", "", "30.06.2025"]]
        self.sheet_names, self._sheet = [METADATA_SHEET], _Sheet(rows)

    def get_sheet_by_name(self, name):
        return self._sheet


def test_metadata_cells_belong_to_the_workbook_they_were_read_from():
    # the cells a finding names come with each workbook's metadata: reading a second workbook (the
    # add-in's next call, another thread) does not move the first one's cells
    first = workbook_reader.read_metadata(_Book(stichtag_row=5), "a.xlsx")
    second = workbook_reader.read_metadata(_Book(stichtag_row=9), "b.xlsx")
    assert (first.cells["stichtag"], second.cells["stichtag"]) == ("C5", "C9")
    assert not hasattr(workbook_reader, "meta_cells")  # no module-level state left to share
