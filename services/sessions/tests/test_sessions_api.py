"""The HTTP API on real Postgres (and NATS behind the outbox): roles, logging, corrections, refusals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sessions_support import RunningService

from peer_sessions.app import create_app
from peer_sessions.domain.pairing import Pairing
from peer_sessions.settings import SessionsSettings
from peer_shared.auth import Role, unprotected_routes
from peer_shared.contracts.events.sessions import GoalReviewed, GoalSet, SessionLogged
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration


def session_body(service: RunningService, *, days_ago: float = 1, **changes: Any) -> dict[str, Any]:
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


def as_mentor(service: RunningService, pairing: Pairing) -> dict[str, str]:
    return service.auth(Role.MENTOR, pairing.mentor_id)


async def log(service: RunningService, pairing: Pairing, body: dict[str, Any]) -> dict[str, Any]:
    response = await service.client.post(
        f"/pairings/{pairing.id}/sessions", json=body, headers=as_mentor(service, pairing)
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_every_route_declares_the_roles_it_admits_and_is_documented() -> None:
    app = create_app(SessionsSettings())
    assert unprotected_routes(app) == []
    documented = app.openapi()["paths"]
    assert {"/pairings", "/pairings/{pairing_id}/sessions", "/safeguarding/concerns"} <= set(documented)
    assert all(operation.get("summary") for path in documented.values() for operation in path.values())


async def test_a_mentor_logs_sessions_sets_goals_and_reviews_them_later(service: RunningService) -> None:
    pairing = await service.seed_pairing()
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

    await eventually(lambda: _has(service, GoalReviewed, 1))
    assert [e.data.confidence for e in await service.published(GoalSet)] == [6]  # type: ignore[attr-defined]
    assert len(await service.published(SessionLogged)) == 2


async def test_a_correction_is_a_new_revision_and_is_published_again(service: RunningService) -> None:
    pairing = await service.seed_pairing()
    logged = await log(service, pairing, session_body(service))
    fix = session_body(service, duration_minutes=45, notes="Porridge, and a walk after lunch.")
    response = await service.client.put(
        f"/sessions/{logged['id']}", json=fix, headers=as_mentor(service, pairing)
    )
    assert response.status_code == 200, response.text
    assert (response.json()["revision"], response.json()["duration_minutes"]) == (2, 45)

    revisions = await service.client.get(f"/sessions/{logged['id']}/revisions", headers=service.auth())
    assert [(r["revision"], r["duration_minutes"]) for r in revisions.json()] == [(1, 60), (2, 45)]
    assert revisions.json()[0]["notes"].startswith("Talked about swapping")

    await eventually(lambda: _has(service, SessionLogged, 2))
    published = await service.published(SessionLogged)
    assert [(e.data.session_id, e.data.revision) for e in published] == [(logged["id"], 1), (logged["id"], 2)]  # type: ignore[attr-defined]


async def test_a_mentor_sees_only_their_own_pairings(service: RunningService) -> None:
    mine, theirs = await service.seed_pairing(), await service.seed_pairing()
    listed = await service.client.get("/pairings", headers=as_mentor(service, mine))
    assert [p["id"] for p in listed.json()["items"]] == [mine.id]
    everything = await service.client.get("/pairings", headers=service.auth())
    assert {p["id"] for p in everything.json()["items"]} == {mine.id, theirs.id}

    refused = await service.client.get(f"/pairings/{theirs.id}", headers=as_mentor(service, mine))
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": f"pairing {theirs.id} belongs to another mentor",
        "code": "not-your-pairing",
    }
    for path in (f"/pairings/{theirs.id}/sessions", f"/pairings/{theirs.id}/goals"):
        assert (await service.client.get(path, headers=as_mentor(service, mine))).status_code == 403


async def test_roles_outside_the_endpoint_are_refused(service: RunningService) -> None:
    pairing = await service.seed_pairing()
    assert (await service.client.get("/pairings")).status_code == 401
    commissioner = service.auth(Role.COMMISSIONER, "usr_" + "d" * 32)
    assert (await service.client.get("/pairings", headers=commissioner)).status_code == 403
    mentor_pausing = await service.client.post(
        f"/pairings/{pairing.id}/pause", json={"reason": "other"}, headers=as_mentor(service, pairing)
    )
    assert mentor_pausing.status_code == 403
    badly_named = service.auth(Role.MENTOR, "bob")
    refused = await service.client.get("/pairings", headers=badly_named)
    assert (refused.status_code, refused.json()["code"]) == (403, "mentor-subject-invalid")


async def test_coordinator_overview_shows_activity_and_quiet_pairings(service: RunningService) -> None:
    busy, quiet = await service.seed_pairing(), await service.seed_pairing()
    await log(service, busy, session_body(service, days_ago=3))
    missed = session_body(
        service, days_ago=2, attendance="mentee-did-not-attend", duration_minutes=None, topics=[]
    )
    await log(service, busy, missed)

    detail = (await service.client.get(f"/pairings/{busy.id}", headers=service.auth())).json()
    assert detail["activity"]["sessions"] == 2
    assert detail["activity"]["attended"] == 1
    assert detail["activity"]["attendance_rate"] == 0.5
    found = await service.client.get("/pairings/quiet", params={"days": 14}, headers=service.auth())
    assert [p["id"] for p in found.json()["items"]] == [quiet.id]
    assert found.json()["total"] == 1
    everyone = await service.client.get("/pairings/quiet", params={"days": 60}, headers=service.auth())
    assert everyone.json()["items"] == []


async def test_coordinator_runs_the_pairing_lifecycle(service: RunningService) -> None:
    pairing = await service.seed_pairing()
    base = f"/pairings/{pairing.id}"
    paused = await service.client.post(
        f"{base}/pause", json={"reason": "mentee-unavailable"}, headers=service.auth()
    )
    assert paused.json()["status"] == "paused"
    again = await service.client.post(f"{base}/pause", json={"reason": "other"}, headers=service.auth())
    assert (again.status_code, again.json()["code"]) == (409, "pairing-not-active")
    assert (await service.client.post(f"{base}/resume", headers=service.auth())).json()["status"] == "active"
    completed = await service.client.post(f"{base}/complete", headers=service.auth())
    assert completed.json()["status"] == "completed"
    ended = await service.client.post(f"{base}/end", json={"reason": "other"}, headers=service.auth())
    assert (ended.status_code, ended.json()["code"]) == (409, "pairing-finished")


# --- Bad inputs: each gets a specific 4xx and changes nothing. ---


@dataclass(frozen=True)
class BadInput:
    """A request the service must refuse: how to set the scene, what to send, and what it answers."""

    name: str
    prepare: Callable[[RunningService, Pairing], Awaitable[None]]
    body: Callable[[RunningService], dict[str, Any]]
    status: int
    code: str
    as_other_mentor: bool = False
    path: str = "/pairings/{pairing_id}/sessions"


async def nothing(_service: RunningService, _pairing: Pairing) -> None:
    return None


async def end_it(service: RunningService, pairing: Pairing) -> None:
    response = await service.client.post(
        f"/pairings/{pairing.id}/end", json={"reason": "no-engagement"}, headers=service.auth()
    )
    assert response.status_code == 200


async def pause_it(service: RunningService, pairing: Pairing) -> None:
    response = await service.client.post(
        f"/pairings/{pairing.id}/pause", json={"reason": "mentee-unavailable"}, headers=service.auth()
    )
    assert response.status_code == 200


async def log_one_yesterday(service: RunningService, pairing: Pairing) -> None:
    await log(service, pairing, session_body(service, days_ago=1))


async def log_one_on_another_pairing(service: RunningService, pairing: Pairing) -> None:
    # The same mentor's other mentee, at the same time: the mentor cannot be in two places.
    other = await service.seed_pairing(mentor_id=pairing.mentor_id)
    await log(service, other, session_body(service, days_ago=1))


def half_an_hour_later(service: RunningService) -> dict[str, Any]:
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
    service: RunningService, bad: BadInput
) -> None:
    pairing = await service.seed_pairing()
    await bad.prepare(service, pairing)
    before = await service.counts()
    mentor = "mnt_" + "e" * 32 if bad.as_other_mentor else pairing.mentor_id

    response = await service.client.post(
        bad.path.format(pairing_id=pairing.id),
        json=bad.body(service),
        headers=service.auth(Role.MENTOR, mentor),
    )

    assert (response.status_code, response.json().get("code")) == (bad.status, bad.code), response.text
    assert await service.counts() == before


async def test_a_bad_correction_is_refused_and_keeps_the_session_as_it_was(service: RunningService) -> None:
    pairing = await service.seed_pairing()
    logged = await log(service, pairing, session_body(service))
    before = await service.counts()
    response = await service.client.put(
        f"/sessions/{logged['id']}",
        json=session_body(service, duration_minutes=500),
        headers=as_mentor(service, pairing),
    )
    assert (response.status_code, response.json()["code"]) == (422, "duration-out-of-range")
    assert await service.counts() == before
    current = (await service.client.get(f"/sessions/{logged['id']}", headers=service.auth())).json()
    assert (current["revision"], current["duration_minutes"]) == (1, 60)


async def _has(service: RunningService, data_type: type[Any], count: int) -> bool:
    return len(await service.published(data_type)) >= count
