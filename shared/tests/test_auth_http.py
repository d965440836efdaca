"""Role enforcement on a small FastAPI app, and the check that every route declares its roles."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import APIRouter, Depends, FastAPI

from peer_shared.auth import (
    Principal,
    RevocationList,
    Role,
    TokenVerifier,
    issue_token,
    require_roles,
    unprotected_routes,
)
from peer_shared.clock import FixedClock

ISSUER = "peer-support-operator"
KEY = Ed25519PrivateKey.generate()
CLOCK = FixedClock(datetime(2025, 3, 3, 9, 0, tzinfo=UTC))

Coordinator = Annotated[Principal, Depends(require_roles(Role.COORDINATOR))]


def _app() -> FastAPI:
    app = FastAPI()
    app.state.token_verifier = TokenVerifier({ISSUER: KEY.public_key()}, RevocationList(), CLOCK)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/pairings")
    async def pairings(principal: Coordinator) -> dict[str, str]:
        return {"subject": principal.subject, "role": principal.role}

    @app.get("/reports")
    async def reports(
        principal: Annotated[Principal, Depends(require_roles(Role.COMMISSIONER, Role.COORDINATOR))],
    ) -> dict[str, str]:
        return {"subject": principal.subject}

    mentors = APIRouter(prefix="/mentors", dependencies=[Depends(require_roles(Role.COORDINATOR))])

    @mentors.get("")
    async def list_mentors() -> list[str]:
        return []

    app.include_router(mentors)
    return app


def _token(role: Role, *, ttl: timedelta = timedelta(hours=1)) -> str:
    return issue_token(KEY, issuer=ISSUER, role=role, subject=f"{role}-1", ttl=ttl, clock=CLOCK)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        yield client


async def test_no_token_is_401_with_a_bearer_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get("/pairings")

    assert response.status_code == 401
    assert response.json() == {"detail": "missing bearer token"}
    assert response.headers["www-authenticate"] == 'Bearer realm="peer-support"'


async def test_another_scheme_counts_as_no_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/pairings", headers={"Authorization": "Basic dXNlcjpwYXNz"})

    assert response.status_code == 401
    assert response.json() == {"detail": "missing bearer token"}


async def test_a_bad_token_is_401_with_the_reason(client: httpx.AsyncClient) -> None:
    response = await client.get("/pairings", headers={"Authorization": "Bearer not-a-jwt"})

    assert response.status_code == 401
    assert response.json() == {"detail": "token is not a valid JWT"}
    assert response.headers["www-authenticate"] == (
        'Bearer realm="peer-support", error="invalid_token", error_description="token is not a valid JWT"'
    )


async def test_an_expired_token_says_when_it_expired(client: httpx.AsyncClient) -> None:
    token = _token(Role.COORDINATOR, ttl=timedelta(minutes=10))
    CLOCK.advance(timedelta(hours=1))
    try:
        response = await client.get("/pairings", headers={"Authorization": f"Bearer {token}"})
    finally:
        CLOCK.advance(timedelta(hours=-1))

    assert response.status_code == 401
    assert response.json() == {"detail": "token expired at 2025-03-03T09:10:00Z"}


async def test_the_wrong_role_is_403_naming_both_roles(client: httpx.AsyncClient) -> None:
    response = await client.get("/pairings", headers={"Authorization": f"Bearer {_token(Role.MENTOR)}"})

    assert response.status_code == 403
    assert response.json() == {"detail": "this endpoint admits role coordinator; the token's role is mentor"}
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]


async def test_the_right_role_reaches_the_endpoint(client: httpx.AsyncClient) -> None:
    response = await client.get("/pairings", headers={"Authorization": f"Bearer {_token(Role.COORDINATOR)}"})

    assert response.status_code == 200
    assert response.json() == {"subject": "coordinator-1", "role": "coordinator"}


@pytest.mark.parametrize(
    ("role", "status"), [(Role.COMMISSIONER, 200), (Role.COORDINATOR, 200), (Role.REFERRER, 403)]
)
async def test_an_endpoint_may_admit_several_roles(
    client: httpx.AsyncClient, role: Role, status: int
) -> None:
    response = await client.get("/reports", headers={"Authorization": f"Bearer {_token(role)}"})

    assert response.status_code == status
    if status == 403:
        assert "admits role commissioner or coordinator" in response.json()["detail"]


async def test_router_level_roles_are_enforced(client: httpx.AsyncClient) -> None:
    assert (await client.get("/mentors")).status_code == 401
    response = await client.get("/mentors", headers={"Authorization": f"Bearer {_token(Role.COORDINATOR)}"})
    assert response.status_code == 200


def test_every_route_of_the_app_declares_roles() -> None:
    assert unprotected_routes(_app()) == []


def test_an_undeclared_route_is_found() -> None:
    app = _app()

    @app.post("/referrals")
    async def submit() -> None:
        """Someone forgot `require_roles`."""

    assert unprotected_routes(app) == ["POST /referrals"]


def test_openapi_shows_the_bearer_scheme_on_protected_routes() -> None:
    document = _app().openapi()

    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert document["paths"]["/pairings"]["get"]["security"] == [{"HTTPBearer": []}]
    assert "security" not in document["paths"]["/healthz"]["get"]


def test_an_endpoint_must_admit_some_role() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        require_roles()
