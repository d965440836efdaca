"""Events published by the outcomes service: Patient Activation Measure (PAM) results.

Subjects: `peer.<condition>.outcomes.<event>.v1`. Only the score and level travel; the questionnaire
answers stay in the outcomes service.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, ClassVar, Self

from pydantic import Field, PlainSerializer, WithJsonSchema, model_validator

from peer_events.codes import PamId, ReferralId, VersionCode
from peer_events.envelope import EventData
from peer_events.registry import register

PamScore = Annotated[
    Decimal,
    Field(ge=0, le=100, max_digits=4, decimal_places=1),
    # A JSON number, not pydantic's default string, so subscribers can compute with it directly.
    PlainSerializer(float, return_type=float, when_used="json"),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100}),
]


class Timepoint(StrEnum):
    """When in the programme the PAM was taken."""

    BASELINE = "baseline"
    FOLLOW_UP = "follow-up"


@register
class PamRecorded(EventData):
    """A PAM result was recorded for a mentee (at baseline or a follow-up).

    A corrected result is published again with the same `pam_id` and the next `revision`; consumers keep
    the highest revision they have seen.
    """

    producer: ClassVar[str] = "outcomes"
    event_name: ClassVar[str] = "pam-recorded"

    pam_id: PamId
    """The PAM record's pseudonymous id."""
    referral_id: ReferralId
    """The mentee's referral."""
    revision: int = Field(ge=1, le=100)
    """1 for the first record, one more for each correction."""
    timepoint: Timepoint
    """Baseline (before support starts) or follow-up."""
    follow_up_number: int | None = Field(default=None, ge=1, le=10)
    """Which follow-up this is (1 for the first); absent at baseline."""
    assessed_on: date
    """The day the mentee answered the questionnaire."""
    score: PamScore
    """The PAM activation score, 0 to 100, to one decimal place."""
    level: int = Field(ge=1, le=4)
    """The PAM level, 1 (disengaged and overwhelmed) to 4 (maintaining behaviours and pushing further)."""
    level_derived: bool
    """True when the level was derived here from the score using `cut_point_set`; false when the
    licensed PAM tool reported it."""
    cut_point_set: VersionCode
    """The published score-to-level cut points used (for example `insignia-2024`)."""
    tool_version: VersionCode
    """The questionnaire and its version (for example `pam-13`)."""

    @model_validator(mode="after")
    def _follow_up_is_numbered(self) -> Self:
        if (self.timepoint is Timepoint.FOLLOW_UP) != (self.follow_up_number is not None):
            raise ValueError("follow_up_number is given exactly when the timepoint is 'follow-up'")
        return self
