"""Deadlines from the Stichtag (SPEC § 1), counted by hand from the calendar."""
from __future__ import annotations

import calendar
import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_gleichplan.profiles import load_profile
from xl_gleichplan.rules.deadlines import add_months, deadlines, latest_stichtag

TH = load_profile("thueringen")
BUND = load_profile("bund")
TH_END = dataclasses.replace(TH, due_counting="monatsende")


@pytest.mark.parametrize("start, months, counting, expected", [
    # 30.06.2025 + 9 months: the day with the same number in March 2026 -> 30.03.2026
    (date(2025, 6, 30), 9, "bgb", date(2026, 3, 30)),
    # "end of the ninth month": 31.03.2026
    (date(2025, 6, 30), 9, "monatsende", date(2026, 3, 31)),
    # 31.05.2025 + 9 -> February 2026 has no 31st: its last day, 28.02.2026 (§ 188 Abs. 3 BGB)
    (date(2025, 5, 31), 9, "bgb", date(2026, 2, 28)),
    # leap year: 31.05.2027 + 9 -> 29.02.2028
    (date(2027, 5, 31), 9, "bgb", date(2028, 2, 29)),
    (date(2027, 5, 31), 9, "monatsende", date(2028, 2, 29)),
    # 30.05.2027 + 9 -> 29.02.2028 as well (30 does not exist in February 2028)
    (date(2027, 5, 30), 9, "bgb", date(2028, 2, 29)),
    # 29.05.2027 + 9 -> 29.02.2028 exists
    (date(2027, 5, 29), 9, "bgb", date(2028, 2, 29)),
    # across the year end: 31.10.2025 + 4 -> 28.02.2026
    (date(2025, 10, 31), 4, "bgb", date(2026, 2, 28)),
    # 15.01.2025 + 9 -> 15.10.2025; monatsende -> 31.10.2025
    (date(2025, 1, 15), 9, "bgb", date(2025, 10, 15)),
    (date(2025, 1, 15), 9, "monatsende", date(2025, 10, 31)),
    # backwards: 30.06.2025 - 36 months -> 30.06.2022
    (date(2025, 6, 30), -36, "bgb", date(2022, 6, 30)),
    # backwards into a leap February: 29.02.2024 - 12 -> 28.02.2023
    (date(2024, 2, 29), -12, "bgb", date(2023, 2, 28)),
    # zero months: the same day
    (date(2025, 6, 30), 0, "bgb", date(2025, 6, 30)),
])
def test_add_months(start, months, counting, expected):
    assert add_months(start, months, counting) == expected


def test_thueringen_deadlines_for_stichtag_30_06_2025():
    d = deadlines(date(2025, 6, 30), TH)
    assert d.stichtag == date(2025, 6, 30)
    # flow window: 1 July Y-3 to 30 June Y -> 01.07.2022 to 30.06.2025
    assert d.flow_window_start == date(2022, 7, 1)
    assert d.flow_window_end == date(2025, 6, 30)
    # plan due 9 months after 30.06.2025 (BGB): 30.03.2026
    assert d.plan_due == date(2026, 3, 30)
    # adjustment after 3 years: Stichtag 30.06.2028, due 9 months later: 30.03.2029
    assert d.adjustment_stichtag == date(2028, 6, 30)
    assert d.adjustment_due == date(2029, 3, 30)
    # next plan after 6 years: 30.06.2031
    assert d.next_plan_stichtag == date(2031, 6, 30)


def test_thueringen_deadlines_counted_to_the_end_of_the_month():
    d = deadlines(date(2025, 6, 30), TH_END)
    assert d.plan_due == date(2026, 3, 31)  # end of March 2026
    assert d.adjustment_due == date(2029, 3, 31)  # 30.06.2028 -> end of March 2029


