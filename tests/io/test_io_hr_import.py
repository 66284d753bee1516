"""Import of HR exports into counts (io/hr_import.py, io/tabular.py), hand-counted.

The example agency ``tests/fixtures/amt10`` (10 persons), counted by hand:

  #  sex (as written)  pay group  Laufbahn          leadership          born
  1  weiblich   w      A13        höherer Dienst    Referatsleitung     1970
  2  männlich   m      A 13       hD                Referatsleitung     1980
  3  W          w      E9b        gehobener Dienst                      1990
  4  M          m      EG 9b      gD                                    1985
  5  Weiblich   w      E 9b       gehobener         Sachgebietsleitung  1975
  6  MÄNNLICH   m      A13        höherer Dienst                        06.06.1960
  7  divers     d      EG9b       gehobener                             1965
  8  ohne Angabe x     A 13       hoeherer                              08.08.1958
  9  w          w      A 9        mittlerer Dienst                      1995
 10  m          m      A9         md                                    1999

  gesamt:     w 1,3,5,9 = 4   m 2,4,6,10 = 4   d 7 = 1   x 8 = 1   heads 10
  A 13:       1 w; 2, 6 m; 8 x        -> w 1, m 2, d 0, x 1
  E 9b:       3, 5 w; 4 m; 7 d        -> w 2, m 1, d 1, x 0
  A 9:        9 w; 10 m               -> w 1, m 1
  hoeherer:   as A 13; gehobener: as E 9b; mittlerer: as A 9
  Referatsleitung: 1 w, 2 m; Sachgebietsleitung: 5 w
  Retirement by the plan end: Stichtag 30.06.2025 + 6 years = 30.06.2031, minus 67 years:
  born on or before 30.06.1964 -> persons 6 (m) and 8 (x).
"""
from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from io_helpers import write_csv, write_xlsx
from xl_gleichplan.io.hr_import import Mapping
from xl_gleichplan.io.tabular import read_table
from xl_gleichplan.model import Counts

AMT10 = Path(__file__).resolve().parents[1] / "fixtures" / "amt10"

EXPECTED_STOCK = {
    ("gesamt", "gesamt"): Counts(4, 4, 1, 1),
    ("besoldungs_entgeltgruppe", "A 9"): Counts(1, 1, 0, 0),
    ("besoldungs_entgeltgruppe", "A 13"): Counts(1, 2, 0, 1),
    ("besoldungs_entgeltgruppe", "E 9b"): Counts(2, 1, 1, 0),
    ("laufbahngruppe", "mittlerer"): Counts(1, 1, 0, 0),
    ("laufbahngruppe", "gehobener"): Counts(2, 1, 1, 0),
    ("laufbahngruppe", "hoeherer"): Counts(1, 2, 0, 1),
    ("fuehrungsebene", "referatsleitung"): Counts(1, 1, 0, 0),
    ("fuehrungsebene", "sachgebietsleitung"): Counts(1, 0, 0, 0),
}


def staff_rows() -> list[list[str]]:
    text = (AMT10 / "personal.csv").read_text("utf-8")
    return [line.split(";") for line in text.splitlines()]


def test_hand_counted_stock(run_import):
    ds = run_import(staff=AMT10 / "personal.csv")
    assert ds.heads == 10
    assert ds.stock == EXPECTED_STOCK
    # no finding: every value is understood (empty Führungsebene means "no leadership function")
    assert [f for f in ds.findings if f.severity != "info" and f.topic != "columns"] == []


def test_retirement_forecast(run_import):
    ds = run_import(staff=AMT10 / "personal.csv")
    assert ds.forecast[("gesamt", "gesamt")] == Counts(0, 1, 0, 1)
    assert ds.forecast[("besoldungs_entgeltgruppe", "A 13")] == Counts(0, 1, 0, 1)


def test_retirement_cutoff_day(run_import, tmp_path):
    # born 30.06.1964 is 67 on 30.06.2031 (the plan end): counted; born 01.07.1964 is not
    path = write_csv(tmp_path / "s.csv", [["geschlecht", "geburtsdatum"], ["w", "30.06.1964"], ["m", "01.07.1964"]])
    assert run_import(staff=path).forecast[("gesamt", "gesamt")] == Counts(1, 0, 0, 0)


