"""Sizing helpers for Zielvorgaben and their attainment (ThürGleichG § 4 Abs. 3 and 5, FrFG LSA § 20 Abs. 3)."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..model import Target


def _ceil(value: Fraction) -> int:
    return -(-value.numerator // value.denominator)


def half_of_vacancies(vacancies: int) -> int:
    """"At least half" of V vacancies: ceil(V/2). A sizing helper; ThürGleichG § 4 Abs. 3 sets no share."""
    return _ceil(Fraction(vacancies, 2))


def majority_of_vacancies(vacancies: int) -> int:
    """"More than half" of V posts to be filled (FrFG LSA § 20 Abs. 3 Satz 2): floor(V/2) + 1;
    no post to fill, nothing to plan (0)."""
    return vacancies // 2 + 1 if vacancies > 0 else 0


def vacancy_target(vacancies: int, rule: str) -> int:
    """The share of the vacancies a profile sizes a Zielvorgabe by ("haelfte" or "mehrheit")."""
    return majority_of_vacancies(vacancies) if rule == "mehrheit" else half_of_vacancies(vacancies)


@dataclass(frozen=True)
class HiresNeeded:
    hires: int
    infeasible: bool  # more hires needed than posts become vacant


def hires_needed(target_share: Fraction, size: int, current: int, departures: int = 0,
                 vacancies: int | None = None) -> HiresNeeded:
    """Hires of the underrepresented sex needed to reach ``target_share`` of ``size`` posts at plan end.

    h = max(0, ceil(p * N) - (X - departures_X)); infeasible when h exceeds the vacancies.
    """
    hires = max(0, _ceil(Fraction(target_share) * size) - (current - departures))
    return HiresNeeded(hires, vacancies is not None and hires > vacancies)


def cascade(shares_top_down: list[Fraction | None]) -> list[Fraction | None]:
    """Cascade model: the target share at a level is the actual share at the level below.

    Levels are given from the top down; the lowest level has no level below and gets None."""
    return [*shares_top_down[1:], None] if shares_top_down else []


def target_met(target: Target) -> bool | None:
    """Met when the achieved number reaches the target; None while not assessed."""
    if target.achieved is None:
        return None
    return target.achieved >= target.target
