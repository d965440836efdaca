"""Every event the groups service publishes, built here from domain objects.

Each is about one cohort: it carries the cohort's condition and programme and the cohort id as subject.
A member's events carry the referral's correlation id (one person's journey across services); the
cohort's own events carry the cohort's. When an incoming event caused one, that event is its cause.
Payloads carry ids, dates, counts and codes, never a venue, a link, notes or patient identifiers.
"""

from __future__ import annotations

import uuid
from typing import Any

from peer_events.envelope import CloudEvent, EventData, new_event
from peer_events.events.groups import (
    CohortFinished,
    CohortOpened,
    CohortStarted,
    GroupConcernAcknowledged,
    GroupConcernRaised,
    GroupSessionCancelled,
    GroupSessionHeld,
    MeasureRecorded,
    MemberEnrolled,
    MemberLeft,
    Presence,
    ScaleScore,
)
from peer_groups.domain.cohort import Cohort, Member
from peer_groups.domain.concerns import Concern
from peer_groups.domain.group_session import SessionStatus, StoredSession
from peer_groups.domain.measures import Measure, MemberPlace
from peer_shared.clock import Clock

Cause = CloudEvent[Any] | None


def _wrap(
    data: EventData, cohort: Cohort, clock: Clock, caused_by: Cause, correlation_id: uuid.UUID | None = None
) -> CloudEvent[EventData]:
    return new_event(
        data,
        clock=clock,
        condition=cohort.condition,
        programme=cohort.programme,
        subject=cohort.id,
        caused_by=caused_by,
        correlation_id=correlation_id or cohort.correlation_id,
    )


def cohort_opened(cohort: Cohort, clock: Clock) -> CloudEvent[EventData]:
    """A cohort opened for enrolment."""
    assert cohort.opened_on is not None
    data = CohortOpened(
        cohort_id=cohort.id,
        opened_on=cohort.opened_on,
        starts_on=cohort.starts_on,
        max_size=cohort.max_size,
        min_size=cohort.min_size,
        planned_sessions=cohort.planned_sessions,
        cadence_days=cohort.cadence_days,
        setting=cohort.setting,
        facilitators=cohort.facilitators,
    )
    return _wrap(data, cohort, clock, None)


def member_enrolled(cohort: Cohort, member: Member, clock: Clock, caused_by: Cause) -> CloudEvent[EventData]:
    """A person took a place in the cohort."""
    data = MemberEnrolled(
        cohort_id=cohort.id,
        referral_id=member.referral_id,
        enrolled_on=member.enrolled_on,
        waitlisted_on=member.waitlisted_on,
    )
    return _wrap(data, cohort, clock, caused_by, member.correlation_id)


def member_left(
    cohort: Cohort, member: Member, attended: int, held: int, clock: Clock, caused_by: Cause
) -> CloudEvent[EventData]:
    """A member's place ended (`left_on` and `left_reason` are set)."""
    assert member.left_on is not None and member.left_reason is not None
    data = MemberLeft(
        cohort_id=cohort.id,
        referral_id=member.referral_id,
        left_on=member.left_on,
        reason=member.left_reason,
        sessions_attended=attended,
        sessions_held=held,
    )
    return _wrap(data, cohort, clock, caused_by, member.correlation_id)


def cohort_started(cohort: Cohort, members: int, clock: Clock, caused_by: Cause) -> CloudEvent[EventData]:
    """The cohort started."""
    assert cohort.started_on is not None
    data = CohortStarted(cohort_id=cohort.id, started_on=cohort.started_on, members=members)
    return _wrap(data, cohort, clock, caused_by)


def cohort_finished(
    cohort: Cohort, held: int, cancelled: int, completed: int, clock: Clock
) -> CloudEvent[EventData]:
    """The cohort finished."""
    assert cohort.finished_on is not None
    data = CohortFinished(
        cohort_id=cohort.id,
        finished_on=cohort.finished_on,
        sessions_held=held,
        sessions_cancelled=cancelled,
        members_completed=completed,
    )
    return _wrap(data, cohort, clock, None)


def group_session_recorded(cohort: Cohort, stored: StoredSession, clock: Clock) -> CloudEvent[EventData]:
    """A session was held (with its register) or cancelled; a correction has a higher revision."""
    record = stored.record
    data: EventData
    if record.status is SessionStatus.CANCELLED:
        assert record.cancel_reason is not None
        data = GroupSessionCancelled(
            cohort_id=cohort.id, session_id=stored.id, planned_on=record.held_on, reason=record.cancel_reason
        )
    else:
        assert record.duration_minutes is not None
        data = GroupSessionHeld(
            cohort_id=cohort.id,
            session_id=stored.id,
            revision=stored.revision,
            session_number=stored.number,
            held_on=record.held_on,
            duration_minutes=record.duration_minutes,
            setting=record.setting or cohort.setting,
            topics=record.topics,
            facilitators=record.facilitators,
            attended=record.of(Presence.ATTENDED),
            apologies=record.of(Presence.APOLOGIES),
            absent=record.of(Presence.ABSENT),
        )
    return _wrap(data, cohort, clock, None)


def _member_event(data: EventData, place: MemberPlace, clock: Clock) -> CloudEvent[EventData]:
    return new_event(
        data,
        clock=clock,
        condition=place.condition,
        programme=place.programme,
        subject=place.cohort_id,
        correlation_id=place.correlation_id,
    )


def measure_recorded(measure: Measure, place: MemberPlace, clock: Clock) -> CloudEvent[EventData]:
    """A member's measure was recorded, or corrected (a higher revision): scale totals only."""
    data = MeasureRecorded(
        measure_id=measure.measure_id,
        referral_id=measure.referral_id,
        cohort_id=measure.cohort_id,
        revision=measure.revision,
        instrument=measure.instrument,
        instrument_version=measure.instrument_version,
        timepoint=measure.timepoint,
        assessed_on=measure.assessed_on,
        scores=tuple(ScaleScore(scale=scale, score=score) for scale, score in measure.scores.items()),
    )
    return _member_event(data, place, clock)


def group_concern_raised(concern: Concern, place: MemberPlace, clock: Clock) -> CloudEvent[EventData]:
    """A safeguarding concern about a member was raised, or raised again a level higher. Internal."""
    data = GroupConcernRaised(
        cohort_id=concern.cohort_id,
        concern_id=concern.id,
        referral_id=concern.referral_id,
        raised_at=concern.raised_at,
        raised_by=concern.raised_by,
        category=concern.category,
        urgency=concern.urgency,
        escalation_level=concern.escalation_level,
    )
    return _member_event(data, place, clock)


def group_concern_acknowledged(
    concern: Concern, place: MemberPlace, staff_id: str, clock: Clock
) -> CloudEvent[EventData]:
    """A coordinator acknowledged a safeguarding concern about a member. Internal."""
    assert concern.acknowledged_at is not None and concern.action is not None
    data = GroupConcernAcknowledged(
        cohort_id=concern.cohort_id,
        concern_id=concern.id,
        referral_id=concern.referral_id,
        acknowledged_at=concern.acknowledged_at,
        acknowledged_by=staff_id,
        action=concern.action,
    )
    return _member_event(data, place, clock)
