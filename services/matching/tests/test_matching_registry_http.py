"""The mentor registry over HTTP on the real database: roles, lifecycle events in the outbox, and bad
input refused with a specific 4xx that changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from matching_support import MatchingService

from peer_matching.app import create_app
from peer_shared.auth import Role, unprotected_routes

pytestmark = pytest.mark.integration


async def outbox_types(service: MatchingService) -> list[str]:
    async with service.runtime.sessions() as session:
        from sqlalchemy import text

        rows = await session.execute(text("SELECT headers->>'ce-type' FROM outbox ORDER BY id"))
        return [t.rsplit(".", 2)[-2] for (t,) in rows.all()]


def test_every_endpoint_but_health_declares_its_roles() -> None:
    assert unprotected_routes(create_app()) == []


async def test_roles_are_enforced(matching: MatchingService, operator_token: Any) -> None:
    anonymous = await matching.http.get("/mentors", headers={"Authorization": ""})
    assert anonymous.status_code == 401
    as_mentor = {"Authorization": f"Bearer {operator_token(Role.MENTOR, 'someone')}"}
    forbidden = await matching.http.post("/mentors", json={}, headers=as_mentor)
    assert forbidden.status_code == 403
    assert await matching.snapshot() == await matching.snapshot()


async def test_a_mentor_is_registered_trained_activated_paused_and_retired(
    matching: MatchingService, condition: str
) -> None:
    body = matching.mentor_body(condition, status="applicant", training=[], capacity=3, travel_km=12.5)
    created = await matching.http.post("/mentors", json=body)
    assert created.status_code == 201, created.text
    mentor = created.json()
    mentor_id = mentor["mentor_id"]
    assert mentor["status"] == "applicant" and mentor["capacity"] == 3 and mentor["load"] == 0
    assert mentor["contact"]["full_name"] == "Alex Example"
    assert len(mentor["missing_modules"]) == 7

    refused = await matching.http.post(f"/mentors/{mentor_id}/activate")
    assert refused.status_code == 409
    assert refused.json()["detail"]["code"] == "not-ready"
    assert "motivational-interviewing" in refused.json()["detail"]["message"]

    trained = matching.mentor_body(condition)["training"]
    changed = await matching.http.patch(
        f"/mentors/{mentor_id}", json={"training": trained, "in_training": True}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "in-training" and changed.json()["missing_modules"] == []

    assert (await matching.http.post(f"/mentors/{mentor_id}/activate")).json()["status"] == "active"
    paused = await matching.http.post(f"/mentors/{mentor_id}/pause", json={"reason": "unavailable"})
    assert paused.json()["status"] == "paused"
    assert (await matching.http.post(f"/mentors/{mentor_id}/activate")).json()["status"] == "active"
    left = await matching.http.post(f"/mentors/{mentor_id}/retire", json={"reason": "moved-away"})
    assert left.json()["status"] == "left"
    again = await matching.http.post(f"/mentors/{mentor_id}/retire", json={"reason": "moved-away"})
    assert again.status_code == 409 and again.json()["detail"]["code"] == "mentor-left"

    assert await outbox_types(matching) == [
        "mentor-registered",
        "mentor-activated",
        "mentor-paused",
        "mentor-activated",
        "mentor-left",
    ]
    # Contact details stay here: no event carries them.
    assert (
        await matching.scalar("SELECT count(*) FROM outbox WHERE convert_from(payload, 'UTF8') LIKE '%Alex%'")
        == 0
    )
    listed = (await matching.http.get("/mentors", params={"status": "left"})).json()
    assert [m["mentor_id"] for m in listed] == [mentor_id]


async def test_bad_input_gets_a_specific_error_and_changes_nothing(
    matching: MatchingService, condition: str
) -> None:
    active = (await matching.http.post("/mentors", json=matching.mentor_body(condition))).json()
    before = await matching.snapshot()
    long_ago = (matching.today - timedelta(days=4 * 365)).isoformat()
    tomorrow = (matching.today + timedelta(days=1)).isoformat()

    async def refused(method: str, url: str, body: dict[str, Any], status: int, needle: str) -> None:
        response: httpx.Response = await matching.http.request(method, url, json=body)
        assert response.status_code == status, response.text
        assert needle in response.text, response.text
        assert await matching.snapshot() == before, f"{method} {url} changed something"

    training = [{"module": "juggling", "completed_on": "2025-01-01"}]
    await refused("POST", "/mentors", matching.mentor_body(condition, training=training), 422, "juggling")
    await refused("POST", "/mentors", matching.mentor_body(condition, capacity=-1), 422, "capacity")
    await refused("POST", "/mentors", matching.mentor_body(condition, capacity=0), 422, "capacity")
    await refused(
        "POST",
        "/mentors",
        matching.mentor_body(condition, postcode_district="ZZ9"),
        422,
        "unknown postcode district",
    )
    await refused(
        "POST",
        "/mentors",
        matching.mentor_body(condition, postcode_district="M1 1AE"),
        422,
        "postcode_district",
    )
    await refused(
        "POST",
        "/mentors",
        matching.mentor_body(condition, dbs_checked_on=long_ago),
        422,
        "dbs check missing or expired",
    )
    await refused(
        "POST", "/mentors", matching.mentor_body(condition, dbs_checked_on=tomorrow), 422, "date-in-future"
    )
    await refused("POST", "/mentors", matching.mentor_body(condition, nickname="Al"), 422, "nickname")
    await refused("POST", "/mentors", matching.mentor_body(condition, travel_km=-3), 422, "travel_km")

    mentor_url = f"/mentors/{active['mentor_id']}"
    await refused("PATCH", mentor_url, {"dbs_checked_on": long_ago}, 422, "not-ready")
    await refused("PATCH", mentor_url, {"capacity": -2}, 422, "capacity")
    await refused("PATCH", mentor_url, {"postcode_district": "QQ1"}, 422, "unknown postcode district")
    await refused("POST", f"{mentor_url}/activate", {}, 409, "already-active")
    await refused("POST", f"{mentor_url}/pause", {"reason": "bored"}, 422, "reason")
    await refused("POST", "/mentors/mnt_" + "0" * 32 + "/activate", {}, 404, "unknown-mentor")
    await refused("POST", "/mentors/not-an-id/activate", {}, 422, "mentor_id")

    applicant = (
        await matching.http.post(
            "/mentors", json=matching.mentor_body(condition, status="in-training", dbs_checked_on=long_ago)
        )
    ).json()
    before = await matching.snapshot()
    await refused(
        "POST", f"/mentors/{applicant['mentor_id']}/activate", {}, 409, "dbs check missing or expired"
    )


async def test_checks_running_out_are_listed_soonest_first(matching: MatchingService, condition: str) -> None:
    three_years = 3 * 365
    soon = (matching.today - timedelta(days=three_years - 10)).isoformat()
    later = (matching.today - timedelta(days=three_years - 200)).isoformat()
    refresher_soon = (matching.today - timedelta(days=365 - 20)).isoformat()
    first = (
        await matching.http.post("/mentors", json=matching.mentor_body(condition, dbs_checked_on=soon))
    ).json()
    second = (
        await matching.http.post(
            "/mentors",
            json=matching.mentor_body(
                condition, dbs_checked_on=later, safeguarding_refreshed_on=refresher_soon
            ),
        )
    ).json()
    listed = (await matching.http.get("/mentors/checks/expiring", params={"within_days": 30})).json()
    assert [(c["mentor_id"], c["check"], c["days_left"]) for c in listed] == [
        (first["mentor_id"], "dbs", 10),
        (second["mentor_id"], "safeguarding-refresher", 20),
    ]
    assert (await matching.http.get("/mentors/checks/expiring", params={"within_days": 5})).json() == []
    assert (
        await matching.http.get("/mentors/checks/expiring", params={"within_days": -1})
    ).status_code == 422
