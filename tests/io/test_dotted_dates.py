"""to_date reads D.M.YYYY without strptime (issue 16): the same answer as strptime for every
combination below, valid or not (a guard of equality, not of speed)."""
from __future__ import annotations

import itertools
from datetime import datetime

from xl_gleichplan.io.vocabulary import to_date


def test_dotted_dates_read_as_strptime_reads_them():
    days = ["0", "00", "1", "01", "9", "09", "10", "29", "30", "31", "32", "123"]
    months = ["0", "1", "01", "02", "2", "12", "13"]
    years = ["2024", "2023", "0000", "0999", "1900", "20245"]
    for d, m, y in itertools.product(days, months, years):
        text = f"{d}.{m}.{y}"
        try:
            expected = datetime.strptime(text, "%d.%m.%Y").date()
        except ValueError:
            continue  # then the other forms decide, as before
        assert to_date(text) == expected, text
    assert to_date("29.02.2023") is None and to_date("31.04.2025") is None
    assert to_date(" 1.6.2025 ") == datetime(2025, 6, 1).date()
    assert to_date("Geschlecht") is None and to_date("Juni") is None  # no digit: no date in any form
