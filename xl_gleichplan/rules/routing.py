"""Who must make a plan (§ 4 Abs. 1 Satz 1) and who approves it (§ 4 Abs. 1 Satz 6)."""
from __future__ import annotations

from ..profiles import Profile, Route


def plan_required(heads: int, profile: Profile) -> bool:
    """Plan duty from ``min_staff`` Bedienstete (Thuringia: 50). Below that there is no duty."""
    return heads >= profile.min_staff


def approval(agency_type: str, profile: Profile) -> Route:
    """The body that approves, agrees with or takes note of the plan, for a type of Dienststelle."""
    return profile.route(agency_type)
