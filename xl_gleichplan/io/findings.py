"""Collects findings while a file is read; per problem it lists the first rows and counts the rest."""
from __future__ import annotations

import re

import numpy as np

from ..model import Finding
from .tabular import Table, file_label

MAX_ROWS_LISTED = 10


class FindingList(list):
    def add(self, severity: str, message: str, file=None, sheet=None, cell=None, row=None, topic=None) -> None:
        self.append(Finding(severity, message, file_label(file) if file else None, sheet, cell, row, topic))

    def for_rows(self, severity: str, table: Table, column: str, positions, message: str,
                 summary: str | None = None) -> None:
        """One finding per bad row (the first ten), then one that counts the others.

        ``message`` may use {row} (spreadsheet row) and {cell}; ``positions`` are 0-based data rows."""
        positions = np.asarray(positions)
        for pos in positions[:MAX_ROWS_LISTED]:
            row = table.first_row + int(pos)
            cell = table.cell(column, int(pos))
            self.add(severity, message.format(row=row, cell=cell), table.file, table.sheet, cell, row)
        rest = len(positions) - MAX_ROWS_LISTED
        if rest > 0:
            self.add(severity, (summary or "… und {rest} weitere Zeilen mit demselben Problem in Spalte „{column}“.")
                     .format(rest=rest, column=column), table.file, table.sheet)


def message_text(f: Finding) -> str:
    """The message without a leading "Zeile 602 (Zelle E602): " where the finding names its row
    and cell anyway (the sheet's columns, the CLI's "Zelle E602:"): said once, not twice."""
    m = re.match(r"Zeile (\d+) \(Zelle ([A-Z]+\d+)\): ", f.message)
    if m and f.cell == m.group(2):
        rest = f.message[m.end():]
        return rest[:1].upper() + rest[1:]
    return f.message
