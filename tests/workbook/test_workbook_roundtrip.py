"""Round trip and survival on write-back (issue 3, items 4 and "Done means").

template -> filled by script -> read -> compute -> written (`compute --write`) -> read again gives the
same model; `compute WORKBOOK --format json` equals `compute --staff ...` on the exports the
workbook was filled from. Writing back keeps what it does not understand (other sheets, VBA) or,
where openpyxl would drop something (charts), leaves the workbook alone and writes a new file.
"""
from __future__ import annotations

import dataclasses
import json
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from wbhelpers import build, run_cli, with_chart
from xl_gleichplan import cli
from xl_gleichplan.demo import DEMO_STICHTAG
from xl_gleichplan.io.hr_import import import_exports
from xl_gleichplan.io.workbook_reader import read_workbook
from xl_gleichplan.io.workbook_writer import fill_inputs, load, save
from xl_gleichplan.model import Agency, Dataset, Measure
from xl_gleichplan.profiles import load_profile
from xl_gleichplan.schema import FINDINGS_SHEET, RESULTS_SHEET

AGENCY = Agency("Landesamt für Musterverwaltung", "landesverwaltung")  # no parent: `compute --staff` has none
ALL_SHEETS = {"stock", "movements", "postings", "committees", "forecast", "targets", "measures"}
MODEL_FIELDS = [f.name for f in dataclasses.fields(Dataset) if f.compare and f.name != "findings"]  # not where read
MEASURES = [Measure("Z2", "personell", "Ausschreibungen für Referatsleitungen auch in Teilzeit", "Personalreferat",
                    date(2026, 12, 31)),
            Measure(None, "fortbildung", "=Führungskräftetraining für Frauen", "", None)]  # "=" stays text


@pytest.fixture(scope="module")
def imported(demo_exports) -> Dataset:
    dataset = import_exports(**demo_exports, profile=load_profile("thueringen"), stichtag=DEMO_STICHTAG, agency=AGENCY)
    dataset.measures = list(MEASURES)
    return dataset


@pytest.fixture(scope="module")
def filled(tmp_path_factory, imported) -> Path:
    """A template filled by script (fill_inputs) from the imported demo exports."""
    path = build(tmp_path_factory.mktemp("rund") / "erhebung.xlsx", "thueringen", AGENCY.type, DEMO_STICHTAG,
                 AGENCY.name)
    wb = load(path)
    fill_inputs(wb, imported, ALL_SHEETS)
    save(wb, path)
    return path


def _model(dataset: Dataset) -> dict:
    return {name: getattr(dataset, name) for name in MODEL_FIELDS}


def _findings(dataset: Dataset) -> list:
    return [dataclasses.replace(f, file=None) for f in dataset.findings]


def test_filled_workbook_reads_back_the_dataset(filled, imported):
    dataset, profile = read_workbook(filled)
    assert profile.id == "thueringen"
    assert _model(dataset) == _model(imported)
    assert dataset.findings == []


def test_compute_write_then_read_again_gives_the_same_model(filled, tmp_path):
    source = tmp_path / filled.name
    shutil.copy(filled, source)
    before, _ = read_workbook(source)
    done = run_cli("compute", source, "--write")
    assert done.returncode == 0, done.stderr
    written = source.with_name("erhebung_ergebnis.xlsx")
    assert f"Geschrieben: {written}" in done.stdout
    assert source.read_bytes() == filled.read_bytes()  # the input is never changed
    after, _ = read_workbook(written)
    assert _model(after) == _model(before)
    assert _findings(after) == _findings(before)
    wb = load_workbook(written)
    assert wb.sheetnames[-2:] == [RESULTS_SHEET, FINDINGS_SHEET]
    # and once more: the result sheets are replaced, not added again
    assert run_cli("compute", written, "--write", "--out", tmp_path / "zweimal.xlsx").returncode == 0
    again = load_workbook(tmp_path / "zweimal.xlsx")
    assert again.sheetnames == wb.sheetnames
    assert _model(read_workbook(tmp_path / "zweimal.xlsx")[0]) == _model(before)


def test_results_sheet_holds_pythons_values(filled, tmp_path, imported):
    from xl_gleichplan.analysis import analyse

    out = tmp_path / "ergebnis.xlsx"
    assert cli.main(["compute", str(filled), "--write", "--out", str(out)]) == 0
    rows = list(load_workbook(out)[RESULTS_SHEET].iter_rows(values_only=True))
    facts = {r[0]: r[1] for r in rows[2:30] if r and r[0]}
    analysis = analyse(imported, load_profile("thueringen"))
    assert facts["Beschäftigte (Köpfe)"] == analysis.dataset.heads == 300
    assert facts["I1: vollständig erreichte Zielvorgaben"] == pytest.approx(float(analysis.leadership.count_reading))
    assert facts["Plan soll vorliegen bis"].date() == date(2026, 3, 30)


