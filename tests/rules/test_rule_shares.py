"""Shares and the underrepresentation verdict (SPEC § 3), with hand-checked numbers.

Every expected value below is worked out by hand in the comment next to it; none is copied from
the code's output. Thuringia: a sex is underrepresented when its share of W + M is strictly below
40 %. Bund (BGleiG): only women, below 50 % and M - W >= 2.
"""
from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_gleichplan.model import Counts
from xl_gleichplan.profiles import load_profile
from xl_gleichplan.rules.shares import percent, share, shares, underrepresented

TH = load_profile("thueringen")
BUND = load_profile("bund")


# --- share / shares -----------------------------------------------------------------------------

def test_share_is_an_exact_fraction():
    # 2 of 5 = 2/5 exactly (not the float 0.4)
    assert share(2, 5) == F(2, 5)
    assert isinstance(share(2, 5), F)
    # 1 of 3 = 1/3: no rounding inside
    assert share(1, 3) * 3 == 1


def test_share_of_nothing_is_none():
    assert share(0, 0) is None


def test_divers_and_ohne_angabe_are_not_in_the_denominator():
    # W=2, M=3, d=4, x=1: share_w = 2/(2+3) = 2/5; with d and x it would be 2/10
    assert shares(Counts(2, 3, 4, 1)) == (F(2, 5), F(3, 5))


def test_share_basis_alle_counts_everybody():
    # basis "alle": 2/(2+3+4+1) = 2/10 = 1/5 and 3/10
    assert shares(Counts(2, 3, 4, 1), "alle") == (F(1, 5), F(3, 10))


def test_only_divers_gives_no_shares():
    # W + M = 0: no share of women or men can be formed
    assert shares(Counts(0, 0, 2, 1)) == (None, None)


# --- Thuringia: strictly below 40 % -------------------------------------------------------------

@pytest.mark.parametrize("w, m, d, x, expected, why", [
    # exactly 40 %: 2 of 5 = 40 % exactly -> not underrepresented (strictly below required)
    (2, 3, 0, 0, None, "2/5 = 40 % exactly"),
    (3, 2, 0, 0, None, "men 2/5 = 40 % exactly"),
    (40, 60, 0, 0, None, "40/100 = 40 % exactly"),
    (4, 6, 0, 0, None, "4/10 = 40 % exactly, even total"),
    # just below: 39/100 = 39 % < 40 %
    (39, 61, 0, 0, "women", "39/100 = 39 %"),
    (61, 39, 0, 0, "men", "men 39/100 = 39 %"),
    # just below by 1/1000: 399/1000 = 39.9 % < 40 %
    (399, 601, 0, 0, "women", "399/1000 = 2/5 - 1/1000"),
    (601, 399, 0, 0, "men", "men 399/1000"),
    # just above: 41/100 = 41 % and 401/1000 = 40.1 % are not below 40 %
    (41, 59, 0, 0, None, "41/100"),
    (401, 599, 0, 0, None, "401/1000 = 2/5 + 1/1000"),
    # small counts: 1 of 3 = 33.3 % < 40 %; 1 of 2 = 50 %; 0 of 1 = 0 %
    (1, 2, 0, 0, "women", "1/3"),
    (1, 1, 0, 0, None, "1/2"),
    (0, 1, 0, 0, "women", "0/1 = 0 %"),
    (1, 0, 0, 0, "men", "men 0/1 = 0 %"),
    # odd total 7: 2/7 = 28.6 % < 40 %; 3/7 = 42.9 % is not
    (2, 5, 0, 0, "women", "2/7"),
    (3, 4, 0, 0, None, "3/7"),
    # d/x are not in the denominator: 2/(2+3) = 40 % -> no verdict; with d=5, x=5 in the
    # denominator it would be 2/15 = 13.3 % (women flagged): the verdict must stay None
    (2, 3, 5, 5, None, "d/x outside the denominator"),
    # 4/(4+6) = 40 % -> None, although 4/11 = 36.4 % if d counted
    (4, 6, 1, 0, None, "d outside the denominator"),
    # 3/(3+5) = 37.5 % -> women, whatever d and x are
    (3, 5, 7, 2, "women", "3/8 = 37.5 %"),
])
def test_thueringen_verdicts(w, m, d, x, expected, why):
    assert underrepresented(Counts(w, m, d, x), TH) == expected, why


