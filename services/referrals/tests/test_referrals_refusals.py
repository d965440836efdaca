"""The referrals service's refusals and how each is answered, pure: no server, no database."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from peer_referrals.app import create_app
from peer_referrals.domain.triage import Triage, TriageError, TriageStatus
from peer_referrals.feeds.fhir.responses import problem_outcome
from peer_referrals.settings import ReferralsSettings
from peer_referrals.use_cases.records import checked_corrections
from peer_shared.http.problems import PROBLEM_JSON, Problem
from peer_shared.refusals import Conflict, FieldProblem, Invalid


def test_a_triage_step_out_of_turn_is_a_conflict_with_its_code() -> None:
    with pytest.raises(TriageError) as refused:
        Triage(TriageStatus.RECEIVED).accept()
    assert isinstance(refused.value, Conflict)
    assert refused.value.code == "triage-step-not-allowed"
    assert "received" in refused.value.message
    with pytest.raises(TriageError) as no_consent:
        Triage(TriageStatus.CONTACTED).accept()
    assert no_consent.value.code == "consent-required"


def test_corrections_are_normalised_or_refused_field_by_field() -> None:
    checked = checked_corrections({"postcode": "ls8 5hx", "given_names": ["Samina"]})
    assert checked == {"postcode": "LS8 5HX", "given_names": ("Samina",)}
    with pytest.raises(Invalid) as nothing:
        checked_corrections({})
    assert nothing.value.code == "no-corrections"
    with pytest.raises(Invalid) as bad:
        checked_corrections({"postcode": "LS8 HX5", "email": "nobody"})
    assert bad.value.code == "invalid-correction"
    assert [f.field for f in bad.value.fields] == ["body.postcode", "body.email"]


def test_a_problem_on_the_fhir_routes_is_an_operation_outcome() -> None:
    problem = Problem(422, "invalid-request", "1 invalid field", (FieldProblem("path.id", "too long", "x"),))
    response = problem_outcome(None, problem)  # type: ignore[arg-type]
    assert response.status_code == 422
    assert response.media_type == "application/fhir+json"
    outcome: dict[str, Any] = json.loads(bytes(response.body))
    assert outcome == {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": "invalid",
                "details": {"coding": [{"system": "urn:peer-support:problem", "code": "x"}]},
                "diagnostics": "too long",
                "expression": ["path.id"],
            }
        ],
    }


async def test_without_a_token_fhir_answers_an_outcome_and_the_api_problem_details() -> None:
    app = create_app(ReferralsSettings())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        fhir = await client.get("/fhir/ServiceRequest/ref_x")
        api = await client.get("/referrals")
    assert fhir.status_code == api.status_code == 401
    assert fhir.headers["content-type"].startswith("application/fhir+json")
    assert fhir.json()["issue"][0]["code"] == "login"
    assert api.headers["content-type"].startswith(PROBLEM_JSON)
    assert api.json()["code"] == "unauthorised"
