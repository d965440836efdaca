"""What a group programme's report section is computed from, read from the projections: its cohorts, the
members' places, the held sessions' registers, cancelled sessions and outcome measures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from peer_events.programmes import KNOWN_PROGRAMMES, DeliveryFormat


@dataclass(frozen=True)
class CohortFacts:
    """One cohort's lifecycle."""

    cohort_id: str
    started_on: date | None = None
    finished_on: date | None = None


@dataclass(frozen=True)
class PlaceFacts:
    """One member's place in one cohort."""

    cohort_id: str
    referral_id: str
    enrolled_on: date | None = None
    waitlisted_on: date | None = None
    left_on: date | None = None
    leave_reason: str | None = None


@dataclass(frozen=True)
class RegisterFacts:
    """One held session's register at its latest revision, as counts."""

    session_id: str
    held_on: date
    attended: int = 0
    apologies: int = 0
    absent: int = 0


@dataclass(frozen=True)
class MeasureFacts:
    """One outcome measure at its latest revision: the scale totals it scored."""

    referral_id: str
    instrument: str
    timepoint: str
    assessed_on: date
    scores: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupFacts:
    """Everything one group programme's section needs."""

    cohorts: tuple[CohortFacts, ...] = ()
    places: tuple[PlaceFacts, ...] = ()
    sessions: tuple[RegisterFacts, ...] = ()
    cancelled_on: tuple[date, ...] = ()
    """The planned days of sessions that did not take place (and were never recorded as held)."""
    first_attended: Mapping[str, date] = field(default_factory=dict)
    """Each member's first attended session of the programme, ever (referral id -> day)."""
    measures: tuple[MeasureFacts, ...] = ()

    def waitlisted_on(self, referral_id: str) -> date | None:
        """The day the member joined the programme's waitlist (the earliest, over their places)."""
        days = [p.waitlisted_on for p in self.places if p.referral_id == referral_id and p.waitlisted_on]
        return min(days, default=None)


def group_programmes(referral_programmes: set[str], with_group_events: set[str]) -> list[str]:
    """The programmes that get a group section: those with any group event, and those of the referrals
    seen that are known to be delivered in groups; in code order."""
    known_groups = {
        code
        for code in referral_programmes
        if code in KNOWN_PROGRAMMES and KNOWN_PROGRAMMES[code].delivery is DeliveryFormat.GROUP
    }
    return sorted(with_group_events | known_groups)


def programme_title(code: str) -> str:
    """A programme's title where it is a known one, else its code."""
    known = KNOWN_PROGRAMMES.get(code)
    return known.title if known is not None else code
