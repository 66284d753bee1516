"""Atomic output: write to a temporary file in the target folder, then rename over the target.

A crash, a full disk or a second run at the same time never leaves a half-written output, and an
existing output stays intact until the new one is complete. The temporary file is flushed to the
disk before the rename (so a power cut after the rename does not leave an empty target), and a
temporary file that a killed run left behind is removed by the next write of the same target.
"""
from __future__ import annotations

import errno
import gc
import os
import re
import socket
import sys
import tempfile
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputError

STALE_AFTER = 60  # seconds: a leftover of a dead process on this machine older than this is removed

# German reasons for the operating system's error numbers (its own texts are English)
_REASONS = {
    errno.EACCES: "keine Schreibrechte",
    errno.EPERM: "keine Schreibrechte",
    errno.EROFS: "der Datenträger ist schreibgeschützt",
    errno.ENOSPC: "der Datenträger ist voll",
    errno.EFBIG: "die Datei wäre größer als erlaubt",
    errno.ENOENT: "der Ordner existiert nicht",
    errno.ENOTDIR: "ein Teil des Pfads ist eine Datei, kein Ordner",
    errno.EISDIR: "das Ziel ist ein Ordner",
    errno.EEXIST: "dort liegt eine Datei mit dem Namen des Ordners",
    errno.EBUSY: "die Datei ist von einem anderen Programm belegt",
    errno.ETXTBSY: "die Datei ist von einem anderen Programm belegt",
    errno.ENAMETOOLONG: "der Pfad ist zu lang",
    errno.EIO: "Ein-/Ausgabefehler des Datenträgers",
}
if hasattr(errno, "EDQUOT"):
    _REASONS[errno.EDQUOT] = "das Speicherkontingent ist erschöpft"


_READ_REASONS = {errno.EACCES: "keine Leserechte", errno.EPERM: "keine Leserechte",
                 errno.ENOENT: "die Datei existiert nicht"}


def reason(exc: OSError, reading: bool = False) -> str:
    """The German reason of an OSError, without the English text of the operating system
    (``reading``: the error came from reading a file, not from writing one)."""
    if getattr(exc, "winerror", None) in (32, 33):  # sharing or lock violation: open in Excel or Word
        return "die Datei ist in einem anderen Programm geöffnet"
    if reading and exc.errno in _READ_REASONS:
        return _READ_REASONS[exc.errno]
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    return f"Systemfehler {errno.errorcode.get(exc.errno, exc.errno)}"


def _hint(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return " Bitte Platz schaffen oder einen anderen Ausgabeordner wählen."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EBUSY) or getattr(exc, "winerror", None) in (32, 33):
        return " Ist die Datei in Excel oder Word geöffnet?"
    return ""


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:16] or "host"


def _sweep(target: Path) -> None:
    """Remove temporary files of ``target`` left by killed runs: same machine, process gone, older
    than STALE_AFTER. A temporary file of a run still going (here or on another machine writing to
    the same share) is never touched."""
    pattern = re.compile(rf"^\.{re.escape(target.stem)}\.{re.escape(_host())}-(\d+)-[^/]*{re.escape(target.suffix)}\.tmp$")
    try:
        siblings = list(os.scandir(target.parent))
    except OSError:
        return
    now = time.time()
    for entry in siblings:
        match = pattern.match(entry.name)
        if not match or not entry.is_file(follow_symlinks=False):
            continue
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime < STALE_AFTER or process_alive(int(match.group(1))):
                continue
            os.unlink(entry.path)
        except OSError:
            continue


def process_alive(pid: int) -> bool:
    """Whether a process of that id exists (on Windows always assumed, see below)."""
    if pid == os.getpid() or os.name == "nt":  # on Windows os.kill(pid, 0) would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _fsync(path: str) -> None:
    # opened for writing: on Windows os.fsync (_commit) fails with EBADF on a read-only descriptor
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# The inputs of the running command as (path, resolved path); None: no command is running (the
# library, the add-in). Every output goes through atomic_path, so checking here keeps any output,
# backups included, from replacing an input, however the command derived its name.
_inputs: list[tuple[Path, str]] | None = None


