"""Review findings on the importer: part-time shares from typed number cells, and an export without a
header row (whose "column names" are the first person's data and must never reach a message)."""
from __future__ import annotations

import math
import time
from fractions import Fraction as F

import pytest

from io_helpers import write_csv, write_xlsx
from xl_gleichplan.errors import InputFileError
from xl_gleichplan.io import vocabulary as vocab
from xl_gleichplan.model import Counts


# ----------------------------------------------------------------------------- shares from number cells

def _short(value) -> str:
    """A test id; str() of a 5,000-digit int is itself refused by Python."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**20:
        return "huge-int"
    return repr(value)[:20]


@pytest.mark.parametrize("cell, share", [
    (1 / 3, F(1, 3)),            # 0.3333333333333333: 16 decimals
    (0.1 + 0.2, F(3, 10)),       # 0.30000000000000004: 17 decimals
    (20 / 39, F(20, 39)),        # 20 of 39 weekly hours: 0.5128205128205128
    (19.5 / 41, F(39, 82)),      # 19,5 of 41 hours
    (100 * 20 / 39, F(20, 39)),  # the same share as a percent: 51.282051282051285
    (100 / 3, F(1, 3)),          # 33.333333333333336 %
    (0.75, F(3, 4)), (1.0, F(1)), (0.0, F(0)), (75, F(3, 4)), (1, F(1)), (100, F(1)), (1e-05, F(1, 100_000)),
])
def test_number_cells_give_the_share_they_mean(cell, share):
    assert vocab.to_fraction(cell) == share


@pytest.mark.parametrize("cell", [math.inf, -math.inf, math.nan, -0.5, -1, 150.0, 100.5, 101, 1e308, 10**5000,
                                  True, False], ids=_short)
def test_number_cells_that_are_no_share(cell):
    assert vocab.to_fraction(cell) is None


@pytest.mark.parametrize("cell", ["9" * 5000, "0," + "3" * 5000, "1e999999999", 10**5000, -10**5000], ids=_short)
def test_hostile_numbers_stay_cheap(cell):
    start = time.perf_counter()
    assert vocab.to_fraction(cell) is None
    assert time.perf_counter() - start < 0.5


def test_vzae_rows_from_an_xlsx_with_float_shares_are_counted(run_import, tmp_path):
    """1/3 and 20/39 typed as numbers in Excel: each row counts with its share, none is an error."""
    from importlib import resources

    text = resources.files("xl_gleichplan.profiles").joinpath("thueringen.toml").read_text("utf-8")
    profile = tmp_path / "vz.toml"
    profile.write_text(text.replace('count_basis = "koepfe"', 'count_basis = "vzae"'), encoding="utf-8")
    path = write_xlsx(tmp_path / "s.xlsx", [["geschlecht", "beschaeftigungsumfang"], ["w", 1 / 3], ["w", 0.1 + 0.2],
                                            ["m", 20 / 39], ["m", 1]])
    ds = run_import(profile=str(profile), staff=path)
    assert [f for f in ds.findings if f.severity == "error"] == []
    assert ds.stock[("gesamt", "gesamt")] == Counts(F(1, 3) + F(3, 10), F(20, 39) + 1, 0, 0)


# ----------------------------------------------------------------------------- exports without a header row

CANARY_ROWS = [
    ["4711", "Kanarienvogel", "Hannelore", "12.03.1971", "w", "A13"],
    ["4712", "Zaunkoenig", "Zacharias", "01.02.1968", "m", "A12"],
]
CANARIES = ["4711", "kanarienvogel", "hannelore", "12_03_1971", "12.03.1971", "1971", "a13", "zaunkoenig"]


def _message(run_import, **files) -> str:
    with pytest.raises(InputFileError) as caught:
        run_import(**files)
    return str(caught.value)


def _assert_clean(message: str) -> None:
    for canary in CANARIES:
        assert canary not in message.lower(), (canary, message)


def test_csv_without_header_names_no_value(run_import, tmp_path):
    message = _message(run_import, staff=write_csv(tmp_path / "ohne_kopf.csv", CANARY_ROWS))
    _assert_clean(message)
    assert "Kopfzeile" in message and "ohne_kopf.csv" in message and "geschlecht" in message


def test_xlsx_without_header_names_no_value(run_import, tmp_path):
    """Typed cells: a number and a date as the first row."""
    from datetime import datetime

    rows = [[4711, "Kanarienvogel", "Hannelore", datetime(1971, 3, 12), "w", "A13"]]
    message = _message(run_import, staff=write_xlsx(tmp_path / "ohne_kopf.xlsx", rows))
    _assert_clean(message)
    assert "Kopfzeile" in message


@pytest.mark.parametrize("first", [["P123456", "Kanarienvogel", "w"], ["Kanarienvogel", "12.03.1971", "w"],
                                   ["Kanarienvogel", "0,75", "w"]])
def test_any_data_like_cell_in_the_first_row_hides_the_row(run_import, tmp_path, first):
    """A personnel number, a birth date or a share among the "column names": no value is listed."""
    message = _message(run_import, movements=write_csv(tmp_path / "bew.csv", [first, ["x", "y", "z"]]))
    assert "Kopfzeile" in message and "gefundene Spalten" not in message
    for value in first[:2]:  # the last one, "w", is a letter of every German sentence
        assert value.lower().replace(".", "_").replace(",", "_") not in message.lower(), message


def test_a_real_header_with_a_missing_column_still_lists_the_columns(run_import, tmp_path):
    # "Kennung" is no name of a sex column; Laufbahngruppe and Besoldungsgruppe make it a real header
    message = _message(run_import, staff=write_csv(tmp_path / "s.csv", [["Kennung", "Laufbahngruppe", "Besoldungsgruppe"],
                                                                        ["w", "hD", "A 13"]]))
    assert "gefundene Spalten: Kennung, Laufbahngruppe, Besoldungsgruppe" in message


def test_a_first_row_of_names_only_is_not_listed_either(run_import, tmp_path):
    """No number, no date: only text (a name, a sex, a career group). None of it is a known column
    name, so the row is taken for data and not repeated (review finding: it was listed)."""
    rows = [["Kanarienvogel", "Hannelore", "w", "gehobener Dienst", "Vollzeit"],
            ["Zaunkoenig", "Zacharias", "m", "höherer Dienst", "Teilzeit"]]
    message = _message(run_import, staff=write_csv(tmp_path / "namen.csv", rows))
    assert "Kopfzeile" in message and "gefundene Spalten" not in message and "--mapping" in message
    for value in ("kanarienvogel", "hannelore", "gehobener"):
        assert value not in message.lower(), message
