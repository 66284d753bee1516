"""Custom functions for Excel (xlwings UDFs): the rules of the law as worksheet functions.

    =GP_ANTEIL(w; m)                      share of women of W+M
    =GP_UNTERREPRAESENTIERT(w; m; [profil])  "Frauen", "Männer" or "" by the profile's rule
    =GP_ZIELE_HAELFTE(stellen)            at least half of the vacancies (a sizing helper, no rule of law)
    =GP_FRIST(stichtag; [art]; [profil])  the plan's due date (or another deadline)

Each calls the same function of ``rules`` as the command line. Every argument may be a cell or a
range: ranges of the same shape are evaluated cell by cell and give an array of that shape (a
single cell combines with every cell of a range). Bad input gives an Excel error value in that
cell, never a Python traceback: ``#DIV/0!`` for a share of nobody (W + M = 0), ``#NUM!`` for a
negative or fractional count where whole numbers are needed, ``#VALUE!`` for text, an unknown
profile or deadline, or ranges of different shapes.

Error values: xlwings 0.37.8 turns a returned "#DIV/0!"-style string into a real error only in its
Office.js engine (``pro/_xlofficejs.errorstr_to_errortype``); its Windows COM UDFs pass strings on
as text (xlwings issue #776). On Windows the functions therefore return the error as a COM
VARIANT of type VT_ERROR, which pywin32 hands to Excel as the error value itself; elsewhere they
return the error text.

Blank cells count as 0 in counts, as in the Erhebungsbogen. A count may be a whole number or, for
full-time equivalents, a decimal (read like the workbook reader: to 1/1000).
"""
from __future__ import annotations

# Started by the add-in: refuse before anything else is imported if modules could come from
# outside the installation, e.g. a returned workbook's folder (excel/origin.py, SECURITY.md).
from . import origin

origin.check()

import functools
import math
import sys
from datetime import date, datetime
from fractions import Fraction

import xlwings as xw

from ..errors import GleichplanError
from ..io import vocabulary as vocab
from ..model import Counts
from ..profiles import load_profile
from ..rules.deadlines import deadlines
from ..rules.shares import shares, underrepresented
from ..rules.targets import half_of_vacancies
from ..texts import VERDICT_SHORT

CATEGORY = "Gleichstellungsplan"
DIV0, NUM, VALUE = "#DIV/0!", "#NUM!", "#VALUE!"
# Excel's error values as COM SCODEs (0x800A0000 + the xlErr number), as xlwings' _xlwindows reads them
SCODES = {"#NULL!": -2146826288, "#DIV/0!": -2146826281, "#VALUE!": -2146826273, "#REF!": -2146826265,
          "#NAME?": -2146826259, "#NUM!": -2146826252, "#N/A": -2146826246}
DEADLINE_KINDS = {
    "": "plan_due", "plan": "plan_due", "faellig": "plan_due", "planfaellig": "plan_due",
    "anpassung": "adjustment_due", "anpassungfaellig": "adjustment_due",
    "anpassungstichtag": "adjustment_stichtag", "naechsterplan": "next_plan_stichtag",
    "zeitraumvon": "flow_window_start", "zeitraumbis": "flow_window_end",
}


class CellError(Exception):
    """Bad input for one cell: becomes the Excel error value ``code``."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@functools.lru_cache(maxsize=1)
def _com_variant():
    """win32com's VARIANT class on Windows (desktop Excel), else None."""
    if not sys.platform.startswith("win"):
        return None
    try:
        import pythoncom
        from win32com.client import VARIANT
    except ImportError:
        return None
    return lambda code: VARIANT(pythoncom.VT_ERROR, SCODES[code])


def error_value(code: str):
    """The Excel error ``code`` ('#DIV/0!', ...) in the form the running engine passes on as an error."""
    make = _com_variant()
    return make(code) if make else code


# ----------------------------------------------------------------------------- arrays

def _grid(value) -> tuple[list[list], bool]:
    """(2-D rows, came as a range). A scalar is [[value]]; a flat list is one row (as xlwings reads a row)."""
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(r, (list, tuple)) for r in value):
            return [list(r) for r in value], True
        return [list(value)], True
    return [[value]], False


def _cell(func, *values):
    try:
        return func(*values)
    except CellError as exc:
        return error_value(exc.code)
    except GleichplanError:
        return error_value(VALUE)
    except Exception as exc:  # a bug must not show a traceback in a cell: log it, show #VALUE!
        from ..logs import log_exception

        log_exception(exc)
        return error_value(VALUE)


