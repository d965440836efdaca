"""Every event this service publishes, built from its own records (staged in the outbox by the use cases).

Mentor events are published once under each condition the mentor supports, so every programme's
subscribers see the mentors who serve it. Nothing here carries a mentor's name or contact details.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from peer_events.envelope import CloudEvent, EventData, new_event
from peer_events.events.matching import (
    ConfirmedBy,
    MatchMode,
    MatchReason,
    MentorActivated,
    MentorCredentialsChanged,
    MentorLeaveReason,
    MentorLeft,
    MentorMatched,
    MentorPaused,
    MentorPauseReason,
    MentorRegistered,
    ScoreComponent,
    ScorePart,
)
from peer_matching.domain.mentor import Mentor, credentials
from peer_matching.settings import MatchingSettings
from peer_shared.clock import Clock

STAFF_ID = re.compile(r"^usr_[0-9a-f]{32}$")

MentorEvents = list[CloudEvent[EventData]]


def mentor_registered(mentor: Mentor, settings: MatchingSettings, clock: Clock) -> MentorEvents:
    """`MentorRegistered`, under each of the mentor's conditions."""
    data = MentorRegistered(
        mentor_id=mentor.mentor_id,
        registered_on=mentor.registered_on,
        conditions=mentor.conditions,
        postcode_district=mentor.postcode_district,
        capacity=mentor.capacity,
    )
    return _per_condition(mentor, settings, clock, data)


def mentor_activated(mentor: Mentor, on: date, settings: MatchingSettings, clock: Clock) -> MentorEvents:
    """`MentorActivated`, under each of the mentor's conditions, with their credentials."""
    held = credentials(mentor, settings.check_rules)
    data = MentorActivated(
        mentor_id=mentor.mentor_id,
        activated_on=on,
        capacity=mentor.capacity,
        group_facilitator=held.group_facilitator,
        checks_valid_until=held.checks_valid_until,
    )
    return _per_condition(mentor, settings, clock, data)


def mentor_credentials_changed(
    mentor: Mentor, on: date, settings: MatchingSettings, clock: Clock
) -> MentorEvents:
    """`MentorCredentialsChanged`, under each of the mentor's conditions (no training record itself)."""
    held = credentials(mentor, settings.check_rules)
    data = MentorCredentialsChanged(
        mentor_id=mentor.mentor_id,
        changed_on=on,
        group_facilitator=held.group_facilitator,
        checks_valid_until=held.checks_valid_until,
    )
    return _per_condition(mentor, settings, clock, data)


def mentor_paused(
    mentor: Mentor,
    on: date,
    reason: MentorPauseReason,
    expected_back_on: date | None,
    settings: MatchingSettings,
    clock: Clock,
) -> MentorEvents:
    """`MentorPaused`, under each of the mentor's conditions."""
    data = MentorPaused(
        mentor_id=mentor.mentor_id, paused_on=on, reason=reason, expected_back_on=expected_back_on
    )
    return _per_condition(mentor, settings, clock, data)


def mentor_left(
    mentor: Mentor, on: date, reason: MentorLeaveReason, settings: MatchingSettings, clock: Clock
) -> MentorEvents:
    """`MentorLeft`, under each of the mentor's conditions."""
    data = MentorLeft(mentor_id=mentor.mentor_id, left_on=on, reason=reason)
    return _per_condition(mentor, settings, clock, data)


def mentor_matched(
    values: Mapping[str, Any],
    correlation_id: uuid.UUID | None,
    clock: Clock,
    caused_by: CloudEvent[Any] | None = None,
) -> CloudEvent[Any]:
    """`MentorMatched` for a confirmed match record (its stored values, with `confirmed_by`)."""
    data = MentorMatched(
        match_id=values["match_id"],
        referral_id=values["referral_id"],
        mentor_id=values["mentor_id"],
        score=round(min(1.0, max(0.0, values["score"])), 4),
        components=tuple(
            ScorePart(
                component=ScoreComponent(part["component"]),
                value=round(part["value"], 4),
                weight=round(part["weight"], 4),
            )
            for part in values["components"]
        ),
        reasons=tuple(MatchReason(reason) for reason in values["reasons"]),
        mode=MatchMode(values["mode"]),
        confirmed_by=ConfirmedBy(values["confirmed_by"]),
        coordinator_id=values.get("coordinator_id"),
    )
    # The referral's own flow carries on; the event that set off the round is the cause when it was
    # about this referral.
    same_flow = caused_by is not None and getattr(caused_by.data, "referral_id", None) == data.referral_id
    return new_event(
        data,
        clock=clock,
        condition=values["condition"],
        programme=values["programme"],
        subject=data.referral_id,
        caused_by=caused_by if same_flow else None,
        correlation_id=correlation_id,
    )


def staff_id(subject: str) -> str | None:
    """The token subject as a staff account id, when it is one (names never go on the bus)."""
    return subject if STAFF_ID.match(subject) else None


def _per_condition(mentor: Mentor, settings: MatchingSettings, clock: Clock, data: EventData) -> MentorEvents:
    """One copy of a mentor lifecycle event per condition the mentor supports."""
    return [
        new_event(
            data,
            clock=clock,
            condition=condition,
            programme=settings.programme_of_condition(condition),
            subject=mentor.mentor_id,
        )
        for condition in mentor.conditions
    ]
