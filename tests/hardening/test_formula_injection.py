"""Formula injection (issue 7, item 2): text from an input never becomes a live formula.

Each of the four prefixes a spreadsheet treats as the start of a formula (=, +, -, @) is put into
every free-text field an agency fills in: the name of the Dienststelle and its parent office, a
committee, a Bereich of the free dimension Fachrichtung, a measure's text and the person responsible.
Then every output that carries such text is searched:

- workbooks written with openpyxl (``compute --out``, ``import-staff``, the consolidation summary):
  the payload appears as a text cell, and no ``<f>`` element anywhere contains it;
- LibreOffice opens those workbooks and the history CSV (converted to .ods): no cell of its own
  content.xml has a formula with the payload, the text is there as the cell's value;
- the plan draft: no field code (``w:instrText``/``w:fldSimple``) contains it;
- the history CSV: the payload cell starts with an apostrophe, and reading the file back returns the
  original text (the round trip loses nothing).

The control test checks the search itself: a workbook with a real formula containing the marker is found.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from xl_gleichplan.consolidation.history import read_history
from xl_gleichplan.demo import DEMO_STICHTAG, write_exports
from xl_gleichplan.io.hr_import import import_exports
from xl_gleichplan.io.template import write_template
from xl_gleichplan.io.workbook_writer import fill_inputs, load, save
from xl_gleichplan.model import Agency, Counts, Measure
from xl_gleichplan.profiles import load_profile

MARK = "EVIL"  # in every payload, in no template formula
PAYLOADS = {
    "=": f'=HYPERLINK("http://{MARK}.example/","klick")',
    "+": f"+cmd|' /C {MARK}'!A0",
    "-": f"-2+3+cmd|' /C {MARK}'!A0",
    "@": f"@SUM(1+9)*cmd|' /C {MARK}'!A0",
}
SHEET_XML = re.compile(r"xl/worksheets/sheet\d+\.xml")


def _run(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xl_gleichplan", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300, env={**__import__("os").environ, "PYTHONIOENCODING": "utf-8"})


def _soffice() -> str:
    path = shutil.which("soffice")
    if path is None:  # CI installs LibreOffice (.ci/run): a missing one is a failure, not a skip
        pytest.fail("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc", pytrace=False)
    return path


def _workbook(folder: Path, exports: dict, prefix: str) -> Path:
    payload = PAYLOADS[prefix]
    profile = load_profile("thueringen")
    agency = Agency(payload, "landesverwaltung", payload + " (oben)")
    dataset = import_exports(**exports, profile=profile, stichtag=DEMO_STICHTAG, agency=agency)
    dataset.committees[payload] = Counts(3, 4)
    dataset.stock[("fachrichtung", payload)] = Counts(5, 6)
    dataset.measures = [Measure(None, "fortbildung", payload, payload, date(2027, 6, 30))]
    path = write_template(folder / f"erhebung_{ord(prefix)}.xlsx", profile, agency, DEMO_STICHTAG)
    wb = load(path)
    fill_inputs(wb, dataset, {"stock", "movements", "committees", "measures"})
    save(wb, path)
    return path


def _formulas_with_mark(path: Path) -> list[str]:
    """Formula texts of every sheet of an xlsx file that contain the marker."""
    hits = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if SHEET_XML.fullmatch(name):
                xml = zf.read(name).decode("utf-8")
                hits += [f for f in re.findall(r"<f[^>]*>(.*?)</f>", xml, re.S) if MARK in f]
    return hits


def _text_values(path: Path) -> set[str]:
    wb = load_workbook(path, read_only=True)
    return {c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict:
    """Every output of the product for the four poisoned workbooks."""
    root = tmp_path_factory.mktemp("injektion")
    exports = write_exports(root / "exporte", n_staff=120)
    (root / "eingang").mkdir()
    books = {p: _workbook(root / "eingang", exports, p) for p in PAYLOADS}
    out = {"books": books, "computed": {}, "drafts": {}}
    for prefix, book in books.items():
        target = root / f"ergebnis_{ord(prefix)}.xlsx"
        done = _run("compute", book, "--out", target)
        assert done.returncode in (0, 1), done.stderr  # 1: findings of the demo data, not a crash
        assert target.exists(), done.stderr
        out["computed"][prefix] = target
        draft = root / f"entwurf_{ord(prefix)}.docx"
        done = _run("plan", book, "--out", draft)
        assert draft.exists(), done.stderr
        out["drafts"][prefix] = draft
    # import-staff: a committee export whose names carry the payloads
    committees = root / "gremien.csv"
    committees.write_text("gremium;w;m;d;x\n" + "".join(f'"{p.replace(chr(34), 2 * chr(34))}";2;3;0;0\n'
                                                       for p in PAYLOADS.values()), encoding="utf-8-sig")
    imported = root / "importiert.xlsx"
    blank = write_template(root / "vorlage.xlsx", load_profile("thueringen"),
                           Agency("Amt", "landesverwaltung"), DEMO_STICHTAG)
    done = _run("import-staff", exports["staff"], "--into", blank, "--committees", committees, "--out", imported)
    assert imported.exists(), done.stdout + done.stderr
    out["imported"] = imported
    summary, history, js = root / "summe.xlsx", root / "verlauf.csv", root / "summe.json"
    done = _run("consolidate", root / "eingang", "--out", summary, "--history", history, "--json", js,
                "--today", "01.04.2026", "--jobs", "1", "--allow-partial")
    assert summary.exists(), done.stdout + done.stderr
    out.update(summary=summary, history=history, json=js)
    return out


def test_control_the_search_finds_a_real_formula(tmp_path):
    wb = Workbook()
    wb.active["A1"] = f'=HYPERLINK("http://{MARK}.example/","x")'
    wb.save(tmp_path / "kontrolle.xlsx")
    assert _formulas_with_mark(tmp_path / "kontrolle.xlsx")


@pytest.mark.parametrize("prefix", list(PAYLOADS))
def test_result_workbook_keeps_every_payload_as_text(outputs, prefix):
    path = outputs["computed"][prefix]
    assert _formulas_with_mark(path) == []
    texts = _text_values(path)
    assert PAYLOADS[prefix] in texts  # the name is there, as text (the test cannot pass by dropping it)


@pytest.mark.parametrize("prefix", list(PAYLOADS))
def test_input_workbook_filled_by_the_product_keeps_text(outputs, prefix):
    path = outputs["books"][prefix]
    assert _formulas_with_mark(path) == []
    assert PAYLOADS[prefix] in _text_values(path)


def test_import_staff_writes_committee_names_as_text(outputs):
    assert _formulas_with_mark(outputs["imported"]) == []
    texts = _text_values(outputs["imported"])
    assert set(PAYLOADS.values()) <= texts


def test_summary_workbook_keeps_agency_names_as_text(outputs):
    assert _formulas_with_mark(outputs["summary"]) == []
    texts = _text_values(outputs["summary"])
    assert set(PAYLOADS.values()) <= texts


def test_history_csv_escapes_every_prefix_and_reads_back_the_same(outputs):
    raw = outputs["history"].read_text(encoding="utf-8-sig")
    for payload in PAYLOADS.values():
        quoted = payload.replace('"', '""')
        # every payload field starts with the apostrophe, never with the formula sign itself
        assert re.search(r'(^|;)"?' + re.escape("'" + quoted), raw, re.M), payload
        assert not re.search(r'(^|;)"?' + re.escape(quoted), raw, re.M), payload
    frame = read_history(outputs["history"])
    assert set(PAYLOADS.values()) <= set(frame["agency"]) | set(frame["area"])


@pytest.mark.parametrize("prefix", list(PAYLOADS))
def test_plan_draft_has_no_field_with_the_payload(outputs, prefix):
    with zipfile.ZipFile(outputs["drafts"][prefix]) as zf:
        xml = "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".xml"))
    fields = re.findall(r"<w:instrText[^>]*>(.*?)</w:instrText>", xml, re.S) + \
        re.findall(r'<w:fldSimple[^>]*w:instr="([^"]*)"', xml)
    assert not [f for f in fields if MARK in f]
    assert MARK in xml  # the committee or measure text is in the draft, as text


def test_libreoffice_opens_every_output_without_a_formula_from_input(outputs, tmp_path):
    """The real spreadsheet engine: LibreOffice converts each workbook and the history CSV to .ods;
    no formula in its content.xml carries the marker, and the payloads are cell texts."""
    files = [*outputs["computed"].values(), outputs["imported"], outputs["summary"]]
    soffice = _soffice()
    profile = (tmp_path / "lo-profil").resolve().as_uri()
    base = [soffice, "--headless", "--norestore", f"-env:UserInstallation={profile}", "--convert-to", "ods",
            "--outdir", str(tmp_path)]
    subprocess.run([*base, *map(str, files)], capture_output=True, timeout=300, check=True)
    # the CSV as a clerk opens it: semicolon, text qualifier ", UTF-8 (76), first line 1
    csv = subprocess.run([*base, "--infilter=CSV:59,34,76,1", str(outputs["history"])], capture_output=True,
                         timeout=300)
    assert csv.returncode == 0, csv.stderr
    converted = [tmp_path / (f.stem + ".ods") for f in [*files, outputs["history"]]]
    for ods in converted:
        assert ods.exists(), ods
        with zipfile.ZipFile(ods) as zf:
            content = zf.read("content.xml").decode("utf-8")
        formulas = re.findall(r'table:formula="([^"]*)"', content)
        assert not [f for f in formulas if MARK in f], ods.name
        assert MARK in content, ods.name  # the payload text is there


def test_terminal_escape_sequences_from_an_export_are_not_printed(tmp_path):
    """A committee name with ANSI escape sequences (clear screen, colour) reaches the terminal only as
    a visible replacement character."""
    committees = tmp_path / "gremien.csv"
    committees.write_text("gremium;w;m;d;x\n\x1b[2J\x1b[31mPersonalrat\x07;3;2;0;0\n", encoding="utf-8")
    done = _run("compute", "--committees", committees)
    assert done.returncode == 0, done.stderr
    assert "Personalrat" in done.stdout
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "\ufffd[2J" in done.stdout  # shown, not obeyed