def test_workbook_json_equals_exports_json(filled, demo_exports):
    """`compute WORKBOOK --format json` is the same JSON as the core's compute on the exports."""
    from_workbook = run_cli("compute", filled, "--format", "json")
    from_exports = run_cli("compute", "--staff", demo_exports["staff"], "--movements", demo_exports["movements"],
                           "--committees", demo_exports["committees"], "--targets", demo_exports["targets"],
                           "--agency-name", AGENCY.name, "--agency-type", AGENCY.type,
                           "--stichtag", DEMO_STICHTAG.isoformat(), "--format", "json")
    assert from_workbook.returncode == 0 and from_exports.returncode == 0, from_workbook.stderr + from_exports.stderr
    a, b = json.loads(from_workbook.stdout), json.loads(from_exports.stdout)
    # the exports' run also says what became of their columns (issue 11); a workbook has none to report
    b["findings"] = [f for f in b["findings"] if f.get("topic") != "columns"]
    # a finding names where it was found: the cell "für" in the Zielvorgabe's own row of the workbook, or
    # the geschlecht cell (column D of the demo's zielvorgaben.csv) of the export
    sheet = load_workbook(filled, read_only=True)["Zielvorgaben"]
    assert a["findings"] and len(a["findings"]) == len(b["findings"])
    for f in a["findings"]:
        assert (f["file"], f["sheet"], f["cell"][0]) == (filled.name, "Zielvorgaben", "D"), f
        assert f["message"].startswith(f"Zielvorgabe {sheet['A' + f['cell'][1:]].value} gilt für "
                                       f"{sheet[f['cell']].value} in "), f
    for f in b["findings"]:
        assert (f["file"], f["sheet"], f["cell"][0]) == (Path(demo_exports["targets"]).name, None, "D"), f
    for side in (a, b):
        side["findings"] = [{k: v for k, v in f.items() if k not in ("file", "sheet", "cell")}
                            for f in side["findings"]]
    assert a == b
    assert a["agency"]["staff"] == 300 and a["areas"] and a["movements"] and a["targets"]


# ----------------------------------------------------------------------------- survival on write-back

def test_user_sheets_survive_write_back(filled, tmp_path):
    source = tmp_path / "mit_notizen.xlsx"
    wb = load_workbook(filled)
    notes = wb.create_sheet("Notizen", 0)
    notes["A1"], notes["B1"], notes["B2"] = "Rückfrage an Personalreferat", 12, "=B1*2"
    wb["Bestand"]["R3"] = "eigene Notiz neben der Tabelle"
    wb.save(source)
    out = tmp_path / "ergebnis.xlsx"
    assert cli.main(["compute", str(source), "--write", "--out", str(out)]) == 0
    result = load_workbook(out)
    assert result.sheetnames == [*wb.sheetnames, RESULTS_SHEET, FINDINGS_SHEET]
    assert [c.value for c in result["Notizen"]["A1:B2"][0]] == ["Rückfrage an Personalreferat", 12]
    assert result["Notizen"]["B2"].value == "=B1*2"
    assert result["Bestand"]["R3"].value == "eigene Notiz neben der Tabelle"
    assert set(result.defined_names) == set(wb.defined_names)
    assert result["Bestand"].protection.sheet and result["Bestand"].data_validations.dataValidation


def _vba_project() -> bytes:
    """A real vbaProject.bin (xlwings' quickstart.xlsm), or a stand-in blob with the CFB signature
    (openpyxl copies it without looking inside)."""
    try:
        import xlwings

        with zipfile.ZipFile(Path(xlwings.__file__).parent / "quickstart.xlsm") as zf:
            return zf.read("xl/vbaProject.bin")
    except (ImportError, OSError, KeyError):
        return bytes.fromhex("D0CF11E0A1B11AE1") + b"VBA stand-in " * 500


