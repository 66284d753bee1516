"""Issue 11: exports as the HR systems write them (tests/fixtures/exports/, made by make_exports.py).

Each export gives the counts per Bereich counted by hand in erwartet.toml, or ends with exit 1 and a
message naming the column or value to map. No export yields a plan with a Bereich of the plan
(pay group, Laufbahn, leadership level) silently missing.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from io_helpers import STICHTAG, write_csv, write_xlsx
from xl_gleichplan.errors import InputFileError
from xl_gleichplan.io.hr_import import Mapping
from xl_gleichplan.model import Counts

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fixtures" / "exports"
EXPECTED = tomllib.loads((CORPUS / "erwartet.toml").read_text(encoding="utf-8"))
COUNTED = [name for name, case in EXPECTED.items() if "bestand" in case]


def _counts(values: list[int]) -> Counts:
    return Counts(*values, *([0] * (4 - len(values))))


def _expected(table: dict) -> dict[tuple, Counts]:
    return {tuple(key.split("/")): _counts(v) for key, v in table.items()}


def _run(run_import, case: dict, **extra):
    kind = "movements" if case.get("art") == "movements" else "staff"
    mapping = CORPUS / case["zuordnung"] if "zuordnung" in case else None
    return run_import(**{kind: CORPUS / case["datei"]}, mapping=extra.pop("mapping", mapping), **extra)


def _messages(ds, severity: str) -> str:
    return "\n".join(f.message for f in ds.findings if f.severity == severity)


def test_the_corpus_has_every_style_the_issue_names():
    files = {case["datei"] for case in EXPECTED.values()}
    assert len(files) >= 12
    suffixes = {Path(f).suffix for f in files}
    assert {".csv", ".xlsx", ".txt"} <= suffixes
    raw = {f: (CORPUS / f).read_bytes() for f in files}
    assert raw["unicode_text.txt"][:2] == b"\xff\xfe"  # UTF-16 "Unicode-Text"
    assert raw["loga.csv"][:3] == b"\xef\xbb\xbf"  # UTF-8 with BOM
    with pytest.raises(UnicodeDecodeError):
        raw["sap_hcm.csv"].decode("utf-8")  # Windows-1252


@pytest.mark.parametrize("name", COUNTED)
def test_each_export_gives_the_hand_counted_bereiche(name, run_import):
    case = EXPECTED[name]
    ds = _run(run_import, case)
    got = ds.movements if case.get("art") == "movements" else ds.stock
    assert got == _expected(case["bestand"])
    if "beschaeftigte" in case:
        assert ds.heads == case["beschaeftigte"]
    if "ausschreibungen" in case:
        assert ds.postings == {tuple(k.split("/")): v for k, v in case["ausschreibungen"].items()}
    warnings, hints = _messages(ds, "warning"), _messages(ds, "info")
    for words in case.get("warnungen", []):
        assert words in warnings, (words, warnings)
    for words in case.get("hinweise", []):
        assert words in hints, (words, hints)
    cells = case.get("fehlerzellen", [])
    assert sorted(f.cell for f in ds.findings if f.severity == "error") == sorted(cells)


def test_no_export_leaves_a_bereich_of_the_plan_out_in_silence(run_import):
    """Each export without pay groups, Laufbahngruppen or leadership levels says so as a warning: the
    column is missing, or it is there and empty in every row."""
    for name in COUNTED:
        case = EXPECTED[name]
        if case.get("art") == "movements":
            continue
        ds = _run(run_import, case)
        present = {dim for dim, *_ in ds.stock}
        warnings = _messages(ds, "warning")
        for dim, label in (("besoldungs_entgeltgruppe", "Besoldungs-/Entgeltgruppe"),
                           ("laufbahngruppe", "Laufbahngruppe"), ("fuehrungsebene", "Führungsebene")):
            if dim not in present:
                assert (f"keine Spalte für „{label}“" in warnings
                        or f"„{label}“ ist in keiner Zeile ausgefüllt" in warnings), (name, dim, warnings)


def test_a_numeric_sex_key_without_mapping_stops_with_the_fix(run_import):
    case = EXPECTED["sap_geschlechtsschluessel"]
    with pytest.raises(InputFileError) as caught:
        _run(run_import, case, mapping=None)
    message = str(caught.value)
    for words in case["ohne_zuordnung"]:
        assert words in message, (words, message)
    assert "Adler" not in message and "2001" not in message  # no personal data in the message


def test_the_command_exits_1_with_the_fix_and_writes_nothing(tmp_path):
    out = tmp_path / "entwurf.docx"
    done = _cli("plan", "--staff", str(CORPUS / "sap_geschlechtsschluessel.csv"), "--out", str(out), cwd=tmp_path)
    assert done.returncode == 1 and not out.exists()
    assert '"2" = "w"' in done.stderr and "Traceback" not in done.stderr


def test_two_contradicting_sex_columns_are_an_error_naming_both(run_import):
    with pytest.raises(InputFileError) as caught:
        _run(run_import, EXPECTED["doppelte_spalte"])
    for words in EXPECTED["doppelte_spalte"]["fehler"]:
        assert words in str(caught.value)


def test_personal_data_in_a_bereich_reaches_no_output(run_import, tmp_path):
    """The name, personnel number and birth date in Bereich cells: errors at their cells, the values in no
    message, no result and no draft (plan refuses without --trotz-fehlern, and with it shows none)."""
    case = EXPECTED["personenbezug_im_bereich"]
    ds = _run(run_import, case)
    text = json.dumps([f.to_dict() for f in ds.findings], ensure_ascii=False) + repr(ds.stock)
    for value in case["nie"]:
        assert value not in text
    export = CORPUS / case["datei"]
    refused = _cli("plan", "--staff", str(export), "--out", str(tmp_path / "a.docx"), "--stichtag", STICHTAG.isoformat(),
                   cwd=tmp_path)
    assert refused.returncode == 1 and "--trotz-fehlern" in refused.stderr and not (tmp_path / "a.docx").exists()
    done = _cli("plan", "--staff", str(export), "--out", str(tmp_path / "b.docx"), "--stichtag", STICHTAG.isoformat(),
                "--trotz-fehlern", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    from docx import Document

    document = Document(str(tmp_path / "b.docx"))
    body = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        c.text for t in document.tables for r in t.rows for c in r.cells)
    for value in case["nie"][:3]:
        assert value not in body and value not in done.stdout + done.stderr
    assert "ACHTUNG: Die Zahlen dieses Abschnitts beruhen auf Daten mit" in body  # the affected sections say so


def test_the_mapping_draft_holds_the_suggestions_and_works_once_accepted(run_import, tmp_path):
    """--write-mapping writes every column with its meaning; the two Bereich-like columns as suggestions
    (commented out). Accepting them, as a clerk would, gives the pay groups and leadership levels."""
    case = EXPECTED["unbekannte_spalten"]
    draft = tmp_path / "zuordnung.toml"
    ds = run_import(staff=CORPUS / case["datei"], write_mapping=draft)
    text = draft.read_text(encoding="utf-8")
    assert '# "BesGrp alt" = "besoldungs_entgeltgruppe"' in text
    assert '# "Funktion" = "fuehrungsebene"' in text
    assert '"Geschlecht" = "geschlecht"' in text and '"Laufbahngruppe" = "laufbahngruppe"' in text
    assert any("Entwurf der Zuordnungsdatei geschrieben" in f.message for f in ds.findings)
    assert Mapping.load(draft).columns  # the draft as written is a valid mapping file
    accepted = tmp_path / "geprueft.toml"
    accepted.write_text(text.replace('# "BesGrp alt"', '"BesGrp alt"').replace('# "Funktion"', '"Funktion"'),
                        encoding="utf-8")
    again = run_import(staff=CORPUS / case["datei"], mapping=accepted)
    assert again.stock == _expected(case["mit_entwurf"])
    assert "sieht aber nach" not in _messages(again, "warning")


def test_the_mapping_draft_suggests_sex_codes_but_applies_none(tmp_path):
    draft = tmp_path / "z.toml"
    done = _cli("compute", "--staff", str(CORPUS / "sap_geschlechtsschluessel.csv"), "--write-mapping", str(draft),
                cwd=tmp_path)
    assert done.returncode == 1 and "Entwurf der Zuordnungsdatei geschrieben" in done.stderr
    text = draft.read_text(encoding="utf-8")
    assert '# "1" = "m"' in text and '# "2" = "w"' in text  # suggestions: in force only once the clerk agrees
    assert '"Geschlechtsschlüssel" = "geschlecht"' in text and '"Tarifgruppe" = "besoldungs_entgeltgruppe"' in text
    assert "Adler" not in text and "2001" not in text


def test_most_movements_of_unknown_kind_stop_the_job(run_import, tmp_path):
    path = write_csv(tmp_path / "b.csv", [["Maßnahmenart", "Geschlecht", "Datum"], ["MA01", "w", "01.01.2024"],
                                          ["MA01", "m", "02.01.2024"], ["MA02", "w", "03.01.2024"]])
    with pytest.raises(InputFileError) as caught:
        run_import(movements=path)
    assert "3 von 3 Zeilen" in str(caught.value) and "„MA01“" in str(caught.value)


@pytest.mark.parametrize("column, target", [("Name", "fachrichtung"), ("Vorname", "fachrichtung"),
                                            ("Personalnummer", "wertebene"), ("Geburtsdatum", "fachrichtung"),
                                            ("Pers.-Nr.", "besoldungs_entgeltgruppe"),
                                            ("Vorname", "geschlecht")])  # first names would appear in messages
def test_a_mapping_cannot_turn_personal_columns_into_a_bereich(column, target, tmp_path):
    path = tmp_path / "z.toml"
    path.write_text(f'[spalten]\n"{column}" = "{target}"\n', encoding="utf-8")
    with pytest.raises(InputFileError, match="personenbezogene Daten"):
        Mapping.load(path)


def test_a_mapping_names_only_known_targets(tmp_path):
    path = tmp_path / "z.toml"
    path.write_text('[spalten]\n"Geschl." = "geschlechtt"\n', encoding="utf-8")
    with pytest.raises(InputFileError, match="„geschlechtt“ .* keine bekannte Spalte"):
        Mapping.load(path)


def test_a_column_marked_ignorieren_settles_a_duplicate(run_import, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["Geschlecht", "Laufbahngruppe", "Geschlecht alt"],
                                          ["w", "gehobener", "m"], ["m", "gehobener", "w"]])
    mapping = tmp_path / "z.toml"
    mapping.write_text('[spalten]\n"Geschlecht alt" = "ignorieren"\n', encoding="utf-8")
    ds = run_import(staff=path, mapping=mapping)
    assert ds.stock[("gesamt", "gesamt")] == Counts(1, 1)


def test_the_sheet_option_and_its_message(run_import, tmp_path):
    path = write_xlsx(tmp_path / "e.xlsx", [["Geschlecht", "Laufbahngruppe"], ["w", "gehobener"]], sheet="Daten")
    assert run_import(staff=path, sheet="Daten").heads == 1
    with pytest.raises(InputFileError, match="kein Blatt „Bestand“ .* „Daten“"):
        run_import(staff=path, sheet="Bestand")


def test_a_title_block_above_a_csv_header(run_import, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["Personalbestand zum 30.06.2025"], ["erstellt von SAP HCM"], [],
                                          ["Geschlecht", "Laufbahngruppe", "Besoldungsgruppe"],
                                          ["w", "gehobener", "A 10"], ["m", "gehobener", "x"]])
    ds = run_import(staff=path)
    assert ds.stock[("laufbahngruppe", "gehobener")] == Counts(1, 1)
    # row numbers stay those of the file: the odd pay group "x" is in row 6
    odd = [f for f in ds.findings if "keine erkannte Besoldungs" in f.message]
    assert [(f.row, f.cell) for f in odd] == [(6, "C6")]


def test_import_staff_writes_the_warnings_onto_the_feststellungen_sheet(tmp_path):
    from openpyxl import load_workbook

    template = tmp_path / "bogen.xlsx"
    assert _cli("template", "--out", str(template), "--stichtag", "2025-06-30", cwd=tmp_path).returncode == 0
    out = tmp_path / "gefuellt.xlsx"
    done = _cli("import-staff", str(CORPUS / "unbekannte_spalten.csv"), "--into", str(template), "--out", str(out),
                cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "sieht aber nach „Besoldungs-/Entgeltgruppe“ aus" in done.stdout
    sheet = load_workbook(out)["Feststellungen"]
    texts = [r[5] for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]]
    assert any("„BesGrp alt“" in t and "Besoldungs-/Entgeltgruppe" in t for t in texts)


def _cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "PYTHONPATH": str(ROOT), "XL_GLEICHPLAN_LOG_DIR": str(cwd / "log")}
    return subprocess.run([sys.executable, "-m", "xl_gleichplan", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, env=env, timeout=120)


def test_plan_refuses_a_workbook_with_a_count_like_ca_12_unless_told(tmp_path):
    """§ 4 needs counts: 'ca. 12' in a count cell is an error of check; plan names the cell and writes
    nothing, or with --trotz-fehlern writes a draft that marks the sections the error touches."""
    from docx import Document
    from openpyxl import load_workbook

    demo = tmp_path / "demo"
    assert _cli("demo", "--out", str(demo), cwd=tmp_path).returncode == 0
    wb = load_workbook(demo / "erhebungsbogen_ausgefuellt.xlsx")
    assert isinstance(wb["Bestand"]["C8"].value, int)  # a count of women in a Bereich
    wb["Bestand"]["C8"] = "ca. 12"
    broken = tmp_path / "bogen.xlsx"
    wb.save(broken)
    refused = _cli("plan", str(broken), "--out", str(tmp_path / "a.docx"), cwd=tmp_path)
    assert refused.returncode == 1 and not (tmp_path / "a.docx").exists()
    assert "Bestand, Zelle C8" in refused.stderr and "--trotz-fehlern" in refused.stderr
    done = _cli("plan", str(broken), "--out", str(tmp_path / "b.docx"), "--trotz-fehlern", cwd=tmp_path)
    assert done.returncode == 0 and "trotz eines Fehlers" in done.stdout
    marks = [p.text for p in Document(str(tmp_path / "b.docx")).paragraphs if "ACHTUNG" in p.text]
    # the stock (2.) and its description (3.) rest on the sheet Bestand; the list of placeholders repeats them
    assert len([m for m in marks if "Blatt Bestand Zelle C8" in m]) >= 2


def test_a_workbook_export_whose_name_is_not_utf8(run_import, tmp_path):
    """A name unzipped from Windows (cp1252 bytes): calamine would look for its UTF-8 spelling."""
    import os
    import shutil

    target = os.fsencode(tmp_path) + b"/Personal_M\xfcller.xlsx"
    shutil.copy(CORPUS / "liste_zwei_spalten.xlsx", target)
    ds = run_import(staff=Path(os.fsdecode(target)))
    assert ds.stock == _expected(EXPECTED["liste_zwei_spalten"]["bestand"])