def elementwise(func, *args):
    """Apply ``func`` cell by cell. Ranges must have one shape; a single cell goes with every cell.
    Returns a scalar when no argument was a range, else a 2-D list of the ranges' shape."""
    grids = [_grid(a) for a in args]
    if any(not g or not g[0] or len({len(r) for r in g}) != 1 for g, _ in grids):
        return error_value(VALUE)  # an empty or ragged array
    big = {(len(g), len(g[0])) for g, _ in grids} - {(1, 1)}
    if len(big) > 1:
        return error_value(VALUE)
    rows, cols = big.pop() if big else (1, 1)

    def at(g, r, c):
        return g[0][0] if (len(g), len(g[0])) == (1, 1) else g[r][c]

    out = [[_cell(func, *(at(g, r, c) for g, _ in grids)) for c in range(cols)] for r in range(rows)]
    return out if any(ranged for _, ranged in grids) else out[0][0]


# ----------------------------------------------------------------------------- cell values

def _count(value, whole: bool = False):
    """A count from a cell: blank is 0; negative -> #NUM!; text that is not a number -> #VALUE!."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return 0
    if isinstance(value, bool) or isinstance(value, (date, datetime)):
        raise CellError(VALUE)
    if isinstance(value, str):
        number = vocab.to_count(value)
        if number is None:
            try:
                value = float(value.strip().replace(",", "."))
            except ValueError:
                raise CellError(VALUE) from None
        else:
            return number
    if not isinstance(value, (int, float)):
        raise CellError(VALUE)
    if math.isnan(value) or math.isinf(value) or value < 0:
        raise CellError(NUM)
    if float(value).is_integer():
        return int(value)
    if whole:
        raise CellError(NUM)
    return Fraction(value).limit_denominator(1000)


def _profile(name):
    text = vocab.text(name)
    return load_profile(text or None)  # ProfileError -> #VALUE!


def _date(value) -> date:
    if value is None or value == "" or isinstance(value, bool):
        raise CellError(VALUE)
    day = vocab.to_date(value)
    if day is None:
        raise CellError(VALUE)
    return day


# ----------------------------------------------------------------------------- the functions

def _share(w, m):
    women, _ = shares(Counts(_count(w), _count(m)))
    if women is None:
        raise CellError(DIV0)
    return float(women)


def _verdict(w, m, profil=None):
    return VERDICT_SHORT[underrepresented(Counts(_count(w), _count(m)), _profile(profil))]


def _half(vacancies):
    return half_of_vacancies(_count(vacancies, whole=True))


def _due(stichtag, art=None, profil=None):
    field = DEADLINE_KINDS.get(vocab.key(art))
    if field is None:
        raise CellError(VALUE)
    day, profile = _date(stichtag), _profile(profil)
    try:
        return getattr(deadlines(day, profile), field)
    except (ValueError, OverflowError):  # a deadline beyond the year 9999
        raise CellError(NUM) from None


@xw.func(category=CATEGORY)
@xw.arg("w", ndim=2, doc="Anzahl Frauen (Zelle oder Bereich)")
@xw.arg("m", ndim=2, doc="Anzahl Männer (Zelle oder Bereich gleicher Größe)")
def GP_ANTEIL(w, m):
    """Frauenanteil an Frauen und Männern: W / (W + M). #DIV/0!, wenn beide 0 sind. Mit Bereichen: je Zelle."""
    return elementwise(_share, w, m)


@xw.func(category=CATEGORY)
@xw.arg("w", ndim=2, doc="Anzahl Frauen (Zelle oder Bereich)")
@xw.arg("m", ndim=2, doc="Anzahl Männer (Zelle oder Bereich gleicher Größe)")
@xw.arg("profil", doc="Rechtsprofil: thueringen (Standard) oder bund")
def GP_UNTERREPRAESENTIERT(w, m, profil=None):
    """Welches Geschlecht nach der Regel des Rechtsprofils unterrepräsentiert ist: "Frauen", "Männer" oder leer."""
    return elementwise(_verdict, w, m, profil)


@xw.func(category=CATEGORY)
@xw.arg("stellen", ndim=2, doc="Zahl der im Planzeitraum frei werdenden Stellen (ganze Zahl ab 0)")
def GP_ZIELE_HAELFTE(stellen):
    """Rechenhilfe: die Hälfte der frei werdenden Stellen, aufgerundet (keine gesetzliche Vorgabe)."""
    return elementwise(_half, stellen)


@xw.func(category=CATEGORY)
@xw.arg("stichtag", ndim=2, doc="Stichtag der Erhebung (Datum)")
@xw.arg("art", doc="plan (Standard), anpassung, anpassung_stichtag, naechster_plan, zeitraum_von, zeitraum_bis")
@xw.arg("profil", doc="Rechtsprofil: thueringen (Standard) oder bund")
@xw.ret(date_format="dd.mm.yyyy")
def GP_FRIST(stichtag, art=None, profil=None):
    """Frist ab dem Stichtag nach dem Rechtsprofil; ohne „art“ das Datum, bis zu dem der Plan aufzustellen ist."""
    return elementwise(_due, stichtag, art, profil)
