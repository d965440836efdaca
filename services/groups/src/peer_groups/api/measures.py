"""Outcome measure routes: a coordinator, or a facilitator of the member's cohort, records C19-YRSm and
ONS4 scale totals at baseline and at the end, corrects them (a new revision), and lists them.

Only the totals are accepted, never question text or item answers.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from peer_events.codes import CohortId, MeasureId, ReferralId, VersionCode
from peer_events.events.groups import Instrument, MeasureTimepoint
from peer_groups.domain.measures import SCALE_MAXIMA, Measure, MeasureEntry
from peer_groups.use_cases import measures as use_case
from peer_shared.http.dependencies import Limit, MentorOrCoordinator, Offset, Runtime
from peer_shared.http.problems import problem_responses

ERRORS = problem_responses(
    403,
    404,
    409,
    422,
    s403="Not a facilitator of the member's cohort (`code`: not-your-cohort)",
    s404="Unknown measure or cohort (`code`: measure-not-found, cohort-not-found)",
    s409="Clashes with what is recorded (`code`: baseline-exists: correct it instead; too-many-corrections)",
    s422="A value is wrong (`code`: unknown-scale, score-out-of-range, missing-scale, "
    "version-not-of-instrument, assessed-in-future, not-a-member, referral-changed, "
    "referral-or-cohort-required), or the body is malformed",
)
router = APIRouter(tags=["measures"], responses=ERRORS)
_SCALES = "; ".join(
    f"{i.value}: " + ", ".join(f"{s.value} 0-{m}" for s, m in scales.items())
    for i, scales in SCALE_MAXIMA.items()
)


class MeasureIn(BaseModel):
    """A member's measure as the instrument scored it: scale totals only."""

    model_config = ConfigDict(extra="forbid")

    referral_id: ReferralId = Field(description="The member (current or former) it is about")
    instrument: Instrument
    instrument_version: VersionCode = Field(description="For example c19-yrsm-2022, ons4-2011")
    timepoint: MeasureTimepoint
    assessed_on: date = Field(description="The day the member answered it (not in the future)")
    scores: dict[str, int] = Field(description=f"Every scale of the instrument, once: {_SCALES}")

    def entry(self) -> MeasureEntry:
        """The entry as the rules take it (unchecked)."""
        return MeasureEntry(
            self.instrument, self.instrument_version, self.timepoint, self.assessed_on, self.scores
        )


class MeasureOut(BaseModel):
    """A measure at its current revision."""

    measure_id: str
    revision: int
    referral_id: str
    cohort_id: str
    instrument: Instrument
    instrument_version: str
    timepoint: MeasureTimepoint
    assessed_on: date
    scores: dict[str, int]

    @classmethod
    def of(cls, m: Measure) -> MeasureOut:
        """From the domain's measure."""
        return cls(
            measure_id=m.measure_id,
            revision=m.revision,
            referral_id=m.referral_id,
            cohort_id=m.cohort_id,
            instrument=m.instrument,
            instrument_version=m.instrument_version,
            timepoint=m.timepoint,
            assessed_on=m.assessed_on,
            scores={scale.value: score for scale, score in m.scores.items()},
        )


class MeasurePage(BaseModel):
    """One page of measures."""

    items: list[MeasureOut]
    total: int
    limit: int
    offset: int


@router.post("/measures", status_code=status.HTTP_201_CREATED, summary="Record a member's measure")
async def record_measure(principal: MentorOrCoordinator, runtime: Runtime, body: MeasureIn) -> MeasureOut:
    """Recorded in the cohort the member holds (or last held); publishes `MeasureRecorded`."""
    async with runtime.unit_of_work() as uow:
        measure = await use_case.record_measure(uow, principal, body.referral_id, body.entry())
    return MeasureOut.of(measure)


@router.put("/measures/{measure_id}", summary="Correct a measure (a new revision)")
async def correct_measure(
    principal: MentorOrCoordinator, runtime: Runtime, measure_id: MeasureId, body: MeasureIn
) -> MeasureOut:
    """Replaces the values; earlier revisions are kept and `MeasureRecorded` is published again."""
    async with runtime.unit_of_work() as uow:
        measure = await use_case.correct_measure(uow, principal, measure_id, body.referral_id, body.entry())
    return MeasureOut.of(measure)


@router.get("/measures", summary="A member's or a cohort's measures")
async def list_measures(
    principal: MentorOrCoordinator,
    runtime: Runtime,
    referral_id: ReferralId | None = None,
    cohort_id: CohortId | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> MeasurePage:
    """Oldest assessment first; a facilitator sees only the measures of cohorts they facilitate."""
    async with runtime.sessions() as session:
        found, total = await use_case.list_measures(
            session, principal, referral_id=referral_id, cohort_id=cohort_id, limit=limit, offset=offset
        )
    return MeasurePage(items=[MeasureOut.of(m) for m in found], total=total, limit=limit, offset=offset)