@pytest.mark.parametrize("counts", [Counts(), Counts(0, 0, 3, 0), Counts(0, 0, 0, 4), Counts(0, 0, 1, 1)])
def test_empty_bereich_gets_no_verdict(counts):
    # W + M = 0: no verdict, in both profiles
    assert underrepresented(counts, TH) is None
    assert underrepresented(counts, BUND) is None


def test_empty_bereich_gets_no_verdict_with_share_basis_alle():
    # with basis "alle", W=0, M=0, d=3 would give share_w = 0/3 = 0 % < 40 %; still no verdict,
    # because W + M = 0 is an empty Bereich (SPEC § 3)
    alle = dataclasses.replace(TH, share_basis="alle")
    assert underrepresented(Counts(0, 0, 3, 0), alle) is None


def test_comparison_le_counts_exactly_40_percent():
    # comparison "le": 2/5 = 40 % is "at most 40 %" -> women
    le = dataclasses.replace(TH, comparison="le")
    assert underrepresented(Counts(2, 3), le) == "women"
    assert underrepresented(Counts(3, 2), le) == "men"
    # 41/100 > 40 % -> none
    assert underrepresented(Counts(41, 59), le) is None


# --- Bund: women only, below 50 %, M - W >= 2 ----------------------------------------------------

@pytest.mark.parametrize("w, m, expected, why", [
    # odd total 9: 4/9 = 44.4 % < 50 %, but M - W = 1 < 2 -> not underrepresented
    (4, 5, None, "odd total, gap 1"),
    # even total 8: 3/8 = 37.5 %, M - W = 2 -> underrepresented
    (3, 5, "women", "even total, gap 2"),
    # even total 10: 4/10 = 40 %, M - W = 2 -> underrepresented
    (4, 6, "women", "40 %, gap 2"),
    # 5/10 = 50 %: not below 50 %
    (5, 5, None, "50 % exactly"),
    # odd total 11: 4/11 = 36.4 %, M - W = 3 >= 2 -> underrepresented
    (4, 7, "women", "odd total, gap 3"),
    # odd total 1: 0/1 = 0 % but M - W = 1 -> not (a single man is not a gap of two persons)
    (0, 1, None, "0 of 1"),
    # even total 2: 0/2, M - W = 2 -> underrepresented
    (0, 2, "women", "0 of 2"),
    # 49/100 = 49 %, gap 2 -> yes; 50/101 = 49.5 %, gap 1 -> no
    (49, 51, "women", "49 of 100"),
    (50, 51, None, "50 of 101"),
    # men below 50 % are never flagged under BGleiG: 4/10 men
    (6, 4, None, "men are not judged"),
    (9, 0, None, "no men at all"),
])
def test_bund_verdicts(w, m, expected, why):
    assert underrepresented(Counts(w, m), BUND) == expected, why


def test_bund_ignores_divers_in_the_gap_and_the_share():
    # W=4, M=5, d=3: share 4/9, gap 1 -> not; d does not add to either side
    assert underrepresented(Counts(4, 5, 3, 0), BUND) is None
    # W=3, M=5, x=10: 3/8, gap 2 -> women
    assert underrepresented(Counts(3, 5, 0, 10), BUND) == "women"


# --- percent: half-up display --------------------------------------------------------------------

