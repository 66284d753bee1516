"""Issue 11, second round: what an independent review of the HR import broke with exports of its own.

Each case was wrong before (counts off with exit 0, a name in a message, a wrong sheet); the expected
counts are counted by hand from the rows written here.
"""
from __future__ import annotations

from datetime import datetime

import pytest

from io_helpers import write_csv, write_xlsx
from xl_gleichplan.errors import GleichplanError, InputFileError
from xl_gleichplan.model import Counts


def test_negated_values_are_not_matched_by_their_word_parts(run_import, tmp_path):
    # "keine Beurlaubung" is not on leave, "keine Teilzeit" is full time; "Vollzeit (keine Teilzeit)" is
    # no known spelling and is reported rather than counted as Teilzeit
    path = write_csv(tmp_path / "p.csv", [["Geschlecht", "Beurlaubung", "Arbeitszeit", "Statusgruppe"],
                                          ["w", "keine Beurlaubung", "keine Teilzeit", "Beamte"],
                                          ["m", "ohne Beurlaubung", "Vollzeit (keine Teilzeit)", "Nicht-Beamte"],
                                          ["w", "kein Sonderurlaub", "Teilzeit", "Beschäftigte in Ausbildung"],
                                          ["m", "Sonderurlaub ohne Bezüge", "Vollzeit", "Beamte"]])
    ds = run_import(staff=path)
    assert ds.stock[("beurlaubung", "keine")] == Counts(2, 1)
    assert ds.stock[("beurlaubung", "sonstige")] == Counts(0, 1)
    assert ds.stock[("arbeitszeit", "vollzeit")] == Counts(1, 1) and ds.stock[("arbeitszeit", "teilzeit")] == Counts(1, 0)
    assert ("arbeitszeit", "Vollzeit (keine Teilzeit)") in ds.stock  # kept as written, and warned
    assert ds.stock[("statusgruppe", "auszubildende")] == Counts(1, 0)
    assert ds.stock[("statusgruppe", "beamte")] == Counts(1, 1)  # "Nicht-Beamte" is not a Beamter
    assert any("„Nicht-Beamte“" in f.message and f.severity == "warning" for f in ds.findings)


def test_subtotal_rows_between_the_departments_are_no_persons(run_import, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["Organisationseinheit", "Geschlecht", "Laufbahngruppe"],
                                          ["Abt. 1", "w", "gehobener"], ["Abt. 1", "m", "gehobener"],
                                          ["Summe Abt. 1", "", ""],
                                          ["Abt. 2", "w", "höherer"], ["Gesamtverwaltung", "", "höherer"],
                                          ["Zwischensumme: 2", "", ""]])
    ds = run_import(staff=path)
    # 4 persons: the two subtotal rows are left out; "Gesamtverwaltung" is a department, not a total
    assert ds.heads == 4 and ds.stock[("gesamt", "gesamt")] == Counts(2, 1, 0, 1)
    notes = [f.message for f in ds.findings if "Summenzeile" in f.message]
    assert [n[:8] for n in notes] == ["Zeile 4 ", "Zeile 7 "]


