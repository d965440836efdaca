"""The HTTP API on real Postgres (and NATS behind the outbox): roles, logging, corrections, refusals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from peer_events.events.sessions import GoalReviewed, GoalSet, SessionLogged
from peer_sessions.domain.pairing import Pairing
from peer_shared.auth import Role
from peer_shared.http.problems import PROBLEM_JSON
from peer_testkit.harness import ServiceHarness
from peer_testkit.sessions import as_coordinator, counts, has_published, published, seed_pairing
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration


def session_body(service: ServiceHarness, *, days_ago: float = 1, **changes: Any) -> dict[str, Any]:
    """A valid session that took place `days_ago` days ago, for an hour."""
    body = {
        "starts_at": (service.clock.now() - timedelta(days=days_ago)).isoformat(),
        "duration_minutes": 60,
        "mode": "cafe",
        "attendance": "attended",
        "topics": ["diet", "physical-activity"],
        "notes": "Talked about swapping the morning pastry for porridge.",
    }
    return body | changes


def as_mentor(service: ServiceHarness, pairing: Pairing) -> dict[str, str]:
    return service.auth(Role.MENTOR, pairing.mentor_id)


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The answer is an RFC 9457 problem with this status and code."""
    assert (response.status_code, response.headers["content-type"]) == (status, PROBLEM_JSON), response.text
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"], body["type"]) == (status, code, f"urn:peer-support:problem:{code}")
    return body


