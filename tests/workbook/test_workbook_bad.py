"""Bad workbooks (issue 3, "Done means"): each gets a German finding with sheet and cell, or a
GleichplanError with a German message; the CLI exits with 1 and never shows a traceback.

The large-workbook tests build their files in tmp_path within a second or two. The one that builds
a ~100 MB workbook whose input sheet is a pasted export runs only with XLG_SLOW=1:
    XLG_SLOW=1 python -m pytest tests/workbook -q -k slow
"""
from __future__ import annotations

import os
import shutil
import sys
import time
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from wbhelpers import assert_clean_failure, build, run_cli
from xl_gleichplan import cli
from xl_gleichplan.errors import GleichplanError, WorkbookError
from xl_gleichplan.io.workbook_reader import MAX_SHEET_ROWS, read_workbook
from xl_gleichplan.schema import TEMPLATE_VERSION

# Values a clerk might paste that must never be repeated in a message (they may be personal data).
SECRET_NAME = "Erika Mustermann-Geheim"
SECRET_DATE = datetime(1971, 3, 14)


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """A small, consistent filled workbook: no findings at all."""
    path = build(tmp_path_factory.mktemp("gut") / "gut.xlsx")
    wb = load_workbook(path)
    ws = wb["Bestand"]
    for row, (w, m) in {5: (10, 10), 6: (6, 4), 8: (4, 6)}.items():  # gesamt; Beamte + Tarif = gesamt
        ws[f"C{row}"], ws[f"D{row}"] = w, m
    ws["K5"], ws["L5"] = 3, 1  # davon Teilzeit
    wb.save(path)
    dataset, _ = read_workbook(path)
    assert dataset.findings == [], dataset.findings
    return path


@pytest.fixture
def cli_run(capsys, monkeypatch, tmp_path):
    """The CLI in-process (fast); an unexpected error would be logged into tmp_path."""
    monkeypatch.setenv("XL_GLEICHPLAN_LOG_DIR", str(tmp_path / "log"))

    def run(*args):
        code = cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err and "Unerwarteter Fehler" not in err, err
        assert not (tmp_path / "log").exists(), "an unexpected error was logged"
        return code, out, err
    return run


def _modified(good: Path, tmp_path: Path, change, name: str = "kaputt.xlsx") -> Path:
    wb = load_workbook(good)
    change(wb)
    path = tmp_path / name
    wb.save(path)
    return path


def _refused(cli_run, path: Path, *words: str) -> str:
    """read_workbook raises a GleichplanError naming the file; `check` exits 1 with the message."""
    with pytest.raises(GleichplanError) as info:
        read_workbook(path)
    message = str(info.value)
    assert path.name in message
    for word in words:
        assert word in message, (word, message)
    code, out, err = cli_run("check", path)
    assert code == 1 and err.startswith("Fehler: ") and message in err, err
    return message


def _finding(cli_run, path: Path, severity: str, sheet: str | None, cell: str | None, *words: str):
    """Exactly the expected finding (and only findings of that problem); `check` prints it with
    sheet and cell and exits 1 for an error."""
    dataset, _ = read_workbook(path)
    hits = [f for f in dataset.findings if f.severity == severity and f.sheet == sheet and f.cell == cell
            and all(w in f.message for w in words)]
    assert hits, [(f.severity, f.sheet, f.cell, f.message) for f in dataset.findings]
    code, out, err = cli_run("check", path)
    assert code == (1 if any(f.severity == "error" for f in dataset.findings) else 0), out
    assert (cell or sheet or "") in out and words[0] in out, out
    return hits[0], dataset


# ----------------------------------------------------------------------------- not a workbook at all

def test_csv_renamed_to_xlsx(cli_run, tmp_path):
    path = tmp_path / "personal.xlsx"
    path.write_text("name;geschlecht\nMuster;w\n", encoding="utf-8")
    _refused(cli_run, path, "keine Excel-Arbeitsmappe", "CSV")


def test_zip_that_is_no_workbook(cli_run, tmp_path):
    path = tmp_path / "archiv.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("liesmich.txt", "kein Excel")
    _refused(cli_run, path, "ZIP-Archiv, aber keine Excel-Arbeitsmappe")


def test_truncated_workbook(cli_run, good, tmp_path):
    path = tmp_path / "abgebrochen.xlsx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    _refused(cli_run, path, "beschädigt oder unvollständig")


def test_empty_file_and_folder(cli_run, tmp_path):
    (tmp_path / "leer.xlsx").write_bytes(b"")
    _refused(cli_run, tmp_path / "leer.xlsx", "keine Excel-Arbeitsmappe")
    (tmp_path / "ordner.xlsx").mkdir()
    _refused(cli_run, tmp_path / "ordner.xlsx", "Ordner")


