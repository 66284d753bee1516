"""The ribbon actions on real xlwings Books without Excel.

Each action runs on ``xw.Book(json=...)`` (xlwings' remote engine) built from a workbook file; the
actions it returns are played into a copy of that file the way Excel would apply them, and the
cells are compared with what the command line writes for the same data (``import-staff``,
``compute --write``, ``check``). The Excel calls are counted: one read per sheet, one write per
result block (``test_call_budget``; set XLG_CALL_COUNTS=FILE to get the counts as JSON).
"""
from __future__ import annotations

import csv
import json
import os
import sys
import types
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import xlwings as xw
from lxml import etree
from openpyxl import Workbook, load_workbook

from xl_gleichplan import __version__
from xl_gleichplan.analysis import target_suggestions
from xl_gleichplan.cli import main as cli
from xl_gleichplan.excel import actions
from xl_gleichplan.io.template import build_template, write_template
from xl_gleichplan.io.workbook_reader import analyse_workbook, read_workbook
from xl_gleichplan.io.workbook_writer import finding_rows
from xl_gleichplan.model import Agency
from xl_gleichplan.profiles import load_profile
from xl_gleichplan.schema import FINDINGS_SHEET, METADATA_SHEET, RESULTS_SHEET, SHEETS

STICHTAG = date(2025, 6, 30)
ROOT = Path(__file__).resolve().parents[2]
WRITES = ("setValues", "setFormula")


@pytest.fixture(scope="module")
def files(tmp_path_factory, exports) -> dict[str, Path]:
    """The file-based path, by the command line: template, filled workbook, written results."""
    folder = tmp_path_factory.mktemp("dateien")
    out = {"template": folder / "erhebung.xlsx", "filled": folder / "gefuellt.xlsx",
           "results": folder / "ergebnis.xlsx"}
    assert cli(["template", "--out", str(out["template"]), "--stichtag", "2025-06-30",
                "--agency-name", "Landesamt für Musterverwaltung"]) == 0
    assert cli(["import-staff", str(exports["staff"]), "--movements", str(exports["movements"]),
                "--committees", str(exports["committees"]), "--into", str(out["template"]),
                "--out", str(out["filled"])]) == 0
    assert cli(["compute", str(out["filled"]), "--write", "--out", str(out["results"])]) == 0
    return out


def run(remote_book, excel, action, source, *args, name=None, **kwargs):
    """Run an action on a remote Book made from ``source``; play its actions into a copy of
    ``source``. Returns (result, workbook after, ui state, actions)."""
    book = remote_book(source, name)
    result = action(book, *args, **kwargs)
    acts = book.json()["actions"]
    wb = load_workbook(source) if not isinstance(source, dict) else _empty_workbook(source)
    ui = excel.apply_actions(wb, acts)
    return result, wb, ui, acts


def _empty_workbook(payload) -> Workbook:
    wb = Workbook()
    wb.active.title = payload["sheets"][0]["name"]
    for sheet in payload["sheets"][1:]:
        wb.create_sheet(sheet["name"])
    return wb


def assert_same_cells(excel, got, expected, sheets=None, date_serials=False):
    """Every cell of the named sheets equal (values and formulas)."""
    for name in sheets or expected.sheetnames:
        a, b = got[name], expected[name]
        rows, cols = max(a.max_row, b.max_row), max(a.max_column, b.max_column)
        for r in range(1, rows + 1):
            for c in range(1, cols + 1):
                want = excel.comparable(b.cell(r, c).value)
                have = excel.comparable(a.cell(r, c).value)
                if date_serials and isinstance(want, date) and isinstance(have, float):
                    have = excel.serial_to_date(have)  # the template copy writes dates as serial numbers
                assert have == want, f"{name}!{a.cell(r, c).coordinate}: {have!r} != {want!r}"


def alert_text(ui) -> str:
    assert ui["alerts"], "no message box"
    return ui["alerts"][-1]["text"]


# ----------------------------------------------------------------------------- Neue Erhebung

