"""Where unexpected errors go: a log file under the user's profile, never personal data in it."""
from __future__ import annotations

import os
import traceback
from datetime import datetime
from pathlib import Path


def log_dir() -> Path:
    base = os.environ.get("XL_GLEICHPLAN_LOG_DIR") or os.environ.get("LOCALAPPDATA") or Path.home() / ".local" / "state"
    return Path(base) / "xl_gleichplan"


def log_exception(exc: BaseException) -> Path:
    """Append the traceback (code locations and the exception type only, no local values) to the log."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fehler.log"
    frames = "".join(traceback.format_tb(exc.__traceback__))
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"--- {datetime.now().isoformat(timespec='seconds')} {type(exc).__name__}\n{frames}\n")
    return path
