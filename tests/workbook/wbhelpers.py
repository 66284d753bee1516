"""Helpers for the workbook tests: build and fill templates by script, recalculate with LibreOffice,
run the CLI in a subprocess. Imported by the test modules of this folder (pytest puts the folder on
sys.path, it has no __init__.py)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from xl_gleichplan.io import vocabulary as vocab
from xl_gleichplan.io.template import write_template
from xl_gleichplan.model import Agency
from xl_gleichplan.profiles import load_profile
from xl_gleichplan.schema import FIRST_DATA_ROW, SHEETS

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "workbook_templates"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


# ----------------------------------------------------------------------------- LibreOffice

def require_tool(name: str) -> str:
    """The path of an external program. Missing: a failure in CI (the test must run there), a skip
    on a developer machine."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install libreoffice-calc poppler-utils)"
        if in_ci():
            pytest.fail(message + "; CI must run the LibreOffice tests", pytrace=False)
        pytest.skip(message)
    return path


def soffice_start(files: list[Path], outdir: Path, target: str, profile_dir: Path):
    """Start converting all ``files`` in ONE soffice process (a call costs about 2 s); each process
    gets its own fresh user profile, so two can run side by side. Finish with ``soffice_wait``."""
    soffice = require_tool("soffice")
    outdir.mkdir(parents=True, exist_ok=True)
    profile_dir.mkdir(parents=True, exist_ok=True)
    cmd = [soffice, "--headless", "--norestore", f"-env:UserInstallation={profile_dir.resolve().as_uri()}",
           "--convert-to", target, "--outdir", str(outdir), *map(str, files)]
    suffix = "." + target.split(":")[0]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc, [outdir / (Path(f).stem + suffix) for f in files]


def soffice_wait(started, timeout: int = 240) -> list[Path]:
    proc, outputs = started
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    missing = [p.name for p in outputs if not p.exists()]
    assert not missing, f"soffice did not convert {missing}: rc={proc.returncode}\n{out}\n{err}"
    return outputs


def soffice_convert(files: list[Path], outdir: Path, target: str, profile_dir: Path, timeout: int = 240) -> list[Path]:
    """Convert all ``files`` in one soffice call; returns the outputs in the order of ``files``."""
    return soffice_wait(soffice_start(files, outdir, target, profile_dir), timeout)


# ----------------------------------------------------------------------------- templates

def build(path: Path, profile: str = "thueringen", agency_type: str | None = None,
          stichtag: date = date(2025, 6, 30), name: str = "Testamt", parent: str | None = None) -> Path:
    prof = load_profile(profile)
    return write_template(path, prof, Agency(name, agency_type or next(iter(prof.routing)), parent), stichtag)


def name_cell(wb, name: str):
    """The cell a workbook-level defined name (GP_LESART, GP_STICHTAG, ...) points to."""
    sheet, ref = wb.defined_names[name].attr_text.split("!")
    return wb[sheet.strip("'")][ref.replace("$", "")]


def row_of(ws, sheet_key: str, **labels) -> int:
    """The row whose input cells carry these labels (prefilled rows of the template)."""
    sheet = SHEETS[sheet_key]
    want = {code: vocab.key(v) for code, v in labels.items()}
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        if all(vocab.key(ws[f"{sheet.letter(c)}{r}"].value) == v for c, v in want.items()):
            return r
    raise KeyError(f"{sheet.name}: no row with {labels}")


def free_row(ws, sheet_key: str) -> int:
    """The first data row whose input cells are all empty."""
    sheet = SHEETS[sheet_key]
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        if all(ws[f"{sheet.letter(c.code)}{r}"].value in (None, "") for c in sheet.inputs):
            return r
    raise AssertionError(f"{sheet.name} is full")


def put_values(ws, sheet_key: str, row: int, **values) -> int:
    sheet = SHEETS[sheet_key]
    for code, value in values.items():
        ws[f"{sheet.letter(code)}{row}"] = value
    return row


def fill(ws, sheet_key: str, values: dict, find: dict | None = None) -> int:
    """Write ``values`` (code -> value) into the prefilled row matching ``find`` (code -> label),
    or into the first free row with the labels included."""
    if find:
        return put_values(ws, sheet_key, row_of(ws, sheet_key, **find), **values)
    return put_values(ws, sheet_key, free_row(ws, sheet_key), **values)


# ----------------------------------------------------------------------------- CLI

def run_cli(*args, cwd: Path | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """``python -m xl_gleichplan ARGS`` in a subprocess, as a clerk runs it."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "xl_gleichplan", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=timeout)


def assert_clean_failure(done: subprocess.CompletedProcess, *words: str) -> str:
    """Exit 1, a German message on stderr that contains ``words``, and never a traceback."""
    err = done.stderr
    assert done.returncode == 1, (done.returncode, done.stdout, err)
    assert "Traceback" not in err and "Traceback" not in done.stdout, err
    assert err.startswith("Fehler: "), err
    assert "Unerwarteter Fehler" not in err, err
    for word in words:
        assert word in err, (word, err)
    return err


def with_chart(filled: Path, target: Path) -> Path:
    """A copy of ``filled`` with a chart sheet: openpyxl would lose the chart, so results go beside it."""
    from openpyxl import load_workbook
    from openpyxl.chart import BarChart, Reference

    wb = load_workbook(filled)
    ws = wb.create_sheet("Diagramm")
    for row in (("Bereich", "Frauen"), ("mittlerer Dienst", 44), ("gehobener Dienst", 85)):
        ws.append(row)
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    ws.add_chart(chart, "D2")
    wb.save(target)
    return target
