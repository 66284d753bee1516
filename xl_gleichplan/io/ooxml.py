"""Small helpers on the zip container of .xlsx/.docx files."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
# Limits for zip containers from outside (zip bombs): what a real workbook of a Dienststelle
# never reaches. XML compresses about 10-30:1; a bomb compresses 1000:1 and more.
MAX_UNPACKED_BYTES = 1_000_000_000
MAX_RATIO = 250
RATIO_FROM_BYTES = 50_000_000  # small parts may compress well without harm


def check_zip(path: str | Path) -> list[str]:
    """The part names of a zip package, after checking it against the zip-bomb limits.

    Raises ``InputFileError`` (German) when the package is broken or unpacks beyond the limits."""
    from ..errors import InputFileError

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(f"„{path}“ ist beschädigt oder unvollständig ({exc}). Bitte die Datei neu speichern "
                             f"oder erneut anfordern.") from None
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        raise InputFileError(f"„{path}“ würde entpackt {total / 1e9:.1f} GB belegen (Grenze "
                             f"{MAX_UNPACKED_BYTES / 1e9:.0f} GB). Eine so große Datei wird nicht gelesen; bitte prüfen, "
                             f"ob es wirklich der richtige Export ist.")
    for info in infos:
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputFileError(f"„{path}“ enthält einen ungewöhnlich stark komprimierten Teil ({info.filename}, "
                                 f"{info.file_size / max(info.compress_size, 1):.0f}:1). Die Datei wird zum Schutz "
                                 f"nicht gelesen (möglicher Angriff mit einer „Zip-Bombe“).")
    return [i.filename for i in infos]


def make_reproducible(path: str | Path, stamp: str = "2020-01-01T00:00:00Z") -> None:
    """Rewrite a zip package with fixed entry times and a fixed modification date in
    docProps/core.xml, so that the same input builds the same bytes (templates are checked in)."""
    path = Path(path)
    with zipfile.ZipFile(path) as src:
        parts = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)


def zip_parts(path: str | Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def put(ws, row: int, col: int, value):
    """Write a value into an openpyxl cell as data: a text that starts with "=" stays text (openpyxl
    would store it as a formula), so names from the input never become live formulas."""
    cell = ws.cell(row, col)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell
