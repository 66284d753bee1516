"""The 50 % rule for leadership positions (§ 4 Abs. 6, SPEC § 6) with both readings."""
from __future__ import annotations

import dataclasses
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_gleichplan.model import Target
from xl_gleichplan.profiles import load_profile
from xl_gleichplan.rules.leadership import leadership_rule

TH = load_profile("thueringen")  # reading "anzahl" (I1)
TH_VOL = dataclasses.replace(TH, leadership_reading="volumen")  # reading I2


def lead(ident, target, achieved, leadership=True):
    return Target(ident, "fuehrungsebene", "referatsleitung", "w", target, achieved, leadership)


SPEC_EXAMPLE = [lead("Z1", 3, 3), lead("Z2", 2, 0), lead("Z3", 1, 0)]


def test_spec_example_count_reading_requires_approval():
    r = leadership_rule(SPEC_EXAMPLE, TH, "landesverwaltung")
    # I1: 1 of 3 targets fully met = 1/3 = 33 % < 50 % -> approval required
    assert r.count_reading == F(1, 3)
    # I2: (min(3,3) + min(0,2) + min(0,1)) / (3+2+1) = 3/6 = 1/2
    assert r.volume_reading == F(1, 2)
    assert r.reading == "anzahl"
    assert r.approval_required is True
    assert (r.targets, r.assessed) == (3, 3)
    assert "nächsthöhere Dienststelle" in r.approver


def test_spec_example_volume_reading_does_not():
    r = leadership_rule(SPEC_EXAMPLE, TH_VOL, "landesverwaltung")
    # I2 = 1/2 = exactly 50 %: "fewer than 50 %" is not met -> no approval needed
    assert r.volume_reading == F(1, 2) and r.reading == "volumen"
    assert r.approval_required is False
    # both figures are shown whatever the reading
    assert r.count_reading == F(1, 3)


def test_exactly_half_of_the_targets_met_is_not_fewer_than_half():
    # 1 of 2 targets met = 50 % -> not required
    r = leadership_rule([lead("A", 1, 1), lead("B", 1, 0)], TH, "landesverwaltung")
    assert r.count_reading == F(1, 2) and r.approval_required is False


def test_fewer_than_half_met():
    # 1 of 3 met = 33 % -> required; 2 of 5 = 40 % -> required; 3 of 5 = 60 % -> not
    assert leadership_rule([lead("A", 1, 1), lead("B", 1, 0), lead("C", 1, 0)], TH, "gemeinde").approval_required
    five = [lead(str(i), 1, 1 if i < 2 else 0) for i in range(5)]
    assert leadership_rule(five, TH, "gemeinde").count_reading == F(2, 5)
    assert leadership_rule(five, TH, "gemeinde").approval_required is True
    five = [lead(str(i), 1, 1 if i < 3 else 0) for i in range(5)]
    assert leadership_rule(five, TH, "gemeinde").approval_required is False


def test_overachievement_is_capped_in_the_volume_reading():
    # +2 achieved 5 counts as 2; +2 achieved 0 -> (2 + 0) / 4 = 1/2; count: 1 of 2 = 1/2
    r = leadership_rule([lead("A", 2, 5), lead("B", 2, 0)], TH_VOL, "landesverwaltung")
    assert r.volume_reading == F(1, 2) and r.count_reading == F(1, 2)
    assert r.approval_required is False


def test_partly_reached_targets_count_in_the_volume_reading_only():
    # +4 achieved 3, +2 achieved 1: count 0/2 = 0; volume (3 + 1) / 6 = 2/3
    targets = [lead("A", 4, 3), lead("B", 2, 1)]
    assert leadership_rule(targets, TH, "landesverwaltung").approval_required is True
    r = leadership_rule(targets, TH_VOL, "landesverwaltung")
    assert (r.count_reading, r.volume_reading, r.approval_required) == (0, F(2, 3), False)


def test_no_leadership_targets_no_verdict():
    # only non-leadership targets: the rule has nothing to measure
    r = leadership_rule([lead("A", 2, 0, leadership=False)], TH, "landesverwaltung")
    assert r.targets == 0 and r.approval_required is None
    assert r.count_reading is None and r.volume_reading is None
    assert leadership_rule([], TH, "landesverwaltung").approval_required is None


