"""Small helpers on the zip container of .xlsx/.docx files."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


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
