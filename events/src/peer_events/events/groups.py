"""Events published by the groups service: group peer-support programmes (cohorts, attendance, measures).

A *cohort* is one closed group of a programme (for example eight people with long Covid meeting
fortnightly for twelve weeks), led by one or two trained peer facilitators (mentors from the matching
service's registry). Venue names, online links, session notes and questionnaire answers stay in the groups
service: these events carry only ids, dates, counts and codes.
Subjects: `peer.<condition>.groups.<event>.v1`; safeguarding concerns on `internal.<condition>.groups.>`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar, Self

from pydantic import AwareDatetime, Field, model_validator

from peer_events.codes import (
    CodeSet,
    CohortId,
    ConcernId,
    GroupSessionId,
    MeasureId,
    MentorId,
    Record,
    ReferralId,
    StaffId,
    Topic,
    VersionCode,
)
from peer_events.envelope import EventData
from peer_events.events.safeguarding import (
    RaisedBy,
    SafeguardingAction,
    SafeguardingCategory,
    Urgency,
)
from peer_events.registry import register

GroupSize = Annotated[int, Field(ge=1, le=100)]
SessionNumber = Annotated[int, Field(ge=1, le=100)]
Facilitators = Annotated[CodeSet[MentorId], Field(min_length=1, max_length=4)]
Members = Annotated[CodeSet[ReferralId], Field(max_length=100)]


class GroupSetting(StrEnum):
    """Where a cohort meets: in a community venue or online (the venue and link stay in the service)."""

    VENUE = "venue"
    ONLINE = "online"


class LeaveReason(StrEnum):
    """Why a member's place in a cohort ended."""

    COMPLETED = "completed"
    """Attended at least the programme's share of the cohort's sessions."""
    NOT_COMPLETED = "not-completed"
    """Stayed to the end without attending enough sessions to complete."""
    STOPPED_ATTENDING = "stopped-attending"
    """Followed up after missing sessions in a row, and did not come back."""
    WITHDREW = "withdrew"
    """The referral was withdrawn (by the person, the referrer or triage)."""
    COORDINATOR_DECISION = "coordinator-decision"
    """A coordinator moved them out of the cohort (for example to a later one)."""


class Presence(StrEnum):
    """A member's attendance at one group session."""

    ATTENDED = "attended"
    APOLOGIES = "apologies"
    ABSENT = "absent"


class CancellationReason(StrEnum):
    """Why a planned group session did not take place."""

    NO_FACILITATOR = "no-facilitator"
    VENUE_UNAVAILABLE = "venue-unavailable"
    TOO_FEW_MEMBERS = "too-few-members"
    OTHER = "other"


class MeasureTimepoint(StrEnum):
    """When in the programme a measure was taken."""

    BASELINE = "baseline"
    END = "end"


class Instrument(StrEnum):
    """The outcome questionnaire (its version travels separately, in `instrument_version`)."""

    C19_YRSM = "c19-yrsm"
    """Modified COVID-19 Yorkshire Rehabilitation Scale: symptom severity (0-30), functional ability
    (0-15), other symptoms (0-25) and overall health (0-10); lower is better except overall health."""
    ONS4 = "ons4"
    """ONS personal wellbeing: life satisfaction, worthwhile, happiness, anxiety (each 0-10)."""


class Scale(StrEnum):
    """A scored part of an instrument."""

    SYMPTOM_SEVERITY = "symptom-severity"
    FUNCTIONAL_ABILITY = "functional-ability"
    OTHER_SYMPTOMS = "other-symptoms"
    OVERALL_HEALTH = "overall-health"
    LIFE_SATISFACTION = "life-satisfaction"
    WORTHWHILE = "worthwhile"
    HAPPINESS = "happiness"
    ANXIETY = "anxiety"


class ScaleScore(Record):
    """One scale's total, as the instrument scores it."""

    scale: Scale
    """Which part of the instrument."""
    score: int = Field(ge=0, le=100)
    """The scale's total."""


class _CohortEvent(EventData):
    producer: ClassVar[str] = "groups"

    cohort_id: CohortId
    """The cohort's pseudonymous id."""


@register
class CohortOpened(_CohortEvent):
    """A cohort of a group programme opened for enrolment; people on the waitlist are offered places."""

    event_name: ClassVar[str] = "cohort-opened"

    opened_on: date
    """The day enrolment opened."""
    starts_on: date
    """The planned day of the first session."""
    max_size: GroupSize
    """The most members the cohort takes."""
    min_size: GroupSize
    """The fewest members it runs with."""
    planned_sessions: SessionNumber
    """How many sessions the cohort is planned to meet."""
    cadence_days: int = Field(ge=1, le=31)
    """Days between sessions (7 weekly, 14 fortnightly)."""
    setting: GroupSetting
    """Community venue or online."""
    facilitators: Facilitators
    """The mentors facilitating it."""

    @model_validator(mode="after")
    def _sizes_in_order(self) -> Self:
        if self.min_size > self.max_size:
            raise ValueError("min_size is at most max_size")
        return self


@register
class MemberEnrolled(_CohortEvent):
    """A person referred to the programme took a place in the cohort."""

    event_name: ClassVar[str] = "member-enrolled"

    referral_id: ReferralId
    """The member's referral."""
    enrolled_on: date
    """The day they took the place."""
    waitlisted_on: date
    """The day they joined the programme's waitlist (the wait to the first group runs from here)."""


