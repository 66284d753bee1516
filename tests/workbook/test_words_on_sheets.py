"""The words a clerk reads on the sheets (issue 14): no internal keys, no repeated places, German
sheet names, 0 and blank used consistently. Old workbooks are still read."""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from wbhelpers import build, name_cell

from xl_gleichplan.cli import main
from xl_gleichplan.io.workbook_reader import read_workbook
from xl_gleichplan.model import Finding
from xl_gleichplan.report.text import finding_line
from xl_gleichplan.schema import OVERVIEW_SHEET, SHEETS


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out)]) == 0
    return out / "erhebungsbogen_ausgefuellt.xlsx"


def test_art_is_a_german_label_and_read_back_as_the_type(tmp_path):
    """The drop-down offers "Behörde der Landesverwaltung", not "landesverwaltung"; the reader maps
    the label back, and a workbook of an older template with the code still reads."""
    path = build(tmp_path / "t.xlsx", agency_type="landesverwaltung")
    wb = load_workbook(path)
    art = name_cell(wb, "GP_ART").value
    assert art == "Behörde der Landesverwaltung" and "_" not in art
    drop_down = [c.value for row in wb["Metadaten"].iter_rows() for c in row if c.column_letter in "HIJKLMN"]
    assert "Oberste Landesbehörde" in str(drop_down) and "oberste_landesbehoerde" not in drop_down
    assert read_workbook(path)[0].agency.type == "landesverwaltung"
    name_cell(wb, "GP_ART").value = "oberste_landesbehoerde"  # as templates before issue 14 wrote it
    wb.save(tmp_path / "old.xlsx")
    assert read_workbook(tmp_path / "old.xlsx")[0].agency.type == "oberste_landesbehoerde"


def test_overview_shows_no_english_keys(tmp_path):
    wb = load_workbook(build(tmp_path / "t.xlsx"))
    ws = wb[OVERVIEW_SHEET]
    assert ws.column_dimensions["C"].hidden  # the keys (staff, plan_required) are for scripts only
    assert ws.print_area == f"'{OVERVIEW_SHEET}'!$A$1:$B${ws.max_row}"
    visible = [c.value for row in ws.iter_rows(max_col=2) for c in row if isinstance(c.value, str)]
    assert not any(key in v for v in visible for key in ("staff", "plan_required", "share_women"))


def test_measures_sheet_is_called_massnahmen_with_sz_and_the_old_name_still_reads(demo, tmp_path):
    assert SHEETS["measures"].name == "Maßnahmen"
    wb = load_workbook(demo)
    assert "Maßnahmen" in wb.sheetnames and "Massnahmen" not in wb.sheetnames
    ws = wb["Maßnahmen"]
    ws["A5"], ws["B5"], ws["C5"] = "Z1", "personell", "Mentoring für Frauen"
    wb.save(tmp_path / "new.xlsx")
    ws.title = "Massnahmen"  # the sheet of a template before issue 14
    wb.save(tmp_path / "old.xlsx")
    for name in ("new.xlsx", "old.xlsx"):
        ds = read_workbook(tmp_path / name)[0]
        assert [m.text for m in ds.measures] == ["Mentoring für Frauen"], name
        assert not [f for f in ds.findings if "Massnahmen" in f.message or "Maßnahmen" in f.message], name


def test_results_sheet_title_and_the_checks_called_pruefhinweise(demo):
    wb = load_workbook(demo)
    assert wb["Ergebnis"]["A1"].value == "Ergebnis der Auswertung"
    assert "Python" not in str(wb["Ergebnis"]["A2"].value)
    assert wb["Feststellungen"]["A1"].value.startswith("Prüfhinweise zu den Daten")


def test_a_finding_names_its_cell_once():
    """Before: "Zelle E602: Zeile 602 (Zelle E602): unbekannte Angabe ..." (the HR import's message
    starts with its place, and the line adds the cell again)."""
    from xl_gleichplan.io.findings import message_text

    f = Finding("error", "Zeile 602 (Zelle E602): unbekannte Angabe zum Geschlecht.", "bestand.csv", None, "E602", 602)
    assert finding_line(f) == "[Fehler] bestand.csv, Zelle E602: Unbekannte Angabe zum Geschlecht."
    other = Finding("error", "Zeile 7 (Zelle E7): x", "b.csv", None, "C3", 7)  # another cell: kept as it is
    assert message_text(other) == "Zeile 7 (Zelle E7): x"


def test_davon_columns_say_0_where_the_export_has_nobody(demo):
    """The demo export has working time and leave for everybody: a Bereich without part-time staff
    shows 0, never a blank beside other rows' numbers (before: A 14 blank, A 9 "0")."""
    ws = load_workbook(demo)["Bestand"]
    header = [c.value for c in ws[4]]
    cols = [header.index(h) for h in ("davon Teilzeit Frauen", "davon Teilzeit Männer", "davon beurlaubt Frauen",
                                      "davon beurlaubt Männer")]
    filled = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] and isinstance(r[2], int)]
    assert filled
    for r in filled:
        assert all(isinstance(r[c], int) for c in cols), r[:2]