async def log(service: ServiceHarness, pairing: Pairing, body: dict[str, Any]) -> dict[str, Any]:
    response = await service.client.post(
        f"/pairings/{pairing.id}/sessions", json=body, headers=as_mentor(service, pairing)
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_a_mentor_logs_sessions_sets_goals_and_reviews_them_later(service: ServiceHarness) -> None:
    pairing = await seed_pairing(service)
    goal = {
        "topic": "physical-activity",
        "what": "Walk to the shops",
        "how_much": "20 minutes",
        "when": "mornings",
        "how_often": "3 times a week",
        "confidence": 6,
    }
    first = await log(service, pairing, session_body(service, days_ago=8, new_goals=[goal]))
    assert (first["number"], first["revision"], first["goals_set"]) == (1, 1, 1)
    goal_id = first["goal_ids"][0]
    revised = {"topic": "physical-activity", "what": "Walk to the park", "how_often": "daily"}
    review = {"goal_id": goal_id, "progress": "revised", "confidence": 8, "revised_goal": revised}
    second = await log(service, pairing, session_body(service, days_ago=1, goal_reviews=[review]))
    assert (second["number"], second["goals_reviewed"]) == (2, 1)

    goals = (
        await service.client.get(f"/pairings/{pairing.id}/goals", headers=as_mentor(service, pairing))
    ).json()
    assert len(goals) == 1
    assert (goals[0]["what"], goals[0]["progress"], goals[0]["confidence"]) == (
        "Walk to the park",
        "revised",
        8,
    )
    history = [(step["kind"], step["what"], step["confidence"]) for step in goals[0]["history"]]
    assert history == [("set", "Walk to the shops", 6), ("reviewed", "Walk to the park", 8)]

    await eventually(lambda: has_published(service, GoalReviewed, 1))
    assert [e.data.confidence for e in await published(service, GoalSet)] == [6]  # type: ignore[attr-defined]
    assert len(await published(service, SessionLogged)) == 2


async def test_a_correction_is_a_new_revision_and_is_published_again(service: ServiceHarness) -> None:
    pairing = await seed_pairing(service)
    logged = await log(service, pairing, session_body(service))
    fix = session_body(service, duration_minutes=45, notes="Porridge, and a walk after lunch.")
    response = await service.client.put(
        f"/sessions/{logged['id']}", json=fix, headers=as_mentor(service, pairing)
    )
    assert response.status_code == 200, response.text
    assert (response.json()["revision"], response.json()["duration_minutes"]) == (2, 45)

    revisions = await service.client.get(
        f"/sessions/{logged['id']}/revisions", headers=as_coordinator(service)
    )
    assert [(r["revision"], r["duration_minutes"]) for r in revisions.json()] == [(1, 60), (2, 45)]
    assert revisions.json()[0]["notes"].startswith("Talked about swapping")

    await eventually(lambda: has_published(service, SessionLogged, 2))
    versions = await published(service, SessionLogged)
    assert [(e.data.session_id, e.data.revision) for e in versions] == [(logged["id"], 1), (logged["id"], 2)]  # type: ignore[attr-defined]


async def test_a_mentor_sees_only_their_own_pairings(service: ServiceHarness) -> None:
    mine, theirs = await seed_pairing(service), await seed_pairing(service)
    listed = await service.client.get("/pairings", headers=as_mentor(service, mine))
    assert [p["id"] for p in listed.json()["items"]] == [mine.id]
    everything = await service.client.get("/pairings", headers=as_coordinator(service))
    assert {p["id"] for p in everything.json()["items"]} == {mine.id, theirs.id}

    refused = await service.client.get(f"/pairings/{theirs.id}", headers=as_mentor(service, mine))
    problem = assert_problem(refused, 403, "not-your-pairing")
    assert (problem["title"], problem["detail"]) == (
        "Forbidden",
        f"pairing {theirs.id} belongs to another mentor",
    )
    for path in (f"/pairings/{theirs.id}/sessions", f"/pairings/{theirs.id}/goals"):
        assert (await service.client.get(path, headers=as_mentor(service, mine))).status_code == 403


async def test_roles_outside_the_endpoint_are_refused(service: ServiceHarness) -> None:
    pairing = await seed_pairing(service)
    assert (await service.client.get("/pairings")).status_code == 401
    commissioner = service.auth(Role.COMMISSIONER, "usr_" + "d" * 32)
    assert (await service.client.get("/pairings", headers=commissioner)).status_code == 403
    mentor_pausing = await service.client.post(
        f"/pairings/{pairing.id}/pause", json={"reason": "other"}, headers=as_mentor(service, pairing)
    )
    assert mentor_pausing.status_code == 403
    badly_named = service.auth(Role.MENTOR, "bob")
    assert_problem(await service.client.get("/pairings", headers=badly_named), 403, "mentor-subject-invalid")


async def test_coordinator_overview_shows_activity_and_quiet_pairings(service: ServiceHarness) -> None:
    busy, quiet = await seed_pairing(service), await seed_pairing(service)
    await log(service, busy, session_body(service, days_ago=3))
    missed = session_body(
        service, days_ago=2, attendance="mentee-did-not-attend", duration_minutes=None, topics=[]
    )
    await log(service, busy, missed)

    detail = (await service.client.get(f"/pairings/{busy.id}", headers=as_coordinator(service))).json()
    assert detail["activity"]["sessions"] == 2
    assert detail["activity"]["attended"] == 1
    assert detail["activity"]["attendance_rate"] == 0.5
    found = await service.client.get("/pairings/quiet", params={"days": 14}, headers=as_coordinator(service))
    assert [p["id"] for p in found.json()["items"]] == [quiet.id]
    assert found.json()["total"] == 1
    everyone = await service.client.get(
        "/pairings/quiet", params={"days": 60}, headers=as_coordinator(service)
    )
    assert everyone.json()["items"] == []


async def test_coordinator_runs_the_pairing_lifecycle(service: ServiceHarness) -> None:
    pairing = await seed_pairing(service)
    base = f"/pairings/{pairing.id}"
    paused = await service.client.post(
        f"{base}/pause", json={"reason": "mentee-unavailable"}, headers=as_coordinator(service)
    )
    assert paused.json()["status"] == "paused"
    again = await service.client.post(
        f"{base}/pause", json={"reason": "other"}, headers=as_coordinator(service)
    )
    assert_problem(again, 409, "pairing-not-active")
    assert (await service.client.post(f"{base}/resume", headers=as_coordinator(service))).json()[
        "status"
    ] == "active"
    completed = await service.client.post(f"{base}/complete", headers=as_coordinator(service))
    assert completed.json()["status"] == "completed"
    ended = await service.client.post(
        f"{base}/end", json={"reason": "other"}, headers=as_coordinator(service)
    )
    assert_problem(ended, 409, "pairing-finished")


# --- Bad inputs: each gets a specific 4xx and changes nothing. ---


@dataclass(frozen=True)
class BadInput:
    """A request the service must refuse: how to set the scene, what to send, and what it answers."""

    name: str
    prepare: Callable[[ServiceHarness, Pairing], Awaitable[None]]
    body: Callable[[ServiceHarness], dict[str, Any]]
    status: int
    code: str
    as_other_mentor: bool = False
    path: str = "/pairings/{pairing_id}/sessions"


async def nothing(_service: ServiceHarness, _pairing: Pairing) -> None:
    return None


async def end_it(service: ServiceHarness, pairing: Pairing) -> None:
    response = await service.client.post(
        f"/pairings/{pairing.id}/end", json={"reason": "no-engagement"}, headers=as_coordinator(service)
    )
    assert response.status_code == 200


async def pause_it(service: ServiceHarness, pairing: Pairing) -> None:
    response = await service.client.post(
        f"/pairings/{pairing.id}/pause",
        json={"reason": "mentee-unavailable"},
        headers=as_coordinator(service),
    )
    assert response.status_code == 200


async def log_one_yesterday(service: ServiceHarness, pairing: Pairing) -> None:
    await log(service, pairing, session_body(service, days_ago=1))


async def log_one_on_another_pairing(service: ServiceHarness, pairing: Pairing) -> None:
    # The same mentor's other mentee, at the same time: the mentor cannot be in two places.
    other = await seed_pairing(service, mentor_id=pairing.mentor_id)
    await log(service, other, session_body(service, days_ago=1))


def half_an_hour_later(service: ServiceHarness) -> dict[str, Any]:
    return session_body(service, days_ago=1 - 1 / 48)


OUT_OF_RANGE = "duration-out-of-range"
UNKNOWN = "/pairings/pai_" + "0" * 32 + "/sessions"
BAD_INPUTS = [
    BadInput("unknown pairing", nothing, session_body, 404, "pairing-not-found", path=UNKNOWN),
    BadInput("ended pairing", end_it, session_body, 409, "pairing-not-active"),
    BadInput("paused pairing", pause_it, session_body, 409, "pairing-not-active"),
    BadInput("overlapping session", log_one_yesterday, half_an_hour_later, 409, "session-overlaps"),
    BadInput("overlap across pairings", log_one_on_another_pairing, session_body, 409, "session-overlaps"),
    BadInput("duration 0", nothing, lambda s: session_body(s, duration_minutes=0), 422, OUT_OF_RANGE),
    BadInput("duration 500", nothing, lambda s: session_body(s, duration_minutes=500), 422, OUT_OF_RANGE),
    BadInput("future date", nothing, lambda s: session_body(s, days_ago=-2), 422, "session-in-future"),
    BadInput("another mentor's pairing", nothing, session_body, 403, "not-your-pairing", True),
    BadInput("goal on a missed session", nothing, lambda s: session_body(
        s, attendance="cancelled-by-mentee", duration_minutes=None, topics=[],
        new_goals=[{"topic": "diet", "what": "Porridge", "confidence": 5}],
    ), 422, "content-without-attendance"),
    BadInput("review of an unknown goal", nothing, lambda s: session_body(
        s, goal_reviews=[{"goal_id": "gol_" + "0" * 32, "progress": "done", "confidence": 9}]
    ), 422, "goal-not-in-pairing"),
    BadInput("confidence 11", nothing, lambda s: session_body(
        s, new_goals=[{"topic": "diet", "what": "Porridge", "confidence": 11}]
    ), 422, "confidence-out-of-range"),
]  # fmt: skip


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=[b.name for b in BAD_INPUTS])
async def test_a_bad_session_is_refused_with_its_reason_and_changes_nothing(
    service: ServiceHarness, bad: BadInput
) -> None:
    pairing = await seed_pairing(service)
    await bad.prepare(service, pairing)
    before = await counts(service)
    mentor = "mnt_" + "e" * 32 if bad.as_other_mentor else pairing.mentor_id

    response = await service.client.post(
        bad.path.format(pairing_id=pairing.id),
        json=bad.body(service),
        headers=service.auth(Role.MENTOR, mentor),
    )

    assert_problem(response, bad.status, bad.code)
    assert await counts(service) == before