def test_neue_erhebung_inserts_the_template(remote_book, excel, tmp_path):
    result, wb, ui, acts = run(remote_book, excel, actions.neue_erhebung, excel.empty_payload(), stichtag=STICHTAG)
    reference = build_template(load_profile("thueringen"), Agency("", "landesverwaltung"), STICHTAG)
    assert wb.sheetnames == reference.sheetnames
    assert_same_cells(excel, wb, reference, date_serials=True)  # values and formulas, every sheet
    assert {n: d.attr_text for n, d in wb.defined_names.items()} == \
           {n: d.attr_text for n, d in reference.defined_names.items()}
    for ws in reference.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None and cell.number_format != "General":
                    assert wb[ws.title][cell.coordinate].number_format == cell.number_format, cell.coordinate
        for letter, dim in ws.column_dimensions.items():
            assert wb[ws.title].column_dimensions[letter].width == dim.width, (ws.title, letter)
            assert bool(wb[ws.title].column_dimensions[letter].hidden) == bool(dim.hidden), (ws.title, letter)
    assert [a["func"] for a in acts].count("setFormula") == len(reference.sheetnames)  # one write per sheet
    assert ui["active"] == "Anleitung"
    assert "eingefügt" in alert_text(ui) and ui["alerts"][-1]["mode"] == "info"
    # the reader sees in it what it sees in the template file: only the empty count sheets
    path, blank = tmp_path / "neu.xlsx", tmp_path / "vorlage.xlsx"
    wb.save(path)
    write_template(blank, load_profile("thueringen"), Agency("", "landesverwaltung"), STICHTAG)
    dataset, profile = read_workbook(path)
    assert profile.id == "thueringen" and dataset.stichtag == STICHTAG
    assert [(f.severity, f.message) for f in dataset.findings] == \
           [(f.severity, f.message) for f in read_workbook(blank)[0].findings]


def test_neue_erhebung_replaces_the_empty_sheets_of_a_new_workbook(remote_book, excel):
    payload = excel.empty_payload(sheets=("Tabelle1", "Tabelle2", "Bestand"))
    _, wb, ui, _ = run(remote_book, excel, actions.neue_erhebung, payload, stichtag=STICHTAG)
    assert wb.sheetnames[0] == "Anleitung" and "Tabelle2" not in wb.sheetnames and wb.sheetnames.count("Bestand") == 1


def test_neue_erhebung_says_when_the_workbook_already_has_one(remote_book, excel, files):
    result, _, ui, acts = run(remote_book, excel, actions.neue_erhebung, files["template"])
    assert "enthält bereits einen Erhebungsbogen" in alert_text(ui)
    assert [a["func"] for a in acts] == ["alert"] and result.calls["reads"] == 0


def test_neue_erhebung_refuses_a_workbook_with_data(remote_book, excel):
    payload = excel.empty_payload()
    payload["sheets"][0]["values"] = [["Liste", ""], ["Meier", 3]]
    result, _, ui, acts = run(remote_book, excel, actions.neue_erhebung, payload)
    assert result is None and [a["func"] for a in acts] == ["alert"]
    assert "nicht leer" in alert_text(ui) and ui["alerts"][-1]["mode"] == "critical"


# ----------------------------------------------------------------------------- Personaldaten importieren

def test_import_fills_the_input_sheets_like_import_staff(remote_book, excel, files, exports):
    paths = [exports["committees"], exports["staff"], exports["movements"]]  # any order: told apart by columns
    result, wb, ui, acts = run(remote_book, excel, actions.personaldaten_importieren, files["template"], paths)
    expected = load_workbook(files["filled"])
    assert_same_cells(excel, wb, expected, [s.name for s in SHEETS.values()])
    assert "300 Beschäftigte" in alert_text(ui)
    # the one finding says which personal columns were left unread (issue 11: every column is accounted for)
    rows = [r for r in wb[FINDINGS_SHEET].iter_rows(min_row=4, max_row=10, max_col=6, values_only=True) if r[0]]
    assert [r[0] for r in rows] == ["Hinweis"] and "personenbezogene Daten" in rows[0][5]
    assert result.calls["writes"] == sum(a["func"] in WRITES for a in acts) == 7  # 6 input blocks + findings


