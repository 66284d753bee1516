"""The adapter between a live xlwings ``Book`` and the workbook reader and writer.

``LiveBook`` offers what ``io.workbook_reader.read_book`` reads from (``sheet_names`` and
``get_sheet_by_name(name)`` with ``to_python()``, ``height`` and ``merged_cell_ranges``), so the
add-in reads a workbook open in Excel with exactly the code the command line uses on files. It
also does every write of the add-in, and counts what it asks Excel to do (``calls``): each sheet
is read in one call (its used range from A1, fetched once and cached), each result block is
written in one call. Excel round trips are the cost of an add-in; the counts make them visible
and the tests hold them to that budget.

What a live workbook cannot give in one call, and is therefore not checked here: merged cells
(xlwings has no call that lists them; the file-based ``xl-gleichplan check`` reports them) and
formulas overwritten by values (that check reads the sheet XML of a saved file).

Works on every xlwings engine: Excel on Windows/macOS (``xw.Book.caller()``) and the remote
engine (``xw.Book(json=...)``), where each write becomes one entry of ``book.json()["actions"]``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

from ..schema import column_letter
from . import import_xlwings

xw = import_xlwings()

EXCEL_EPOCH = date(1899, 12, 30)
# Columns read per sheet: every sheet of the Erhebungsbogen is narrower. A used range that Excel
# stretches to column XFD (a whole row was formatted) is not read cell by cell.
MAX_COLUMNS = 64
_ADDRESS = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)$")
# Strings Excel would turn into something else on entry (a formula, number, date, time, boolean or
# error value): they are written with a leading apostrophe, Excel's mark for "this is text". Names
# from an export (a committee "=HYPERLINK(...)", a pay group "10-12") must stay text.
_NUMBER_LIKE = re.compile(r"^\s*[-+]?(\d[\d.,' ]*|[.,]\d+)([eE][-+]?\d+)?\s*%?\s*$")
_DATE_LIKE = re.compile(r"^\s*\d{1,4}\s*[./-]\s*\d{1,2}(\s*[./-]\s*\d{0,4})?\.?\s*$|^\s*\d{1,2}:\d{2}")
_TEXT_WORDS = {"true", "false", "wahr", "falsch"}


class Formula(str):
    """A cell text that is meant as a formula (only ``write_block(..., formulas=True)`` writes it as one)."""


def as_text(value: str) -> str:
    """``value`` as Excel must receive it so that it stays the same text."""
    if value and (value[0] in "=+-@'#" or _NUMBER_LIKE.match(value) or _DATE_LIKE.match(value)
                  or value.strip().lower() in _TEXT_WORDS):
        return "'" + value
    return value


def excel_serial(day: date) -> float:
    """A date as Excel's serial number (1900 date system)."""
    if isinstance(day, datetime):
        delta = day - datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400
    return float((day - EXCEL_EPOCH).days)


def last_cell(address: str) -> tuple[int, int]:
    """'$A$1:$N$142' -> (142, 14); '$C$3' -> (3, 3)."""
    match = _ADDRESS.search(address.split("!")[-1])
    if not match:
        raise ValueError(f"unexpected range address {address!r}")
    letters, row = match.groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(row), col


def a1(row: int, col: int, rows: int = 1, cols: int = 1) -> str:
    first = f"{column_letter(col - 1)}{row}"
    return first if rows == cols == 1 else f"{first}:{column_letter(col + cols - 2)}{row + rows - 1}"


@dataclass
class CallLog:
    """What an action asked Excel to do, by kind. ``reads`` and ``writes`` move cell values (the
    expensive round trips); the rest are single small calls."""

    listings: int = 0  # the list of sheet names
    extents: list[str] = field(default_factory=list)  # used-range address of a sheet (no values)
    reads: list[str] = field(default_factory=list)  # sheet name per value read
    writes: list[str] = field(default_factory=list)  # 'Sheet!A5:F142' per block of values/formulas
    formats: list[str] = field(default_factory=list)  # number formats, column widths, hidden columns
    structure: list[str] = field(default_factory=list)  # sheets added/renamed/deleted/cleared, names
    ui: list[str] = field(default_factory=list)  # message boxes, selecting, activating

    @property
    def excel_calls(self) -> int:
        """Calls that would be sent to Excel (in remote mode: one action each, plus nothing for
        reads, which the remote engine answers from the payload)."""
        return len(self.writes) + len(self.formats) + len(self.structure) + len(self.ui)

    def summary(self) -> dict:
        return {"reads": len(self.reads), "sheets_read": len(set(self.reads)), "writes": len(self.writes),
                "formats": len(self.formats), "structure": len(self.structure), "ui": len(self.ui),
                "extents": len(self.extents), "listings": self.listings}


class LiveSheet:
    """One sheet of a live workbook, read in one call (calamine's ``CalamineSheet`` interface)."""

    merged_cell_ranges: list = []  # not available from xlwings in one call; see the module docstring

    def __init__(self, live: "LiveBook", name: str):
        self._live, self.name = live, name
        self._extent: tuple[int, int] | None = None
        self._rows: list[list] | None = None

    @property
    def extent(self) -> tuple[int, int]:
        """(last row, last column) of the used range; one small call, no values."""
        if self._extent is None:
            address = self._live.book.sheets[self.name].used_range.address
            self._live.calls.extents.append(self.name)
            self._extent = last_cell(address)
        return self._extent

    @property
    def height(self) -> int:
        return self.extent[0]

    def to_python(self, skip_empty_area: bool = False, nrows: int | None = None) -> list[list]:
        """The rows from A1 to the end of the used range (``nrows`` at most), empty cells as None."""
        if self._rows is None or (nrows is not None and len(self._rows) < min(nrows, self.height)):
            rows, cols = self.extent
            rows, cols = (min(rows, nrows) if nrows else rows), min(cols, MAX_COLUMNS)
            sheet = self._live.book.sheets[self.name]
            values = sheet.range((1, 1), (rows, cols)).options(ndim=2).value
            self._live.calls.reads.append(self.name)
            if rows == cols == 1 and values == [[None]]:
                values = []  # an empty sheet (Excel reports A1 as its used range)
            self._rows = values
        return self._rows if nrows is None else self._rows[:nrows]


