"""Atomic output: write to a temporary file in the target folder, then rename over the target.

A crash, a full disk or a second run at the same time never leaves a half-written output, and an
existing output stays intact until the new one is complete."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputError


@contextmanager
def atomic_path(target: str | Path):
    """Yield a temporary path next to ``target``; on success it replaces ``target``."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix + ".tmp", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"In den Ordner „{target.parent}“ kann nicht geschrieben werden ({exc.strerror}). "
                          f"Bitte einen anderen Ausgabeordner wählen oder die Rechte prüfen.") from None
    try:
        yield Path(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; an output gets the usual rights
        os.replace(tmp, target)
    except OSError as exc:
        raise OutputError(f"„{target}“ konnte nicht geschrieben werden ({exc.strerror}). Eine vorhandene "
                          f"ältere Datei ist unverändert. Ist die Datei in Excel oder Word geöffnet?") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(target: str | Path, text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)
