"""Shares of women and men and the underrepresentation verdict per Bereich (§ 3)."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from ..model import Counts, Number
from ..profiles import Profile


def share(part: Number, whole: Number) -> Fraction | None:
    """part / whole as an exact fraction; None for an empty whole (no verdict on nothing)."""
    if whole == 0:
        return None
    if type(part) is int and type(whole) is int:
        return Fraction(part, whole)  # one normalisation instead of two constructions and a division
    return Fraction(part) / Fraction(whole)


def shares(counts: Counts, basis: str = "w_m") -> tuple[Fraction | None, Fraction | None]:
    """(share of women, share of men). ``w_m``: of W+M only (d and x are shown, not counted in);
    ``alle``: of everybody."""
    whole = counts.w + counts.m if basis == "w_m" else counts.total
    return share(counts.w, whole), share(counts.m, whole)


def underrepresented(counts: Counts, profile: Profile, computed: tuple | None = None) -> str | None:
    """"women", "men" or None.

    A sex is underrepresented when its share is below the profile's threshold (strictly, with
    comparison "lt": exactly 40 % is not) and the other sex leads by at least ``min_gap`` heads
    (BGleiG: M - W >= 2). Both sexes are never flagged at once: the profile's threshold is at most 1/2.
    """
    share_w, share_m = computed or shares(counts, profile.share_basis)  # computed: shares() of these counts
    if share_w is None or counts.w + counts.m == 0:
        return None  # an empty Bereich (W + M = 0) gets no verdict, whatever the share basis
    candidates = (("women", share_w, counts.w, counts.m), ("men", share_m, counts.m, counts.w))
    if profile.sexes == "women":
        candidates = candidates[:1]
    limit = profile.threshold
    for verdict, value, own, other in candidates:
        # the exact comparison of two fractions by cross-multiplying (positive denominators): Fraction's own
        # operators cost a twentieth of reading a workbook
        mine, bound = value.numerator * limit.denominator, limit.numerator * value.denominator
        below = mine < bound if profile.comparison == "lt" else mine <= bound
        if below and other - own >= profile.min_gap:
            return verdict
    return None


def percent(value: Fraction) -> Decimal:
    """A share as a percentage rounded half-up to two decimals: 2259/2998 -> Decimal('75.35').

    Only for display; comparisons use the exact fraction."""
    scaled = Fraction(value) * 10000
    rounded = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)  # floor(x + 1/2)
    return Decimal(rounded).scaleb(-2)  # always two decimals: 1/8 -> Decimal('12.50')
