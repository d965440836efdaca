"""The matching app, built but not started: every route declares who may call it, and refusals are
answered as problem details (no server needed)."""

from __future__ import annotations

import httpx

from peer_matching.app import create_app
from peer_shared.auth import unprotected_routes
from peer_shared.http.problems import PROBLEM_JSON


def test_every_endpoint_but_health_declares_its_roles() -> None:
    assert unprotected_routes(create_app()) == []


async def test_a_request_without_a_token_is_refused_as_a_problem() -> None:
    app = create_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/matches/mat_" + "0" * 32 + "/confirm")
    assert response.status_code == 401
    assert response.headers["content-type"].split(";")[0] == PROBLEM_JSON
    assert response.json()["status"] == 401 and response.json()["code"]