def test_import_uses_a_mapping_file_next_to_the_exports(remote_book, excel, files, exports, tmp_path):
    source = Path(exports["staff"]).read_text(encoding="utf-8").splitlines()
    header = source[0].replace("geschlecht", "Geschl.")
    export = tmp_path / "bestand.csv"
    export.write_text("\n".join([header, *[line.replace(";weiblich;", ";2;").replace(";männlich;", ";1;") for line in source[1:]]]),
                      encoding="utf-8")
    (tmp_path / actions.MAPPING_FILE).write_text('[spalten]\n"Geschl." = "geschlecht"\n[werte.geschlecht]\n'
                                                 '"1" = "m"\n"2" = "w"\n', encoding="utf-8")
    direct = run(remote_book, excel, actions.personaldaten_importieren, files["template"], [exports["staff"]])[1]
    mapped = run(remote_book, excel, actions.personaldaten_importieren, files["template"], [export])[1]
    assert_same_cells(excel, mapped, direct, ["Bestand", "Prognose"])


def test_import_cancelled_dialog_changes_nothing(remote_book, excel, files, monkeypatch):
    monkeypatch.setattr(actions, "choose_exports", lambda: [])
    result, _, ui, acts = run(remote_book, excel, actions.personaldaten_importieren, files["template"])
    assert result is None and acts == []


def test_import_rejects_a_file_that_is_no_export(remote_book, excel, files, tmp_path):
    other = tmp_path / "liste.csv"
    other.write_text("name;telefon\nMeier;123\n", encoding="utf-8")
    result, _, ui, acts = run(remote_book, excel, actions.personaldaten_importieren, files["template"], [other])
    assert result is None and [a["func"] for a in acts] == ["alert"]
    assert "keinem Export zuzuordnen" in alert_text(ui)


def test_import_into_a_workbook_without_the_sheet(remote_book, excel, files, exports, tmp_path):
    path = tmp_path / "ohne_gremien.xlsx"
    wb = load_workbook(files["template"])
    del wb["Gremien"]
    wb.save(path)
    result, _, ui, acts = run(remote_book, excel, actions.personaldaten_importieren, path, [exports["committees"]])
    assert result is None and [a["func"] for a in acts] == ["alert"]
    assert "„Gremien“ fehlt" in alert_text(ui)


