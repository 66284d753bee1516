"""The batch reads through the one workbook reader: a broken sheet and a Rust panic in calamine give
the reader's German message naming file and sheet (not "Unerwarteter Fehler", not a traceback, not a
PicklingError from a worker); workers survive under every start method ("forkserver" is Linux's
default from Python 3.14); a file that may not be read says so ("keine Leserechte")."""
from __future__ import annotations

import errno
import functools
import multiprocessing
import os
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from consolidate_helpers import ROOT, STICHTAGE
from xl_gleichplan.cli import main
from xl_gleichplan.consolidation import batch, core
from xl_gleichplan.io import workbook_reader

sys.path.insert(0, str(ROOT / "tests" / "hardening"))
from hostile_helpers import zip_parts, zip_rewrite  # noqa: E402


class PanicException(BaseException):
    """Stands in for ``pyo3_runtime.PanicException`` (a Rust panic in python-calamine): a BaseException."""


def _files(agencies, n: int) -> list[Path]:
    folder, _ = agencies
    return sorted((folder / STICHTAGE[0].isoformat()).rglob("*.xlsx"))[:n]


def _sheet_part(path: Path, sheet: str) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    index = wb.sheetnames.index(sheet) + 1
    wb.close()
    return f"xl/worksheets/sheet{index}.xml"


def _panic_in(victim: str):
    """A read_book that panics in the sheet „Bestand“ of ``victim`` and reads every other file."""
    real = workbook_reader.read_book

    def read_book(book, file, profile=None):
        if file == Path(victim).name or str(victim).endswith(file):
            book.get_sheet_by_name("Bestand")
            raise PanicException("index out of bounds: the len is 3 but the index is 999999")
        return real(book, file, profile)

    return read_book


@pytest.mark.skipif("forkserver" not in multiprocessing.get_all_start_methods(), reason="no forkserver here")
def test_workers_live_under_forkserver(agencies, monkeypatch):
    files = _files(agencies, 3)
    context = multiprocessing.get_context("forkserver")
    monkeypatch.setattr(batch, "ProcessPoolExecutor", functools.partial(ProcessPoolExecutor, mp_context=context))
    results = batch.read_all(files, jobs=2)
    assert [r.status for r in results] == ["processed"] * 3, [r.reason for r in results]
    assert [r.path for r in results] == [str(f) for f in files]


def test_a_worker_ends_when_its_parent_is_gone(tmp_path):
    """The watch compares with the parent the worker started with (here: a process that exits)."""
    if os.name == "nt":
        pytest.skip("POSIX only")
    import subprocess

    code = ("import os, sys, time\n"
            "from xl_gleichplan.consolidation import batch\n"
            "r, w = os.pipe()\n"
            "if os.fork():\n"
            "    os.read(r, 1)\n"  # the child watches: now the parent exits and the child is re-parented
            "    os._exit(0)\n"
            "batch._watch_parent(os.getppid(), interval=0.05)\n"
            "os.write(w, b'x')\n"
            "time.sleep(0.5)\n"
            "open(sys.argv[1], 'w').write('still alive')\n")
    marker = tmp_path / "alive.txt"
    subprocess.run([sys.executable, "-c", code, str(marker)], check=True, timeout=30)
    import time

    time.sleep(1.0)
    assert not marker.exists()


def test_a_worker_whose_main_process_ended_before_it_started_ends_too(tmp_path):
    """Under forkserver the parent is the fork server; had the main process ended before the worker
    started, only the main process's id tells (review finding)."""
    if os.name == "nt":
        pytest.skip("POSIX only")
    import subprocess
    import time

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    code = ("import sys, time\n"
            "from xl_gleichplan.consolidation import batch\n"
            f"batch._watch_parent({gone.pid}, interval=0.05)\n"
            "time.sleep(1.0)\n"
            "open(sys.argv[1], 'w').write('still alive')\n")
    marker = tmp_path / "alive.txt"
    done = subprocess.run([sys.executable, "-c", code, str(marker)], timeout=30)
    time.sleep(0.2)
    assert done.returncode == 1 and not marker.exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_broken_sheet_names_file_and_sheet(agencies, tmp_path, jobs):
    good = _files(agencies, 2)
    broken = tmp_path / "kaputt.xlsx"
    part = _sheet_part(good[0], "Bestand")
    zip_rewrite(good[0], broken, replace={part: zip_parts(good[0])[part][:-30]})
    results = {r.path: r for r in batch.read_all([broken, *good], jobs=jobs)}
    r = results[str(broken)]
    assert r.status == "failed"
    assert str(broken) in r.reason and "Blatt „Bestand“" in r.reason and "beschädigt" in r.reason, r.reason
    assert "Unerwarteter Fehler" not in r.reason
    assert [results[str(g)].status for g in good] == ["processed"] * 2


def test_a_rust_panic_fails_only_its_file(agencies, monkeypatch):
    victim = _files(agencies, 1)[0]
    monkeypatch.setattr(workbook_reader, "read_book", _panic_in(str(victim)))
    [r] = batch.read_all([victim], jobs=1)
    assert r.status == "failed"
    assert str(victim) in r.reason and "Blatt „Bestand“" in r.reason and "beschädigt" in r.reason, r.reason


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="the patched reader reaches workers by fork")
def test_a_rust_panic_in_a_worker_fails_only_its_file(agencies, monkeypatch):
    files = _files(agencies, 3)
    monkeypatch.setattr(workbook_reader, "read_book", _panic_in(str(files[1])))
    results = batch.read_all(files, jobs=2)
    assert [r.status for r in results] == ["processed", "failed", "processed"]
    assert "Blatt „Bestand“" in results[1].reason and "beschädigt" in results[1].reason, results[1].reason


def test_one_panicking_file_in_the_cli_is_no_traceback(agencies, tmp_path, monkeypatch, capsys):
    victim = _files(agencies, 1)[0]
    folder = tmp_path / "ordner"
    folder.mkdir()
    shutil.copy(victim, folder / victim.name)
    monkeypatch.setattr(workbook_reader, "read_book", _panic_in(str(folder / victim.name)))
    code = main(["consolidate", str(folder), "--out", str(tmp_path / "s.xlsx"), "--today", "2026-04-15"])
    assert code == 1
    err = capsys.readouterr().err
    assert victim.name in err and "beschädigt" in err


def test_an_escaped_panic_ends_in_german_with_a_log(agencies, tmp_path, monkeypatch, capsys):
    victim = _files(agencies, 1)[0]

    def read_all(*args, **kwargs):
        raise PanicException("called `Option::unwrap()` on a `None` value")

    monkeypatch.setattr(core, "read_all", read_all)
    code = main(["consolidate", str(victim), "--out", str(tmp_path / "s.xlsx"), "--today", "2026-04-15"])
    assert code == 1
    err = capsys.readouterr().err
    assert "Unerwarteter Fehler (PanicException)" in err and "fehler.log" in err
    assert (tmp_path / "log" / "xl_gleichplan" / "fehler.log").exists()


def test_a_file_without_read_rights_says_so(tmp_path, monkeypatch):
    path = tmp_path / "gesperrt.xlsx"
    path.write_bytes(b"PK")

    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(batch.os, "stat", refused)  # root may read everything: the refusal is simulated
    why = batch._not_a_file(path)
    assert why == "keine Leserechte"
