"""Request bodies of the outcomes HTTP API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from peer_events.codes import VersionCode
from peer_events.events.outcomes import Timepoint
from peer_outcomes.domain.pam import AdministeredBy, PamEntry


class PamEntryBody(BaseModel):
    """A PAM result as the licensed tool reported it. The questionnaire's item answers are not accepted."""

    model_config = ConfigDict(extra="forbid")

    timepoint: Timepoint = Field(description="`baseline` (before or at the first session) or `follow-up`")
    follow_up_number: int | None = Field(
        None, description="Which follow-up (1 for the first); baseline: none"
    )
    assessed_on: date = Field(description="The day the mentee answered the questionnaire (not in the future)")
    score: Decimal = Field(
        description="Activation score, 0 to 100 with one decimal place",
        json_schema_extra={"minimum": 0, "maximum": 100, "multipleOf": 0.1},
    )
    level: int | None = Field(
        None,
        description="PAM level 1-4 as the tool reported it; omit to derive it from the score with the "
        "configured cut-point set. A level that contradicts the score is refused.",
        json_schema_extra={"minimum": 1, "maximum": 4},
    )
    tool_version: VersionCode = Field("pam-13", description="The questionnaire and its version")
    administered_by: AdministeredBy = Field(description="Who administered the questionnaire")

    def to_entry(self) -> PamEntry:
        """The domain's view of the entry."""
        return PamEntry(**self.model_dump())
