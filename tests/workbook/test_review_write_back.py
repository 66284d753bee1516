"""Review findings on writing back: a failed backup says the workbook is untouched, and a workbook
whose results go into a separate file (chart, image, pivot, .xlsb) is never replaced through --out."""
from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from wbhelpers import build, with_chart
from xl_gleichplan import cli
from xl_gleichplan.demo import DEMO_STICHTAG
from xl_gleichplan.io import atomic
from xl_gleichplan.io.hr_import import import_exports
from xl_gleichplan.io.workbook_writer import fill_inputs, load, save
from xl_gleichplan.model import Agency
from xl_gleichplan.profiles import load_profile

AGENCY = Agency("Landesamt für Musterverwaltung", "landesverwaltung")


@pytest.fixture(scope="module")
def filled(tmp_path_factory, demo_exports) -> Path:
    dataset = import_exports(**demo_exports, profile=load_profile("thueringen"), stichtag=DEMO_STICHTAG, agency=AGENCY)
    path = build(tmp_path_factory.mktemp("review") / "erhebung.xlsx", "thueringen", AGENCY.type, DEMO_STICHTAG,
                 AGENCY.name)
    wb = load(path)
    fill_inputs(wb, dataset, {"stock", "movements", "postings", "committees", "forecast"})
    save(wb, path)
    return path


# ----------------------------------------------------------------------------- backup that cannot be written

@pytest.mark.parametrize("where", ["mkstemp", "copy", "fsync"])
def test_a_backup_that_cannot_be_written_says_the_workbook_is_untouched(filled, tmp_path, capsys, monkeypatch,
                                                                        where):
    """No rights for the backup (tests run as root, so chmod would not stop the write: patched)."""
    source = tmp_path / "mappe.xlsx"
    shutil.copy(filled, source)
    original = source.read_bytes()
    if where == "mkstemp":  # the folder refuses a new file
        real = atomic.tempfile.mkstemp

        def refuse(*args, dir=None, prefix="", **kwargs):
            if ".mappe.bak" in prefix:
                raise PermissionError(errno.EACCES, "Permission denied")
            return real(*args, dir=dir, prefix=prefix, **kwargs)

        monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    elif where == "copy":  # the copy itself is refused
        monkeypatch.setattr(shutil, "copy2", lambda *a, **k: (_ for _ in ()).throw(
            PermissionError(errno.EACCES, "Permission denied")))
    else:  # the copy is written, but the disk refuses to flush it (a full network share)
        monkeypatch.setattr(atomic, "_fsync", lambda *a: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space")))
    assert cli.main(["compute", str(source), "--write", "--in-place"]) == 1
    err = capsys.readouterr().err
    assert f"Sicherungskopie „{tmp_path / 'mappe.bak.xlsx'}“ kann nicht angelegt werden" in err, err
    assert f"Arbeitsmappe „{source}“ bleibt unverändert" in err, err
    reason = "(der Datenträger ist voll)" if where == "fsync" else "(keine Schreibrechte)"
    assert reason in err, err  # the German reason, not the English one
    assert "Permission denied" not in err and "No space" not in err and "Traceback" not in err
    assert source.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mappe.xlsx"]


# ----------------------------------------------------------------------------- --out on a separate-file workbook

@pytest.mark.parametrize("spelling", ["same", "dot-slash", "absolute", "other-folder-back", "hard-link"])
def test_out_equal_to_a_workbook_with_a_chart_is_refused(filled, tmp_path, capsys, monkeypatch, spelling):
    folder = tmp_path / "ordner"
    folder.mkdir()
    source = with_chart(filled, folder / "diagramm.xlsx")
    original = source.read_bytes()
    monkeypatch.chdir(folder)
    given, out = "diagramm.xlsx", {
        "same": "diagramm.xlsx",
        "dot-slash": "./diagramm.xlsx",
        "absolute": str(source),
        "other-folder-back": "../ordner/diagramm.xlsx",
        "hard-link": "verweis.xlsx",
    }[spelling]
    if spelling == "hard-link":
        os.link(source, folder / "verweis.xlsx")
    assert cli.main(["compute", given, "--write", "--out", out]) == 1
    err = capsys.readouterr().err
    assert "Die Zieldatei ist die Arbeitsmappe selbst" in err and "--out" in err, err
    assert "Traceback" not in err
    assert source.read_bytes() == original
    assert sorted(p.name for p in folder.iterdir()) == sorted({"diagramm.xlsx", Path(out).name})


def test_out_elsewhere_for_a_workbook_with_a_chart_still_works(filled, tmp_path, capsys):
    source = with_chart(filled, tmp_path / "diagramm.xlsx")
    original = source.read_bytes()
    assert cli.main(["compute", str(source), "--write", "--out", str(tmp_path / "ergebnisse.xlsx")]) == 0
    assert source.read_bytes() == original
    assert (tmp_path / "ergebnisse.xlsx").exists()