def test_a_totals_row_after_a_quoted_line_break_at_the_end(run_import, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text('Geschlecht;Bemerkung;Name\r\nw;"zwei\r\nZeilen";A\r\nm;;B\r\n;;Gesamt\r\n', encoding="utf-8")
    assert run_import(staff=path).heads == 2


def test_the_sheet_with_the_best_header_is_read(run_import, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    pivot = wb.active
    pivot.title = "Übersicht"
    for row in [["Besoldungsgruppe", "Geschlecht", "Anzahl"], ["A 13", "w", 3], ["A 13", "m", 1]]:
        pivot.append(row)
    data = wb.create_sheet("Daten")
    for row in [["Personalnummer", "Geschlecht", "Laufbahngruppe", "Besoldungsgruppe", "Führungsebene"],
                [1, "w", "gehobener", "A 13", ""], [2, "w", "gehobener", "A 13", ""], [3, "m", "höherer", "A 14", ""]]:
        data.append(row)
    wb.save(tmp_path / "e.xlsx")
    ds = run_import(staff=tmp_path / "e.xlsx")
    assert ds.heads == 3 and ds.stock[("besoldungs_entgeltgruppe", "A 14")] == Counts(0, 1)
    assert any("Gelesen wurde das Blatt „Daten“" in f.message and "„Übersicht“" in f.message for f in ds.findings)


def test_a_first_row_of_data_does_not_pass_for_the_header_and_is_never_shown(run_import, tmp_path):
    rows = [["Name", "Geschlecht", "Besoldungsgruppe", "OE-Typ", "AZ-Art", "Vertrag", "Abwesenheit"],
            ["Wolfskehl", "w", "A 11", "Referat", "Teilzeit", "befristet", "Sonderurlaub"],
            ["Zaunkönig", "m", "A 12", "Referat", "Vollzeit", "unbefristet", ""]]
    ds = run_import(staff=write_csv(tmp_path / "p.csv", rows))
    assert ds.heads == 2 and ds.stock[("besoldungs_entgeltgruppe", "A 11")] == Counts(1, 0)
    assert "Wolfskehl" not in repr(ds)


def test_a_column_of_names_is_never_suggested_as_a_bereich(run_import, tmp_path):
    rows = [["Beschäftigter", "Geschlecht", "Laufbahngruppe"]] + [
        [f"Person {chr(65 + i)}{chr(97 + i)}", "w" if i % 2 else "m", "gehobener"] for i in range(12)]
    draft = tmp_path / "z.toml"
    ds = run_import(staff=write_csv(tmp_path / "p.csv", rows), write_mapping=draft)
    text = draft.read_text(encoding="utf-8")
    assert '"Beschäftigter" = "?"' in text and '"Beschäftigter" = "statusgruppe"' not in text
    assert not any("sieht aber nach" in f.message for f in ds.findings)


def test_yes_no_columns_stay_yes_no_when_the_draft_is_used_as_mapping(run_import, tmp_path):
    rows = [["Geschlecht", "Teilzeit", "Befristet bis"], ["w", "X", "31.12.2026"], ["m", "", ""], ["w", "", ""]]
    path = write_csv(tmp_path / "p.csv", rows)
    draft = tmp_path / "z.toml"
    first = run_import(staff=path, write_mapping=draft)
    again = run_import(staff=path, mapping=draft)
    for ds in (first, again):
        assert ds.stock[("arbeitszeit", "teilzeit")] == Counts(1, 0)
        assert ds.stock[("arbeitszeit", "vollzeit")] == Counts(1, 1)
        assert ds.stock[("befristet", "ja")] == Counts(1, 0) and ds.stock[("befristet", "nein")] == Counts(1, 1)
        assert not [f for f in ds.findings if f.severity == "error"]


def test_blank_befristung_means_unbefristet(run_import, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["Geschlecht", "befristet"], ["w", "X"], ["m", ""], ["w", ""]])
    ds = run_import(staff=path)
    assert ds.stock[("befristet", "ja")] == Counts(1, 0) and ds.stock[("befristet", "nein")] == Counts(1, 1)


def test_sap_open_end_date_means_unbefristet(run_import, tmp_path):
    """SAP HCM writes 31.12.9999 as the end of a contract without end (ENDDA). By hand: the woman with
    31.12.2026 is befristet, the man and the woman with 31.12.9999 are not, the blank man neither.
    Before the fix every date counted as befristet: 3 of 4, in silence."""
    path = write_csv(tmp_path / "p.csv", [["Geschlecht", "Vertragsende"], ["w", "31.12.2026"], ["m", "31.12.9999"],
                                          ["w", "31.12.9999"], ["m", ""]])
    ds = run_import(staff=path)
    assert ds.stock[("befristet", "ja")] == Counts(1, 0) and ds.stock[("befristet", "nein")] == Counts(1, 2)


def test_a_year_of_birth_is_not_read_as_a_date(run_import, tmp_path):
    path = write_xlsx(tmp_path / "e.xlsx", [["Geschlecht", "Geburtsjahr", "Laufbahngruppe"], ["w", 1970, "gehobener"],
                                            ["m", 1958, "gehobener"]])
    ds = run_import(staff=path)
    assert not ds.forecast  # 1970 as an Excel serial is 1905-05-24; the column is personal and not read
    assert any("„Geburtsjahr“" in f.message and "personenbezogene" in f.message for f in ds.findings)


def test_write_mapping_also_when_the_sex_column_is_not_found(run_import, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["Geschl.-Kz.", "Laufbahngruppe", "Besoldungsgruppe"], ["1", "gehobener", "A 10"]])
    draft = tmp_path / "z.toml"
    with pytest.raises(InputFileError, match="fehlt die Spalte „geschlecht“"):
        run_import(staff=path, write_mapping=draft)
    text = draft.read_text(encoding="utf-8")
    assert '"Laufbahngruppe" = "laufbahngruppe"' in text and '"Geschl.-Kz."' in text


