"""The CSV reader's pyarrow path (issue 16): regular files are read by pyarrow, with the same values
and row numbers as pandas' C engine; irregular ones still go to the C engine and its rules."""
from __future__ import annotations

import pandas as pd
import pytest

from xl_gleichplan.io import tabular
from xl_gleichplan.io.columns import Resolver, find_header
from xl_gleichplan.io.hr_import import STAFF_CODES
from xl_gleichplan.io.tabular import read_table

pytest.importorskip("pyarrow")  # a dependency (pyproject.toml); the C engine path is tested everywhere else

# A title block, a header, a quoted value holding the separator and a line break, an empty value,
# umlauts. Expected values written by hand from the text below.
EXPORT = ('Personalbestand Stadtverwaltung\r\n'
          'Stand: 30.06.2025\r\n'
          '\r\n'
          'Geschlecht;Name;Statusgruppe;Besoldungs-/Entgeltgruppe;Fachrichtung\r\n'
          'weiblich;"Müller; Anna";Beamtin;A 13;"Allgemeine\r\nVerwaltung"\r\n'
          'männlich;Schmidt;Tarifbeschäftigte;E 9b;\r\n'
          'divers;"Ö ""Ösi"" Ärger";Beamte;A 9;Technik\r\n')
EXPECTED = {"geschlecht": ["weiblich", "männlich", "divers"],
            "statusgruppe": ["Beamtin", "Tarifbeschäftigte", "Beamte"],
            "besoldungs_entgeltgruppe": ["A 13", "E 9b", "A 9"]}


def read(path):
    return read_table(path, resolver=Resolver({}, STAFF_CODES))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_a_regular_export_is_read_by_pyarrow_with_the_c_engines_values(tmp_path, monkeypatch, encoding):
    path = tmp_path / "personal.csv"
    path.write_bytes(EXPORT.encode(encoding))
    c_engine = pd.read_csv

    def no_c_engine(*args, **kwargs):
        raise AssertionError("pandas' C engine read a regular file")

    monkeypatch.setattr(pd, "read_csv", no_c_engine)
    fast = read(path)
    for code, values in EXPECTED.items():
        assert list(fast.columns[code]) == values, code
        assert all(type(v) is str for v in fast.columns[code])
    assert "name" not in fast.columns  # personal data stay at the door
    assert fast.rows == 3 and fast.first_row == 5 and fast.cell("geschlecht", 2) == "A7"
    assert list(fast.columns["fachrichtung"]) == ["Allgemeine\r\nVerwaltung", "", "Technik"]
    # the same table as the C engine reads it
    monkeypatch.setattr(pd, "read_csv", c_engine)
    monkeypatch.setattr(tabular, "_arrow_frame", lambda *args: None)
    slow = read(path)
    assert slow.rows == fast.rows and slow.first_row == fast.first_row
    assert {k: list(v) for k, v in slow.columns.items()} == {k: list(v) for k, v in fast.columns.items()}
    assert list(slow.blank) == list(fast.blank)


def test_an_empty_line_is_a_blank_row_on_the_pyarrow_path_too(tmp_path):
    path = tmp_path / "personal.csv"
    path.write_text("Geschlecht;Besoldungsgruppe\nweiblich;A 13\n\nmännlich;E 9\n", encoding="utf-8")
    table = read(path)
    assert list(table.columns["geschlecht"]) == ["weiblich", "", "männlich"] and list(table.blank) == [0, 1, 0]


@pytest.mark.parametrize("body, why", [
    ("weiblich;A 13\nmännlich\n", "a short line is filled with empty values"),
    ("weiblich;A 13;\nmännlich;E 9\n", "an empty surplus field shifts nothing"),
])
def test_an_irregular_file_goes_to_the_c_engine(tmp_path, body, why):
    path = tmp_path / "personal.csv"
    path.write_text("Geschlecht;Besoldungsgruppe\n" + body, encoding="utf-8")
    assert tabular._arrow_frame(path.read_bytes().split(b"\n", 1)[1], "utf-8", ";", 2, [0, 1]) is None, why
    table = read(path)
    assert table.rows == body.count("\n"), why
    assert "weiblich" in list(table.columns["geschlecht"])


def test_the_header_search_makes_no_suggestions(monkeypatch):
    """Scoring the rows of the head is done for every value in them; a fuzzy suggestion per value
    made the header search take longer than reading 500,000 rows."""
    def no_suggestion(self, k):
        raise AssertionError(f"suggestion asked for {k!r} while scoring")

    monkeypatch.setattr(Resolver, "suggest", no_suggestion)
    rows = [["Bericht vom 30.06.2025"], ["Geschlecht", "Statusgruppe", "Spalte X"], ["weiblich", "Beamte", "7"]]
    assert find_header(rows, Resolver({}, STAFF_CODES))[:2] == (1, 1)


def test_counted_columns_arrive_as_categories_and_report_columns_as_arrow_text(tmp_path, run_import):
    """A column the importer counts comes as codes + distinct values (no str object per row); one kept
    only for the column report (an ID per row) stays Arrow text, and the report still tells what it is."""
    rows = ["Geschlecht;Besoldungsgruppe;Kennung"] + [f"{'wm'[i % 2]};A {9 + i % 3};K{i:05d}" for i in range(30)]
    path = tmp_path / "personal.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    table = read(path)
    sexes = table.columns["geschlecht"]
    assert isinstance(sexes.dtype, pd.CategoricalDtype) and sorted(sexes.cat.categories) == ["m", "w"]
    assert list(table.columns["besoldungs_entgeltgruppe"])[:4] == ["A 9", "A 10", "A 11", "A 9"]
    ids = table.columns["?kennung"]
    assert isinstance(ids.dtype, pd.StringDtype) and list(ids)[:2] == ["K00000", "K00001"]
    ds = run_import(staff=path)
    assert any("„Kennung“" in f.message and "fast in jeder Zeile einen anderen Wert" in f.message for f in ds.findings)
