"""Nothing lost (issue 7, part 4): atomic outputs, untouched inputs, concurrent and interrupted runs,
faults in a batch, a full disk and missing rights.

Real processes where it matters: two commands writing one file at once, a consolidation killed with
SIGKILL halfway, a write that the kernel refuses (RLIMIT_FSIZE: EFBIG, a real OSError from write()).
A full disk (ENOSPC) and refused rights are also injected in this process, because tests may run
as root, whom chmod does not stop; where the tests run as another user, a read-only folder and a
chmod-000 file are used for real.
"""
from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from fault_helpers import ROOT, cli_cmd, cli_env, clone_agencies, hashes, sha256, valid_xlsx

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate_agencies  # noqa: E402

STICHTAG = date(2025, 6, 30)
BATCH = 120  # agencies in the interrupted batch (the 1,000-file run: benchmarks/fault_batch.py)
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture(autouse=True)
def _log_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XL_GLEICHPLAN_LOG_DIR", str(tmp_path / "log"))


def cli(argv: list[str]) -> tuple[int, str, str]:
    from xl_gleichplan.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def agencies(tmp_path_factory) -> Path:
    """BATCH distinct agency workbooks: 10 generated (with their HR imports), cloned under new names."""
    base = tmp_path_factory.mktemp("agencies")
    generate_agencies.generate(base / "gen", 10, (STICHTAG,), seed=11, broken=False, jobs=2)
    clone_agencies(base / "gen", base / "batch", BATCH)
    return base / "batch"


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory, agencies) -> dict[str, Path]:
    """A template, a filled workbook and the HR exports of the demo agency."""
    from xl_gleichplan.demo import write_exports

    base = tmp_path_factory.mktemp("wb")
    exports = write_exports(base / "exporte")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XL_GLEICHPLAN_LOG_DIR", str(base / "log"))
        assert cli(["template", "--out", str(base / "vorlage.xlsx"), "--stichtag", "2025-06-30"])[0] == 0
        assert cli(["import-staff", str(exports["staff"]), "--movements", str(exports["movements"]),
                    "--committees", str(exports["committees"]), "--into", str(base / "vorlage.xlsx"),
                    "--out", str(base / "gefuellt.xlsx")])[0] == 0
    return {"template": base / "vorlage.xlsx", "filled": base / "gefuellt.xlsx", **exports}


# ----------------------------------------------------------------------------- atomic writes

def test_atomic_path_replaces_the_target_only_when_complete(tmp_path, monkeypatch):
    from xl_gleichplan.io.atomic import atomic_path

    target = tmp_path / "ergebnis.xlsx"
    target.write_bytes(b"alt")
    renames = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (renames.append((Path(a), Path(b))), real_replace(a, b))[1])
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent and tmp.name.startswith(".ergebnis.") and tmp.name.endswith(".xlsx.tmp")
        tmp.write_bytes(b"neu, halb")
        assert target.read_bytes() == b"alt"  # the target is untouched while the new file is written
    assert target.read_bytes() == b"neu, halb" and renames == [(tmp, target)]
    with pytest.raises(ZeroDivisionError):  # a crash while writing: the old file stays, no temp file left
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"kaputt")
            1 / 0
    assert target.read_bytes() == b"neu, halb"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ergebnis.xlsx"]


def test_leftover_of_a_killed_run_is_removed_by_the_next_write(tmp_path):
    """A temp file of a dead process (here: a child that has exited) older than a minute goes; the
    temp file of a live process stays."""
    from xl_gleichplan.io import atomic

    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(child.stdout)
    stale = tmp_path / f".bericht.{atomic._host()}-{dead}-abc.xlsx.tmp"
    live = tmp_path / f".bericht.{atomic._host()}-{os.getppid()}-abc.xlsx.tmp"
    for p in (stale, live):
        p.write_bytes(b"halb")
        os.utime(p, (time.time() - 3600, time.time() - 3600))
    atomic.write_text(tmp_path / "bericht.xlsx", "x")
    assert not stale.exists() and live.exists()