@pytest.mark.parametrize("sep", [";", ","])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_delimiters_and_encodings_give_the_same_counts(run_import, tmp_path, sep, encoding):
    # "männlich", "höherer", "Führungsebene" are one byte each in Windows-1252 (0xE4, 0xF6, 0xFC)
    path = write_csv(tmp_path / "s.csv", staff_rows(), sep=sep, encoding=encoding)
    raw = path.read_bytes()
    if encoding == "cp1252":
        assert b"m\xe4nnlich" in raw
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    ds = run_import(staff=path)
    assert ds.stock == EXPECTED_STOCK and ds.heads == 10


def test_xlsx_gives_the_same_counts_as_csv(run_import, tmp_path):
    rows = staff_rows()
    for row in rows[1:]:  # birth dates as real dates, as Excel stores them
        d, m, y = row[2].split(".")
        row[2] = datetime(int(y), int(m), int(d))
    path = write_xlsx(tmp_path / "s.xlsx", rows)
    ds = run_import(staff=path)
    assert ds.stock == EXPECTED_STOCK and ds.heads == 10
    assert ds.forecast[("gesamt", "gesamt")] == Counts(0, 1, 0, 1)


def test_xlsx_numbers_and_hidden_first_sheet(run_import, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    helper = wb.active
    helper.title = "Hilfsblatt"
    helper.append(["nichts"])
    helper.sheet_state = "hidden"
    ws = wb.create_sheet("Export")
    ws.append(["gremium", "w", "m", "d", "x"])
    ws.append(["Personalrat", 3, 2.0, None, 0])  # 2.0 is how spreadsheets store 2
    wb.save(tmp_path / "g.xlsx")
    ds = run_import(committees=tmp_path / "g.xlsx")
    assert ds.committees == {"Personalrat": Counts(3, 2, 0, 0)}


def test_mapping_file_renames_columns_and_values(run_import, tmp_path):
    path = write_csv(tmp_path / "s.csv", [
        ["Geschl.", "BesGr", "LG", "Name"],
        ["2", "A13", "HD", "Zora"],  # 2 = woman
        ["1", "A 13", "HD", "Yann"],  # 1 = man
        ["1", "A13", "HD", "Xaver"],
        ["3", "E9b", "GD", "Will"],  # 3 = divers
    ])
    mapping = tmp_path / "zuordnung.toml"
    mapping.write_text('[spalten]\n"Geschl." = "geschlecht"\n"BesGr" = "Besoldungs-/Entgeltgruppe"\n'
                       '"LG" = "laufbahngruppe"\n\n[werte.geschlecht]\n"1" = "m"\n"2" = "w"\n"3" = "d"\n\n'
                       '[werte.laufbahngruppe]\n"HD" = "hoeherer"\n"GD" = "gehobener"\n', encoding="utf-8")
    ds = run_import(staff=path, mapping=mapping)
    # 1 woman, 2 men in A 13 / hoeherer; 1 divers in E 9b / gehobener
    assert ds.stock[("gesamt", "gesamt")] == Counts(1, 2, 1, 0)
    assert ds.stock[("besoldungs_entgeltgruppe", "A 13")] == Counts(1, 2, 0, 0)
    assert ds.stock[("laufbahngruppe", "gehobener")] == Counts(0, 0, 1, 0)
    assert Mapping.load(mapping).columns["geschl"] == "geschlecht"


def test_mapping_file_problems_are_german_errors(tmp_path):
    from xl_gleichplan.errors import InputFileError

    with pytest.raises(InputFileError, match="wurde nicht gefunden"):
        Mapping.load(tmp_path / "fehlt.toml")
    bad = tmp_path / "kaputt.toml"
    bad.write_text("[spalten\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="keine gültige TOML-Datei"):
        Mapping.load(bad)
    bad.write_text("spalten = 3\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="nicht den erwarteten Aufbau"):
        Mapping.load(bad)


def test_movements_hand_counted(run_import):
    # rows (header = row 1): 2 bewerbung 01.07.2022 w (first day of the window, counted),
    # 3 bewerbung 30.06.2025 m (last day, counted), 4 bewerbung 30.06.2022 (day before: outside),
    # 5 bewerbung 01.07.2025 (after: outside), 6 einstellung w, 7 Bewerbung W gehobener,
    # 8 ausschreibung, 9 fortbildung with date 2025/01/01 (unreadable), 10 einstellung sex "q"
    ds = run_import(movements=AMT10 / "bewegungen.csv")
    mv = ds.movements
    assert mv[("bewerbung", "gesamt", "gesamt")] == Counts(2, 1, 0, 0)  # rows 2, 3, 7
    assert mv[("bewerbung", "laufbahngruppe", "hoeherer")] == Counts(1, 1, 0, 0)  # rows 2, 3
    assert mv[("bewerbung", "laufbahngruppe", "gehobener")] == Counts(1, 0, 0, 0)  # row 7
    assert mv[("einstellung", "gesamt", "gesamt")] == Counts(1, 0, 0, 0)  # row 6 (row 10 is bad)
    assert not any(k == "fortbildung" for k, _, _ in mv)  # row 9 is not counted
    assert ds.postings == {("gesamt", "gesamt"): 1, ("laufbahngruppe", "hoeherer"): 1}
    by_row = {(f.row, f.cell): f for f in ds.findings if f.row}
    # outside the window: warnings, not counted
    for row in (4, 5):
        f = by_row[(row, f"B{row}")]
        assert f.severity == "warning" and "außerhalb des Berichtszeitraums 01.07.2022–30.06.2025" in f.message
        assert f.file == "bewegungen.csv"
    assert by_row[(9, "B9")].severity == "error" and "Datum ist nicht lesbar" in by_row[(9, "B9")].message
    assert by_row[(10, "C10")].severity == "error" and "Geschlecht" in by_row[(10, "C10")].message
    assert len(by_row) == 4


def test_movement_dates_as_excel_values(run_import, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", [
        ["vorgang", "datum", "geschlecht"],
        ["einstellung", datetime(2024, 1, 1), "w"],  # a real date cell
        ["einstellung", 45838, "m"],  # serial 45838 = 30.06.2025, the last day of the window
        ["einstellung", "01.07.2025", "m"],  # one day too late
    ])
    ds = run_import(movements=path)
    assert ds.movements[("einstellung", "gesamt", "gesamt")] == Counts(1, 1, 0, 0)
    assert [(f.row, f.cell, f.sheet) for f in ds.findings if f.topic != "columns"] == [(4, "B4", "Export")]


def test_committees_hand_counted(run_import):
    ds = run_import(committees=AMT10 / "gremien.csv")
    assert ds.committees == {"Personalrat": Counts(3, 2), "Auswahlkommission": Counts(1, 4),
                             "Beirat": Counts(0, 0, 1, 0)}


def test_targets(run_import):
    ds = run_import(targets=AMT10 / "ziele.csv")
    got = {t.id: (t.dimension, t.area, t.sex, t.target, t.achieved, t.leadership, t.deadline) for t in ds.targets}
    assert got == {
        "Z1": ("fuehrungsebene", "referatsleitung", "w", 3, 3, True, date(2025, 6, 30)),
        "Z2": ("fuehrungsebene", "abteilungsleitung", "w", 2, 0, True, date(2025, 6, 30)),
        "Z3": ("fuehrungsebene", "sachgebietsleitung", "w", 1, 0, True, None),
        "Z4": ("besoldungs_entgeltgruppe", "A 13", "w", 2, None, False, None),
    }


def test_an_unfitting_target_from_an_export_names_its_file_and_cell(run_import):
    """By hand from amt10: Referatsleitung 1 w, 1 m (50 %) and Sachgebietsleitung 1 w, 0 m: women are
    underrepresented in neither, so Z1 (row 2) and Z3 (row 4) are flagged at their geschlecht cell
    (column D); Abteilungsleitung has nobody (not judged), A 13 has 1 woman of 4 (fits). Before the fix
    the warning named no file and the workbook's sheet "Zielvorgaben" instead."""
    from xl_gleichplan.analysis import analyse
    from xl_gleichplan.profiles import load_profile

    ds = run_import(staff=AMT10 / "personal.csv", targets=AMT10 / "ziele.csv")
    warned = [f for f in analyse(ds, load_profile("thueringen")).findings if "Zielvorgabe" in f.message]
    assert [(f.message.split()[1], f.file, f.sheet, f.cell) for f in warned] == \
        [("Z1", "ziele.csv", None, "D2"), ("Z3", "ziele.csv", None, "D4")]


def test_blank_lines_are_nobody_and_keep_row_numbers(run_import, tmp_path):
    # an empty line and a line of separators (as Excel writes empty rows) are not persons;
    # the bad sex in file line 5 is reported as row 5
    path = tmp_path / "s.csv"
    path.write_text("geschlecht;laufbahngruppe\nw;hoeherer\n\n;\nq;hoeherer\nm;hoeherer\n;\n", encoding="utf-8")
    ds = run_import(staff=path)
    assert ds.heads == 2 and ds.stock[("gesamt", "gesamt")] == Counts(1, 1, 0, 0)
    assert [(f.severity, f.row, f.cell) for f in ds.findings if f.topic != "columns"] == [("error", 5, "A5")]


def test_xlsx_header_below_the_first_row(run_import, tmp_path):
    # header in row 3, column B; data in rows 4-6 with an empty row 5: the bad sex is in B6
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["B3"], ws["C3"] = "geschlecht", "laufbahngruppe"
    ws["B4"], ws["C4"] = "w", "hoeherer"
    ws["B6"], ws["C6"] = "q", "hoeherer"
    ws["B7"], ws["C7"] = "m", "hoeherer"
    wb.save(tmp_path / "s.xlsx")
    ds = run_import(staff=tmp_path / "s.xlsx")
    assert ds.heads == 2
    assert [(f.row, f.cell) for f in ds.findings if f.topic != "columns"] == [(6, "B6")]


def test_read_table_normalises_names_and_drops_personal_columns(tmp_path):
    shutil.copy(AMT10 / "personal.csv", tmp_path / "p.csv")
    table = read_table(tmp_path / "p.csv", drop=frozenset({"name", "personalnummer", "geburtsdatum"}))
    assert list(table.columns) == ["geschlecht", "besoldungs_entgeltgruppe", "laufbahngruppe", "fuehrungsebene"]
    # letters are the columns in the file (D = 4th column), row 2 is the first data row
    assert table.cell("geschlecht", 0) == "D2"
    assert table.rows == 10


def test_bund_profile_reads_the_same_files(run_import):
    ds = run_import(profile="bund", staff=AMT10 / "personal.csv", agency_type="bundesbehoerde")
    assert ds.stock == EXPECTED_STOCK


def test_vzae_counting(run_import, tmp_path):
    # a profile counting full-time equivalents: 0,5 + 75 % = 1,25 women, 1 man
    from importlib import resources

    text = resources.files("xl_gleichplan.profiles").joinpath("thueringen.toml").read_text("utf-8")
    profile = tmp_path / "vz.toml"
    profile.write_text(text.replace('count_basis = "koepfe"', 'count_basis = "vzae"'), encoding="utf-8")
    path = write_csv(tmp_path / "s.csv", [["geschlecht", "beschaeftigungsumfang"], ["w", "0,5"], ["w", "75 %"],
                                          ["m", "1"], ["m", "viel"]])
    from fractions import Fraction as F

    ds = run_import(profile=str(profile), staff=path)
    assert ds.stock[("gesamt", "gesamt")] == Counts(F(5, 4), F(1), 0, 0)
    assert [(f.row, f.cell) for f in ds.findings if f.topic != "columns"] == [(5, "B5")]


def test_blank_leadership_flag_follows_the_bereich_as_in_the_workbook(run_import, tmp_path):
    """A blank `fuehrung` cell: a target on a leadership level counts for § 4 Abs. 6, one on a pay
    group does not (the workbook's Zielvorgaben sheet reads a blank cell the same way)."""
    path = tmp_path / "ziele.csv"
    path.write_text("id;dimension;bereich;geschlecht;ziel;erreicht;fuehrung;frist\n"
                    "Z1;fuehrungsebene;referatsleitung;w;2;;;\n"
                    "Z2;besoldungs_entgeltgruppe;A 13;w;2;;;\n"
                    "Z3;fuehrungsebene;abteilungsleitung;w;1;;nein;\n", encoding="utf-8")
    ds = run_import(targets=path)
    assert {t.id: t.leadership for t in ds.targets} == {"Z1": True, "Z2": False, "Z3": False}