@pytest.mark.parametrize("value, shown", [
    (F(1, 8), "12.50"),     # 1/8 = 12.5 % exactly -> 12.50
    (F(2, 3), "66.67"),     # 66.666.. % -> 66.67
    (F(1, 6), "16.67"),     # 16.666.. % -> 16.67
    (F(1, 3), "33.33"),     # 33.333.. % -> 33.33 (rounds down)
    (F(1, 16), "6.25"),     # 6.25 % exactly
    (F(1, 32), "3.13"),     # 3.125 % exactly: half up -> 3.13 (half-even would give 3.12)
    (F(1, 160), "0.63"),    # 0.625 % exactly: half up -> 0.63 (half-even would give 0.62)
    (F(3, 32), "9.38"),     # 9.375 % -> 9.38
    (F(1, 400), "0.25"),    # 0.25 %
    (F(1, 80000), "0.00"),  # 0.00125 % -> 0.00
    (F(1, 20000), "0.01"),  # 0.005 % exactly -> half up 0.01
    (F(2259, 2998), "75.35"),  # 75.3502.. % -> 75.35 (the spec's example)
    (F(0), "0.00"),
    (F(1), "100.00"),
    (F(2, 5), "40.00"),
])
def test_percent_rounds_half_up_to_two_decimals(value, shown):
    result = percent(value)
    assert isinstance(result, Decimal)
    assert result == Decimal(shown)
    assert str(result) == shown  # always two decimals


def test_percent_is_display_only_the_verdict_uses_the_exact_fraction():
    # 3999/10000 = 39.99 % is shown as 39.99; 39995/100000 = 39.995 % is shown as 40.00 (half up),
    # yet it is below 40 % and the verdict is "women"
    assert percent(F(39995, 100000)) == Decimal("40.00")
    assert underrepresented(Counts(39995, 60005), TH) == "women"


# --- properties ---------------------------------------------------------------------------------

counts = st.builds(Counts, st.integers(0, 400), st.integers(0, 400), st.integers(0, 20), st.integers(0, 20))


@given(counts)
def test_shares_sum_to_one_when_anybody_is_w_or_m(c):
    sw, sm = shares(c)
    if c.w + c.m == 0:
        assert sw is None and sm is None
    else:
        assert sw + sm == 1
        assert sw == F(c.w, c.w + c.m)


@given(counts)
def test_thueringen_verdict_matches_integer_oracle(c):
    # independent oracle in integers: share < 2/5  <=>  5 * own < 2 * (W + M)
    n = c.w + c.m
    if n == 0:
        expected = None
    elif 5 * c.w < 2 * n:
        expected = "women"
    elif 5 * c.m < 2 * n:
        expected = "men"
    else:
        expected = None
    assert underrepresented(c, TH) == expected
    # never both: the two shares add up to 1, so at most one of them is below 2/5
    assert not (n and 5 * c.w < 2 * n and 5 * c.m < 2 * n)


@given(counts)
def test_bund_verdict_matches_integer_oracle(c):
    # below 50 % means W < M; with the gap rule this is exactly M - W >= 2
    expected = "women" if c.m - c.w >= 2 else None
    assert underrepresented(c, BUND) == expected


@given(counts)
def test_thueringen_is_symmetric(c):
    mirrored = Counts(c.m, c.w, c.d, c.x)
    swap = {"women": "men", "men": "women", None: None}
    assert underrepresented(mirrored, TH) == swap[underrepresented(c, TH)]


@given(counts, st.integers(1, 7))
def test_thueringen_verdict_depends_only_on_the_share(c, k):
    scaled = Counts(c.w * k, c.m * k, c.d, c.x)
    assert underrepresented(scaled, TH) == underrepresented(c, TH)


@settings(max_examples=200)
@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_percent_is_within_half_a_unit_and_rounds_half_up(part, whole):
    value = F(min(part, whole), whole)
    shown = F(percent(value))  # Decimal -> exact Fraction
    exact = value * 100
    # |shown - exact| <= 1/200, and a tie (exactly .xx5) goes up
    assert abs(shown - exact) <= F(1, 200)
    if abs(shown - exact) == F(1, 200):
        assert shown > exact
