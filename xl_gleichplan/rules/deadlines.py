"""Deadlines from the Stichtag (ThürGleichG § 4 Abs. 1, BGleiG § 12): flow window, plan due,
adjustment, next plan, and the plan period where the law fixes its start."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from ..profiles import Profile


# Stichtage the rules compute with: a plan runs six years after its Stichtag and the forecast looks back
# a retirement age before it, so 31.12.9999 (HR systems' "open end") or 01.01.1900 (their "unknown")
# is no Stichtag but a placeholder, and would run the date arithmetic out of the calendar.
STICHTAG_YEARS = range(1990, 2101)


def stichtag_problem(day: date) -> str | None:
    """A German sentence if ``day`` cannot be a Stichtag, else None."""
    if day.year in STICHTAG_YEARS:
        return None
    return (f"Der Stichtag {day:%d.%m.%Y} liegt nicht zwischen {STICHTAG_YEARS[0]} und {STICHTAG_YEARS[-1]} "
            f"(Personalverwaltungssysteme schreiben etwa 31.12.9999 für „offenes Ende“). Bitte den Stichtag der "
            f"Erhebung angeben, z. B. 30.06.{date.today().year - 1}.")


def add_months(day: date, months: int, counting: str = "bgb") -> date:
    """``day`` plus whole months.

    "bgb" (§§ 187 Abs. 1, 188 Abs. 2 and 3 BGB): the day with the same number in the last month,
    or that month's last day when it has no such day (30.06.2025 + 9 -> 30.03.2026;
    31.05.2025 + 9 -> 28.02.2026). "monatsende": the last day of that month (-> 31.03.2026)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, last if counting == "monatsende" else min(day.day, last))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years, "bgb")


@dataclass(frozen=True)
class Deadlines:
    stichtag: date
    flow_window_start: date
    flow_window_end: date
    plan_due: date
    adjustment_stichtag: date
    adjustment_due: date
    next_plan_stichtag: date
    plan_start: date | None = None  # None: the office sets it (the statute does not)
    plan_end: date | None = None


def deadlines(stichtag: date, profile: Profile) -> Deadlines:
    adjustment = add_years(stichtag, profile.adjustment_years)
    due = add_months(stichtag, profile.due_months, profile.due_counting)
    # BGleiG § 12 Abs. 2: drawn up by 31 December, in force on the following 1 January
    start = due + timedelta(days=1) if profile.plan_start == "nach_frist" else None
    return Deadlines(
        stichtag=stichtag,
        flow_window_start=add_years(stichtag, -profile.flow_window_years) + timedelta(days=1),
        flow_window_end=stichtag,
        plan_due=due,
        adjustment_stichtag=adjustment,
        adjustment_due=add_months(adjustment, profile.due_months, profile.due_counting),
        next_plan_stichtag=add_years(stichtag, profile.plan_years),
        plan_start=start,
        plan_end=add_years(start, profile.plan_years) - timedelta(days=1) if start else None,
    )


def latest_stichtag(profile: Profile, today: date | None = None) -> date:
    """The most recent usual Stichtag (30 June) on or before ``today``: the default of every command."""
    today = today or date.today()
    month, day = profile.stichtag_month_day
    candidate = date(today.year, month, day)
    return candidate if candidate <= today else date(today.year - 1, month, day)