def test_every_command_writes_through_a_rename(workbooks, tmp_path, monkeypatch):
    """Each output of each command comes into place by os.replace from a temp file in its folder."""
    renames = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (renames.append((Path(a), Path(b))), real_replace(a, b))[1])
    filled = shutil.copy(workbooks["filled"], tmp_path / "amt.xlsx")
    (tmp_path / "eingang").mkdir()
    shutil.copy(workbooks["filled"], tmp_path / "eingang" / "amt.xlsx")
    runs = [
        (["template", "--out", str(tmp_path / "t.xlsx")], [tmp_path / "t.xlsx"]),
        (["import-staff", str(workbooks["staff"]), "--into", str(workbooks["template"]), "--out",
          str(tmp_path / "i.xlsx")], [tmp_path / "i.xlsx"]),
        (["compute", str(filled), "--write", "--out", str(tmp_path / "c.xlsx")], [tmp_path / "c.xlsx"]),
        # the backup comes into place first, and through a rename too
        (["compute", str(filled), "--write", "--in-place"], [tmp_path / "amt.bak.xlsx", Path(filled)]),
        (["plan", str(filled), "--out", str(tmp_path / "p.docx")], [tmp_path / "p.docx"]),
        (["consolidate", str(tmp_path / "eingang"), "--out", str(tmp_path / "u.xlsx"), "--json",
          str(tmp_path / "u.json"), "--history", str(tmp_path / "verlauf.csv"), "--jobs", "1"],
         [tmp_path / "u.xlsx", tmp_path / "u.json", tmp_path / "verlauf.csv"]),
    ]
    for argv, outputs in runs:
        renames.clear()
        code, _, err = cli(argv)
        assert code == 0, err
        assert {b for _, b in renames} == set(outputs), argv
        if "--in-place" in argv:  # the backup is complete before the workbook is replaced
            assert [b for _, b in renames] == outputs
        assert all(a.parent == b.parent and a.name.endswith(".tmp") for a, b in renames)


# ----------------------------------------------------------------------------- inputs stay as they are

def test_inputs_are_never_changed_without_in_place(workbooks, tmp_path):
    inputs = [workbooks[k] for k in ("template", "filled", "staff", "movements", "committees", "targets")]
    (tmp_path / "eingang").mkdir()
    shutil.copy(workbooks["filled"], tmp_path / "eingang" / "amt.xlsx")
    inputs.append(tmp_path / "eingang")
    before = hashes(inputs)
    exports = ["--staff", str(workbooks["staff"]), "--movements", str(workbooks["movements"])]
    commands = [
        ["compute", str(workbooks["filled"])],
        ["compute", str(workbooks["filled"]), "--write"],
        ["compute", str(workbooks["filled"]), "--write", "--out", str(tmp_path / "e.xlsx")],
        ["compute", *exports, "--format", "json"],
        ["check", str(workbooks["filled"])],
        ["import-staff", str(workbooks["staff"]), "--movements", str(workbooks["movements"]), "--into",
         str(workbooks["template"])],
        ["plan", str(workbooks["filled"]), "--out", str(tmp_path / "p.docx")],
        ["consolidate", str(tmp_path / "eingang"), "--out", str(tmp_path / "u.xlsx"), "--jobs", "1"],
        ["import-staff", str(workbooks["staff"]), "--into", str(workbooks["template"]), "--out",
         str(workbooks["template"])],  # refused: the target is the input itself
    ]
    for argv in commands:
        cli(argv)
        assert hashes(inputs) == before, argv
    for written in (workbooks["filled"].with_name("gefuellt_ergebnis.xlsx"),
                    workbooks["template"].with_name("vorlage_gefuellt.xlsx")):
        assert written.is_file()
        written.unlink()


