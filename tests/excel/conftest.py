"""Fixtures for the add-in tests: real xlwings Books without Excel, and Excel's side played back.

``remote_book(path)`` builds the JSON payload that an xlwings client sends for a workbook and
opens it as ``xw.Book(json=...)`` (xlwings' remote engine: the same Book/Sheet/Range API as on
the desktop; PolyForm Noncommercial licence, ``XLWINGS_LICENSE_KEY=noncommercial``). The payload
carries VALUES only, as a real client does: a formula cell contributes its cached result (files
written by openpyxl have none, so those cells arrive empty). The reader never reads formula
columns, so this does not change what it sees.

``apply_actions(wb, actions)`` plays the actions that the Book returns (``book.json()["actions"]``)
into an openpyxl workbook the way Excel would apply them, including how Excel interprets a value
typed into a cell (a leading ``=`` makes a formula, ``'`` makes text, numbers and ISO dates are
converted) – so a text that was not protected against that shows up as a wrong cell in the test.
"""
from __future__ import annotations

import copy
import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

# xlwings registers its remote engine when it is imported, and only with a licence key: set it first
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
import xlwings as xw  # noqa: E402

if "remote" not in [engine.name for engine in xw.engines]:  # xlwings was imported before this file
    from xlwings.pro import _xlremote

    xw.engines.add(xw.main.Engine(impl=_xlremote.engine))
from openpyxl import load_workbook  # noqa: E402
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from xl_gleichplan.demo import write_exports

CLIENT = "Microsoft Office Scripts"
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z?)?$")
_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"}


@pytest.fixture(autouse=True)
def _xlwings_licence(monkeypatch):
    """The remote engine is xlwings PRO; its noncommercial licence covers public bodies and tests."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")


@pytest.fixture(autouse=True)
def _log_dir(monkeypatch, tmp_path):
    """Unexpected errors are logged here, not in the developer's profile."""
    monkeypatch.setenv("XL_GLEICHPLAN_LOG_DIR", str(tmp_path / "log"))


@pytest.fixture(scope="session")
def exports(tmp_path_factory) -> dict[str, Path]:
    """The demo agency's HR exports (CSV): staff, movements, committees, targets."""
    return write_exports(tmp_path_factory.mktemp("exporte"))


# ----------------------------------------------------------------------------- payload

def _payload_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00.000Z"
    if isinstance(value, bool):
        return value
    return value


def payload_from_workbook(path: Path, name: str | None = None, active: int = 0) -> dict:
    """The JSON an xlwings client sends for the workbook at ``path`` (values only, from A1 to the end
    of each sheet's used range, which – as in Excel – includes formatted empty cells)."""
    formulas = load_workbook(path)
    cached = load_workbook(path, data_only=True)
    sheets = []
    for ws in formulas.worksheets:
        shape = {"min_row": 1, "max_row": ws.max_row, "min_col": 1, "max_col": ws.max_column}
        rows = [[_payload_value(value if cell.data_type == "f" else cell.value) for cell, value in zip(line, values)]
                for line, values in zip(ws.iter_rows(**shape), cached[ws.title].iter_rows(**shape, values_only=True))]
        sheets.append({"name": ws.title, "values": rows or [[""]], "pictures": [], "tables": []})
    return {"client": CLIENT, "version": xw.__version__,
            "book": {"name": name or Path(path).name, "active_sheet_index": active, "selection": "A1"},
            "names": [], "sheets": sheets}


def empty_payload(name: str = "Mappe1", sheets=("Tabelle1",)) -> dict:
    return {"client": CLIENT, "version": xw.__version__,
            "book": {"name": name, "active_sheet_index": 0, "selection": "A1"}, "names": [],
            "sheets": [{"name": s, "values": [[""]], "pictures": [], "tables": []} for s in sheets]}


@pytest.fixture
def remote_book():
    """``remote_book(path_or_payload)`` -> an xlwings Book on the remote engine."""

    def make(source, name: str | None = None):
        # a copy: the remote engine keeps its payload up to date as the script adds sheets
        payload = copy.deepcopy(source) if isinstance(source, dict) else payload_from_workbook(Path(source), name)
        return xw.Book(json=payload)

    return make


# ----------------------------------------------------------------------------- Excel's side