class LiveBook:
    """A live xlwings Book as the reader sees a file, plus the writes of the add-in."""

    def __init__(self, book: xw.Book):
        self.book = book
        self.calls = CallLog()
        self._names: list[str] | None = None
        self._sheets: dict[str, LiveSheet] = {}

    # -- reading -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.book.name

    @property
    def sheet_names(self) -> list[str]:
        if self._names is None:
            self._names = [s.name for s in self.book.sheets]
            self.calls.listings += 1
        return self._names

    def get_sheet_by_name(self, name: str) -> LiveSheet:
        if name not in self.sheet_names:
            raise KeyError(name)
        if name not in self._sheets:
            self._sheets[name] = LiveSheet(self, name)
        return self._sheets[name]

    def rows(self, name: str) -> list[list]:
        return self.get_sheet_by_name(name).to_python()

    def is_empty(self, name: str) -> bool:
        """No value in the sheet. A used range beyond A1 counts as content without reading it."""
        sheet = self.get_sheet_by_name(name)
        if sheet.extent != (1, 1):
            return False
        return not sheet.to_python()

    # -- writing -------------------------------------------------------------------------
    def _sheet(self, name: str):
        self._sheets.pop(name, None)  # what was read is stale now
        return self.book.sheets[name]

    def write_block(self, name: str, row: int, col: int, values: list[list], formulas: bool = False) -> str:
        """Write a 2-D block with its top-left cell at (row, col), 1-based, in ONE call.

        Text is written as text (see ``as_text``). With ``formulas=True`` the block goes to the
        cells' formulas: ``Formula`` strings become formulas, dates their serial numbers (formats
        are set separately)."""
        width = max((len(r) for r in values), default=0)
        if not values or not width:
            return ""
        prepared = [[_prepare(v, formulas) for v in r] + [None] * (width - len(r)) for r in values]
        sheet = self._sheet(name)
        target = sheet.range((row, col), (row + len(prepared) - 1, col + width - 1))
        if formulas:
            target.formula = prepared
        else:
            target.value = prepared
        address = f"{name}!{a1(row, col, len(prepared), width)}"
        self.calls.writes.append(address)
        return address

    def number_format(self, name: str, address: str, fmt: str) -> None:
        self._sheet(name).range(address).number_format = fmt
        self.calls.formats.append(f"{name}!{address} {fmt}")

    def column_width(self, name: str, first_col: int, last_col: int, width: float) -> None:
        letters = f"{column_letter(first_col - 1)}:{column_letter(last_col - 1)}"
        self._sheet(name).range(letters).column_width = width
        self.calls.formats.append(f"{name}!{letters} width {width}")

    def hide_columns(self, name: str, first_col: int, last_col: int) -> None:
        letters = f"{column_letter(first_col - 1)}:{column_letter(last_col - 1)}"
        self._sheet(name).range(letters).columns.hidden = True
        self.calls.formats.append(f"{name}!{letters} hidden")

    def add_sheet(self, name: str, after: str | None = None) -> None:
        after_sheet = self.book.sheets[after] if after else self.book.sheets[len(self.sheet_names) - 1]
        self.book.sheets.add(name, after=after_sheet)
        self.sheet_names.insert(self.sheet_names.index(after_sheet.name) + 1, name)
        self.calls.structure.append(f"add {name}")

    def rename_sheet(self, old: str, new: str) -> None:
        self._sheet(old).name = new
        self.sheet_names[self.sheet_names.index(old)] = new
        self.calls.structure.append(f"rename {old} -> {new}")

    def delete_sheet(self, name: str) -> None:
        self._sheet(name).delete()
        self.sheet_names.remove(name)
        self.calls.structure.append(f"delete {name}")

    def clear_sheet(self, name: str) -> None:
        self._sheet(name).clear_contents()
        self.calls.structure.append(f"clear {name}")

    def add_name(self, name: str, refers_to: str) -> None:
        self.book.names.add(name, refers_to)
        self.calls.structure.append(f"name {name}")

    def select(self, name: str, address: str | None = None) -> None:
        """Activate a sheet and select a cell or range on it (on the desktop a selection needs its
        sheet to be the active one)."""
        sheet = self.book.sheets[name]
        sheet.activate()
        self.calls.ui.append(f"activate {name}")
        if address:
            sheet.range(address).select()
            self.calls.ui.append(f"select {name}!{address}")

    def alert(self, text: str, title: str = "Gleichstellungsplan", critical: bool = False) -> None:
        self.book.app.alert(text, title=title, buttons="ok", mode="critical" if critical else "info")
        self.calls.ui.append(f"alert {title}")


def _prepare(value, formulas: bool):
    if isinstance(value, Formula):
        return str(value) if formulas else as_text(str(value))
    if isinstance(value, str):
        return as_text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Fraction):
        return float(value)
    if formulas and isinstance(value, (date, datetime)):
        return excel_serial(value)
    return value
