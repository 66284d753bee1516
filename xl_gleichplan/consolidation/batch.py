"""Find the workbooks under the given inputs and read each one into a small picklable result.

Reading runs in worker processes (``ProcessPoolExecutor``); a worker returns a ``FileResult``, never
raises. One broken, locked, foreign or password-protected file becomes a failed result with its path
and the German reason; the others go on. If a worker process dies (a crash in a native library, the
out-of-memory killer), the files still open are read again one at a time, so the file that kills a
worker is named and the rest still get through.
"""
from __future__ import annotations

import os
import re
import stat
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ..errors import GleichplanError, is_panic
from ..model import Counts
from ..schema import METADATA_SHEET

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb")
# NAME.bak.xlsx, NAME.bak2.xlsx: the backups of --in-place (io.workbook_writer.backup)
BACKUP_NAME = re.compile(r"\.bak\d*$", re.IGNORECASE)
PROCESSED, SKIPPED, FAILED = "processed", "skipped", "failed"


@dataclass(frozen=True)
class FileResult:
    """What the consolidation needs from one workbook. Only counts, codes and findings: a few KB."""

    path: str
    status: str  # processed | skipped | failed
    reason: str = ""
    name: str = ""
    type: str = ""
    parent: str | None = None
    stichtag: date | None = None
    profile: str = ""
    heads: int = 0
    plan_required: bool = False
    approval_body: str = ""
    plan_due: date | None = None
    adjustment_due: date | None = None
    # Plain tuples, not Counts or Finding objects: a result crosses a process boundary, and tuples
    # unpickle about five times faster than frozen dataclasses.
    # stock, movements, postings, forecast: what a parent's own Erhebungsbogen is built from
    stock: tuple = ()  # ((dimension, area, w, m, d, x), ...) in the order of the workbook
    shares: tuple = ()  # (share of women as float or None, verdict or None) per stock Bereich, from analyse()
    verdicts: tuple = ()  # ((dimension, area, "women" | "men"), ...): the underrepresented Bereiche
    movements: tuple = ()  # ((kind, dimension, area, w, m, d, x), ...)
    postings: tuple = ()  # ((dimension, area, n), ...)
    forecast: tuple = ()  # ((dimension, area, w, m, d, x), ...)
    leadership: tuple = ()  # (targets, assessed, count_reading, volume_reading, reading, approval_required)
    findings: tuple = field(default=(), repr=False)  # ((severity, message, file, sheet, cell, row), ...)


def discover(inputs, exclude=()) -> tuple[list[Path], list[FileResult]]:
    """Workbook files under ``inputs`` (files or folders, searched recursively), sorted, without
    duplicates and without the paths in ``exclude`` (the outputs of this run). Excel's owner files
    (``~$name.xlsx``) and macOS' companion files (``._name.xlsx``) come back as skipped results."""
    from ..io.atomic import protect, resolved_path

    excluded = {resolved_path(p) for p in exclude if p}
    found: dict[str, Path] = {}
    for raw in inputs:
        path = Path(raw)
        if not path.exists():
            raise GleichplanError(f"Die Eingabe „{path}“ gibt es nicht. Bitte den Ordner oder die Datei prüfen.")
        # a folder is searched; anything else named on the command line is read (or reported)
        candidates = [p for p in path.rglob("*") if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.is_dir()] \
            if path.is_dir() else [path]
        for p in candidates:
            found.setdefault(resolved_path(p), p)
    files, skipped = [], []
    for resolved, p in sorted(found.items(), key=lambda item: str(item[1])):
        if resolved in excluded:  # an output of this run: not read
            if not _own_summary(p):  # an agency's workbook (or a stranger's file) named as an output
                raise GleichplanError(f"„{p}“ liegt unter den Eingaben und ist keine Übersicht von xl-gleichplan; als "
                                      f"Ausgabe (--out, --json) würde sie überschrieben und fehlte in den Summen. Es wurde "
                                      f"nichts geschrieben; bitte für die Ausgabe einen anderen Namen oder einen Ordner "
                                      f"außerhalb der Eingaben wählen.")
            continue
        odd = _not_a_file(p)
        if odd:
            # a named pipe, a device or a dangling link: opening it could block or fail; never read
            skipped.append(FileResult(str(p), FAILED, f"„{p}“ kann nicht gelesen werden: {odd}. Bitte die "
                                                        f"Arbeitsmappe als gewöhnliche Datei ablegen."))
        elif p.name.startswith("~$"):
            skipped.append(FileResult(str(p), SKIPPED, f"„{p}“ ist die Sperrdatei einer in Excel geöffneten "
                                                         f"Arbeitsmappe („~$“ im Namen), keine Arbeitsmappe; übersprungen."))
        elif p.name.startswith("._"):
            skipped.append(FileResult(str(p), SKIPPED, f"„{p}“ ist eine Begleitdatei von macOS („._“ im Namen), keine "
                                                         f"Arbeitsmappe; übersprungen."))
        elif BACKUP_NAME.search(p.stem):
            skipped.append(FileResult(str(p), SKIPPED, f"„{p}“ ist eine Sicherungskopie (von „--in-place“ angelegt), "
                                                         f"kein zurückgesandter Erhebungsbogen; übersprungen."))
        else:
            files.append(p)
    kept = [(p, r) for r, p in found.items() if r not in excluded]
    protect([p for p, _ in kept], [r for _, r in kept])  # no output of this command may replace a file found here
    return files, skipped