def test_text_from_exports_stays_text(remote_book, excel, files, tmp_path):
    """Names that Excel would turn into a formula, number or date are written as text."""
    committees = tmp_path / "gremien.csv"
    names = ["=HYPERLINK(\"http://x\")", "+49 Ausschuss", "10-12", "1.2", "TRUE", "'Beirat", "#NV Gruppe"]
    with open(committees, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([["gremium", "w", "m", "d", "x"], *[[n, 1, 2, 0, 0] for n in names]])
    _, wb, _, _ = run(remote_book, excel, actions.personaldaten_importieren, files["template"], [committees])
    cells = [wb["Gremien"].cell(5 + i, 1) for i in range(len(names))]
    assert [c.value for c in cells] == names and {c.data_type for c in cells} == {"s"}  # text, no formula


# ----------------------------------------------------------------------------- Prüfen

@pytest.fixture(scope="module")
def broken(files, tmp_path_factory) -> Path:
    """The filled workbook with a negative count and a name in a count cell."""
    path = tmp_path_factory.mktemp("kaputt") / "kaputt.xlsx"
    wb = load_workbook(files["filled"])
    wb["Bestand"]["D9"] = -3
    wb["Gremien"]["B6"] = "Meier"
    wb.save(path)
    return path


def test_pruefen_lists_findings_and_selects_the_first_error(remote_book, excel, broken):
    findings = analyse_workbook(broken).findings  # the command line's `check`
    errors = [f for f in findings if f.severity == "error"]
    assert errors
    _, wb, ui, acts = run(remote_book, excel, actions.pruefen, broken)
    reference = Workbook()
    for r, line in enumerate(finding_rows(findings), start=1):
        for c, value in enumerate(line, start=1):
            reference.active.cell(r, c, value)
    reference.active.title = FINDINGS_SHEET
    assert_same_cells(excel, wb, reference, [FINDINGS_SHEET])
    assert ui["selected"] == (errors[0].sheet, errors[0].cell)
    assert ui["active"] == errors[0].sheet
    assert errors[0].message in alert_text(ui)


def test_pruefen_on_a_pasted_list_reads_a_bounded_block(remote_book, files, tmp_path):
    """A list pasted into a sheet: the same findings as the file path, each sheet still read once,
    and of the pasted sheet only the first MAX_SHEET_ROWS rows."""
    from xl_gleichplan.io.workbook_reader import MAX_SHEET_ROWS

    path = tmp_path / "liste.xlsx"
    wb = load_workbook(files["filled"])
    for r in range(5, MAX_SHEET_ROWS + 200):
        wb["Gremien"].cell(r, 1, f"Gremium {r}")
        wb["Gremien"].cell(r, 2, 1)
    wb.save(path)
    findings = analyse_workbook(path).findings
    assert any(f.sheet == "Gremien" and f.cell == f"A{MAX_SHEET_ROWS + 1}" for f in findings)
    book = remote_book(path)
    result = actions.pruefen(book)
    assert result.calls["reads"] == result.calls["sheets_read"] == 1 + len(SHEETS)
    assert f"{len(findings)} Feststellungen" in result.message
    rows = book.json()["actions"][[a["func"] for a in book.json()["actions"]].index("setValues")]["values"]
    assert [r[-1] for r in rows[3:]] == [f.message for f in findings]  # the Feststellungen, as `check` has them


def test_a_sheet_is_read_up_to_max_columns(remote_book, excel):
    from xl_gleichplan.excel.book import MAX_COLUMNS, LiveBook

    payload = excel.empty_payload()
    payload["sheets"][0]["values"] = [[f"{r}/{c}" for c in range(1, 101)] for r in range(1, 4)]
    sheet = LiveBook(remote_book(payload)).get_sheet_by_name("Tabelle1")
    assert sheet.extent == (3, 100)
    rows = sheet.to_python()
    assert len(rows) == 3 and len(rows[0]) == MAX_COLUMNS and rows[2][MAX_COLUMNS - 1] == f"3/{MAX_COLUMNS}"


def test_pruefen_without_findings(remote_book, excel, files):
    _, wb, ui, _ = run(remote_book, excel, actions.pruefen, files["filled"])
    assert wb[FINDINGS_SHEET]["A1"].value.startswith("Prüfhinweise zu den Daten: keine.")
    assert "Keine Feststellungen" in alert_text(ui)


# ----------------------------------------------------------------------------- Berechnen

def test_berechnen_writes_what_compute_write_writes(remote_book, excel, files, tmp_path):
    result, wb, ui, acts = run(remote_book, excel, actions.berechnen, files["filled"])
    expected = load_workbook(files["results"])
    assert wb.sheetnames == expected.sheetnames
    assert_same_cells(excel, wb, expected, [RESULTS_SHEET, FINDINGS_SHEET])
    for name in (RESULTS_SHEET, FINDINGS_SHEET):  # dates and shares formatted as in the file
        for row in expected[name].iter_rows():
            for cell in row:
                if cell.value is not None and cell.number_format != "General":
                    assert wb[name][cell.coordinate].number_format == cell.number_format, cell.coordinate
    assert ui["active"] == RESULTS_SHEET and "Planpflicht ja" in alert_text(ui)
    # a second click finds the sheets and replaces their contents
    again = tmp_path / files["filled"].name  # the same name: findings name the file
    wb.save(again)
    _, wb2, _, acts2 = run(remote_book, excel, actions.berechnen, again)
    assert "addSheet" not in [a["func"] for a in acts2]
    assert [a["func"] for a in acts2].count("sheetClearContents") == 2
    assert_same_cells(excel, wb2, expected, [RESULTS_SHEET, FINDINGS_SHEET])


# ----------------------------------------------------------------------------- Zielvorgaben vorschlagen

def test_ziele_vorschlagen(remote_book, excel, files, tmp_path):
    """E4: ThürGleichG § 4 Abs. 3 sets no share of the vacancies. The add-in lists the sizing helpers
    (at least half, the hires for 40 %) and writes no Zielvorgabe; before the fix it wrote "Ziel =
    mindestens die Hälfte ... (§ 4 Abs. 3)" into the sheet."""
    analysis = analyse_workbook(files["filled"])
    suggestions = target_suggestions(analysis)
    with_vacancies = [s for s in suggestions if s.vacancy_target]
    assert with_vacancies and len(with_vacancies) < len(suggestions)  # both cases occur in the demo
    _, wb, ui, acts = run(remote_book, excel, actions.ziele_vorschlagen, files["filled"])
    assert not [a for a in acts if a["func"] in WRITES]
    text = alert_text(ui)
    assert "nicht eingetragen" in text and "§ 4 Abs. 3" not in text
    s = with_vacancies[0]
    assert f"Rechenhilfe mindestens die Hälfte: {s.vacancy_target} von " in text
    assert f"nötig: {s.hires_for_threshold} Einstellungen" in text
    assert "keine Abgänge erwartet" in text


def test_ziele_vorschlagen_writes_the_law_s_figure_in_sachsen_anhalt(remote_book, excel, exports, tmp_path):
    """FrFG LSA § 20 Abs. 3 Satz 2 sets the figure ("mehr als die Hälfte der zu besetzenden Stellen"):
    there the add-in proposes rows with floor(V/2) + 1, names the source, and a second click adds nothing."""
    from xl_gleichplan.rules.targets import majority_of_vacancies

    template, filled = tmp_path / "lsa.xlsx", tmp_path / "lsa_gefuellt.xlsx"
    assert cli(["template", "--out", str(template), "--stichtag", "2025-06-30", "--profile", "sachsen-anhalt",
                "--agency-type", "ministerium", "--agency-name", "Ministerium für Musterangelegenheiten"]) == 0
    assert cli(["import-staff", str(exports["staff"]), "--movements", str(exports["movements"]),
                "--into", str(template), "--out", str(filled)]) == 0
    analysis = analyse_workbook(filled)
    assert analysis.profile.id == "sachsen-anhalt"
    with_vacancies = [s for s in target_suggestions(analysis) if s.vacancies]
    assert with_vacancies and all(s.sex == "w" for s in with_vacancies)
    _, wb, ui, acts = run(remote_book, excel, actions.ziele_vorschlagen, filled)
    path = tmp_path / "ziele.xlsx"
    wb.save(path)
    dataset, _ = read_workbook(path)
    assert [(t.dimension, t.area, t.target) for t in dataset.targets] == \
           [(s.dimension, s.area, majority_of_vacancies(s.vacancies)) for s in with_vacancies]
    assert "mehr als die Hälfte der zu besetzenden Stellen (§ 20 Abs. 3 Satz 2 FrFG" in alert_text(ui)
    _, _, _, acts2 = run(remote_book, excel, actions.ziele_vorschlagen, path)
    assert not [a for a in acts2 if a["func"] in WRITES]


# ----------------------------------------------------------------------------- Fristen, Hilfe

def test_fristen(remote_book, excel, files):
    """Stichtag 30.06.2025 under ThürGleichG: plan and adjustment due nine months after their Stichtag
    (SPEC § 1), the adjustment after three years, the next plan after six."""
    analysis = analyse_workbook(files["filled"])
    result, _, ui, acts = run(remote_book, excel, actions.fristen, files["filled"])
    text = alert_text(ui)
    for line in ("Stichtag: 30.06.2025", "Berichtszeitraum von: 01.07.2022", "Berichtszeitraum bis: 30.06.2025",
                 "Plan soll vorliegen bis: 30.03.2026", "Stichtag der Anpassung: 30.06.2028",
                 "Anpassung soll vorliegen bis: 30.03.2029", "Stichtag des nächsten Plans: 30.06.2031"):
        assert line in text
    assert analysis.route.body in text and analysis.leadership.approver in text
    assert [a["func"] for a in acts] == ["alert"]


def test_hilfe(remote_book, excel, files):
    _, _, ui, acts = run(remote_book, excel, actions.hilfe, files["filled"])
    text = alert_text(ui)
    assert __version__ in text and "thueringen" in text and "fehler.log" in text
    assert "Landesamt für Musterverwaltung" in text and "30.06.2025" in text
    _, _, ui, _ = run(remote_book, excel, actions.hilfe, excel.empty_payload())
    assert "kein Erhebungsbogen" in alert_text(ui)


# ----------------------------------------------------------------------------- Planentwurf

@pytest.fixture
def fake_draft(monkeypatch):
    """Stands in for report.draft.write_draft (written by another engineer): records its call."""
    calls = []

    def write_draft(analysis, path, min_cell=None):
        calls.append((analysis, Path(path), min_cell))
        Path(path).write_bytes(b"PK fake docx")
        return Path(path)

    monkeypatch.setitem(sys.modules, "xl_gleichplan.report.draft", types.SimpleNamespace(write_draft=write_draft))
    return calls


def test_planentwurf_next_to_the_workbook(remote_book, excel, files, fake_draft, monkeypatch, tmp_path):
    opened = []
    monkeypatch.setattr(actions, "open_file", opened.append)
    workbook = tmp_path / "gefuellt.xlsx"
    workbook.write_bytes(files["filled"].read_bytes())
    # the book's full name is its path, as on the desktop
    result, _, ui, acts = run(remote_book, excel, actions.planentwurf, workbook, name=str(workbook))
    analysis, path, min_cell = fake_draft[0]
    assert path == tmp_path / "gefuellt_planentwurf.docx" and min_cell is None
    assert analysis.dataset.heads == 300 and result.path == path and opened == [path]
    assert str(path) in alert_text(ui) and [a["func"] for a in acts] == ["alert"]


def test_planentwurf_needs_a_saved_workbook(remote_book, excel, files, fake_draft):
    _, _, ui, _ = run(remote_book, excel, actions.planentwurf, files["filled"])  # full name without a folder
    assert "zuerst in einem Ordner speichern" in alert_text(ui) and not fake_draft


def test_planentwurf_with_the_real_writer(remote_book, excel, files, tmp_path):
    pytest.importorskip("xl_gleichplan.report.draft", reason="the plan draft writer is not there yet")
    out = tmp_path / "entwurf.docx"
    result, _, ui, _ = run(remote_book, excel, actions.planentwurf, files["filled"], out=out, open_document=False)
    assert result is not None, alert_text(ui)
    assert out.is_file() and out.read_bytes()[:2] == b"PK"


# ----------------------------------------------------------------------------- errors and dispatch

def test_a_gleichplan_error_becomes_a_message_box(remote_book, excel):
    payload = excel.empty_payload()
    for action in (actions.pruefen, actions.berechnen, actions.fristen, actions.ziele_vorschlagen):
        result, _, ui, acts = run(remote_book, excel, action, payload)
        assert result is None and [a["func"] for a in acts] == ["alert"]
        assert f"das Blatt „{METADATA_SHEET}“ fehlt" in alert_text(ui) and ui["alerts"][-1]["mode"] == "critical"


def test_an_unexpected_error_is_logged_and_the_box_names_the_log(remote_book, excel, files, monkeypatch):
    import xl_gleichplan.analysis

    def broken(*_):
        raise KeyError("unerwartet")

    monkeypatch.setattr(xl_gleichplan.analysis, "analyse", broken)
    _, _, ui, acts = run(remote_book, excel, actions.berechnen, files["filled"])
    log = Path(os.environ["XL_GLEICHPLAN_LOG_DIR"]) / "xl_gleichplan" / "fehler.log"
    assert f"„{log}“" in alert_text(ui) and "KeyError" in alert_text(ui)
    content = log.read_text(encoding="utf-8")
    assert "KeyError" in content and "actions.py" in content and "Landesamt" not in content
    assert [a["func"] for a in acts] == ["alert"]


def test_run_button_dispatches_every_ribbon_tag(remote_book, excel, files, monkeypatch):
    tree = etree.parse(str(ROOT / "macros" / "customUI.xml"))
    tags = [b.get("tag") for b in tree.iter("{*}button")]
    assert sorted(tags) == sorted(actions.ACTIONS)
    book = remote_book(files["filled"])
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: book))
    result = actions.run_button("fristen")
    assert "Plan soll vorliegen bis" in result.message
    assert actions.run_button("gibtsnicht") is None
    assert "unbekannt" in book.json()["actions"][-1]["args"][0]


