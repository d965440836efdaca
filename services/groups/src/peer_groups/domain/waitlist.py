"""A programme's waitlist: who waits in what order, when they can expect to start, and when a next
cohort should be planned.

Order is by the day a person joined the waitlist, then referral id (so it is total and stable): someone
whose cohort is cancelled goes back to their old place, ahead of everyone who joined after them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class EntryStatus(StrEnum):
    """Where a referral stands on the programme's waitlist."""

    WAITING = "waiting"
    ENROLLED = "enrolled"
    DONE = "done"
    """Left a cohort for good (completed, stopped attending)."""
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Entry:
    """One referral on a programme's waitlist."""

    referral_id: str
    programme: str
    condition: str
    waitlisted_on: date
    correlation_id: uuid.UUID
    """The referral's journey: events about this person carry it."""
    status: EntryStatus = EntryStatus.WAITING
    cohort_id: str | None = None


@dataclass(frozen=True)
class Opening:
    """A planned or open cohort that will take people: its start and its free places."""

    cohort_id: str
    starts_on: date
    free_places: int


@dataclass(frozen=True)
class Position:
    """One line of the waitlist as a coordinator sees it."""

    referral_id: str
    position: int
    waitlisted_on: date
    expected_start: date | None
    cohort_id: str | None


@dataclass(frozen=True)
class Proposal:
    """Whether a next cohort should be planned, for how many, and from when."""

    needed: bool
    waiting_without_place: int
    suggested_starts_on: date | None


def in_order(entries: Sequence[Entry]) -> list[Entry]:
    """The waitlist's order: joined earliest first, then by referral id."""
    return sorted(entries, key=lambda e: (e.waitlisted_on, e.referral_id))


def positions(
    waiting: Sequence[Entry], enrolled: Sequence[tuple[Entry, date]], openings: Sequence[Opening]
) -> list[Position]:
    """Number the line: people enrolled in a cohort not yet started (with its start), then those waiting,
    each offered the next free place of the earliest cohort that has one."""
    free = {o.cohort_id: o.free_places for o in openings}
    earliest_first = sorted(openings, key=lambda o: (o.starts_on, o.cohort_id))
    lines: list[tuple[Entry, date | None, str | None]] = [(e, start, e.cohort_id) for e, start in enrolled]
    for entry in in_order(waiting):
        offer = next((o for o in earliest_first if free[o.cohort_id] > 0), None)
        if offer is None:
            lines.append((entry, None, None))
            continue
        free[offer.cohort_id] -= 1
        lines.append((entry, offer.starts_on, offer.cohort_id))
    lines.sort(key=lambda line: (line[0].waitlisted_on, line[0].referral_id))
    return [
        Position(e.referral_id, n, e.waitlisted_on, start, cohort_id)
        for n, (e, start, cohort_id) in enumerate(lines, start=1)
    ]


def proposal(
    lines: Sequence[Position],
    *,
    propose_at: int,
    latest_start: date | None,
    planned_sessions: int,
    cadence_days: int,
) -> Proposal:
    """A next cohort is needed when `propose_at` or more people wait without a place; it would start
    when the latest cohort's run ends (no date when there is no cohort to follow)."""
    without = sum(1 for line in lines if line.cohort_id is None)
    suggested = None
    if latest_start is not None:
        suggested = latest_start + timedelta(days=planned_sessions * cadence_days)
    return Proposal(
        needed=without >= propose_at, waiting_without_place=without, suggested_starts_on=suggested
    )
