"""Size and time budgets of every reader of files from outside: all limits in one place.

A file from outside (an HR export, a returned Erhebungsbogen) is checked against these limits before
and while it is read, so that a broken or hostile file ends in a German error instead of filling
the memory or running for hours. The defaults lie far above real inputs (measured on 2 cores: a
500,000-row staff export is a 62 MB CSV read in 2 s, or a 29 MB xlsx with 340 MB of sheet XML read in
14 s; a workbook with 3.5 million pasted rows is a 95 MB file with 800 MB of sheet XML, read in under
two minutes) and well below what exhausts an office PC.

Every limit can be changed without a code change by an environment variable named
``XL_GLEICHPLAN_`` + the limit's name, e.g. ``XL_GLEICHPLAN_MAX_UNPACKED_BYTES=2000000000`` or
``XL_GLEICHPLAN_TIME_BUDGET_SECONDS=1800`` (tests use this to try the limits on small files).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

# name -> (default, German description for messages)
DEFAULTS: dict[str, tuple[float, str]] = {
    # files on disk
    "MAX_TEXT_FILE_BYTES": (1_000_000_000, "Größe einer CSV-Datei"),  # 16 x the 500,000-row export
    "MAX_WORKBOOK_FILE_BYTES": (500_000_000, "Größe einer Arbeitsmappe"),  # 5 x the 95 MB pasted case
    # zip containers (xlsx, xlsm, xlsb): zip bombs
    "MAX_UNPACKED_BYTES": (1_000_000_000, "entpackte Größe einer Arbeitsmappe"),
    "MAX_RATIO": (250, "Kompressionsrate eines Teils"),  # XML compresses 10-30:1, a bomb 1000:1
    "RATIO_FROM_BYTES": (50_000_000, "Größe, ab der die Kompressionsrate geprüft wird"),
    "MAX_PARTS": (10_000, "Teile eines ZIP-Containers"),  # a workbook has a few dozen
    # one table (the sheet of an export, or a CSV file)
    "MAX_ROWS": (5_000_000, "Zeilen einer Tabelle"),  # 10 x the 500,000-row export
    "MAX_COLUMNS": (16_384, "Spalten einer Tabelle"),  # Excel's own limit (column XFD)
    "MAX_SHEET_CELLS": (100_000_000, "Zellen eines Tabellenblatts"),  # 2 x the pasted 3.5 million rows
    "MAX_CELL_CHARS": (32_767, "Zeichen in einer Zelle"),  # Excel's own limit
    # wall clock for reading one file (checked between steps and while iterating rows)
    "TIME_BUDGET_SECONDS": (600, "Lesezeit einer Datei in Sekunden"),  # 40 x the 500,000-row xlsx
}
# Every sheet XML part is scanned for the cells' real extent before python-calamine loads it (it
# allocates the whole rectangle between the outermost cells, so two cells at A1 and XFD1048576 in a
# 2 KB file would ask for hundreds of GB). Parts up to this size are read whole for the scan, larger
# ones in blocks. Cost with inflating: about 3 ms per MB while all cells lie within A1:Z3846153 (one numpy
# scan per block, ooxml._scan_block; 340 MB of the 500,000-row export: 1.1 s on two busy cores), more
# for a sheet beyond it, which the exact rectangles and then the collected positions decide.
SCAN_EXTENT_BELOW_BYTES = 16_000_000
SCAN_BINARY_EXTENT_BELOW_BYTES = 256_000_000  # .xlsb records are walked in Python: about 0.02 s per MB

ENV_PREFIX = "XL_GLEICHPLAN_"


def limit(name: str) -> int:
    """The limit in force: the environment variable XL_GLEICHPLAN_<name> if set, else the default."""
    default, _ = DEFAULTS[name]
    raw = os.environ.get(ENV_PREFIX + name, "").strip().replace("_", "")
    if raw:
        try:
            value = float(raw)
            if value > 0:
                return int(min(value, 1e18))  # "inf" means no practical limit
        except ValueError:
            pass
    return int(default)


def german_number(value: float) -> str:
    """12345678 -> '12.345.678'."""
    return f"{int(value):,}".replace(",", ".")


def german_size(n: float) -> str:
    """Bytes as German text: '1,5 GB', '94 MB', '12 KB'."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= size:
            text = f"{n / size:.1f}".rstrip("0").rstrip(".") if n < 10 * size else f"{n / size:.0f}"
            return f"{text.replace('.', ',')} {unit}"
    return f"{int(n)} Bytes"


def how_to_raise(name: str) -> str:
    return (f"Falls die Datei wirklich so groß sein muss, kann die IT die Grenze mit der Umgebungsvariablen "
            f"{ENV_PREFIX}{name} anheben.")


def check_file_size(path: str | Path, kind: str) -> None:
    """Refuse a file larger than the limit of its kind ("text" or "workbook")."""
    from ..errors import LimitError

    name = "MAX_TEXT_FILE_BYTES" if kind == "text" else "MAX_WORKBOOK_FILE_BYTES"
    size, most = Path(path).stat().st_size, limit(name)
    if size > most:
        raise LimitError(f"„{path}“ ist {german_size(size)} groß; gelesen werden Dateien bis {german_size(most)} "
                         f"({DEFAULTS[name][1]}). Bitte prüfen, ob es der richtige Export ist, und ihn sonst auf die "
                         f"nötigen Spalten beschränken. {how_to_raise(name)}")


def check_shape(path: str | Path, sheet: str | None, rows: int, columns: int) -> None:
    """Refuse a table with more rows or columns than the limits."""
    from ..errors import LimitError

    where = f"Das Blatt „{sheet}“ in „{path}“" if sheet else f"„{path}“"
    for name, value in (("MAX_ROWS", rows), ("MAX_COLUMNS", columns)):
        most = limit(name)
        if value > most:
            what = "Zeilen" if name == "MAX_ROWS" else "Spalten"
            raise LimitError(f"{where} hat {german_number(value)} {what}; gelesen werden höchstens "
                             f"{german_number(most)}. Bitte prüfen, ob es der richtige Export ist (oder ob weit "
                             f"entfernte Zellen etwas enthalten), und die Datei sonst aufteilen. {how_to_raise(name)}")


class Deadline:
    """The wall-clock budget of reading one file. ``check()`` is cheap (one clock read); the readers
    call it between steps and every few thousand rows."""

    def __init__(self, path: str | Path, seconds: float | None = None):
        self.path = path
        self.seconds = limit("TIME_BUDGET_SECONDS") if seconds is None else seconds
        self.start = time.monotonic()

    def check(self, where: str = "") -> None:
        if time.monotonic() - self.start > self.seconds:
            from ..errors import LimitError

            at = f" (abgebrochen {where})" if where else ""
            raise LimitError(f"Das Lesen von „{self.path}“ dauert länger als {german_number(self.seconds)} Sekunden"
                             f"{at}. Die Datei ist ungewöhnlich groß oder aufgebaut und wird nicht weiter gelesen. "
                             f"Bitte die Datei prüfen, in Excel neu speichern oder auf die nötigen Spalten beschränken. "
                             f"{how_to_raise('TIME_BUDGET_SECONDS')}")
