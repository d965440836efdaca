"""Response bodies of the outcomes HTTP API (the reports answer with their own JSON tree)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from peer_events.events.outcomes import Timepoint
from peer_outcomes.domain.pam import AdministeredBy, PamRecord


class PamView(BaseModel):
    """A PAM record at its current revision."""

    pam_id: str
    referral_id: str
    revision: int
    timepoint: Timepoint
    follow_up_number: int | None
    assessed_on: date
    score: float
    level: int
    level_derived: bool = Field(description="True when the level was derived here from the score")
    cut_point_set: str
    tool_version: str
    administered_by: AdministeredBy

    @classmethod
    def of(cls, pam: PamRecord) -> PamView:
        """The view of a record."""
        r = pam.result
        return cls(
            pam_id=pam.pam_id,
            referral_id=pam.referral_id,
            revision=pam.revision,
            timepoint=r.timepoint,
            follow_up_number=r.follow_up_number,
            assessed_on=r.assessed_on,
            score=float(r.score),
            level=r.level,
            level_derived=r.level_derived,
            cut_point_set=r.cut_point_set,
            tool_version=r.tool_version,
            administered_by=r.administered_by,
        )


class RevisionView(BaseModel):
    """One revision of a record: what was recorded, by whom, when."""

    revision: int
    timepoint: Timepoint
    follow_up_number: int | None
    assessed_on: date
    score: float
    level: int
    level_derived: bool
    entered_by: str
    entered_at: datetime


class PamHistoryView(PamView):
    """A record with every revision it went through."""

    revisions: list[RevisionView]

    @classmethod
    def of_history(cls, pam: PamRecord, revisions: list[dict[str, Any]]) -> PamHistoryView:
        """The view of a record and the rows of its revisions."""
        return cls(
            **PamView.of(pam).model_dump(), revisions=[RevisionView.model_validate(row) for row in revisions]
        )
