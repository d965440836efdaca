"""What the reports are computed from: one record per mentee (referral), read from the projections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from peer_outcomes.domain.periods import Period


@dataclass(frozen=True)
class PairingFacts:
    """One pairing of the mentee with a mentor."""

    started_on: date | None
    completed_on: date | None
    ended_on: date | None
    end_reason: str | None

    def finished_by(self, day: date) -> bool:
        """Whether the pairing had completed or ended on or before `day`."""
        return any(d is not None and d <= day for d in (self.completed_on, self.ended_on))


@dataclass(frozen=True)
class PamFacts:
    """One PAM result at its latest revision."""

    timepoint: str
    follow_up_number: int | None
    assessed_on: date
    score: Decimal
    level: int


@dataclass(frozen=True)
class SessionFacts:
    """The mentee's sessions: the first one attended ever, and those in the report's period."""

    first_attended_on: date | None = None
    attended_in_period: int = 0
    missed_in_period: int = 0
    """Did not attend, or cancelled by the mentee; sessions the mentor cancelled are not counted."""
    mentors_in_period: frozenset[str] = frozenset()
    """Mentors who held at least one attended session with the mentee in the period."""


@dataclass(frozen=True)
class MenteeFacts:
    """Everything known about one referral that a report needs."""

    referral_id: str
    condition: str | None
    programme: str | None
    received_on: date | None = None
    source: str | None = None
    referrer_ods_code: str | None = None
    postcode_district: str | None = None
    ethnic_category: str | None = None
    accepted_on: date | None = None
    rejected_on: date | None = None
    rejection_reason: str | None = None
    withdrawn_on: date | None = None
    withdrawal_reason: str | None = None
    first_matched_on: date | None = None
    sessions: SessionFacts = field(default_factory=SessionFacts)
    pairings: tuple[PairingFacts, ...] = ()
    pam: tuple[PamFacts, ...] = ()

    def baseline(self, by: date) -> PamFacts | None:
        """The baseline taken on or before `by`."""
        return next((p for p in self.pam if p.timepoint == "baseline" and p.assessed_on <= by), None)

    def last_follow_up(self, by: date) -> PamFacts | None:
        """The latest follow-up taken on or before `by`."""
        follow_ups = [p for p in self.pam if p.timepoint == "follow-up" and p.assessed_on <= by]
        return max(follow_ups, key=lambda p: p.assessed_on, default=None)

    def finished_support_in(self, period: Period) -> bool:
        """Whether a pairing completed or ended in the period and none was still open at its end."""
        finished_in = any(
            d is not None and d in period for p in self.pairings for d in (p.completed_on, p.ended_on)
        )
        still_open = any(
            p.started_on is not None and p.started_on <= period.end and not p.finished_by(period.end)
            for p in self.pairings
        )
        return finished_in and not still_open