@pytest.mark.parametrize("header", ["Geschlecht (m/w/d)", "Geschlecht [w/m]"])
def test_hints_in_brackets_are_no_part_of_the_name(run_import, tmp_path, header):
    path = write_csv(tmp_path / "p.csv", [[header, "Teilzeit (j/n)", "Beurlaubt (j/n)"], ["w", "j", "n"], ["m", "n", "j"]])
    ds = run_import(staff=path)
    assert ds.stock[("arbeitszeit", "teilzeit")] == Counts(1, 0)
    assert ds.stock[("beurlaubung", "sonstige")] == Counts(0, 1) and ds.stock[("beurlaubung", "keine")] == Counts(1, 0)


@pytest.mark.parametrize("header", ["Nachname, Vorname", "Geb. am", "NACHN", "VORNA", "Mitarbeiter"])
def test_more_personal_columns_are_never_read(run_import, tmp_path, header):
    path = write_csv(tmp_path / "p.csv", [["Geschlecht", header], ["w", "Wolfskehl, Anna"], ["m", "Zaunkönig, Jan"]])
    ds = run_import(staff=path)
    assert "Wolfskehl" not in repr(ds) and any("personenbezogene" in f.message for f in ds.findings)


@pytest.mark.parametrize("value", ["1961-03-17", "17.03.61", datetime(1961, 3, 17)])
def test_birth_dates_in_every_spelling_never_become_a_bereich(run_import, tmp_path, value):
    path = write_xlsx(tmp_path / "e.xlsx", [["Geschlecht", "Fachrichtung"], ["w", value], ["m", "Verwaltung"]])
    ds = run_import(staff=path)
    assert list(a for d, a in ds.stock if d == "fachrichtung") == ["Verwaltung"]
    assert [f.cell for f in ds.findings if f.severity == "error"] == ["B2"]


def test_duplicate_columns_that_agree_in_other_spellings_are_one(run_import, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["Geschlecht", "Besoldungsgruppe", "BesGr"], ["w", "A 11", "A11"],
                                          ["m", "A 12", ""]])
    ds = run_import(staff=path)
    assert ds.stock[("besoldungs_entgeltgruppe", "A 11")] == Counts(1, 0)


def test_separator_found_by_the_header_not_by_one_long_value(run_import, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("Geschlecht;Laufbahngruppe;Fachrichtung\r\n"
                    "w;gehobener;Verwaltung, Recht, Finanzen, Personal, Organisation\r\nm;gehobener;Technik\r\n",
                    encoding="utf-8")
    ds = run_import(staff=path)
    assert ds.stock[("laufbahngruppe", "gehobener")] == Counts(1, 1)
    titled = tmp_path / "t.csv"
    titled.write_text("Auswertung: Bestand, Stichtag, Dienststelle, Abteilung, Referat, Sachgebiet, Stand\r\n"
                      "Geschlecht;Laufbahngruppe\r\nw;gehobener\r\n", encoding="utf-8")
    assert run_import(staff=titled).heads == 1


def test_import_staff_refuses_unreadable_rows_unless_told(tmp_path):
    import argparse

    from xl_gleichplan.io.template import write_template
    from xl_gleichplan.io.workbook_commands import import_into
    from xl_gleichplan.model import Agency
    from xl_gleichplan.profiles import load_profile
    from io_helpers import STICHTAG

    template = write_template(tmp_path / "bogen.xlsx", load_profile("thueringen"), Agency("Testamt", "landesverwaltung"),
                              STICHTAG)
    export = write_csv(tmp_path / "p.csv", [["Geschlecht", "Laufbahngruppe"], ["w", "gehobener"], ["?", "gehobener"],
                                            ["m", "gehobener"]])
    args = argparse.Namespace(into=str(template), export=str(export), movements=None, committees=None, mapping=None,
                              out=str(tmp_path / "gefuellt.xlsx"), in_place=False, sheet=None, write_mapping=None,
                              despite_errors=False)
    with pytest.raises(GleichplanError, match="(?s)Zelle A3.*--trotz-fehlern"):
        import_into(args)
    assert not (tmp_path / "gefuellt.xlsx").exists()
    args.despite_errors = True
    assert any("Übernommen: 2 Beschäftigte" in line for line in import_into(args))


def test_an_export_of_nobody_is_no_plan(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    export = write_csv(tmp_path / "p.csv", [["Geschlecht", "Laufbahngruppe"]])
    done = subprocess.run([sys.executable, "-m", "xl_gleichplan", "plan", "--staff", str(export), "--out",
                           str(tmp_path / "e.docx")], capture_output=True, text=True, encoding="utf-8", cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(root)}, timeout=120)
    assert done.returncode == 1 and "keine Datenzeilen" in done.stderr and not (tmp_path / "e.docx").exists()