def test_missing_file(cli_run, tmp_path):
    _refused(cli_run, tmp_path / "gibtsnicht.xlsx", "nicht gefunden")


def test_password_protected_file(cli_run, tmp_path):
    """Excel saves an encrypted workbook as an OLE compound file, whatever its suffix."""
    path = tmp_path / "geschuetzt.xlsx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(4088))
    _refused(cli_run, path, "kennwortgeschützt")


# ----------------------------------------------------------------------------- not ours

def test_foreign_workbook(cli_run, tmp_path):
    path = tmp_path / "fremd.xlsx"
    wb = Workbook()
    wb.active["A1"], wb.active["B1"] = "Frauen", 12
    wb.save(path)
    _refused(cli_run, path, "kein Erhebungsbogen", "Metadaten")


def test_foreign_workbook_with_a_metadata_sheet(cli_run, tmp_path):
    path = tmp_path / "andere_vorlage.xlsx"
    wb = Workbook()
    wb.active.title = "Metadaten"
    wb.active.append(["dokumenttyp", "Dokumenttyp", "Statistikbogen des Landesamts"])
    wb.save(path)
    _refused(cli_run, path, "kein Erhebungsbogen", "Dokumenttyp")


@pytest.mark.parametrize("version", [99, 0, "zwei"])
def test_unknown_template_version_names_both(cli_run, good, tmp_path, version):
    path = _modified(good, tmp_path, lambda wb: wb["Metadaten"].__setitem__("C3", version))
    assert load_workbook(good)["Metadaten"]["A3"].value == "vorlagenversion"
    _refused(cli_run, path, f"Vorlagenversion {version}", f"Version {TEMPLATE_VERSION}")
    with pytest.raises(WorkbookError):
        read_workbook(path)


def test_deleted_metadata_sheet(cli_run, good, tmp_path):
    _refused(cli_run, _modified(good, tmp_path, lambda wb: wb.remove(wb["Metadaten"])), "Metadaten", "fehlt")


# ----------------------------------------------------------------------------- findings with sheet and cell

def test_deleted_input_sheet(cli_run, good, tmp_path):
    path = _modified(good, tmp_path, lambda wb: wb.remove(wb["Gremien"]))
    finding, dataset = _finding(cli_run, path, "error", "Gremien", None, "Das Blatt „Gremien“ fehlt")
    assert dataset.stock  # the other sheets are still read


def test_merged_cells_in_the_input_area(cli_run, good, tmp_path):
    path = _modified(good, tmp_path, lambda wb: wb["Bestand"].merge_cells("C10:D10"))
    _finding(cli_run, path, "error", "Bestand", "C10:D10", "verbunden")


def test_formula_overwritten_by_a_number(cli_run, good, tmp_path):
    def change(wb):
        wb["Bestand"]["H5"] = 0.5  # Frauenanteil of the gesamt row
        wb["Übersicht"]["B8"] = 42  # not an input sheet: not reported
    path = _modified(good, tmp_path, change)
    finding, dataset = _finding(cli_run, path, "warning", "Bestand", "H5", "Formel", "fester Wert")
    assert [f.cell for f in dataset.findings] == ["H5"]


def test_header_changed(cli_run, good, tmp_path):
    path = _modified(good, tmp_path, lambda wb: wb["Bestand"].__setitem__("C4", "Weiblich"))
    finding, dataset = _finding(cli_run, path, "error", "Bestand", "C4", "Spaltenüberschrift", "Weiblich", "Frauen")
    assert dataset.stock == {}  # the changed sheet is not evaluated


def test_text_in_a_count_cell_is_not_echoed(cli_run, good, tmp_path):
    path = _modified(good, tmp_path, lambda wb: wb["Bestand"].__setitem__("C10", SECRET_NAME))
    finding, dataset = _finding(cli_run, path, "error", "Bestand", "C10", "Text")
    code, out, err = cli_run("check", path, "--format", "json")
    assert all("Mustermann" not in f.message for f in dataset.findings)
    assert "Mustermann" not in out + err


def test_date_in_a_count_cell_is_not_echoed(cli_run, good, tmp_path):
    path = _modified(good, tmp_path, lambda wb: wb["Bestand"].__setitem__("D11", SECRET_DATE))
    finding, dataset = _finding(cli_run, path, "error", "Bestand", "D11", "Datum")
    code, out, err = cli_run("check", path)
    assert "1971" not in out + err and "14.03" not in out + err


@pytest.mark.parametrize("value, words", [(-3, ("Negative Anzahl",)), (2.5, ("ganze Zahl",))])
def test_negative_or_fractional_count(cli_run, good, tmp_path, value, words):
    path = _modified(good, tmp_path, lambda wb: wb["Gremien"].__setitem__("B5", value) or
                     wb["Gremien"].__setitem__("A5", "Personalrat"))
    _finding(cli_run, path, "error", "Gremien", "B5", *words)


