"""What makes a session record acceptable: duration, date, attendance and overlap rules.

A session that took place (attended) has a duration of 1-240 minutes; one that did not (missed or
cancelled) has no duration, topics or goals, as the published `SessionLogged` contract requires. A mentor
cannot have two sessions that took place at overlapping times. Sessions are logged up to a day ahead
(a mentor may record the evening before), never further.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from peer_events.codes import SessionMode, Topic
from peer_events.events.sessions import Attendance
from peer_shared.clock import to_london
from peer_shared.refusals import Conflict, Invalid

MIN_DURATION_MINUTES = 1
MAX_DURATION_MINUTES = 240
FUTURE_ALLOWANCE = timedelta(days=1)
MAX_SESSIONS_PER_PAIRING = 60
MAX_REVISIONS = 100
MAX_NOTES_CHARS = 10_000


@dataclass(frozen=True)
class SessionRecord:
    """What a mentor records about one session."""

    starts_at: datetime
    duration_minutes: int | None
    mode: SessionMode
    attendance: Attendance
    topics: tuple[Topic, ...] = ()
    notes: str | None = None

    @property
    def took_place(self) -> bool:
        """The mentee and mentor met."""
        return self.attendance is Attendance.ATTENDED

    @property
    def ends_at(self) -> datetime | None:
        """When a session that took place finished; None for one that did not."""
        if self.duration_minutes is None:
            return None
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def local_date(self) -> date:
        """The session's day in the UK."""
        return to_london(self.starts_at).date()


@dataclass(frozen=True)
class BookedTime:
    """A session of the same mentor that took place, as the overlap rule sees it."""

    session_id: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class StoredSession:
    """A logged session: its record at the latest revision, and where it sits in the pairing."""

    id: str
    pairing_id: str
    mentor_id: str
    number: int
    revision: int
    record: SessionRecord
    goals_set: int
    goals_reviewed: int
    logged_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Revision:
    """One version of a session record, and who recorded it."""

    revision: int
    record: SessionRecord
    recorded_at: datetime
    recorded_by: str


def check_record(
    record: SessionRecord, *, pairing_started_on: date, now: datetime, goals_set: int, goals_reviewed: int
) -> None:
    """Refuse a record that breaks a rule about its own content; raise `Invalid` with the reason."""
    if record.starts_at.tzinfo is None:
        raise Invalid("start-time-without-timezone", "starts_at must include a UTC offset")
    if record.starts_at > now + FUTURE_ALLOWANCE:
        raise Invalid(
            "session-in-future",
            f"a session cannot start more than a day ahead (starts_at {record.starts_at.isoformat()})",
        )
    if record.local_date < pairing_started_on:
        raise Invalid(
            "session-before-pairing",
            f"the session ({record.local_date}) is before the pairing started ({pairing_started_on})",
        )
    if len(set(record.topics)) != len(record.topics):
        raise Invalid("topic-repeated", "each topic may be given once")
    if record.notes is not None and len(record.notes) > MAX_NOTES_CHARS:
        raise Invalid("notes-too-long", f"notes are limited to {MAX_NOTES_CHARS} characters")
    if record.took_place:
        _check_duration(record.duration_minutes)
    else:
        _check_nothing_happened(record, goals_set=goals_set, goals_reviewed=goals_reviewed)


def _check_duration(duration: int | None) -> None:
    if duration is None:
        raise Invalid("duration-required", "a session that took place needs duration_minutes")
    if not MIN_DURATION_MINUTES <= duration <= MAX_DURATION_MINUTES:
        raise Invalid(
            "duration-out-of-range",
            f"duration_minutes must be {MIN_DURATION_MINUTES}-{MAX_DURATION_MINUTES}, not {duration}",
        )


def _check_nothing_happened(record: SessionRecord, *, goals_set: int, goals_reviewed: int) -> None:
    what = record.attendance.value
    if record.duration_minutes is not None:
        raise Invalid("duration-not-applicable", f"a session marked {what} has no duration")
    if record.topics or goals_set or goals_reviewed:
        raise Invalid("content-without-attendance", f"a session marked {what} has no topics or goals")


def check_overlap(record: SessionRecord, booked: Iterable[BookedTime]) -> None:
    """Refuse a session that took place at the same time as another of the mentor's sessions."""
    ends_at = record.ends_at
    if ends_at is None:
        return
    for other in booked:
        if record.starts_at < other.ends_at and other.starts_at < ends_at:
            raise Conflict(
                "session-overlaps",
                f"the mentor already has session {other.session_id} from "
                f"{other.starts_at.isoformat()} to {other.ends_at.isoformat()}",
            )


def next_session_number(logged_so_far: int) -> int:
    """The new session's place in the pairing; a pairing holds at most 60 sessions."""
    if logged_so_far >= MAX_SESSIONS_PER_PAIRING:
        raise Conflict("session-limit", f"a pairing holds at most {MAX_SESSIONS_PER_PAIRING} sessions")
    return logged_so_far + 1


def next_revision(current: int) -> int:
    """The revision a correction gets; a session may be corrected at most 99 times."""
    if current >= MAX_REVISIONS:
        raise Conflict("revision-limit", f"a session may have at most {MAX_REVISIONS} revisions")
    return current + 1
