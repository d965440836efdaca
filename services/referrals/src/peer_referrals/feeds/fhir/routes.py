"""The FHIR R4 referral endpoint: a ServiceRequest (with its Patient contained) or a Bundle.

`POST /fhir/ServiceRequest` creates a referral (201 with `Location`); `POST /fhir` takes a transaction
Bundle (200 with a transaction-response); `POST /fhir/$process-message` a message Bundle (200 with a
response message). Every refusal is an OperationOutcome naming each problem's FHIRPath.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from peer_referrals.domain.problems import InvalidReferral, Problem, ProblemCode
from peer_referrals.domain.refusals import referral_not_found
from peer_referrals.domain.support import SupportStage, progress
from peer_referrals.domain.triage import TriageStatus
from peer_referrals.feeds.fhir import responses
from peer_referrals.feeds.fhir.body import BodyTooLarge, read_limited
from peer_referrals.feeds.fhir.reader import FhirReferral, read_fhir
from peer_referrals.store import referrals_repo
from peer_referrals.use_cases.intake import Received
from peer_referrals.use_cases.reception import Reception
from peer_shared.auth import Principal, Role
from peer_shared.http.dependencies import ReferrerOrCoordinator, Runtime
from peer_shared.logging import get_logger

log = get_logger(__name__)


async def reception(request: Request) -> Reception:
    """FastAPI dependency: where the FHIR feed hands referrals in (set up by `create_app`)."""
    found: Reception = request.app.state.reception
    return found


router = APIRouter(prefix="/fhir", tags=["FHIR referrals"], responses=responses.OUTCOME_RESPONSES)
Intake = Annotated[Reception, Depends(reception)]
_FHIR_BODY = {
    "requestBody": {
        "required": True,
        "content": {responses.FHIR_JSON: {"schema": {"type": "object"}}},
        "description": "A UK Core (FHIR R4) resource",
    }
}


@router.post("/ServiceRequest", status_code=201, summary="Refer someone", openapi_extra=_FHIR_BODY)
async def create_service_request(
    request: Request, principal: ReferrerOrCoordinator, intake: Intake, runtime: Runtime
) -> JSONResponse:
    """Take a UK Core ServiceRequest with its Patient contained; answer 201 and its `Location`."""
    outcome = await _ingest(request, "ServiceRequest", principal, intake)
    if isinstance(outcome, JSONResponse):
        return outcome
    _, received = outcome
    location = {"Location": f"{_base(request)}/ServiceRequest/{received.referral_id}"}
    if not received.created:
        # The same referral was sent before: answer as a conditional create does, with what is held.
        return await read_service_request(received.referral_id, principal, runtime)
    now = runtime.clock.now()
    body = responses.service_request_view(received.referral_id, TriageStatus.RECEIVED, "received", now)
    return _fhir(body, 201, headers=location)


@router.post("", summary="Refer someone in a transaction Bundle", openapi_extra=_FHIR_BODY)
async def transaction(
    request: Request, principal: ReferrerOrCoordinator, intake: Intake, runtime: Runtime
) -> JSONResponse:
    """Take a `transaction` Bundle holding a ServiceRequest and its Patient."""
    outcome = await _ingest(request, "Bundle", principal, intake, bundle_type="transaction")
    if isinstance(outcome, JSONResponse):
        return outcome
    referral, received = outcome
    now = runtime.clock.now()
    body = responses.transaction_response(referral.entry_types, received.referral_id, received.created, now)
    return _fhir(body, 200)


@router.post("/$process-message", summary="Refer someone in a message Bundle", openapi_extra=_FHIR_BODY)
async def process_message(
    request: Request, principal: ReferrerOrCoordinator, intake: Intake, runtime: Runtime
) -> JSONResponse:
    """Take a `message` Bundle (MessageHeader first) holding a ServiceRequest and its Patient."""
    outcome = await _ingest(request, "Bundle", principal, intake, bundle_type="message")
    if isinstance(outcome, JSONResponse):
        return outcome
    referral, received = outcome
    now = runtime.clock.now()
    body = responses.message_response(
        referral.message_header_id, received.referral_id, now, base=_base(request)
    )
    return _fhir(body, 200)


@router.get("/ServiceRequest/{referral_id}", summary="A referral's status")
async def read_service_request(
    referral_id: str, principal: ReferrerOrCoordinator, runtime: Runtime
) -> JSONResponse:
    """The referral as a ServiceRequest (status only); a referrer sees only the referrals they sent."""
    async with runtime.sessions() as session:
        row = await referrals_repo.get_referral(session, referral_id)
    if row is None or (principal.role is Role.REFERRER and row.submitted_by != principal.subject):
        raise referral_not_found(referral_id, "no such referral")
    stage = SupportStage(row.support_stage) if row.support_stage else None
    detail = progress(row.triage_status, stage)
    body = responses.service_request_view(row.id, TriageStatus(row.triage_status), detail, row.updated_at)
    return _fhir(body, 200)


async def _ingest(
    request: Request,
    expected: str,
    principal: Principal,
    intake: Reception,
    *,
    bundle_type: str | None = None,
) -> tuple[FhirReferral, Received] | JSONResponse:
    try:
        raw = await read_limited(request, intake.settings.max_request_bytes)
        referral = read_fhir(raw, expected)
        if referral.bundle_type != bundle_type:
            wanted = f"a {bundle_type} Bundle" if bundle_type else "a ServiceRequest"
            raise InvalidReferral(
                [Problem(ProblemCode.UNSUPPORTED, "Bundle.type", f"this endpoint takes {wanted}")]
            )
        valid = intake.check(referral.submission)
    except BodyTooLarge as exc:
        return _refuse([Problem(ProblemCode.TOO_LARGE, "", str(exc))])
    except InvalidReferral as exc:
        return _refuse(exc.problems)
    try:
        received = await intake.submit(valid, principal.subject)
    except Exception as exc:
        # Not stored (or not known to be): the referrer may send it again, which is safe.
        log.warning("FHIR referral not stored", error=type(exc).__name__)
        return _refuse(
            [Problem(ProblemCode.UNAVAILABLE, "", "the referral could not be stored; send it again")]
        )
    return referral, received


def _refuse(problems: list[Problem]) -> JSONResponse:
    log.info("FHIR referral refused", problems=[p.code.value for p in problems])
    return _fhir(responses.operation_outcome(problems), responses.http_status(problems))


def _fhir(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=responses.FHIR_JSON, headers=headers)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"