def test_bund_periods_follow_bgleig_12_and_13():
    """Issue 13, federal periods, from the statute (BGleiG § 12 Abs. 1: "für jeweils vier Jahre ...
    nach zwei Jahren ... angepasst werden kann"; Abs. 2: "bis zum 31. Dezember zu erstellen und tritt am
    1. Januar des Folgejahres in Kraft"; § 13 Abs. 1: Bestandsaufnahme on 30 June, the past four years).
    Dates counted by hand from the Stichtag 30.06.2025. Before the fix the profile had a Thuringian
    nine-month due date (30.03.2026), a two-year window and no plan period."""
    d = deadlines(date(2025, 6, 30), BUND)
    assert d.plan_due == date(2025, 12, 31)  # drawn up by 31 December of the Stichtag's year
    assert (d.plan_start, d.plan_end) == (date(2026, 1, 1), date(2029, 12, 31))  # in force 1 January, four years
    assert d.flow_window_start == date(2021, 7, 1)  # the four years up to 30.06.2025
    # the optional adjustment after two years: statistics of 30.06.2027, drawn up by 31.12.2027, in force
    # 1.1.2028 = two years after the plan's start
    assert (d.adjustment_stichtag, d.adjustment_due) == (date(2027, 6, 30), date(2027, 12, 31))
    assert d.next_plan_stichtag == date(2029, 6, 30)
    assert BUND.adjustment == "kann" and BUND.due_binding == "ist"


def test_thueringen_plan_period_is_left_to_the_office():
    """ThürGleichG fixes no start of the plan: no end date is invented (E11)."""
    d = deadlines(date(2025, 6, 30), TH)
    assert (d.plan_start, d.plan_end) == (None, None)


def test_latest_stichtag_is_the_last_30_june_on_or_before_today():
    assert latest_stichtag(TH, date(2025, 6, 30)) == date(2025, 6, 30)
    assert latest_stichtag(TH, date(2025, 6, 29)) == date(2024, 6, 30)
    assert latest_stichtag(TH, date(2026, 1, 15)) == date(2025, 6, 30)


@given(st.dates(date(1990, 1, 1), date(2090, 12, 31)), st.integers(-120, 120))
def test_add_months_properties(day, months):
    bgb, end = add_months(day, months, "bgb"), add_months(day, months, "monatsende")
    # the month moves by exactly `months`
    assert (bgb.year * 12 + bgb.month) - (day.year * 12 + day.month) == months
    last = calendar.monthrange(bgb.year, bgb.month)[1]
    # bgb: the same day number, or the month's last day when it is shorter
    assert bgb.day == min(day.day, last)
    # monatsende: the last day of that month
    assert (end.year, end.month, end.day) == (bgb.year, bgb.month, last)


@given(st.dates(date(1990, 1, 1), date(2090, 12, 31)))
def test_flow_window_is_three_years_ending_on_the_stichtag(stichtag):
    d = deadlines(stichtag, TH)
    assert d.flow_window_end == stichtag
    # the window starts the day after the same date three years earlier
    assert d.flow_window_start - timedelta(days=1) == add_months(stichtag, -36)
    assert d.plan_due > stichtag and d.adjustment_stichtag < d.next_plan_stichtag


def test_e13_a_stichtag_other_than_30_june_is_named():
    """E13: ThürGleichG § 5 Abs. 1 counts the statistics "nach dem Stand vom 30. Juni"; another day
    was taken silently before the fix. Now it is a warning that names the rule; 30 June is not."""
    from xl_gleichplan.analysis import analyse
    from xl_gleichplan.model import Agency, Dataset

    def warnings(day):
        analysis = analyse(Dataset(Agency("Amt", "landesverwaltung"), day, heads=60), TH)
        return [f.message for f in analysis.findings if f.severity == "warning"]

    assert warnings(date(2025, 6, 30)) == []
    (message,) = warnings(date(2025, 12, 31))
    assert "31.12.2025 ist nicht der 30.06." in message and "§ 5 Abs. 1 ThürGleichG" in message