def test_part_time_above_total(cli_run, good, tmp_path):
    path = _modified(good, tmp_path, lambda wb: wb["Bestand"].__setitem__("L5", 11))  # 11 of 10 men part-time
    _finding(cli_run, path, "error", "Bestand", "L5", "davon Teilzeit", "Männer")


def test_complete_dimension_disagrees_with_the_total(cli_run, good, tmp_path):
    path = _modified(good, tmp_path, lambda wb: wb["Bestand"].__setitem__("C6", 7))  # Beamte 7 + Tarif 4 != 10
    finding, _ = _finding(cli_run, path, "warning", "Bestand", "C6:F8", "Statusgruppe", "11 Frauen", "10 Frauen")
    assert finding.row == 6


@pytest.mark.parametrize("text, what", [("P1002345", "Personalnummer"), ("Müller, geb. 04.03.1980", "Datum")])
def test_personal_data_in_a_bereich_cell(cli_run, good, tmp_path, text, what):
    """An error, and the text is not taken over: it reaches no result, JSON or draft."""
    def change(wb):
        ws = wb["Bestand"]
        ws["A60"], ws["B60"], ws["C60"] = "Fachrichtung", text, 1
    _, dataset = _finding(cli_run, _modified(good, tmp_path, change), "error", "Bestand", "B60", what)
    assert not any(text in area for _, area in dataset.stock)


def test_many_bad_cells_are_counted_not_listed(cli_run, good, tmp_path):
    """A pasted list gives ten findings per column and one that counts the rest."""
    def change(wb):
        ws = wb["Gremien"]
        for r in range(5, 45):
            ws[f"A{r}"], ws[f"B{r}"] = f"Gremium {r}", "viele"
    dataset, _ = read_workbook(_modified(good, tmp_path, change))
    listed = [f for f in dataset.findings if f.sheet == "Gremien" and f.cell and f.cell.startswith("B")]
    assert len(listed) == 10
    assert any("30 weitere" in f.message and "„Frauen“" in f.message for f in dataset.findings)


# ----------------------------------------------------------------------------- Excel's lock file

def _owner_file(path: Path) -> Path:
    """What Excel writes next to an open workbook: ~$name, 165 bytes with the user's name."""
    lock = path.with_name("~$" + path.name)
    lock.write_bytes(bytes([5]) + b"Maria".ljust(53) + bytes([5, 0]) + "Maria".encode("utf-16-le").ljust(104, b"\x00"))
    return lock


def test_workbook_open_in_excel_is_read_with_a_hint(cli_run, good, tmp_path):
    path = tmp_path / "offen.xlsx"
    shutil.copy(good, path)
    _owner_file(path)
    dataset, _ = read_workbook(path)
    assert [(f.severity, f.sheet) for f in dataset.findings] == [("info", None)]
    assert "in Excel geöffnet" in dataset.findings[0].message and "~$offen.xlsx" in dataset.findings[0].message
    code, out, err = cli_run("check", path)
    assert code == 0 and "in Excel geöffnet" in out


def test_lock_file_given_as_the_workbook(cli_run, good, tmp_path):
    path = tmp_path / "offen.xlsx"
    shutil.copy(good, path)
    _refused(cli_run, _owner_file(path), "Sperrdatei", "ohne „~$“")


def test_lock_file_through_a_real_process(good, tmp_path):
    """The same in a subprocess, as a clerk runs it: exit 1, German, no traceback."""
    path = tmp_path / "offen.xlsx"
    shutil.copy(good, path)
    lock = _owner_file(path)
    assert_clean_failure(run_cli("check", lock), "Sperrdatei")
    assert_clean_failure(run_cli("compute", lock, "--write"), "Sperrdatei")
    csv = tmp_path / "export.xlsx"
    csv.write_text("a;b\n1;2\n")
    assert_clean_failure(run_cli("import-staff", "--into", csv, csv), "keine Excel-Arbeitsmappe")


# ----------------------------------------------------------------------------- large workbooks

def _add_part(path: Path, name: str, data: bytes, compress: int) -> None:
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(zipfile.ZipInfo(name, (2025, 1, 1, 0, 0, 0)), data, compress_type=compress)


def test_100_mb_workbook_with_a_scan_inside_is_read_quickly(cli_run, good, tmp_path):
    """100 MB on disk (an embedded scan, incompressible): only our sheets are read."""
    path = tmp_path / "gross.xlsx"
    shutil.copy(good, path)
    _add_part(path, "xl/media/scan1.bin", os.urandom(100 * 1024 * 1024), zipfile.ZIP_STORED)
    assert path.stat().st_size > 100_000_000
    start = time.monotonic()
    dataset, _ = read_workbook(path)
    assert time.monotonic() - start < 15
    assert dataset.findings == [] and dataset.heads == 20
    code, out, err = cli_run("check", path)
    assert code == 0
    path.unlink()  # pytest keeps the last tmp folders; no need to keep 100 MB


