"""What the groups service's events contribute to the reporting projections.

Every row carries its event's condition and programme (from the envelope); events naming a member also
fill in the referral's condition and programme, as every other event naming a referral does. A corrected
register or measure arrives with a higher revision and replaces the earlier one whatever the order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from peer_events.envelope import CloudEvent, EventData
from peer_events.events.groups import (
    CohortFinished,
    CohortOpened,
    CohortStarted,
    GroupSessionCancelled,
    GroupSessionHeld,
    MeasureRecorded,
    MemberEnrolled,
    MemberLeft,
    Presence,
)
from peer_outcomes.store.projection_batch import (
    COHORT_MEMBERS,
    COHORTS,
    GROUP_ATTENDANCE,
    GROUP_CANCELLATIONS,
    GROUP_SESSIONS,
    MEASURES,
    REFERRALS,
    ProjectionBatch,
)
from peer_outcomes.store.tables import SCALE_COLUMNS

Projector = Callable[[CloudEvent[Any], ProjectionBatch], None]


def _scope(event: CloudEvent[Any]) -> dict[str, Any]:
    return {"condition": event.condition, "programme": event.programme}


def _referral(event: CloudEvent[Any], batch: ProjectionBatch) -> None:
    batch.put(REFERRALS, {"referral_id": event.data.referral_id, **_scope(event)})


def _cohort(event: CloudEvent[Any], batch: ProjectionBatch, **columns: Any) -> None:
    batch.put(COHORTS, {"cohort_id": event.data.cohort_id, **_scope(event), **columns})


def _opened(event: CloudEvent[CohortOpened], batch: ProjectionBatch) -> None:
    d = event.data
    _cohort(event, batch, opened_on=d.opened_on, starts_on=d.starts_on, planned_sessions=d.planned_sessions)


def _started(event: CloudEvent[CohortStarted], batch: ProjectionBatch) -> None:
    _cohort(event, batch, started_on=event.data.started_on)


def _finished(event: CloudEvent[CohortFinished], batch: ProjectionBatch) -> None:
    _cohort(event, batch, finished_on=event.data.finished_on)


def _member(event: CloudEvent[Any], batch: ProjectionBatch, **columns: Any) -> None:
    d = event.data
    _referral(event, batch)
    _cohort(event, batch)
    batch.put(
        COHORT_MEMBERS, {"cohort_id": d.cohort_id, "referral_id": d.referral_id, **_scope(event), **columns}
    )


def _enrolled(event: CloudEvent[MemberEnrolled], batch: ProjectionBatch) -> None:
    _member(event, batch, enrolled_on=event.data.enrolled_on, waitlisted_on=event.data.waitlisted_on)


def _left(event: CloudEvent[MemberLeft], batch: ProjectionBatch) -> None:
    _member(event, batch, left_on=event.data.left_on, leave_reason=event.data.reason.value)


def _held(event: CloudEvent[GroupSessionHeld], batch: ProjectionBatch) -> None:
    d = event.data
    _cohort(event, batch)
    batch.put(
        GROUP_SESSIONS,
        {
            "session_id": d.session_id,
            "revision": d.revision,
            "cohort_id": d.cohort_id,
            **_scope(event),
            "held_on": d.held_on,
        },
    )
    register = (
        (Presence.ATTENDED, d.attended),
        (Presence.APOLOGIES, d.apologies),
        (Presence.ABSENT, d.absent),
    )
    for presence, members in register:
        for referral_id in members:
            batch.put(REFERRALS, {"referral_id": referral_id, **_scope(event)})
            batch.put(
                GROUP_ATTENDANCE,
                {
                    "session_id": d.session_id,
                    "referral_id": referral_id,
                    "revision": d.revision,
                    "presence": presence.value,
                },
            )


def _cancelled(event: CloudEvent[GroupSessionCancelled], batch: ProjectionBatch) -> None:
    d = event.data
    _cohort(event, batch)
    batch.put(
        GROUP_CANCELLATIONS,
        {
            "session_id": d.session_id,
            "cohort_id": d.cohort_id,
            **_scope(event),
            "planned_on": d.planned_on,
            "reason": d.reason.value,
        },
    )


def _measure(event: CloudEvent[MeasureRecorded], batch: ProjectionBatch) -> None:
    d = event.data
    _referral(event, batch)
    scores = {SCALE_COLUMNS[s.scale.value]: s.score for s in d.scores}
    batch.put(
        MEASURES,
        {
            "measure_id": d.measure_id,
            "revision": d.revision,
            "referral_id": d.referral_id,
            "cohort_id": d.cohort_id,
            **_scope(event),
            "instrument": d.instrument.value,
            "timepoint": d.timepoint.value,
            "assessed_on": d.assessed_on,
            **scores,
        },
    )


GROUP_PROJECTORS: dict[type[EventData], Projector] = {
    CohortOpened: _opened,
    CohortStarted: _started,
    CohortFinished: _finished,
    MemberEnrolled: _enrolled,
    MemberLeft: _left,
    GroupSessionHeld: _held,
    GroupSessionCancelled: _cancelled,
    MeasureRecorded: _measure,
}
"""The groups service's events the reporting projections are built from (its internal concerns are not
on the public stream and are not reported)."""
