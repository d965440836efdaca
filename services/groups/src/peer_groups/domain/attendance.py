"""Attendance: what the registers say about each member, who needs following up, who completed.

Only held sessions count. A member's run of absences counts absences (not apologies) in a row, from
their most recent session back; an apology or an attendance ends the run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from peer_events.events.groups import Presence
from peer_groups.domain.group_session import SessionStatus, StoredSession


@dataclass(frozen=True)
class MemberAttendance:
    """One member's counts over the cohort's held sessions."""

    attended: int = 0
    apologies: int = 0
    absent: int = 0
    consecutive_absences: int = 0


def held_in_order(sessions: Iterable[StoredSession]) -> list[StoredSession]:
    """The held sessions, earliest first (a late-recorded session takes its place by date)."""
    held = [s for s in sessions if s.record.status is SessionStatus.HELD]
    return sorted(held, key=lambda s: (s.record.held_on, s.number))


def presences(referral_id: str, held: Sequence[StoredSession], since: date | None = None) -> list[Presence]:
    """The member's marks in the held sessions (after `since`, when given), earliest first."""
    marks = []
    for stored in held:
        if since is not None and stored.record.held_on <= since:
            continue
        mark = (stored.record.register or {}).get(referral_id)
        if mark is not None:
            marks.append(mark)
    return marks


def absence_run(marks: Sequence[Presence]) -> int:
    """Absences in a row at the end of the marks."""
    run = 0
    for mark in reversed(marks):
        if mark is not Presence.ABSENT:
            break
        run += 1
    return run


def attendance_of(referral_id: str, held: Sequence[StoredSession]) -> MemberAttendance:
    """The member's counts over the held sessions (earliest first)."""
    marks = presences(referral_id, held)
    return MemberAttendance(
        attended=marks.count(Presence.ATTENDED),
        apologies=marks.count(Presence.APOLOGIES),
        absent=marks.count(Presence.ABSENT),
        consecutive_absences=absence_run(marks),
    )


def needs_follow_up(
    referral_id: str, held: Sequence[StoredSession], threshold: int, cleared_on: date | None
) -> bool:
    """Absent `threshold` times in a row, counting only sessions after the last follow-up cleared."""
    return absence_run(presences(referral_id, held, since=cleared_on)) >= threshold


def completed(attended: int, held: int, share: float) -> bool:
    """Attended at least `share` of the sessions held (nobody completes a cohort that never met)."""
    # Exact arithmetic: 6 of 8 at 0.75 must complete, whatever the float says.
    return held > 0 and Fraction(attended, held) >= Fraction(str(share))
