"""The custom functions (xl_gleichplan.excel.udfs) against the rules they call, on a grid of inputs,
as arrays, and with bad input: an Excel error value in the cell, never an exception."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_gleichplan.excel import udfs
from xl_gleichplan.excel.udfs import GP_ANTEIL, GP_FRIST, GP_UNTERREPRAESENTIERT, GP_ZIELE_HAELFTE
from xl_gleichplan.logs import log_dir
from xl_gleichplan.model import Counts
from xl_gleichplan.profiles import load_profile
from xl_gleichplan.rules.deadlines import deadlines
from xl_gleichplan.rules.shares import shares, underrepresented
from xl_gleichplan.rules.targets import half_of_vacancies
from xl_gleichplan.texts import VERDICT_SHORT

ERRORS = {"#DIV/0!", "#NUM!", "#VALUE!"}
PROFILES = ("thueringen", "bund")
GRID = range(0, 13)


# ----------------------------------------------------------------------------- grids vs rules

def test_anteil_equals_rule_on_grid():
    for w in GRID:
        for m in GRID:
            expected = shares(Counts(w, m))[0]
            got = GP_ANTEIL(w, m)
            if expected is None:
                assert got == "#DIV/0!", (w, m)
            else:
                assert got == float(expected), (w, m)


@pytest.mark.parametrize("profile", PROFILES)
def test_unterrepraesentiert_equals_rule_on_grid(profile):
    rules = load_profile(profile)
    seen = set()
    for w in GRID:
        for m in GRID:
            expected = VERDICT_SHORT[underrepresented(Counts(w, m), rules)]
            assert GP_UNTERREPRAESENTIERT(w, m, profile) == expected, (w, m, profile)
            seen.add(expected)
    assert {"Frauen", ""} <= seen  # the grid reaches both sides of the threshold


def test_unterrepraesentiert_default_profile_is_thueringen():
    assert GP_UNTERREPRAESENTIERT(3, 7) == "Frauen"  # 30 % < 40 %
    assert GP_UNTERREPRAESENTIERT(4, 6) == ""  # exactly 40 % is not below
    assert GP_UNTERREPRAESENTIERT(7, 3) == "Männer"
    assert GP_UNTERREPRAESENTIERT(7, 3, "bund") == ""  # the Bund protects women only
    assert GP_UNTERREPRAESENTIERT(0, 0) == ""  # an empty Bereich gets no verdict (rules.shares)


def test_ziele_haelfte_equals_rule():
    for n in range(0, 60):
        assert GP_ZIELE_HAELFTE(n) == half_of_vacancies(n)
        assert GP_ZIELE_HAELFTE(float(n)) == half_of_vacancies(n)  # Excel passes numbers as floats


@pytest.mark.parametrize("profile", PROFILES)
def test_frist_equals_rule(profile):
    rules = load_profile(profile)
    kinds = {None: "plan_due", "plan": "plan_due", "anpassung": "adjustment_due",
             "anpassung_stichtag": "adjustment_stichtag", "naechster_plan": "next_plan_stichtag",
             "Nächster Plan": "next_plan_stichtag", "zeitraum_von": "flow_window_start",
             "zeitraum_bis": "flow_window_end"}
    day = date(2023, 1, 31)
    while day < date(2025, 1, 1):  # month ends, leap day, every 17th day
        expected = deadlines(day, rules)
        for art, field in kinds.items():
            assert GP_FRIST(day, art, profile) == getattr(expected, field), (day, art)
        # a datetime (how xlwings passes a date cell) and the serial number of the date
        assert GP_FRIST(datetime(day.year, day.month, day.day), None, profile) == expected.plan_due
        assert GP_FRIST(float((day - date(1899, 12, 30)).days), None, profile) == expected.plan_due
        day += timedelta(days=17)
    assert GP_FRIST("30.06.2025") == date(2026, 3, 30)  # 9 months, BGB counting


# ----------------------------------------------------------------------------- arrays

def test_arrays_keep_their_shape():
    w = [[1, 2, 3], [0, 5, 6]]
    m = [[3, 2, 0], [0, 5, 9]]
    got = GP_ANTEIL(w, m)
    assert got == [[GP_ANTEIL(a, b) for a, b in zip(rw, rm)] for rw, rm in zip(w, m)]
    assert got[1][0] == "#DIV/0!"
    column = GP_UNTERREPRAESENTIERT([[3], [5], [9]], [[7], [5], [1]])
    assert column == [["Frauen"], [""], ["Männer"]]  # a column stays a column
    assert GP_ZIELE_HAELFTE([[1, 2, 3, 4]]) == [[1, 1, 2, 2]]
    assert GP_FRIST([[date(2025, 6, 30)], [date(2024, 6, 30)]]) == [[date(2026, 3, 30)], [date(2025, 3, 30)]]


def test_a_single_cell_goes_with_every_cell_of_a_range():
    assert GP_ANTEIL([[1], [2], [3]], 7) == [[GP_ANTEIL(n, 7)] for n in (1, 2, 3)]
    assert GP_UNTERREPRAESENTIERT([[3, 4]], [[7, 6]], "bund") == [["Frauen", "Frauen"]]
    assert GP_FRIST([[date(2025, 6, 30), date(2025, 5, 31)]], "plan", "bund") == \
        [[deadlines(date(2025, 6, 30), load_profile("bund")).plan_due,
          deadlines(date(2025, 5, 31), load_profile("bund")).plan_due]]
    assert GP_ANTEIL([[5]], [[5]]) == [[0.5]]  # a one-cell range gives a one-cell array


def test_ranges_of_different_shapes_give_value_error():
    assert GP_ANTEIL([[1, 2]], [[1], [2]]) == "#VALUE!"
    assert GP_ANTEIL([[1, 2], [3]], [[1, 2], [3, 4]]) == "#VALUE!"  # ragged
    assert GP_ANTEIL([], 1) == "#VALUE!"
    assert GP_ANTEIL([1, 2], [3, 4]) == [[0.25, GP_ANTEIL(2, 4)]]  # a flat list is one row, like xlwings


# ----------------------------------------------------------------------------- errors

@pytest.mark.parametrize("w, m, expected", [
    (0, 0, "#DIV/0!"), (None, None, "#DIV/0!"), ("", 0, "#DIV/0!"),  # blank counts as 0
    (-1, 3, "#NUM!"), (3, -0.5, "#NUM!"), (float("nan"), 1, "#NUM!"), (float("inf"), 1, "#NUM!"),
    ("Meier", 3, "#VALUE!"), (3, "12345678A", "#VALUE!"), (True, 3, "#VALUE!"),
    (datetime(2025, 1, 1), 3, "#VALUE!"),
])
def test_anteil_errors(w, m, expected):
    assert GP_ANTEIL(w, m) == expected


def test_counts_read_like_the_workbook_reader():
    assert GP_ANTEIL("3", " 7 ") == 0.3  # a number stored as text
    assert GP_ANTEIL(12.5, 12.5) == 0.5  # full-time equivalents
    assert GP_ANTEIL("2,5", 7.5) == 0.25
    assert GP_ANTEIL(1 / 3, 2 / 3) == pytest.approx(float(Fraction(1, 3) / (Fraction(1, 3) + Fraction(2, 3))))


@pytest.mark.parametrize("call, expected", [
    (lambda: GP_ZIELE_HAELFTE(-1), "#NUM!"),
    (lambda: GP_ZIELE_HAELFTE(2.5), "#NUM!"),  # vacancies are whole posts
    (lambda: GP_ZIELE_HAELFTE("viele"), "#VALUE!"),
    (lambda: GP_UNTERREPRAESENTIERT(3, 7, "hessen"), "#VALUE!"),  # unknown profile
    (lambda: GP_UNTERREPRAESENTIERT(-3, 7), "#NUM!"),
    (lambda: GP_FRIST("kein Datum"), "#VALUE!"),
    (lambda: GP_FRIST(None), "#VALUE!"),
    (lambda: GP_FRIST(date(2025, 6, 30), "übermorgen"), "#VALUE!"),
    (lambda: GP_FRIST(date(2025, 6, 30), None, "hessen"), "#VALUE!"),
    (lambda: GP_FRIST(date(9999, 6, 30)), "#NUM!"),  # beyond Excel's calendar
])
def test_bad_input_gives_error_values(call, expected):
    assert call() == expected


def test_errors_are_per_cell_in_arrays():
    assert GP_ANTEIL([[3, -1, "x", 0]], [[7, 1, 1, 0]]) == [[0.3, "#NUM!", "#VALUE!", "#DIV/0!"]]


cell_values = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=True),
                        st.text(max_size=12), st.dates(), st.datetimes())


@settings(max_examples=300, deadline=None)
@given(w=cell_values, m=cell_values, extra=cell_values)
def test_no_input_raises(w, m, extra):
    """Whatever is in the cells: a value or an error value, never an exception."""
    for result in (GP_ANTEIL(w, m), GP_UNTERREPRAESENTIERT(w, m, extra if isinstance(extra, str) else None),
                   GP_ZIELE_HAELFTE(w), GP_FRIST(w, extra)):
        assert result in ERRORS or isinstance(result, (float, int, str, date))
    assert not (log_dir() / "fehler.log").exists()  # bad input is no bug: nothing logged


def test_an_unexpected_exception_is_logged_and_shown_as_value_error(monkeypatch, tmp_path):
    monkeypatch.setenv("XL_GLEICHPLAN_LOG_DIR", str(tmp_path))

    def broken(*_):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(udfs, "half_of_vacancies", broken)
    assert GP_ZIELE_HAELFTE(4) == "#VALUE!"
    log = (tmp_path / "xl_gleichplan" / "fehler.log").read_text(encoding="utf-8")
    assert "ZeroDivisionError" in log and "udfs.py" in log


# ----------------------------------------------------------------------------- error values per engine

def test_error_texts_become_errors_in_office_js():
    """xlwings' Office.js engine converts exactly these texts into error values."""
    from xlwings.pro._xlofficejs import errorstr_to_errortype

    for code in ERRORS:
        assert errorstr_to_errortype(code, "1.4")["type"] == "Error"