def test_none_assessed_no_verdict():
    # a new plan: leadership targets without achieved values -> no verdict yet
    r = leadership_rule([lead("A", 2, None), lead("B", 1, None)], TH, "landesverwaltung")
    assert (r.targets, r.assessed, r.approval_required) == (2, 0, None)


def test_unassessed_targets_count_as_not_reached_once_any_is_assessed():
    # +1 achieved 1, +1 not assessed, +1 not assessed: 1 of 3 = 33 % -> required
    r = leadership_rule([lead("A", 1, 1), lead("B", 1, None), lead("C", 1, None)], TH, "landesverwaltung")
    assert (r.assessed, r.count_reading, r.approval_required) == (1, F(1, 3), True)


def test_non_leadership_targets_are_ignored():
    # the non-leadership target (met) must not lift 0 of 1 to 1 of 2
    targets = [lead("A", 1, 0), lead("B", 1, 1, leadership=False)]
    r = leadership_rule(targets, TH, "landesverwaltung")
    assert (r.targets, r.count_reading, r.approval_required) == (1, 0, True)


@pytest.mark.parametrize("kind, word", [
    ("landesverwaltung", "nächsthöhere Dienststelle"),
    ("ministerium", "Leitung der obersten Landesbehörde"),
    ("landtag", "Leitung der obersten Landesbehörde"),
    ("rechnungshof", "Leitung der obersten Landesbehörde"),
    ("gemeinde", "Bürgermeister"),  # E1: the representative body, not the council
    ("landkreis", "Landrat"),
    ("verwaltungsgemeinschaft", "Gemeinschaftsvorsitzende"),
    ("koerperschaft", "Rechtsaufsichtsbehörde"),
    ("landesmedienanstalt", "Versammlung"),
])
def test_approver_by_body_type(kind, word):
    assert word in leadership_rule(SPEC_EXAMPLE, TH, kind).approver


target_st = st.builds(lead, st.just("Z"), st.integers(1, 9), st.one_of(st.none(), st.integers(0, 12)))


@given(st.lists(target_st, min_size=1, max_size=8))
def test_readings_against_an_independent_count(targets):
    r = leadership_rule(targets, TH, "landesverwaltung")
    assessed = [t for t in targets if t.achieved is not None]
    if not assessed:
        assert r.approval_required is None
        return
    met = sum(1 for t in targets if t.achieved is not None and t.achieved >= t.target)
    capped = sum(min(t.achieved or 0, t.target) for t in targets)
    assert r.count_reading == F(met, len(targets))
    assert r.volume_reading == F(capped, sum(t.target for t in targets))
    # 2 * met < n  <=>  fewer than half
    assert r.approval_required == (2 * met < len(targets))
    assert 0 <= r.volume_reading <= 1 and 0 <= r.count_reading <= 1


def test_targets_due_after_the_stichtag_do_not_count():
    """Issue 13: a leadership target whose Frist lies after the Stichtag is not yet assessable and
    does not count in § 4 Abs. 6. Hand count: of Z1 (3/3, due on the Stichtag), Z2 (0/2, due on the
    Stichtag) and Z3 (0/1, due a year later) only Z1 and Z2 count: I1 = 1/2 = 50 %, not below 50 %.
    Before the fix Z3 counted too: I1 = 1/3 and the rule applied."""
    from datetime import date

    stichtag = date(2025, 6, 30)
    targets = [dataclasses.replace(lead("Z1", 3, 3), deadline=stichtag),
               dataclasses.replace(lead("Z2", 2, 0), deadline=stichtag),
               dataclasses.replace(lead("Z3", 1, 0), deadline=date(2026, 6, 30))]
    r = leadership_rule(targets, TH, "landesverwaltung", stichtag)
    assert (r.targets, r.count_reading, r.approval_required) == (2, F(1, 2), False)
    # without a Frist a target counts (as the workbook formula counts it)
    no_frist = [dataclasses.replace(t, deadline=None) for t in targets]
    assert leadership_rule(no_frist, TH, "landesverwaltung", stichtag).targets == 3


def test_federal_profile_has_no_fifty_percent_rule():
    """BGleiG has no rule like ThürGleichG § 4 Abs. 6: no verdict, whatever the targets say."""
    r = leadership_rule(SPEC_EXAMPLE, load_profile("bund"), "bundesbehoerde")
    assert r.approval_required is None
    assert not load_profile("bund").has("leadership_rule") and TH.has("leadership_rule")
