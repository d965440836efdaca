"""HTTP API for PAM results: coordinators enter and correct them; mentors and commissioners cannot."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, status
from pydantic import BaseModel, ConfigDict, Field

from peer_outcomes.domain.pam import AdministeredBy, PamEntry, PamRecord
from peer_outcomes.domain.problems import PamProblem, PamRefused
from peer_outcomes.handlers.pam_recording import correct_pam, record_pam
from peer_outcomes.handlers.problems import PROBLEM_RESPONSES
from peer_outcomes.settings import OutcomesSettings
from peer_outcomes.store import pam_repo
from peer_shared.auth import Principal, Role, require_roles
from peer_shared.contracts.codes import PamId, ReferralId, VersionCode
from peer_shared.contracts.events.outcomes import Timepoint
from peer_shared.runtime import ServiceRuntime

router = APIRouter(tags=["PAM results"], responses=PROBLEM_RESPONSES)
Coordinator = Annotated[Principal, Depends(require_roles(Role.COORDINATOR))]
ReferralPath = Annotated[ReferralId, Path(description="The mentee's referral (pseudonymous id)")]
PamPath = Annotated[PamId, Path(description="The PAM record")]


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


def _runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def _settings(runtime: ServiceRuntime) -> OutcomesSettings:
    assert isinstance(runtime.settings, OutcomesSettings)
    return runtime.settings


@router.post(
    "/referrals/{referral_id}/pam",
    status_code=status.HTTP_201_CREATED,
    summary="Record a PAM result for a referral",
)
async def post_pam(
    referral_id: ReferralPath, body: PamEntryBody, request: Request, principal: Coordinator
) -> PamView:
    """Record a baseline or follow-up result and publish `PamRecorded`."""
    runtime = _runtime(request)
    async with runtime.unit_of_work() as uow:
        pam = await record_pam(
            uow,
            referral_id,
            body.to_entry(),
            entered_by=principal.subject,
            cut_points=_settings(runtime).cut_point_set(),
        )
    return PamView.of(pam)


@router.put("/pam/{pam_id}", summary="Correct a PAM result (a new revision)")
async def put_pam(pam_id: PamPath, body: PamEntryBody, request: Request, principal: Coordinator) -> PamView:
    """Replace a result's values; the earlier revision is kept and `PamRecorded` is published again."""
    runtime = _runtime(request)
    async with runtime.unit_of_work() as uow:
        pam = await correct_pam(
            uow,
            pam_id,
            body.to_entry(),
            entered_by=principal.subject,
            cut_points=_settings(runtime).cut_point_set(),
        )
    return PamView.of(pam)


@router.get("/referrals/{referral_id}/pam", summary="A referral's PAM results")
async def list_pam(referral_id: ReferralPath, request: Request, _principal: Coordinator) -> list[PamView]:
    """Every PAM record of a referral at its current revision, oldest first."""
    async with _runtime(request).sessions() as session:
        return [PamView.of(pam) for pam in await pam_repo.records_of(session, referral_id)]


@router.get("/pam/{pam_id}", summary="A PAM result and its revisions")
async def get_pam(pam_id: PamPath, request: Request, _principal: Coordinator) -> PamHistoryView:
    """One record at its current revision, with its whole revision history."""
    async with _runtime(request).sessions() as session:
        pam = await pam_repo.record(session, pam_id)
        if pam is None:
            raise PamRefused(PamProblem.UNKNOWN_PAM, f"no PAM record {pam_id}")
        history: list[dict[str, Any]] = await pam_repo.revisions(session, pam_id)
    return PamHistoryView(
        **PamView.of(pam).model_dump(), revisions=[RevisionView.model_validate(row) for row in history]
    )