# ----------------------------------------------------------------------------- Excel calls

def _budget_cases(files, exports):
    staff = [exports["staff"], exports["movements"], exports["committees"]]
    return {
        "neue_erhebung": (actions.neue_erhebung, None, (), {"stichtag": STICHTAG}),
        "personaldaten_importieren": (actions.personaldaten_importieren, files["template"], (staff,), {}),
        "pruefen": (actions.pruefen, files["filled"], (), {}),
        "berechnen": (actions.berechnen, files["filled"], (), {}),
        "ziele_vorschlagen": (actions.ziele_vorschlagen, files["filled"], (), {}),
        "fristen": (actions.fristen, files["filled"], (), {}),
        "planentwurf": (actions.planentwurf, files["filled"], (), {"open_document": False}),
        "hilfe": (actions.hilfe, files["filled"], (), {}),
    }


# result blocks each action writes: template sheets; input blocks + findings; findings; results + findings
# ziele_vorschlagen under ThürGleichG writes nothing: § 4 Abs. 3 sets no figure (issue 13, E4)
EXPECTED_WRITES = {"neue_erhebung": 10, "personaldaten_importieren": 7, "pruefen": 1, "berechnen": 2,
                   "ziele_vorschlagen": 0, "fristen": 0, "planentwurf": 0, "hilfe": 0}
