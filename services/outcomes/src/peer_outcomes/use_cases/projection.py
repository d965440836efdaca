"""What each consumed event contributes to the reporting projections.

Every event that names a referral also fills in the referral's condition and programme (from the
envelope), so a referral whose `ReferralReceived` has not arrived yet still belongs to its programme.
The group programmes' events are projected in `use_cases.group_projection`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from peer_events.envelope import CloudEvent, EventData
from peer_events.events import (
    MentorActivated,
    MentorLeft,
    MentorMatched,
    MentorRegistered,
    PairingCompleted,
    PairingEnded,
    PairingStarted,
    PamRecorded,
    ReferralAccepted,
    ReferralReceived,
    ReferralRejected,
    ReferralWithdrawn,
    SessionLogged,
)
from peer_outcomes.store.projection_batch import (
    MATCHES,
    MENTORS,
    PAIRINGS,
    PAM,
    REFERRALS,
    SESSIONS,
    ProjectionBatch,
)
from peer_outcomes.use_cases.group_projection import GROUP_PROJECTORS
from peer_shared.clock import to_london
from peer_shared.messaging.unit_of_work import UnitOfWork

Projector = Callable[[CloudEvent[Any], ProjectionBatch], None]


def _referral(event: CloudEvent[Any], batch: ProjectionBatch, **columns: Any) -> None:
    batch.put(
        REFERRALS,
        {
            "referral_id": event.data.referral_id,
            "condition": event.condition,
            "programme": event.programme,
            **columns,
        },
    )


def _received(event: CloudEvent[ReferralReceived], batch: ProjectionBatch) -> None:
    d = event.data
    _referral(
        event,
        batch,
        correlation_id=event.correlationid,
        received_on=d.received_on,
        source=d.source.value,
        referrer_ods_code=d.referrer_ods_code,
        postcode_district=d.postcode_district,
        ethnic_category=d.ethnic_category.value if d.ethnic_category else None,
    )


def _accepted(event: CloudEvent[ReferralAccepted], batch: ProjectionBatch) -> None:
    _referral(event, batch, accepted_on=event.data.accepted_on)


def _rejected(event: CloudEvent[ReferralRejected], batch: ProjectionBatch) -> None:
    _referral(event, batch, rejected_on=event.data.rejected_on, rejection_reason=event.data.reason.value)


def _withdrawn(event: CloudEvent[ReferralWithdrawn], batch: ProjectionBatch) -> None:
    _referral(event, batch, withdrawn_on=event.data.withdrawn_on, withdrawal_reason=event.data.reason.value)


def _matched(event: CloudEvent[MentorMatched], batch: ProjectionBatch) -> None:
    d = event.data
    _referral(event, batch)
    # The contract has no match date: the envelope's time is when the match was made.
    matched_on = to_london(event.time).date()
    batch.put(
        MATCHES,
        {
            "match_id": d.match_id,
            "referral_id": d.referral_id,
            "mentor_id": d.mentor_id,
            "matched_on": matched_on,
        },
    )


def _mentor(event: CloudEvent[Any], batch: ProjectionBatch, **columns: Any) -> None:
    batch.put(MENTORS, {"mentor_id": event.data.mentor_id, "condition": event.condition, **columns})


def _registered(event: CloudEvent[MentorRegistered], batch: ProjectionBatch) -> None:
    _mentor(event, batch, registered_on=event.data.registered_on)


def _activated(event: CloudEvent[MentorActivated], batch: ProjectionBatch) -> None:
    _mentor(event, batch, activated_on=event.data.activated_on)


def _left(event: CloudEvent[MentorLeft], batch: ProjectionBatch) -> None:
    _mentor(event, batch, left_on=event.data.left_on)


def _pairing(event: CloudEvent[Any], batch: ProjectionBatch, **columns: Any) -> None:
    d = event.data
    _referral(event, batch)
    batch.put(
        PAIRINGS,
        {"pairing_id": d.pairing_id, "referral_id": d.referral_id, "mentor_id": d.mentor_id, **columns},
    )


def _started(event: CloudEvent[PairingStarted], batch: ProjectionBatch) -> None:
    _pairing(event, batch, started_on=event.data.started_on)


def _completed(event: CloudEvent[PairingCompleted], batch: ProjectionBatch) -> None:
    _pairing(event, batch, completed_on=event.data.completed_on)


def _ended(event: CloudEvent[PairingEnded], batch: ProjectionBatch) -> None:
    _pairing(event, batch, ended_on=event.data.ended_on, end_reason=event.data.reason.value)


def _session(event: CloudEvent[SessionLogged], batch: ProjectionBatch) -> None:
    d = event.data
    _referral(event, batch)
    batch.put(
        SESSIONS,
        {
            "session_id": d.session_id,
            "revision": d.revision,
            "referral_id": d.referral_id,
            "mentor_id": d.mentor_id,
            "session_date": d.session_date,
            "attendance": d.attendance.value,
        },
    )


def _pam(event: CloudEvent[PamRecorded], batch: ProjectionBatch) -> None:
    d = event.data
    _referral(event, batch)
    batch.put(
        PAM,
        {
            "pam_id": d.pam_id,
            "revision": d.revision,
            "referral_id": d.referral_id,
            "timepoint": d.timepoint.value,
            "follow_up_number": d.follow_up_number,
            "assessed_on": d.assessed_on,
            "score": d.score,
            "level": d.level,
        },
    )


PROJECTORS: dict[type[EventData], Projector] = {
    ReferralReceived: _received,
    ReferralAccepted: _accepted,
    ReferralRejected: _rejected,
    ReferralWithdrawn: _withdrawn,
    MentorMatched: _matched,
    MentorRegistered: _registered,
    MentorActivated: _activated,
    MentorLeft: _left,
    PairingStarted: _started,
    PairingCompleted: _completed,
    PairingEnded: _ended,
    SessionLogged: _session,
    PamRecorded: _pam,
    **GROUP_PROJECTORS,
}
"""Every event type the reporting projections are built from."""


def project(event: CloudEvent[EventData], batch: ProjectionBatch) -> None:
    """Add an event's contribution to a batch (events of other types contribute nothing)."""
    projector = PROJECTORS.get(type(event.data))
    if projector is not None:
        projector(event, batch)


async def apply_events(events: Sequence[CloudEvent[Any]], uow: UnitOfWork) -> None:
    """Project a fetched batch of events, whatever their types, and write it with one upsert per table in
    the consumer's transaction (the merge rules make order irrelevant)."""
    batch = ProjectionBatch()
    for event in events:
        project(event, batch)
    await batch.flush(uow.session)