def excel_entry(value):
    """A value as Excel stores it when a client writes it into a cell (``range.values`` or
    ``range.formulas``): what Excel would make of typed text, independent of the code under test."""
    if value == "" or value is None:
        return None
    if not isinstance(value, str):
        return value
    if value.startswith("'"):
        return value[1:]
    if value.startswith("="):
        return value
    if value.startswith("+") or (value.startswith("-") and len(value) > 1 and not value[1].isdigit()):
        return "=" + value  # Excel makes a formula of "+x" and "-x"
    match = _ISO.match(value)
    if match:
        y, m, d, hh, mm, ss = (int(g) if g else 0 for g in match.groups())
        return datetime(y, m, d, hh, mm, ss)
    try:
        return float(value.replace(",", "."))
    except ValueError:
        pass
    if value.upper() in ("TRUE", "FALSE", "WAHR", "FALSCH"):
        return value.upper() in ("TRUE", "WAHR")
    if value in _ERRORS:
        return f"<error {value}>"
    return value


def _block(action):
    return action["start_row"] + 1, action["start_column"] + 1, action["row_count"], action["column_count"]


def _columns(action):
    _, c, _, n = _block(action)
    return [get_column_letter(i) for i in range(c, c + n)]


def apply_actions(wb, actions: list[dict]) -> dict:
    """Apply xlwings remote actions to an openpyxl workbook; returns what is not cell content
    (message boxes, the selection, the active sheet)."""
    ui = {"alerts": [], "selected": None, "active": None}
    for action in actions:
        func = action["func"]
        ws = wb.worksheets[action["sheet_position"]] if action["sheet_position"] is not None else None
        if func in ("setValues", "setFormula"):
            row, col, nrows, ncols = _block(action)
            values = action["values"]
            assert len(values) == nrows and all(len(v) == ncols for v in values), "block shape"
            for r, line in enumerate(values):
                for c, value in enumerate(line):
                    cell = ws.cell(row + r, col + c)
                    cell.value = excel_entry(value)
                    if isinstance(value, str) and value.startswith("'"):
                        cell.data_type = "s"  # text, even when it starts with "="
        elif func == "addSheet":
            ix, name = action["args"]
            wb.create_sheet(name, ix)
        elif func == "setSheetName":
            ws.title = action["args"][0]
        elif func == "sheetDelete":
            del wb[ws.title]
        elif func == "sheetClearContents":
            for line in ws.iter_rows():
                for cell in line:
                    cell.value = None
        elif func == "namesAdd":
            name, refers_to = action["args"]
            wb.defined_names[name] = DefinedName(name, attr_text=refers_to.lstrip("="))
        elif func == "setNumberFormat":
            row, col, nrows, ncols = _block(action)
            for r in range(row, row + nrows):
                for c in range(col, col + ncols):
                    ws.cell(r, c).number_format = action["args"][0]
        elif func == "setColumnWidth":
            for letter in _columns(action):
                ws.column_dimensions[letter].width = action["args"][0]
        elif func == "setColumnHidden":
            for letter in _columns(action):
                ws.column_dimensions[letter].hidden = bool(action["args"][0])
        elif func == "activateSheet":
            ui["active"] = wb.worksheets[action["args"][0]].title
        elif func == "rangeSelect":
            row, col, nrows, ncols = _block(action)
            first = f"{get_column_letter(col)}{row}"
            last = f"{get_column_letter(col + ncols - 1)}{row + nrows - 1}"
            ui["selected"] = (ws.title, first if (nrows, ncols) == (1, 1) else f"{first}:{last}")
        elif func == "alert":
            prompt, title, buttons, mode, _ = action["args"]
            ui["alerts"].append({"text": prompt, "title": title, "mode": mode})
        else:
            raise AssertionError(f"action {func} is not played back by this test helper")
    return ui


def comparable(value):
    """Cell values compared across the two paths: dates as dates, numbers as floats, '' as None."""
    if value in ("", None):
        return None
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return round(float(value), 12)
    return value


def serial_to_date(value):
    return date(1899, 12, 30) + timedelta(days=int(value))


@pytest.fixture
def excel():
    """Helpers as one object: payloads, playback, comparison."""

    class Helpers:
        payload_from_workbook = staticmethod(payload_from_workbook)
        empty_payload = staticmethod(empty_payload)
        apply_actions = staticmethod(apply_actions)
        comparable = staticmethod(comparable)
        excel_entry = staticmethod(excel_entry)
        serial_to_date = staticmethod(serial_to_date)

    return Helpers
