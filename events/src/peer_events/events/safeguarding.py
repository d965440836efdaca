"""Internal events of the sessions service: safeguarding concerns.

These travel under `internal.<condition>.sessions.<event>.v1` on the `INTERNAL_SESSIONS` stream, with their
own outbox lane and consumer, so they never queue behind ordinary events and regional subscribers (who may
read only `peer.>`) never see them. What was observed stays in the sessions service; the events carry only
codes, so they can be routed and escalated without spreading the detail.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import AwareDatetime, Field

from peer_events.codes import ConcernId, StaffId
from peer_events.events.sessions import PairingEvent
from peer_events.registry import register


class SafeguardingCategory(StrEnum):
    """The kind of harm or risk (Care Act 2014 categories, plus risk to self or others)."""

    RISK_TO_SELF = "risk-to-self"
    RISK_TO_OTHERS = "risk-to-others"
    PHYSICAL_ABUSE = "physical-abuse"
    DOMESTIC_ABUSE = "domestic-abuse"
    SEXUAL_ABUSE = "sexual-abuse"
    PSYCHOLOGICAL_ABUSE = "psychological-abuse"
    FINANCIAL_ABUSE = "financial-abuse"
    MODERN_SLAVERY = "modern-slavery"
    DISCRIMINATORY_ABUSE = "discriminatory-abuse"
    ORGANISATIONAL_ABUSE = "organisational-abuse"
    NEGLECT = "neglect"
    SELF_NEGLECT = "self-neglect"
    MENTOR_CONDUCT = "mentor-conduct"
    OTHER = "other"


class Urgency(StrEnum):
    """How soon the safeguarding lead must act."""

    IMMEDIATE = "immediate"
    WITHIN_24_HOURS = "within-24-hours"
    ROUTINE = "routine"


class RaisedBy(StrEnum):
    """The role of the person who raised the concern."""

    MENTOR = "mentor"
    COORDINATOR = "coordinator"


class SafeguardingAction(StrEnum):
    """The first action taken on a concern."""

    ADVICE_GIVEN = "advice-given"
    EMERGENCY_SERVICES_CALLED = "emergency-services-called"
    REFERRED_TO_LOCAL_AUTHORITY = "referred-to-local-authority"
    GP_INFORMED = "gp-informed"
    MONITORING = "monitoring"
    NO_FURTHER_ACTION = "no-further-action"


@register
class SafeguardingConcernRaised(PairingEvent):
    """Someone raised a safeguarding concern about a mentee or a mentor in a pairing. Internal.

    A concern nobody acknowledged in time is raised again, with the same `concern_id` and the next
    `escalation_level`, until a coordinator acknowledges it.
    """

    event_name: ClassVar[str] = "safeguarding-concern-raised"
    internal: ClassVar[bool] = True

    concern_id: ConcernId
    """The concern's pseudonymous id."""
    raised_at: AwareDatetime
    """When the concern was raised (escalation deadlines run from here)."""
    raised_by: RaisedBy
    """Who raised it."""
    category: SafeguardingCategory
    """The kind of harm or risk."""
    urgency: Urgency
    """How soon it must be acted on."""
    escalation_level: int = Field(default=0, ge=0, le=1000)
    """0 when first raised; 1, 2, ... each time it is raised again because nobody acknowledged it in time."""


@register
class SafeguardingConcernAcknowledged(PairingEvent):
    """The safeguarding lead took responsibility for a concern; escalation timers stop. Internal."""

    event_name: ClassVar[str] = "safeguarding-concern-acknowledged"
    internal: ClassVar[bool] = True

    concern_id: ConcernId
    """The concern acknowledged."""
    acknowledged_at: AwareDatetime
    """When it was acknowledged."""
    acknowledged_by: StaffId
    """The staff account of the safeguarding lead."""
    action: SafeguardingAction
    """The first action taken."""