async def test_a_bad_correction_is_refused_and_keeps_the_session_as_it_was(service: ServiceHarness) -> None:
    pairing = await seed_pairing(service)
    logged = await log(service, pairing, session_body(service))
    before = await counts(service)
    response = await service.client.put(
        f"/sessions/{logged['id']}",
        json=session_body(service, duration_minutes=500),
        headers=as_mentor(service, pairing),
    )
    assert_problem(response, 422, "duration-out-of-range")
    assert await counts(service) == before
    current = (await service.client.get(f"/sessions/{logged['id']}", headers=as_coordinator(service))).json()
    assert (current["revision"], current["duration_minutes"]) == (1, 60)


async def test_a_malformed_request_is_answered_as_a_problem_naming_its_fields(
    service: ServiceHarness,
) -> None:
    pairing = await seed_pairing(service)
    unauthenticated = await service.client.get("/pairings")
    assert_problem(unauthenticated, 401, "unauthorised")
    response = await service.client.post(
        f"/pairings/{pairing.id}/sessions",
        json=session_body(service, mode="teleport", colour="blue"),
        headers=as_mentor(service, pairing),
    )
    problem = assert_problem(response, 422, "invalid-request")
    assert {error["field"] for error in problem["errors"]} == {"body.mode", "body.colour"}
