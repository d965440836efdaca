"""The routes as the OpenAPI document shows them: fast, the app is built but never started."""

from __future__ import annotations

from peer_sessions.app import create_app
from peer_sessions.settings import SessionsSettings
from peer_shared.auth import unprotected_routes
from peer_shared.http.problems import PROBLEM_JSON


def test_every_route_declares_the_roles_it_admits_and_is_documented() -> None:
    app = create_app(SessionsSettings())
    assert unprotected_routes(app) == []
    documented = app.openapi()["paths"]
    assert {"/pairings", "/pairings/{pairing_id}/sessions", "/safeguarding/concerns"} <= set(documented)
    assert all(operation.get("summary") for path in documented.values() for operation in path.values())


def test_every_refusal_is_documented_as_problem_details() -> None:
    operation = create_app(SessionsSettings()).openapi()["paths"]["/pairings/{pairing_id}/sessions"]["post"]
    for status in ("403", "404", "409", "422"):
        assert set(operation["responses"][status]["content"]) == {PROBLEM_JSON}