COUNTS: dict[str, dict] = {}


@pytest.mark.parametrize("tag", list(EXPECTED_WRITES))
def test_call_budget(tag, remote_book, excel, files, exports, fake_draft, tmp_path):
    """One read per sheet, one write per result block, and every Excel call through the adapter."""
    action, source, args, kwargs = _budget_cases(files, exports)[tag]
    if tag == "planentwurf":
        kwargs = {**kwargs, "out": tmp_path / "entwurf.docx"}
    book = remote_book(source if source is not None else excel.empty_payload())
    result = action(book, *args, **kwargs)
    assert result is not None, book.json()["actions"][-1]["args"][0]
    acts = book.json()["actions"]
    calls = result.calls
    funcs = Counter(a["func"] for a in acts)
    expected_reads = {"neue_erhebung": 1, "hilfe": 1}.get(tag, 1 + len(SHEETS))  # Metadaten + input sheets
    assert calls["reads"] == calls["sheets_read"] == expected_reads  # each sheet read once
    assert calls["writes"] == funcs["setValues"] + funcs["setFormula"] == EXPECTED_WRITES[tag]
    assert len(acts) == calls["writes"] + calls["formats"] + calls["structure"] + calls["ui"]
    COUNTS[tag] = {**calls, "actions": len(acts), "by_type": dict(funcs)}
    target = os.environ.get("XLG_CALL_COUNTS")
    if target:
        Path(target).write_text(json.dumps(COUNTS, indent=1, ensure_ascii=False), encoding="utf-8")


def test_the_clerks_page_describes_every_button():
    """docs/excel-addin.md names each button of macros/customUI.xml and shows the ribbon drawing."""
    page = (ROOT / "docs" / "excel-addin.md").read_text(encoding="utf-8")
    tree = etree.parse(str(ROOT / "macros" / "customUI.xml"))
    for button in tree.iter("{*}button"):
        assert f"**{button.get('label')}**" in page, button.get("label")
    assert "](ribbon.png)" in page and "keine Bildschirmaufnahme" in page
    assert (ROOT / "docs" / "ribbon.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_export_with_a_cover_sheet_is_told_apart_like_import_staff_reads_it():
    """The import reads the sheet with the best header (issue 11); the button must not refuse such a file."""
    from xl_gleichplan.io.hr_import import Mapping

    export = Path(__file__).resolve().parents[1] / "fixtures" / "exports" / "viva_zweites_blatt.xlsx"
    assert actions.classify_exports([export], Mapping()) == {"staff": export}