def test_in_place_makes_a_backup_first(workbooks, tmp_path, monkeypatch):
    target = shutil.copy(workbooks["filled"], tmp_path / "amt.xlsx")
    original = sha256(target)
    code, out, _ = cli(["compute", str(target), "--write", "--in-place"])
    assert code == 0 and sha256(tmp_path / "amt.bak.xlsx") == original and sha256(target) != original
    assert f"Sicherungskopie: {tmp_path / 'amt.bak.xlsx'}" in out
    # the backup is there before the workbook is touched: a write that fails leaves both intact
    import openpyxl

    def full(self, filename):
        Path(filename).write_bytes(b"PK\x03\x04halb")
        raise OSError(errno.ENOSPC, "No space left on device")

    changed = sha256(target)
    monkeypatch.setattr(openpyxl.Workbook, "save", full)
    code, _, err = cli(["compute", str(target), "--write", "--in-place"])
    assert code == 1 and "der Datenträger ist voll" in err and str(target) in err
    assert sha256(target) == changed and sha256(tmp_path / "amt.bak2.xlsx") == changed


# ----------------------------------------------------------------------------- two runs at once

def test_two_runs_writing_the_same_output_leave_one_complete_file(tmp_path):
    from xl_gleichplan.io.workbook_reader import open_workbook, read_metadata

    target = tmp_path / "bogen.xlsx"
    env = cli_env(tmp_path / "log")
    for round_ in range(1):
        procs = [subprocess.Popen(cli_cmd("template", "--out", str(target), "--agency-name", f"Amt {name}"),
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for name in ("A", "B")]
        results = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], results
        assert valid_xlsx(target)
        book = open_workbook(target)
        try:
            assert read_metadata(book, target.name)["dienststelle"] in ("Amt A", "Amt B")
        finally:
            book.close()
        assert [p.name for p in tmp_path.iterdir() if p.name != "log"] == ["bogen.xlsx"], "no temp file left"


# ----------------------------------------------------------------------------- an interrupted batch

def _consolidate(folder: Path, out: Path, env, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(cli_cmd("consolidate", str(folder), "--out", str(out), "--json", str(out.with_suffix(".json")),
                                    "--today", "2026-04-01", "--jobs", "2"),
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def _children(pid: int) -> list[int]:
    kids = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat_file.parent.name))
    return kids


def test_a_batch_killed_halfway_leaves_the_old_output_and_reruns_to_the_full_result(agencies, tmp_path):
    env = cli_env(tmp_path / "log")
    reference = tmp_path / "referenz" / "uebersicht.xlsx"
    reference.parent.mkdir()
    started = time.perf_counter()
    proc = _consolidate(agencies, reference, env)
    _, err = proc.communicate(timeout=300)
    duration = time.perf_counter() - started
    assert proc.returncode == 0, err.decode()

    out = tmp_path / "ziel" / "uebersicht.xlsx"
    out.parent.mkdir()
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "Übersicht vom letzten Lauf"
    wb.save(out)
    out.with_suffix(".json").write_text('{"alt": true}\n', encoding="utf-8")
    old = hashes([out.parent])

    proc = _consolidate(agencies, out, env)
    time.sleep(duration / 2)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    workers = _children(proc.pid) if Path("/proc").is_dir() else []
    os.kill(proc.pid, signal.SIGKILL)  # the main process only, as kill -9 or the OOM killer would
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert hashes([out.parent]) == old, "the old outputs are intact, nothing else is in the folder"
    assert valid_xlsx(out)
    deadline = time.time() + 10
    while workers and time.time() < deadline and any(Path(f"/proc/{w}").exists() for w in workers):
        time.sleep(0.2)
    assert not [w for w in workers if Path(f"/proc/{w}").exists()
                and "consolidate" in Path(f"/proc/{w}/cmdline").read_bytes().decode(errors="replace")], \
        "the workers of the killed run have ended"

    proc = _consolidate(agencies, out, env)
    stdout, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert sha256(out) == sha256(reference)
    assert json.loads(out.with_suffix(".json").read_text(encoding="utf-8")) == \
        json.loads(reference.with_suffix(".json").read_text(encoding="utf-8"))
    assert f"{BATCH} verarbeitet, 0 übersprungen, 0 fehlgeschlagen" in stdout.decode()


