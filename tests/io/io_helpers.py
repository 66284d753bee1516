"""Helpers for the import tests: write small export files (imported by the tests and conftest)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

STICHTAG = date(2025, 6, 30)  # flow window 01.07.2022 - 30.06.2025


def write_csv(path: Path, rows: list[list[object]], sep: str = ";", encoding: str = "utf-8") -> Path:
    """Rows (header first) as a CSV file; ``encoding`` "utf-8-sig" writes a BOM."""
    text = "".join(sep.join("" if v is None else str(v) for v in row) + "\r\n" for row in rows)
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], sheet: str = "Export") -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path
