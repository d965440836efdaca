"""Events published by the matching service: the mentor lifecycle and matches.

Mentor names, contact details, training records and checks stay in the matching service; the bus only
carries a mentor's pseudonymous id, the conditions they support, their postcode district and capacity.

A mentor may support more than one condition. Mentor events are published once under each condition in
`conditions` (the envelope `condition` is one of them), so every programme's subscribers see the mentors
who serve it; consumers key on `mentor_id`, so the copies are harmless.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar, Self

from pydantic import Field, model_validator

from peer_events.codes import (
    CodeSet,
    MatchId,
    MentorId,
    PostcodeDistrict,
    Record,
    ReferralId,
    StaffId,
)
from peer_events.envelope import EventData
from peer_events.programmes import ConditionCode
from peer_events.registry import register

Fraction = Annotated[float, Field(ge=0, le=1)]
Capacity = Annotated[int, Field(ge=1, le=20)]


class MentorPauseReason(StrEnum):
    """Why a mentor is temporarily not taking or seeing mentees."""

    UNAVAILABLE = "unavailable"
    CHECKS_EXPIRED = "checks-expired"
    TRAINING_DUE = "training-due"
    COORDINATOR_DECISION = "coordinator-decision"
    OTHER = "other"


class MentorLeaveReason(StrEnum):
    """Why a mentor stopped volunteering."""

    STEPPED_DOWN = "stepped-down"
    MOVED_AWAY = "moved-away"
    NO_LONGER_ELIGIBLE = "no-longer-eligible"
    OTHER = "other"


class MatchMode(StrEnum):
    """How the mentor was chosen: `auto` — the matcher picked the best candidate; `suggest` — the matcher
    offered a ranked shortlist and a coordinator picked from it."""

    AUTO = "auto"
    SUGGEST = "suggest"


class ConfirmedBy(StrEnum):
    """The role that confirmed the match."""

    SYSTEM = "system"
    COORDINATOR = "coordinator"


class ScoreComponent(StrEnum):
    """A criterion the matcher scores a mentor on."""

    DISTANCE = "distance"
    LANGUAGE = "language"
    GENDER_PREFERENCE = "gender-preference"
    AVAILABILITY = "availability"
    CONTACT_MODE = "contact-mode"
    EXPERIENCE = "experience"
    SPARE_CAPACITY = "spare-capacity"


class MatchReason(StrEnum):
    """A plain-language reason the match was made, for coordinators and reports."""

    NEARBY = "nearby"
    SHARED_LANGUAGE = "shared-language"
    GENDER_PREFERENCE_MET = "gender-preference-met"
    AVAILABILITY_OVERLAP = "availability-overlap"
    CONTACT_MODE_FIT = "contact-mode-fit"
    SHARED_EXPERIENCE = "shared-experience"
    SPARE_CAPACITY = "spare-capacity"
    ONLY_MENTOR_AVAILABLE = "only-mentor-available"
    COORDINATOR_CHOICE = "coordinator-choice"


class ScorePart(Record):
    """One criterion's contribution to a match score."""

    component: ScoreComponent
    """The criterion."""
    value: Fraction
    """How well the mentor meets it, from 0 (not at all) to 1 (fully)."""
    weight: Fraction
    """The criterion's weight in the overall score."""


class _MentorEvent(EventData):
    producer: ClassVar[str] = "matching"

    mentor_id: MentorId
    """The mentor's pseudonymous id."""


@register
class MentorRegistered(_MentorEvent):
    """A volunteer signed up as a mentor. They are not matched until activated (training and checks)."""

    event_name: ClassVar[str] = "mentor-registered"

    registered_on: date
    """The day the mentor registered."""
    conditions: CodeSet[ConditionCode] = Field(min_length=1, max_length=10)
    """Conditions the mentor lives with and supports others with."""
    postcode_district: PostcodeDistrict
    """Outward code of where the mentor meets mentees from."""
    capacity: Capacity
    """How many mentees the mentor is willing to support at once."""


@register
class MentorActivated(_MentorEvent):
    """The mentor finished training and checks (or returned from a pause) and can be matched."""

    event_name: ClassVar[str] = "mentor-activated"

    activated_on: date
    """The day the mentor became available for matching."""
    capacity: Capacity
    """How many mentees the mentor will support at once from now on."""
    group_facilitator: bool = False
    """Trained to facilitate groups (group programmes take their facilitators from here)."""
    checks_valid_until: date | None = None
    """The first day on which one of the mentor's checks (DBS, safeguarding refresher) no longer counts.
    Absent from publishers older than this field."""


@register
class MentorCredentialsChanged(_MentorEvent):
    """The mentor's training or checks were recorded: what group programmes need to know of them."""

    event_name: ClassVar[str] = "mentor-credentials-changed"

    changed_on: date
    """The day the record changed."""
    group_facilitator: bool
    """Trained to facilitate groups."""
    checks_valid_until: date | None
    """The first day on which one of the mentor's checks no longer counts; absent while one is missing."""


@register
class MentorPaused(_MentorEvent):
    """The mentor is temporarily not available: no new matches; their pairings may pause too."""

    event_name: ClassVar[str] = "mentor-paused"

    paused_on: date
    """The day the pause started."""
    reason: MentorPauseReason
    """Why the mentor paused."""
    expected_back_on: date | None = None
    """When the mentor expects to be available again, if known."""


@register
class MentorLeft(_MentorEvent):
    """The mentor stopped volunteering for good; their open pairings end."""

    event_name: ClassVar[str] = "mentor-left"

    left_on: date
    """The day the mentor left."""
    reason: MentorLeaveReason
    """Why the mentor left."""


@register
class MentorMatched(EventData):
    """A mentee (by referral) was matched with a mentor; the sessions service starts a pairing from it.

    A referral may be matched again later (for example after its mentor left): each match has its own id.
    """

    producer: ClassVar[str] = "matching"
    event_name: ClassVar[str] = "mentor-matched"

    match_id: MatchId
    """This match's pseudonymous id."""
    referral_id: ReferralId
    """The mentee's referral."""
    mentor_id: MentorId
    """The chosen mentor."""
    score: Fraction
    """The overall match score, from 0 to 1."""
    components: tuple[ScorePart, ...] = Field(default=(), max_length=len(ScoreComponent))
    """How the score was made up, one entry per criterion."""
    reasons: CodeSet[MatchReason] = Field(default=(), max_length=len(MatchReason))
    """Why this mentor was chosen."""
    mode: MatchMode
    """How the mentor was chosen."""
    confirmed_by: ConfirmedBy
    """The role that confirmed the match (a shortlist is always confirmed by a coordinator)."""
    coordinator_id: StaffId | None = None
    """The staff account of the coordinator who confirmed it, when one did."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if len({part.component for part in self.components}) != len(self.components):
            raise ValueError("each score component appears at most once")
        if self.mode is MatchMode.SUGGEST and self.confirmed_by is not ConfirmedBy.COORDINATOR:
            raise ValueError("a suggested match is confirmed by a coordinator")
        if self.coordinator_id is not None and self.confirmed_by is not ConfirmedBy.COORDINATOR:
            raise ValueError("coordinator_id is only given when a coordinator confirmed the match")
        return self