def _make_xlsm(xlsx: Path, target: Path, vba: bytes) -> Path:
    """Our workbook as .xlsm: the macro-enabled content type, vbaProject.bin and its relationship."""
    with zipfile.ZipFile(xlsx) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    types = parts["[Content_Types].xml"].decode()
    types = types.replace("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                          "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    types = types.replace("<Default ", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default ', 1)
    parts["[Content_Types].xml"] = types.encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdVBA1" Type="http://schemas.microsoft.com/office/2006/'
                                            'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
    parts["xl/_rels/workbook.xml.rels"] = rels.encode()
    parts["xl/vbaProject.bin"] = vba
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    return target


def test_xlsm_keeps_its_vba_project(filled, tmp_path):
    vba = _vba_project()
    source = _make_xlsm(filled, tmp_path / "mit_makros.xlsm", vba)
    original = source.read_bytes()
    dataset, _ = read_workbook(source)
    assert dataset.heads == 300
    assert cli.main(["compute", str(source), "--write"]) == 0
    out = tmp_path / "mit_makros_ergebnis.xlsm"
    assert source.read_bytes() == original
    with zipfile.ZipFile(out) as zf:
        assert zf.read("xl/vbaProject.bin") == vba
        assert b"macroEnabled.main+xml" in zf.read("[Content_Types].xml")
        assert b"vbaProject" in zf.read("xl/_rels/workbook.xml.rels")
    assert RESULTS_SHEET in load_workbook(out, keep_vba=True).sheetnames
    assert _model(read_workbook(out)[0]) == _model(dataset)


@pytest.mark.parametrize("in_place", [False, True])
def test_workbook_with_a_chart_is_not_rewritten(filled, tmp_path, capsys, in_place):
    source = with_chart(filled, tmp_path / "mit_diagramm.xlsx")
    with zipfile.ZipFile(source) as zf:
        assert any(n.startswith("xl/charts/") for n in zf.namelist())
    original = source.read_bytes()
    args = ["compute", str(source), "--write"] + (["--in-place"] if in_place else [])
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "Diagramme" in out and "unverändert" in out
    assert source.read_bytes() == original
    result = tmp_path / "mit_diagramm_ergebnis.xlsx"
    assert load_workbook(result).sheetnames == [RESULTS_SHEET, FINDINGS_SHEET]
    assert not list(tmp_path.glob("*.bak*"))


def test_in_place_makes_a_backup_first(filled, tmp_path, capsys):
    source = tmp_path / "direkt.xlsx"
    shutil.copy(filled, source)
    original = source.read_bytes()
    assert cli.main(["compute", str(source), "--write", "--in-place"]) == 0
    out = capsys.readouterr().out
    backup = tmp_path / "direkt.bak.xlsx"
    assert f"Sicherungskopie: {backup}" in out
    assert backup.read_bytes() == original
    assert RESULTS_SHEET in load_workbook(source).sheetnames
    assert _model(read_workbook(source)[0]) == _model(read_workbook(backup)[0])
    # a second run keeps the first backup and numbers the next one
    assert cli.main(["compute", str(source), "--write", "--in-place"]) == 0
    assert backup.read_bytes() == original and (tmp_path / "direkt.bak2.xlsx").exists()


def test_in_place_stops_untouched_when_the_backup_cannot_be_written(filled, tmp_path, capsys, monkeypatch):
    """A full disk while copying the backup: a German message naming the backup, the workbook
    unchanged, no backup fragment left, exit code 1."""
    import errno

    source = tmp_path / "voll.xlsx"
    shutil.copy(filled, source)
    original = source.read_bytes()

    def full_disk(src, dst, *a, **k):
        Path(dst).write_bytes(b"PK")  # a fragment, as a copy cut off by a full disk leaves it
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copy2", full_disk)
    assert cli.main(["compute", str(source), "--in-place"]) == 1
    err = capsys.readouterr().err
    assert "voll.bak.xlsx" in err and "der Datenträger ist voll" in err, err
    assert "No space left" not in err and "Traceback" not in err
    assert source.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["voll.xlsx"]


def test_out_equal_to_the_source_needs_in_place(filled, tmp_path, capsys):
    source = tmp_path / "gleich.xlsx"
    shutil.copy(filled, source)
    assert cli.main(["compute", str(source), "--write", "--out", str(source)]) == 1
    assert "--in-place" in capsys.readouterr().err
    assert source.read_bytes() == filled.read_bytes()


def test_import_staff_into_a_template(tmp_path, demo_exports, imported):
    """`import-staff EXPORT --into WORKBOOK` fills the input sheets through the core's importer."""
    template = build(tmp_path / "leer.xlsx", "thueringen", AGENCY.type, DEMO_STICHTAG, AGENCY.name)
    done = run_cli("import-staff", demo_exports["staff"], "--movements", demo_exports["movements"],
                   "--committees", demo_exports["committees"], "--into", template)
    assert done.returncode == 0, done.stderr
    filled = tmp_path / "leer_gefuellt.xlsx"
    dataset, _ = read_workbook(filled)
    for name in ("stock", "movements", "postings", "committees", "forecast", "part_time", "on_leave", "heads"):
        assert getattr(dataset, name) == getattr(imported, name), name
    assert dataset.findings == []