def _own_summary(path: Path) -> bool:
    """Whether ``path`` is a consolidation summary written by xl-gleichplan (a rerun may replace it):
    made by xl-gleichplan and without the metadata sheet of an Erhebungsbogen."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            core, book = zf.read("docProps/core.xml"), zf.read("xl/workbook.xml")
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return not path.exists()
    return b">xl-gleichplan</" in core and f'name="{METADATA_SHEET}"'.encode() not in book


def _not_a_file(path: Path) -> str | None:
    """Why ``path`` is no regular file (German), or None. Symbolic links to files are fine."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "eine Verknüpfung ins Leere" if os.path.islink(path) else "die Datei ist verschwunden"
    except OSError as exc:
        from ..io.atomic import reason

        return reason(exc, reading=True)
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "es ist eine benannte Pipe (FIFO), keine Datei"
    if stat.S_ISSOCK(mode):
        return "es ist ein Socket, keine Datei"
    return "es ist keine gewöhnliche Datei (Gerät oder Ordner)"


def _readable(path: Path) -> str | None:
    """A German message if ``path`` cannot be opened for reading (rights, locks), else None. Opened
    without blocking and closed at once: the reader itself opens it again."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        from ..io.atomic import reason

        return (f"„{path}“ kann nicht geöffnet werden ({reason(exc, reading=True)}). Bitte die Rechte der Datei "
                f"prüfen oder sie in Excel schließen und erneut versuchen.")
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return f"„{path}“ kann nicht gelesen werden: es ist keine gewöhnliche Datei."
    finally:
        os.close(fd)
    return None


def read_one(path: str, profile: str | None = None, check_formulas: bool = False) -> FileResult:
    """Read and check one workbook (never raises). Read by ``read_workbook``, the one reader of workbook
    files: a damaged file (a Rust panic in calamine too) comes back as a failed result with its German
    message naming file and sheet. ``check_formulas`` adds the check for formula cells overwritten by
    values; it parses every sheet's XML a second time, doubles the reading time and changes no count,
    so the consolidation leaves it to ``xl-gleichplan check``."""
    from ..analysis import analyse
    from ..io.workbook_reader import read_workbook

    p = Path(path)
    problem = _readable(p)
    if problem:
        return FileResult(str(path), FAILED, problem)
    try:
        dataset, prof = read_workbook(p, profile, check_formulas=check_formulas)
        # movements, committees and postings give no verdict the summary shows: leave them out of analyse()
        analysis = analyse(replace(dataset, movements={}, committees={}, postings={}), prof)
    except GleichplanError as exc:
        return FileResult(str(path), FAILED, str(exc))
    except BaseException as exc:  # noqa: BLE001 - one file must not stop the batch
        # a Rust panic cannot be pickled back from a worker; only the interpreter's own exits and
        # Ctrl+C go through
        if not isinstance(exc, Exception) and not is_panic(exc):
            raise
        from ..logs import log_exception

        log = log_exception(exc)
        return FileResult(str(path), FAILED, f"Unerwarteter Fehler beim Lesen von „{path}“ ({type(exc).__name__}). "
                                             f"Die technischen Details stehen in „{log}“; bitte die Datei in Excel "
                                             f"öffnen, neu speichern und erneut versuchen.")
    ds, lead, dl = analysis.dataset, analysis.leadership, analysis.deadlines
    return FileResult(
        path=str(path), status=PROCESSED, name=ds.agency.name, type=analysis.route.type, parent=ds.agency.parent,
        stichtag=ds.stichtag, profile=prof.id, heads=ds.heads, plan_required=analysis.plan_required,
        approval_body=analysis.route.body, plan_due=dl.plan_due, adjustment_due=dl.adjustment_due,
        stock=tuple((d, a, c.w, c.m, c.d, c.x) for (d, a), c in dataset.stock.items()),
        shares=tuple((None if a.share_women is None else float(a.share_women), a.underrepresented)
                     for a in analysis.areas),  # in the order of the stock: analyse() walks dataset.stock
        verdicts=tuple((a.dimension, a.area, a.underrepresented) for a in analysis.areas if a.underrepresented),
        movements=tuple((k, d, a, c.w, c.m, c.d, c.x) for (k, d, a), c in dataset.movements.items()),
        postings=tuple((d, a, n) for (d, a), n in dataset.postings.items()),
        forecast=tuple((d, a, c.w, c.m, c.d, c.x) for (d, a), c in dataset.forecast.items()),
        leadership=(lead.targets, lead.assessed, _float(lead.count_reading), _float(lead.volume_reading),
                    lead.reading, lead.approval_required),
        findings=tuple((f.severity, f.message, f.file, f.sheet, f.cell, f.row) for f in analysis.findings),
    )


def _float(value):
    return None if value is None else float(value)


def _progress(total: int, enabled: bool | None):
    """A tqdm bar on stderr; off when stderr is no terminal (pipes, CI, log files) or tqdm is missing."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    try:
        from tqdm import tqdm
    except ImportError:  # the bar is a convenience, never a reason to fail
        return _NoBar()
    if not enabled:
        return _NoBar()

    class Bar(tqdm):
        monitor_interval = 0  # no monitor thread: worker processes are forked while the bar runs

    return Bar(total=total, file=sys.stderr, unit=" Dateien", desc="Arbeitsmappen lesen", dynamic_ncols=True)


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def read_all(files: list[Path], *, jobs: int | None = None, profile: str | None = None,
             check_formulas: bool = False, progress: bool | None = None) -> list[FileResult]:
    """Read every file; results in the order of ``files`` whatever order the workers finish in."""
    jobs = max(1, jobs or default_jobs())
    if os.name == "nt":
        jobs = min(jobs, 61)  # the limit of ProcessPoolExecutor on Windows
    args = [(str(p), profile, check_formulas) for p in files]
    results: dict[str, FileResult] = {}
    bar = _progress(len(files), progress)
    try:
        if jobs == 1 or len(files) <= 1:
            for a in args:
                results[a[0]] = read_one(*a)
                bar.update()
        else:
            pending = _read_parallel(args, min(jobs, len(files)), results, bar)
            for a in pending:  # a worker died: read the rest one at a time, each in a fresh process
                results[a[0]] = _read_isolated(a)
                bar.update()
    finally:
        bar.close()
    return [results[a[0]] for a in args]