def resolved_path(path) -> str:
    """The absolute path with links resolved, as text (the path as given if that fails)."""
    try:
        return str(Path(path).resolve())
    except (OSError, ValueError, RuntimeError):
        return str(Path(path).absolute())


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether ``a`` and ``b`` are one file: the same path however spelled (./x, a symlink), or the
    same file under another name (a hard link, other case on Windows)."""
    if resolved_path(a) == resolved_path(b):
        return True
    try:
        return os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


@contextmanager
def inputs_guarded(paths=()):
    """While a command runs: no output may replace one of its inputs (``protect`` adds the files
    a command finds later, e.g. in an input folder)."""
    global _inputs
    before, _inputs = _inputs, []
    protect(paths)
    try:
        yield
    finally:
        _inputs = before


def protect(paths, resolved: list[str] | None = None) -> None:
    """Add inputs (``resolved``: their resolved paths, if the caller has them already)."""
    if _inputs is not None:
        paths = [Path(p) for p in paths if p]
        _inputs.extend(zip(paths, resolved or [resolved_path(p) for p in paths]))


def input_at(target: str | Path) -> Path | None:
    """The input of the running command that writing ``target`` would replace, or None."""
    if not _inputs:
        return None
    resolved, exists = resolved_path(target), os.path.exists(target)
    for path, path_resolved in _inputs:
        if path_resolved == resolved or exists and same_file(target, path):
            return path
    return None


def refuse_input(target: str | Path, what: str = "Die Ausgabe") -> None:
    found = input_at(target)
    if found is not None:
        raise OutputError(f"{what} „{target}“ wäre eine Eingabe dieses Befehls („{found}“) und würde sie "
                          f"überschreiben. Es wurde nichts geschrieben; bitte einen anderen Dateinamen oder Ordner "
                          f"für die Ausgabe angeben.", "die Datei ist eine Eingabe")


@contextmanager
def atomic_path(target: str | Path, replaces_input: bool = False):
    """Yield a temporary path next to ``target``; on success it replaces ``target``. An input of
    the running command is replaced only when asked for (``--in-place``, after its backup)."""
    target = Path(target)
    if not replaces_input:
        refuse_input(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _sweep(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.{_host()}-{os.getpid()}-",
                                   suffix=target.suffix + ".tmp", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"In den Ordner „{target.parent}“ kann nicht geschrieben werden ({reason(exc)}). "
                          f"Bitte einen anderen Ausgabeordner wählen oder die Rechte prüfen.", reason(exc)) from None
    failed = None
    try:
        yield Path(tmp)
        _fsync(tmp)  # before the chmod: with a umask such as 0222 the file is read-only afterwards
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; an output gets the usual rights
        os.replace(tmp, target)
    except Exception as exc:
        release_quietly(exc)  # a writer left half-closed complains when collected: now and quietly, not at exit
        why = _io_error(exc)
        if why is None:
            failed = exc
        else:
            failed = (why, exc.errno if isinstance(exc, OSError) else getattr(errno, str(exc)[3:], None))
    finally:
        if os.path.exists(tmp):
            try:
                os.unlink(tmp)
            except OSError:
                pass
    if failed is not None:
        if isinstance(failed, Exception):
            raise failed
        why, number = failed
        raise OutputError(f"„{target}“ konnte nicht geschrieben werden ({why}). Eine vorhandene ältere Datei ist "
                          f"unverändert.{_hint(OSError(number, why))}", why)


def _io_error(exc: BaseException) -> str | None:
    """The German reason if ``exc`` is a failed write: an OSError, or lxml's SerialisationError
    "IO_ENOSPC" etc. (openpyxl writes sheets through lxml, which reports the errno that way)."""
    if isinstance(exc, OSError):
        return reason(exc)
    text = str(exc)
    if type(exc).__name__ == "SerialisationError" and text.startswith("IO_"):
        number = getattr(errno, text[3:], None)
        return reason(OSError(number, text)) if number is not None else f"Schreibfehler {text[3:]}"
    return None


def release_quietly(exc: BaseException) -> None:
    """Let go of what a failed job left half-done, now and quietly: a writer stopped midway (openpyxl's
    sheet streams) reports an error of its own when it is collected, as "Exception ignored ... Traceback"
    on stderr, which the clerk must not see after the German message."""
    hook, sys.unraisablehook = sys.unraisablehook, _quiet
    try:
        traceback.clear_frames(exc.__traceback__)
        gc.collect()
    finally:
        sys.unraisablehook = hook


def _quiet(unraisable) -> None:
    pass


LOCK_STALE_AFTER = 300  # seconds: a lock this old is a leftover (holders keep it for seconds)
LOCK_WAIT = 120  # seconds a run waits for another run's lock


@contextmanager
def locked(target: str | Path, wait: float | None = None):
    """Hold the lock file ``target.lock`` (created with O_CREAT|O_EXCL, which is atomic on local
    disks and on SMB/NFS shares, unlike fcntl/msvcrt locks there). It names host and process: a
    lock of a process gone on this machine, or one older than LOCK_STALE_AFTER, is broken. Another
    run waits up to ``wait`` seconds, then gets a German OutputError."""
    lock = Path(f"{target}.lock")
    deadline = time.monotonic() + (LOCK_WAIT if wait is None else wait)
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"„{target}“ kann nicht geschrieben werden: der Ordner „{lock.parent}“ kann nicht angelegt "
                          f"werden ({reason(exc)}). Bitte einen anderen Ort angeben.", reason(exc)) from None
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:
            if _stale(lock):
                try:
                    os.unlink(lock)
                except OSError:
                    pass
                continue
            if time.monotonic() > deadline:
                raise OutputError(f"„{target}“ wird gerade von einem anderen Lauf geschrieben (Sperrdatei „{lock}“). "
                                  f"Bitte warten und den Befehl wiederholen; bleibt die Sperrdatei liegen, ohne dass "
                                  f"ein Lauf aktiv ist, kann sie gelöscht werden.", "die Datei ist gesperrt") from None
            time.sleep(0.05)
        except OSError as exc:
            raise OutputError(f"Die Sperrdatei „{lock}“ kann nicht angelegt werden ({reason(exc)}). Bitte die Rechte "
                              f"des Ordners prüfen.", reason(exc)) from None
    try:
        os.write(fd, f"{_host()} {os.getpid()}\n".encode())
        os.close(fd)
        yield lock
    finally:
        try:
            os.unlink(lock)
        except OSError:
            pass


def _stale(lock: Path) -> bool:
    try:
        text = lock.read_text(encoding="ascii", errors="replace").split()
        age = time.time() - lock.stat().st_mtime
    except OSError:
        return False  # gone meanwhile: the next attempt creates it
    if age > LOCK_STALE_AFTER:
        return True
    if len(text) == 2 and text[0] == _host() and text[1].isdigit():
        return not process_alive(int(text[1]))
    return False  # being written, or another machine's: wait


def write_text(target: str | Path, text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)