@register
class MemberLeft(_CohortEvent):
    """A member's place ended: completed or not when the cohort finished, or early (with the reason)."""

    event_name: ClassVar[str] = "member-left"

    referral_id: ReferralId
    """The member's referral."""
    left_on: date
    """The day the place ended."""
    reason: LeaveReason
    """Why (completion is a reason too, so drop-out and completion come from one event)."""
    sessions_attended: int = Field(ge=0, le=100)
    """Sessions of the cohort the member attended."""
    sessions_held: int = Field(ge=0, le=100)
    """Sessions the cohort had held by then."""

    @model_validator(mode="after")
    def _attended_within_held(self) -> Self:
        if self.sessions_attended > self.sessions_held:
            raise ValueError("sessions_attended is at most sessions_held")
        return self


@register
class CohortStarted(_CohortEvent):
    """The cohort's first session day came (or it filled, where the programme starts full cohorts)."""

    event_name: ClassVar[str] = "cohort-started"

    started_on: date
    """The day it started."""
    members: int = Field(ge=0, le=100)
    """Members enrolled when it started."""


@register
class CohortFinished(_CohortEvent):
    """The cohort held its last session (or a coordinator closed it early)."""

    event_name: ClassVar[str] = "cohort-finished"

    finished_on: date
    """The day it finished."""
    sessions_held: int = Field(ge=0, le=100)
    """Sessions that took place."""
    sessions_cancelled: int = Field(ge=0, le=100)
    """Planned sessions that did not."""
    members_completed: int = Field(ge=0, le=100)
    """Members who attended enough to complete."""


@register
class GroupSessionHeld(_CohortEvent):
    """A group session took place, with the register.

    A corrected register is published again with the same `session_id` and the next `revision`;
    consumers keep the highest revision they have seen.
    """

    event_name: ClassVar[str] = "group-session-held"

    session_id: GroupSessionId
    """The session's pseudonymous id."""
    revision: int = Field(ge=1, le=100)
    """1 for the first record, one more for each correction."""
    session_number: SessionNumber
    """Which of the cohort's sessions this was (1 for the first held)."""
    held_on: date
    """The day it took place."""
    duration_minutes: int = Field(ge=10, le=480)
    """How long it lasted."""
    setting: GroupSetting
    """Community venue or online."""
    topics: CodeSet[Topic] = Field(default=(), max_length=len(Topic))
    """What the group talked about."""
    facilitators: Facilitators
    """The mentors who facilitated it."""
    attended: Members
    """Members present."""
    apologies: Members
    """Members who sent apologies."""
    absent: Members
    """Members absent without apologies."""

    @model_validator(mode="after")
    def _each_member_once(self) -> Self:
        register_ = [*self.attended, *self.apologies, *self.absent]
        if len(register_) != len(set(register_)):
            raise ValueError("a member is in at most one of attended, apologies and absent")
        return self


@register
class GroupSessionCancelled(_CohortEvent):
    """A planned group session did not take place."""

    event_name: ClassVar[str] = "group-session-cancelled"

    session_id: GroupSessionId
    """The session's pseudonymous id."""
    planned_on: date
    """The day it was planned for."""
    reason: CancellationReason
    """Why it did not take place."""


@register
class MeasureRecorded(EventData):
    """A member's outcome measure was recorded (at baseline or at the end), as the instrument's totals.

    A corrected result is published again with the same `measure_id` and the next `revision`.
    """

    producer: ClassVar[str] = "groups"
    event_name: ClassVar[str] = "measure-recorded"

    measure_id: MeasureId
    """The measure record's pseudonymous id."""
    referral_id: ReferralId
    """The member's referral."""
    cohort_id: CohortId
    """The cohort the member was in."""
    revision: int = Field(ge=1, le=100)
    """1 for the first record, one more for each correction."""
    instrument: Instrument
    """Which questionnaire."""
    instrument_version: VersionCode
    """Its published version (for example `c19-yrsm-2022`)."""
    timepoint: MeasureTimepoint
    """Baseline (before the first group) or at the end."""
    assessed_on: date
    """The day the member answered it."""
    scores: tuple[ScaleScore, ...] = Field(min_length=1, max_length=len(Scale))
    """The instrument's scale totals."""

    @model_validator(mode="after")
    def _each_scale_once(self) -> Self:
        scales = [s.scale for s in self.scores]
        if len(scales) != len(set(scales)):
            raise ValueError("each scale is scored at most once")
        return self


class _GroupConcernEvent(_CohortEvent):
    internal: ClassVar[bool] = True

    concern_id: ConcernId
    """The concern's pseudonymous id."""
    referral_id: ReferralId
    """The member the concern is about."""


@register
class GroupConcernRaised(_GroupConcernEvent):
    """A facilitator or coordinator raised a safeguarding concern about a group member. Internal.

    The same lane and escalation as a one-to-one concern: a concern nobody acknowledged in time is raised
    again, with the same `concern_id` and the next `escalation_level`, until a coordinator acknowledges it.
    """

    event_name: ClassVar[str] = "group-concern-raised"

    raised_at: AwareDatetime
    """When the concern was raised (escalation deadlines run from here)."""
    raised_by: RaisedBy
    """Who raised it (`mentor`: the facilitator)."""
    category: SafeguardingCategory
    """The kind of harm or risk."""
    urgency: Urgency
    """How soon it must be acted on."""
    escalation_level: int = Field(default=0, ge=0, le=1000)
    """0 when first raised; one more each time it is raised again because nobody acknowledged it."""


@register
class GroupConcernAcknowledged(_GroupConcernEvent):
    """The safeguarding lead took responsibility for a group member's concern; escalation stops. Internal."""

    event_name: ClassVar[str] = "group-concern-acknowledged"

    acknowledged_at: AwareDatetime
    """When it was acknowledged."""
    acknowledged_by: StaffId
    """The staff account of the safeguarding lead."""
    action: SafeguardingAction
    """The first action taken."""