# ----------------------------------------------------------------------------- faults in a batch

def _unreadable(folder: Path) -> tuple[Path, str]:
    """A workbook the reader cannot open: chmod 000 where that binds, else (root) a named pipe in
    its place, which a careless open() would wait on for ever."""
    path = folder / "gesperrt.xlsx"
    if not IS_ROOT:
        path.write_bytes(b"PK\x03\x04")
        path.chmod(0)
        return path, "keine Leserechte"
    os.mkfifo(path)
    return path, "benannte Pipe"


def test_faults_injected_into_a_batch_are_counted_and_named(agencies, tmp_path):
    folder = tmp_path / "eingang"
    good = sorted(agencies.rglob("*.xlsx"))[:20]
    for i, p in enumerate(good):
        dest = folder / p.parent.name / p.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(p, dest)
    first = folder / good[0].parent.name / good[0].name
    data = first.read_bytes()
    faults = {
        "broken zip": (folder / "abgeschnitten.xlsx", "failed", "beschädigt"),
        "lock file": (first.with_name("~$" + first.name), "skipped", "Sperrdatei"),
        "password": (folder / "kennwort.xlsx", "failed", "kennwortgeschützt"),
        "foreign workbook": (folder / "haushalt.xlsx", "failed", ""),
        "dangling link": (folder / "verschoben.xlsx", "failed", "Verknüpfung ins Leere"),
    }
    faults["broken zip"][0].write_bytes(data[: len(data) // 2])
    faults["lock file"][0].write_bytes(bytes([8]) + b"Sachbear" + bytes(156))
    faults["password"][0].write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088))  # an encrypted package is OLE
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Titel", "Ansatz"])
    wb.save(faults["foreign workbook"][0])
    faults["dangling link"][0].symlink_to(folder / "gibt_es_nicht.xlsx")
    path, why = _unreadable(folder)
    faults["unreadable"] = (path, "failed", why)
    try:
        proc = subprocess.run(cli_cmd("consolidate", str(folder), "--out", str(tmp_path / "u.xlsx"), "--json",
                                      str(tmp_path / "u.json"), "--jobs", "2"),
                              env=cli_env(tmp_path / "log"), capture_output=True, text=True, timeout=120)
    finally:
        path.chmod(0o600) if not IS_ROOT else None
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "20 verarbeitet, 1 übersprungen, 5 fehlgeschlagen" in proc.stdout
    files = {f["path"]: f for f in json.loads((tmp_path / "u.json").read_text(encoding="utf-8"))["files"]} \
        if isinstance(json.loads((tmp_path / "u.json").read_text(encoding="utf-8")).get("files"), list) else None
    for name, (p, status, words) in faults.items():
        assert str(p) in proc.stderr, name
        block = proc.stderr.split(str(p), 1)[1].split("\n  ", 2)[:2]
        assert words in "".join(block), (name, block)
        if files is not None:
            assert files[str(p)]["status"] == status, name
    partial = subprocess.run(cli_cmd("consolidate", str(folder), "--out", str(tmp_path / "u.xlsx"), "--jobs", "2",
                                     "--allow-partial"),
                             env=cli_env(tmp_path / "log"), capture_output=True, text=True, timeout=120)
    assert partial.returncode == 0 and valid_xlsx(tmp_path / "u.xlsx")


# ----------------------------------------------------------------------------- full disk, no rights

def _old_output(tmp_path: Path) -> Path:
    target = tmp_path / "aus" / "vorlage.xlsx"
    target.parent.mkdir(exist_ok=True)
    assert cli(["template", "--out", str(target), "--agency-name", "Alte Fassung"])[0] == 0
    return target


