"""The mentor registry over HTTP on the real database: roles, lifecycle events in the outbox, and bad
input refused with a specific 4xx that changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from peer_shared.auth import Role
from peer_shared.http.problems import PROBLEM_JSON
from peer_testkit.harness import ServiceHarness
from peer_testkit.matching import mentor_body, snapshot

pytestmark = pytest.mark.integration


async def outbox_types(service: ServiceHarness) -> list[str]:
    async with service.sessions() as session:
        rows = await session.execute(text("SELECT headers->>'ce-type' FROM outbox ORDER BY id"))
        return [t.rsplit(".", 2)[-2] for (t,) in rows.all()]


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The answer is RFC 9457 problem details with this status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["type"].endswith(body["code"])
    return body


async def test_roles_are_enforced(matching: ServiceHarness) -> None:
    before = await snapshot(matching)
    anonymous = await matching.client.get("/mentors", headers={"Authorization": ""})
    problem(anonymous, 401)
    as_mentor = matching.auth(Role.MENTOR, "someone")
    forbidden = await matching.client.post("/mentors", json={}, headers=as_mentor)
    problem(forbidden, 403)
    assert await snapshot(matching) == before


async def test_a_mentor_is_registered_trained_activated_paused_and_retired(
    matching: ServiceHarness, condition: str
) -> None:
    body = mentor_body(matching, condition, status="applicant", training=[], capacity=3, travel_km=12.5)
    created = await matching.client.post("/mentors", json=body)
    assert created.status_code == 201, created.text
    mentor = created.json()
    mentor_id = mentor["mentor_id"]
    assert mentor["status"] == "applicant" and mentor["capacity"] == 3 and mentor["load"] == 0
    assert mentor["contact"]["full_name"] == "Alex Example"
    assert len(mentor["missing_modules"]) == 7

    refused = problem(await matching.client.post(f"/mentors/{mentor_id}/activate"), 409)
    assert refused["code"] == "not-ready"
    assert "motivational-interviewing" in refused["detail"]

    trained = mentor_body(matching, condition)["training"]
    changed = await matching.client.patch(
        f"/mentors/{mentor_id}", json={"training": trained, "in_training": True}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "in-training" and changed.json()["missing_modules"] == []

    assert (await matching.client.post(f"/mentors/{mentor_id}/activate")).json()["status"] == "active"
    paused = await matching.client.post(f"/mentors/{mentor_id}/pause", json={"reason": "unavailable"})
    assert paused.json()["status"] == "paused"
    assert (await matching.client.post(f"/mentors/{mentor_id}/activate")).json()["status"] == "active"
    left = await matching.client.post(f"/mentors/{mentor_id}/retire", json={"reason": "moved-away"})
    assert left.json()["status"] == "left"
    again = await matching.client.post(f"/mentors/{mentor_id}/retire", json={"reason": "moved-away"})
    assert problem(again, 409)["code"] == "mentor-left"

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
    listed = (await matching.client.get("/mentors", params={"status": "left"})).json()
    assert [m["mentor_id"] for m in listed] == [mentor_id]


async def test_bad_input_gets_a_specific_error_and_changes_nothing(
    matching: ServiceHarness, condition: str
) -> None:
    active = (await matching.client.post("/mentors", json=mentor_body(matching, condition))).json()
    before = await snapshot(matching)
    long_ago = (matching.today() - timedelta(days=4 * 365)).isoformat()
    tomorrow = (matching.today() + timedelta(days=1)).isoformat()

    async def refused(method: str, url: str, body: dict[str, Any], status: int, needle: str) -> None:
        response: httpx.Response = await matching.client.request(method, url, json=body)
        problem(response, status)
        assert needle in response.text, response.text
        assert await snapshot(matching) == before, f"{method} {url} changed something"

    training = [{"module": "juggling", "completed_on": "2025-01-01"}]
    await refused(
        "POST", "/mentors", mentor_body(matching, condition, training=training), 422, "body.training.0.module"
    )
    await refused("POST", "/mentors", mentor_body(matching, condition, capacity=-1), 422, "capacity")
    await refused("POST", "/mentors", mentor_body(matching, condition, capacity=0), 422, "capacity")
    await refused(
        "POST",
        "/mentors",
        mentor_body(matching, condition, postcode_district="ZZ9"),
        422,
        "unknown postcode district",
    )
    await refused(
        "POST",
        "/mentors",
        mentor_body(matching, condition, postcode_district="M1 1AE"),
        422,
        "postcode_district",
    )
    await refused(
        "POST",
        "/mentors",
        mentor_body(matching, condition, dbs_checked_on=long_ago),
        422,
        "dbs check missing or expired",
    )
    await refused(
        "POST", "/mentors", mentor_body(matching, condition, dbs_checked_on=tomorrow), 422, "date-in-future"
    )
    await refused("POST", "/mentors", mentor_body(matching, condition, nickname="Al"), 422, "nickname")
    await refused("POST", "/mentors", mentor_body(matching, condition, travel_km=-3), 422, "travel_km")

    mentor_url = f"/mentors/{active['mentor_id']}"
    await refused("PATCH", mentor_url, {"dbs_checked_on": long_ago}, 422, "not-ready")
    await refused("PATCH", mentor_url, {"capacity": -2}, 422, "capacity")
    await refused("PATCH", mentor_url, {"postcode_district": "QQ1"}, 422, "unknown postcode district")
    await refused("POST", f"{mentor_url}/activate", {}, 409, "already-active")
    await refused("POST", f"{mentor_url}/pause", {"reason": "bored"}, 422, "reason")
    await refused("POST", "/mentors/mnt_" + "0" * 32 + "/activate", {}, 404, "unknown-mentor")
    await refused("POST", "/mentors/not-an-id/activate", {}, 422, "mentor_id")

    applicant = (
        await matching.client.post(
            "/mentors", json=mentor_body(matching, condition, status="in-training", dbs_checked_on=long_ago)
        )
    ).json()
    before = await snapshot(matching)
    await refused(
        "POST", f"/mentors/{applicant['mentor_id']}/activate", {}, 409, "dbs check missing or expired"
    )


async def test_checks_running_out_are_listed_soonest_first(matching: ServiceHarness, condition: str) -> None:
    three_years = 3 * 365
    soon = (matching.today() - timedelta(days=three_years - 10)).isoformat()
    later = (matching.today() - timedelta(days=three_years - 200)).isoformat()
    refresher_soon = (matching.today() - timedelta(days=365 - 20)).isoformat()
    first = (
        await matching.client.post("/mentors", json=mentor_body(matching, condition, dbs_checked_on=soon))
    ).json()
    second = (
        await matching.client.post(
            "/mentors",
            json=mentor_body(
                matching, condition, dbs_checked_on=later, safeguarding_refreshed_on=refresher_soon
            ),
        )
    ).json()
    listed = (await matching.client.get("/mentors/checks/expiring", params={"within_days": 30})).json()
    assert [(c["mentor_id"], c["check"], c["days_left"]) for c in listed] == [
        (first["mentor_id"], "dbs", 10),
        (second["mentor_id"], "safeguarding-refresher", 20),
    ]
    assert (await matching.client.get("/mentors/checks/expiring", params={"within_days": 5})).json() == []
    assert (
        await matching.client.get("/mentors/checks/expiring", params={"within_days": -1})
    ).status_code == 422
