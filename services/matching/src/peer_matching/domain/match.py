"""A match between a mentee and a mentor, and where it is: proposed, confirmed, and how it ended.

A match holds one of its mentor's places while it is open (`proposed` or `confirmed`).
"""

from __future__ import annotations

from enum import StrEnum


class MatchStatus(StrEnum):
    """Where a match is."""

    PROPOSED = "proposed"
    """Suggested; waits for a coordinator to confirm or override it."""
    CONFIRMED = "confirmed"
    """Published as `MentorMatched`."""
    OVERRIDDEN = "overridden"
    """A coordinator chose another mentor instead (see the new match's `override_of`)."""
    WITHDRAWN = "withdrawn"
    """The proposal lapsed: the mentee left, or the mentor paused or left before it was confirmed."""
    ENDED = "ended"
    """The pairing ended early, the mentor left, or the referral was withdrawn."""
    COMPLETED = "completed"
    """Support finished as planned."""


OPEN = (MatchStatus.PROPOSED.value, MatchStatus.CONFIRMED.value)
"""The statuses of a match that holds a place."""
