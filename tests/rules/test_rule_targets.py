"""Target sizing helpers and attainment (SPEC § 5), hand-computed."""
from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_gleichplan.model import Target
from xl_gleichplan.rules.targets import cascade, half_of_vacancies, hires_needed, target_met


@pytest.mark.parametrize("vacancies, half", [(0, 0), (1, 1), (2, 1), (3, 2), (4, 2), (5, 3)])
def test_at_least_half_of_vacancies(vacancies, half):
    # ceil(V/2): 0->0, 1->1 (half of one post is one post), 2->1, 3->2, 4->2, 5->3
    assert half_of_vacancies(vacancies) == half


@pytest.mark.parametrize("p, n, x, dep, vac, hires, infeasible", [
    # 40 % of 20 posts = 8 women needed; 5 now, 1 leaves -> 4 stay -> 8 - 4 = 4 hires; 6 vacancies: feasible
    (F(2, 5), 20, 5, 1, 6, 4, False),
    # the same with only 3 vacancies: 4 > 3 -> infeasible
    (F(2, 5), 20, 5, 1, 3, 4, True),
    # exactly as many hires as vacancies: 4 <= 4 -> feasible
    (F(2, 5), 20, 5, 1, 4, 4, False),
    # 40 % of 21 = 8.4 -> ceil 9; 6 now, nobody leaves -> 9 - 6 = 3
    (F(2, 5), 21, 6, 0, 5, 3, False),
    # h = 0: 40 % of 10 = 4; 5 now, 1 leaves -> 4 stay -> 4 - 4 = 0
    (F(2, 5), 10, 5, 1, 0, 0, False),
    # more than enough: 40 % of 10 = 4; 7 stay -> 4 - 7 < 0 -> max(0, .) = 0, even with 0 vacancies
    (F(2, 5), 10, 7, 0, 0, 0, False),
    # 50 % of 7 = 3.5 -> ceil 4; nobody of that sex yet -> 4 hires; 3 vacancies -> infeasible
    (F(1, 2), 7, 0, 0, 3, 4, True),
    # no vacancy forecast given (None) -> never flagged infeasible
    (F(1, 2), 7, 0, 0, None, 4, False),
    # everybody of that sex leaves: 40 % of 5 = 2; 2 now, 2 leave -> 0 stay -> 2 hires
    (F(2, 5), 5, 2, 2, 2, 2, False),
])
def test_hires_needed(p, n, x, dep, vac, hires, infeasible):
    result = hires_needed(p, n, x, dep, vac)
    assert (result.hires, result.infeasible) == (hires, infeasible)


def test_cascade_takes_the_share_of_the_level_below():
    # levels top-down: Dienststellenleitung 0, AL 1/4, RL 1/3, SGL 1/2
    assert cascade([F(0), F(1, 4), F(1, 3), F(1, 2)]) == [F(1, 4), F(1, 3), F(1, 2), None]
    # a level with no share (empty) passes None up
    assert cascade([F(1, 2), None, F(1, 3)]) == [None, F(1, 3), None]
    assert cascade([F(1, 5)]) == [None]
    assert cascade([]) == []


@given(st.lists(st.one_of(st.none(), st.fractions(0, 1)), max_size=6))
def test_cascade_keeps_the_number_of_levels(levels):
    out = cascade(levels)
    assert len(out) == len(levels)
    if levels:
        assert out[-1] is None and out[:-1] == levels[1:]


@given(st.fractions(0, 1), st.integers(0, 200), st.integers(0, 200), st.integers(0, 200), st.integers(0, 200))
def test_hires_needed_reaches_the_share(p, n, x, dep, vac):
    dep = min(dep, x)
    r = hires_needed(p, n, x, dep, vac)
    assert r.hires >= 0
    # after the hires, the sex holds at least p of n posts, and one hire fewer would not do
    assert (x - dep + r.hires) >= p * n
    if r.hires > 0:
        assert (x - dep + r.hires - 1) < p * n
    assert r.infeasible == (r.hires > vac)


@pytest.mark.parametrize("achieved, met", [(None, None), (0, False), (1, False), (2, True), (5, True)])
def test_target_met(achieved, met):
    # target +2: met from 2 on; not assessed -> None
    assert target_met(Target("Z1", "laufbahngruppe", "hoeherer", "w", 2, achieved)) is met


@pytest.mark.parametrize("vacancies, more_than_half", [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (7, 4),
                                                       (10, 6)])
def test_sachsen_anhalt_more_than_half_of_the_posts(vacancies, more_than_half):
    """FrFG LSA § 20 Abs. 3 Satz 2: "Es sind mehr als die Hälfte der zu besetzenden Stellen ... zur
    Besetzung durch Frauen vorzusehen": floor(V/2) + 1, by hand: 4 posts -> 3 (2 would be half, not
    more), 5 -> 3, 10 -> 6. "At least half" (ceil) would give 2 for 4 and 5 for 10."""
    from xl_gleichplan.profiles import load_profile
    from xl_gleichplan.rules.targets import majority_of_vacancies, vacancy_target

    assert majority_of_vacancies(vacancies) == more_than_half
    lsa = load_profile("sachsen-anhalt")
    assert lsa.sizing == "mehrheit" and lsa.cite("sizing") == "§ 20 Abs. 3 Satz 2 FrFG"
    assert vacancy_target(vacancies, lsa.sizing) == more_than_half
    # Thüringen: the helper stays "at least half", and no statute is named for it (E4)
    th = load_profile("thueringen")
    assert vacancy_target(vacancies, th.sizing) == half_of_vacancies(vacancies) and th.cite("sizing") == ""
