"""Columns out of a sheet's rows (issue 16): one numpy grid for calamine's rectangular rows, the
list per column for ragged ones (pyxlsb); the values are the same objects either way."""
from __future__ import annotations

from datetime import datetime

from xl_gleichplan.io.tabular import _column_reader


def test_rectangular_and_ragged_rows_give_the_same_columns():
    born = datetime(1971, 3, 12)
    rectangular = [["w", 0.5, born], ["m", "", 1.0], ["", 39, "E 9b"]]
    column = _column_reader(rectangular)
    assert list(column(0)) == ["w", "m", ""]
    assert list(column(1)) == [0.5, "", 39] and type(column(1)[2]) is int
    assert column(2)[0] is born  # the cell's own object, not a converted copy
    assert list(column(5)) == ["", "", ""]  # a column beyond the rows: empty
    assert column(0).dtype == object

    ragged = [["w", 0.5], ["m"], ["", 39, "E 9b"]]
    column = _column_reader(ragged)
    assert list(column(1)) == [0.5, "", 39] and list(column(2)) == ["", "", "E 9b"]
    assert len(_column_reader([])(0)) == 0