def test_com_error_values_are_vt_error_variants(monkeypatch):
    """On Windows the functions return VARIANT(VT_ERROR, scode); the SCODEs are Excel's xlErr numbers."""
    from xlwings.constants import CVError

    numbers = {"#DIV/0!": CVError.xlErrDiv0, "#N/A": CVError.xlErrNA, "#NAME?": CVError.xlErrName,
               "#NULL!": CVError.xlErrNull, "#NUM!": CVError.xlErrNum, "#REF!": CVError.xlErrRef,
               "#VALUE!": CVError.xlErrValue}
    for code, number in numbers.items():
        assert udfs.SCODES[code] == 0x800A0000 + number - 2**32
    made = []
    monkeypatch.setattr(udfs, "_com_variant", lambda: (lambda code: made.append(code) or ("VT_ERROR", udfs.SCODES[code])))
    assert GP_ANTEIL(0, 0) == ("VT_ERROR", -2146826281)
    assert GP_ANTEIL([[1, -1]], [[1, 1]]) == [[0.5, ("VT_ERROR", udfs.SCODES["#NUM!"])]]
    assert made == ["#DIV/0!", "#NUM!"]


def test_docstrings_fit_excels_function_wizard():
    """German descriptions; Excel's function wizard takes at most 255 characters."""
    for func in (GP_ANTEIL, GP_UNTERREPRAESENTIERT, GP_ZIELE_HAELFTE, GP_FRIST):
        assert func.__doc__ and len(func.__doc__) <= 255
        assert any(word in func.__doc__ for word in ("Frauen", "Stellen", "Frist", "Geschlecht"))