def test_zip_bomb_is_refused(cli_run, good, tmp_path):
    """A workbook that would unpack to 200 MB from a few hundred KB: refused before anything is read."""
    path = tmp_path / "bombe.xlsx"
    shutil.copy(good, path)
    _add_part(path, "xl/media/bild.bin", bytes(200 * 1024 * 1024), zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 5_000_000
    start = time.monotonic()
    _refused(cli_run, path, "Zip-Bombe")
    assert time.monotonic() - start < 15


def _paste_rows(path: Path, sheet_part: str, first: int, count: int) -> None:
    """Rows of a personnel export pasted below the template rows: raw XML, streamed into the zip."""
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    head, tail = parts[sheet_part].split(b"</sheetData>", 1)
    row = ('<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Fachrichtung</t></is></c>'
           '<c r="B{r}" t="inlineStr"><is><t>P{p:09d}</t></is></c>'
           '<c r="C{r}" t="inlineStr"><is><t>Mustermann, Erika</t></is></c><c r="D{r}"><v>{m}</v></c></row>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in parts.items():
            if name != sheet_part:
                zf.writestr(name, data)
                continue
            with zf.open(name, "w", force_zip64=True) as out:
                out.write(head)
                for start in range(first, first + count, 50_000):
                    out.write("".join(row.format(r=r, p=(r * 2654435761) % 10**9, m=r % 7)
                                      for r in range(start, min(start + 50_000, first + count))).encode())
                out.write(b"</sheetData>" + tail)


def _stock_part(path: Path) -> str:
    from openpyxl import load_workbook as lw

    wb = lw(path, read_only=True)
    index = wb.sheetnames.index("Bestand") + 1
    wb.close()
    return f"xl/worksheets/sheet{index}.xml"


def _check_pasted_export(cli_run, good, tmp_path, rows: int, seconds: float):
    path = tmp_path / "eingefuegt.xlsx"
    shutil.copy(good, path)
    _paste_rows(path, _stock_part(path), 300, rows)
    start = time.monotonic()
    dataset, _ = read_workbook(path)
    elapsed = time.monotonic() - start
    assert elapsed < seconds, elapsed
    sys.__stderr__.write(f"\n{path.name}: {path.stat().st_size / 1e6:.0f} MB, read in {elapsed:.1f} s\n")
    too_long = [f for f in dataset.findings if f.cell == f"A{MAX_SHEET_ROWS + 1}"]
    assert too_long and too_long[0].severity == "error" and "hineinkopiert" in too_long[0].message
    assert len(dataset.findings) < 40  # counted, not listed
    assert all("Mustermann" not in f.message for f in dataset.findings)
    code, out, err = cli_run("check", path)
    assert code == 1 and "hineinkopiert" in out and "Mustermann" not in out
    return path.stat().st_size


def test_pasted_export_in_an_input_sheet(cli_run, good, tmp_path):
    """25,000 pasted rows: an error finding, only the first 10,000 rows read, in bounded time."""
    _check_pasted_export(cli_run, good, tmp_path, 25_000, 20)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("XLG_SLOW"), reason="slow (about a minute): set XLG_SLOW=1 to run")
def test_slow_pasted_export_of_about_100_mb(cli_run, good, tmp_path):
    """3.5 million pasted rows: ~800 MB of sheet XML, a ~95 MB file (compression level 1)."""
    size = _check_pasted_export(cli_run, good, tmp_path, 3_500_000, 120)
    (tmp_path / "eingefuegt.xlsx").unlink()
    assert size > 80_000_000


def test_hidden_input_sheet_is_read_and_named(good, tmp_path):
    path = tmp_path / "versteckt.xlsx"
    wb = load_workbook(good)
    wb["Gremien"].sheet_state = "hidden"
    wb.save(path)
    dataset, _ = read_workbook(path)
    assert dataset.stock  # still read
    assert [(f.severity, f.sheet) for f in dataset.findings] == [("info", "Gremien")]
    assert "ausgeblendet" in dataset.findings[0].message


def test_copy_of_an_input_sheet_is_named_not_counted(good, tmp_path):
    path = tmp_path / "kopie.xlsx"
    wb = load_workbook(good)
    copy = wb.copy_worksheet(wb["Bestand"])
    copy.title = "Bestand (2)"
    copy["C5"] = 999  # numbers typed into the copy are not counted
    wb.save(path)
    dataset, _ = read_workbook(path)
    assert dataset.stock[("gesamt", "gesamt")].w == 10
    assert [(f.severity, f.sheet) for f in dataset.findings] == [("warning", "Bestand (2)")]
    assert "Kopie von „Bestand“" in dataset.findings[0].message