def _read_parallel(args, jobs, results, bar) -> list[tuple]:
    """Read in a pool; returns the arguments still unread if the pool broke."""
    from .. import analysis  # noqa: F401 - imported once here: forked workers inherit the modules
    from ..io import workbook_reader  # noqa: F401
    with ProcessPoolExecutor(max_workers=jobs, initializer=_watch_parent, initargs=(os.getpid(),)) as pool:
        futures = {pool.submit(_work, *a): a for a in args}
        for future in as_completed(futures):  # one waiter for all (wait() in a loop costs O(n) per file)
            path = futures[future][0]
            try:
                results[path] = future.result()
            except BrokenProcessPool:
                continue
            except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent back
                results[path] = FileResult(path, FAILED, f"Unerwarteter Fehler beim Lesen von „{path}“ "
                                                         f"({type(exc).__name__}).")
            bar.update()
    return [a for a in args if a[0] not in results]


def _watch_parent(main: int, interval: float = 0.5) -> None:
    """Worker initializer: end the worker when the process that started it is gone. A killed main
    process (kill -9, the out-of-memory killer, a closed terminal) would otherwise leave its workers
    waiting for work forever. POSIX only: there a dead parent's children are re-parented.

    The parent is the one the worker has when it starts, not the main process: under "fork" and
    "spawn" that is the main process, under "forkserver" (Linux's default from Python 3.14) it is the
    fork server, which ends when the main process does. ``main``, the main process's id, is watched
    too: had it ended before this worker started, the parent seen here would already be init."""
    if os.name == "nt":
        return
    import threading
    import time

    from ..io.atomic import process_alive

    parent = os.getppid()

    def watch():
        while os.getppid() == parent and process_alive(main):
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="xlg-parent-watch", daemon=True).start()


def _work(path: str, profile: str | None, check_formulas: bool) -> FileResult:
    """What a worker runs: ``read_one`` looked up when called (so a test can replace it)."""
    return read_one(path, profile, check_formulas)


def _read_isolated(a) -> FileResult:
    with ProcessPoolExecutor(max_workers=1, initializer=_watch_parent, initargs=(os.getpid(),)) as pool:
        try:
            return pool.submit(_work, *a).result()
        except BrokenProcessPool:
            return FileResult(a[0], FAILED, f"Beim Lesen von „{a[0]}“ ist der Leseprozess abgestürzt (zu wenig "
                                            f"Speicher oder eine beschädigte Datei). Bitte die Datei in Excel öffnen, "
                                            f"neu speichern und erneut versuchen.")


def sum_counts(items) -> Counts:
    total = Counts()
    for c in items:
        total = total + c
    return total


SEVERITY, MESSAGE, FILE, SHEET, CELL, ROW = range(6)  # the fields of a finding tuple