def _assert_refused(code: int, err: str, target: Path, old: dict, words: str):
    assert code == 1 and "Traceback" not in err
    assert str(target) in err or str(target.parent) in err
    assert words in err, err
    assert hashes([target.parent]) == old, "old output intact, no temp file left"


class _FillingDisk:
    """A file object whose disk is full after ``room`` bytes (zipfile writes through it)."""

    def __init__(self, fp, room: int):
        self._fp, self._room = fp, room

    def write(self, data):
        self._room -= len(data)
        if self._room < 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._fp.write(data)

    def __getattr__(self, name):
        return getattr(self._fp, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fp.close()


def test_disk_full_names_the_path_and_keeps_the_old_output(tmp_path, monkeypatch):
    import zipfile

    target = _old_output(tmp_path)
    old = hashes([target.parent])
    real_open, opened = io.open, []

    def open_on_a_full_disk(file, mode="r", *args, **kwargs):
        fp = real_open(file, mode, *args, **kwargs)
        if "w" in mode and str(file).endswith(".tmp"):
            opened.append(file)
            return _FillingDisk(fp, 20_000)  # full after 20 KB, in the middle of the zip
        return fp

    monkeypatch.setattr(zipfile.io, "open", open_on_a_full_disk)
    code, _, err = cli(["template", "--out", str(target), "--agency-name", "Neue Fassung"])
    monkeypatch.undo()
    assert opened, "the fault was injected"
    _assert_refused(code, err, target, old, "der Datenträger ist voll")


def test_a_write_the_kernel_refuses_in_a_real_process(tmp_path):
    """RLIMIT_FSIZE makes write() fail with EFBIG past 8 KB: a real OSError in a real process."""
    target = _old_output(tmp_path)
    old = hashes([target.parent])

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    env = cli_env(tmp_path / "log")
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # the limit would cut a .pyc short (importlib ignores short writes)
    proc = subprocess.run(cli_cmd("template", "--out", str(target), "--agency-name", "Neue Fassung"),
                          env=env, capture_output=True, text=True, timeout=120, preexec_fn=limit)
    _assert_refused(proc.returncode, proc.stderr, target, old, "größer als erlaubt")


@pytest.mark.parametrize("where", ["mkstemp", "replace", "chmod"])
def test_no_rights_names_the_path_and_keeps_the_old_output(tmp_path, monkeypatch, where):
    """Refused rights where the temp file is made (a read-only folder) or at the rename (Windows:
    the target is open in Excel). A real read-only folder where the tests do not run as root (root
    is not stopped by chmod); injected otherwise."""
    import tempfile

    target = _old_output(tmp_path)
    old = hashes([target.parent])
    if where == "chmod" and not IS_ROOT:
        target.parent.chmod(0o555)
        try:
            code, _, err = cli(["template", "--out", str(target), "--agency-name", "Neue Fassung"])
        finally:
            target.parent.chmod(0o755)
        return _assert_refused(code, err, target, old, "keine Schreibrechte")
    if where == "chmod":
        where = "mkstemp"

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile if where == "mkstemp" else os, "mkstemp" if where == "mkstemp" else "replace", refuse)
    code, _, err = cli(["template", "--out", str(target), "--agency-name", "Neue Fassung"])
    monkeypatch.undo()
    _assert_refused(code, err, target, old, "keine Schreibrechte")


def test_an_output_folder_that_cannot_be_made(tmp_path):
    """A real error as root too: a file stands where the output folder should be."""
    (tmp_path / "bericht").write_text("kein Ordner", encoding="utf-8")
    target = tmp_path / "bericht" / "vorlage.xlsx"
    code, _, err = cli(["template", "--out", str(target)])
    assert code == 1 and "Traceback" not in err and str(target.parent) in err
    assert "dort liegt eine Datei mit dem Namen des Ordners" in err, err
    assert (tmp_path / "bericht").read_text(encoding="utf-8") == "kein Ordner"
