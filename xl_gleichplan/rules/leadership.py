"""The 50 % rule for leadership positions (§ 4 Abs. 6 ThürGleichG; the profile section "leadership_rule").

If fewer than half of the plan's leadership targets are reached, every further appointment to a
leadership position needs approval. How to measure "half of the targets" is not settled, so both
readings are computed and the profile names the one that decides:
  I1 "anzahl":  leadership targets fully met / leadership targets
  I2 "volumen": sum of min(achieved, target) / sum of targets
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from ..model import Target
from ..profiles import Profile


@dataclass(frozen=True)
class LeadershipResult:
    targets: int  # leadership targets in the plan
    assessed: int  # of which an achieved value is known
    count_reading: Fraction | None
    volume_reading: Fraction | None
    reading: str  # "anzahl" | "volumen"
    approval_required: bool | None  # None: nothing assessed yet
    approver: str  # who approves leadership appointments while the rule applies


def leadership_rule(targets: list[Target], profile: Profile, agency_type: str,
                    stichtag: date | None = None) -> LeadershipResult:
    """Evaluate § 4 Abs. 6. A leadership target without an achieved value counts as not reached,
    unless no leadership target has been assessed at all (a new plan): then there is no verdict.
    A target due after the Stichtag is not yet assessable and does not count (a target without a
    Frist does). Under a law without the rule (``profile.has``) there is no verdict either."""
    lead = [t for t in targets if t.leadership and (stichtag is None or t.deadline is None or t.deadline <= stichtag)]
    assessed = sum(t.achieved is not None for t in lead)
    approver = profile.route(agency_type).leadership_approver
    if not lead or not assessed or not profile.has("leadership_rule"):
        return LeadershipResult(len(lead), assessed, None, None, profile.leadership_reading, None, approver)
    met = sum((t.achieved or 0) >= t.target for t in lead)
    count = Fraction(met, len(lead))
    total = sum(t.target for t in lead)
    volume = Fraction(sum(min(t.achieved or 0, t.target) for t in lead), total) if total else None
    chosen = count if profile.leadership_reading == "anzahl" else volume
    required = None if chosen is None else chosen < profile.leadership_threshold
    return LeadershipResult(len(lead), assessed, count, volume, profile.leadership_reading, required, approver)
