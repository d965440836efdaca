"""The groups HTTP API on the real servers: cohorts through their lifecycle, the waitlist, enrolment,
group sessions and their registers, follow-ups and completion, and the events each change publishes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from peer_events.events.groups import (
    CohortFinished,
    CohortOpened,
    CohortStarted,
    GroupSessionCancelled,
    GroupSessionHeld,
    MemberEnrolled,
    MemberLeft,
)
from peer_shared.http.problems import PROBLEM_JSON
from peer_testkit.groups import (
    as_coordinator,
    as_mentor,
    cohort_body,
    facilitator,
    new_id,
    published,
    refer,
    wait_published,
    waitlist,
)
from peer_testkit.harness import ServiceHarness

pytestmark = pytest.mark.integration


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The answer is an RFC 9457 problem with this status and code."""
    assert (response.status_code, response.headers["content-type"]) == (status, PROBLEM_JSON), response.text
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"]) == (status, code)
    return body


async def post(
    service: ServiceHarness, path: str, body: dict[str, Any] | None = None, **kw: Any
) -> httpx.Response:
    headers = kw.pop("headers", None) or as_coordinator(service)
    return await service.client.post(path, json=body or {}, headers=headers)


async def create(service: ServiceHarness, facilitators: list[str], **changes: Any) -> dict[str, Any]:
    response = await post(service, "/cohorts", cohort_body(service, facilitators, **changes))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def move(service: ServiceHarness, cohort_id: str, action: str) -> dict[str, Any]:
    response = await post(service, f"/cohorts/{cohort_id}/{action}")
    assert response.status_code == 200, response.text
    moved: dict[str, Any] = response.json()
    return moved


async def running_cohort(service: ServiceHarness, people: int, **changes: Any) -> tuple[str, str, list[str]]:
    """A started cohort facilitated by a valid mentor, with `people` members in waitlist order."""
    mentor = await facilitator(service)
    today = service.today()
    referrals = [await refer(service, accepted_on=today - timedelta(days=30 - n)) for n in range(people)]
    cohort = await create(service, [mentor], **changes)
    await move(service, cohort["cohort_id"], "open")
    started = await move(service, cohort["cohort_id"], "start")
    assert [m["referral_id"] for m in started["members"]] == referrals
    return cohort["cohort_id"], mentor, referrals


def held(
    service: ServiceHarness, mentor: str, register: dict[str, str], on: date | None = None
) -> dict[str, Any]:
    return {
        "status": "held",
        "held_on": (on or service.today()).isoformat(),
        "facilitators": [mentor],
        "topics": ["fatigue-and-pacing"],
        "register": register,
        "notes": "Pacing diaries compared.",
    }


async def record(service: ServiceHarness, cohort_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await post(service, f"/cohorts/{cohort_id}/sessions", body)
    assert response.status_code == 201, response.text
    recorded: dict[str, Any] = response.json()
    return recorded


async def test_a_cohort_moves_through_its_lifecycle_and_refuses_moves_its_state_forbids(
    service: ServiceHarness,
) -> None:
    mentor = await facilitator(service)
    cohort = await create(service, [mentor], planned_sessions=4, cadence_days=7)
    cohort_id = cohort["cohort_id"]
    starts = date.fromisoformat(cohort["starts_on"])
    assert (cohort["status"], cohort["members"], cohort["max_size"], cohort["min_size"]) == (
        "planned",
        [],
        12,
        6,
    )
    assert [(s["session_number"], s["planned_on"], s["status"]) for s in cohort["schedule"]] == [
        (n + 1, (starts + timedelta(days=7 * n)).isoformat(), "planned") for n in range(4)
    ]
    assert cohort["next_session_on"] == starts.isoformat()
    assert cohort["facilitator_checks"] == [{"mentor_id": mentor, "valid_on_next_session": True}]

    assert_problem(await post(service, f"/cohorts/{cohort_id}/start"), 409, "cohort-not-open")
    assert_problem(await post(service, f"/cohorts/{cohort_id}/finish"), 409, "cohort-not-running")
    assert (await move(service, cohort_id, "open"))["status"] == "open"
    assert_problem(await post(service, f"/cohorts/{cohort_id}/open"), 409, "cohort-not-planned")
    assert (await move(service, cohort_id, "start"))["status"] == "running"
    assert_problem(await post(service, f"/cohorts/{cohort_id}/cancel"), 409, "cohort-already-started")
    finished = await move(service, cohort_id, "finish")
    assert (finished["status"], finished["next_session_on"]) == ("finished", None)
    assert_problem(await post(service, f"/cohorts/{cohort_id}/finish"), 409, "cohort-not-running")

    other = (await create(service, [mentor]))["cohort_id"]
    assert (await move(service, other, "cancel"))["status"] == "cancelled"
    assert_problem(await post(service, f"/cohorts/{other}/open"), 409, "cohort-not-planned")

    await service.outbox_drained()
    [opened] = await published(service, CohortOpened)
    [started] = await published(service, CohortStarted)
    [ended] = await published(service, CohortFinished)
    assert {opened.subject, started.subject, ended.subject} == {cohort_id}
    assert (started.data.members, ended.data.sessions_held, ended.data.members_completed) == (0, 0, 0)
    assert opened.programme == "long-covid-group" and opened.condition == service.condition


async def test_cohorts_refuse_unknown_facilitators_and_programmes_and_mentors_see_only_their_own(
    service: ServiceHarness,
) -> None:
    mentor, other = await facilitator(service), await facilitator(service)
    unknown = new_id("mnt")
    refused = assert_problem(
        await post(service, "/cohorts", cohort_body(service, [mentor, unknown])), 422, "unknown-facilitator"
    )
    assert [e["field"] for e in refused["errors"]] == ["body.facilitators"]
    assert_problem(
        await post(service, "/cohorts", cohort_body(service, [mentor], programme="t2d-one-to-one")),
        422,
        "unknown-programme",
    )
    assert await service.count("cohort") == 0

    mine = (await create(service, [mentor]))["cohort_id"]
    theirs = (await create(service, [other]))["cohort_id"]
    listed = await service.call("GET", "/cohorts", headers=as_mentor(service, mentor))
    assert [c["cohort_id"] for c in listed["items"]] == [mine] and listed["total"] == 1
    everything = await service.call("GET", "/cohorts?status=planned", headers=as_coordinator(service))
    assert {c["cohort_id"] for c in everything["items"]} == {mine, theirs}
    response = await service.client.get(f"/cohorts/{theirs}", headers=as_mentor(service, mentor))
    assert_problem(response, 403, "not-your-cohort")
    response = await service.client.post(f"/cohorts/{mine}/open", headers=as_mentor(service, mentor))
    assert response.status_code == 403


@pytest.mark.parametrize("programme", [{"max_size": 2, "min_size": 1, "propose_next_cohort_at": 2}])
async def test_the_waitlist_orders_people_offers_places_and_proposes_a_next_cohort(
    service: ServiceHarness,
) -> None:
    today = service.today()
    days_ago = {"a": 10, "b": 5, "c": 8, "d": 1, "e": 3}
    ids = {name: await refer(service, accepted_on=today - timedelta(days=n)) for name, n in days_ago.items()}
    order = [ids[n] for n in ("a", "c", "b", "e", "d")]

    before = await waitlist(service)
    assert [(i["referral_id"], i["position"], i["expected_start"]) for i in before["items"]] == [
        (r, n, None) for n, r in enumerate(order, start=1)
    ]
    assert before["proposal"] == {"needed": True, "waiting_without_place": 5, "suggested_starts_on": None}

    mentor = await facilitator(service)
    cohort = await create(service, [mentor], starts_in_days=14)
    starts = cohort["starts_on"]
    planned = await waitlist(service)
    assert [(i["expected_start"], i["cohort_id"]) for i in planned["items"]] == [
        (starts, cohort["cohort_id"])
    ] * 2 + [(None, None)] * 3
    suggested = (date.fromisoformat(starts) + timedelta(days=8 * 14)).isoformat()
    assert planned["proposal"] == {
        "needed": True,
        "waiting_without_place": 3,
        "suggested_starts_on": suggested,
    }

    opened = await move(service, cohort["cohort_id"], "open")
    assert [m["referral_id"] for m in opened["members"]] == order[:2]
    after = await waitlist(service)
    assert [i["referral_id"] for i in after["items"]] == order
    assert [i["expected_start"] for i in after["items"]] == [starts, starts, None, None, None]

    members = f"/cohorts/{cohort['cohort_id']}/members"
    assert_problem(await post(service, members, {"referral_id": order[2]}), 409, "cohort-full")
    assert_problem(await post(service, members, {"referral_id": new_id("ref")}), 404, "not-on-waitlist")
    assert_problem(await post(service, members, {"referral_id": order[0]}), 409, "not-waiting")
    left = await post(service, f"{members}/{order[1]}/leave", {"reason": "coordinator-decision"})
    assert left.status_code == 200, left.text
    enrolled = await post(service, members, {"referral_id": order[2]})
    assert enrolled.status_code == 201, enrolled.text
    current = [m["referral_id"] for m in enrolled.json()["members"] if m["status"] == "enrolled"]
    assert current == [order[0], order[2]]
    back = await waitlist(service)
    assert [(i["referral_id"], i["cohort_id"]) for i in back["items"]] == [
        (order[0], cohort["cohort_id"]),
        (order[1], None),
        (order[2], cohort["cohort_id"]),
        (order[3], None),
        (order[4], None),
    ]

    await service.outbox_drained()
    assert [e.data.referral_id for e in await published(service, MemberEnrolled)] == [*order[:2], order[2]]
    [moved_out] = await published(service, MemberLeft)
    assert (moved_out.data.referral_id, moved_out.data.reason) == (order[1], "coordinator-decision")


async def test_a_referral_arriving_while_a_cohort_is_open_is_enrolled_at_once(
    service: ServiceHarness,
) -> None:
    mentor = await facilitator(service)
    cohort = await create(service, [mentor])
    await move(service, cohort["cohort_id"], "open")
    referral = await refer(service)
    [enrolled] = await wait_published(service, MemberEnrolled, 1)
    assert (enrolled.data.referral_id, enrolled.data.cohort_id) == (referral, cohort["cohort_id"])


async def test_a_session_register_names_every_member_once_and_a_valid_facilitator(
    service: ServiceHarness,
) -> None:
    stale = await facilitator(service, checks_valid_until=service.today())
    cohort_id, mentor, (r1, r2, r3) = await running_cohort(service, 3)
    stranger = new_id("ref")
    sessions = f"/cohorts/{cohort_id}/sessions"

    bad = held(service, mentor, {r1: "attended", r2: "absent", stranger: "attended"})
    refused = assert_problem(await post(service, sessions, bad), 422, "invalid-session")
    assert {(e["field"], e["code"]) for e in refused["errors"]} == {
        (f"body.register.{stranger}", "not-a-member"),
        (f"body.register.{r3}", "member-missing"),
    }
    register = {r1: "attended", r2: "apologies", r3: "absent"}
    assert_problem(await post(service, sessions, held(service, stale, register)), 409, "no-valid-facilitator")
    outsider = await facilitator(service)
    response = await post(
        service, sessions, held(service, mentor, register), headers=as_mentor(service, outsider)
    )
    assert_problem(response, 403, "not-your-cohort")
    assert await service.count("group_session") == 0

    response = await post(
        service, sessions, held(service, mentor, register), headers=as_mentor(service, mentor)
    )
    assert response.status_code == 201, response.text
    first = response.json()
    assert (first["revision"], first["session_number"], first["duration_minutes"]) == (1, 1, 90)
    corrected = held(service, mentor, register | {r3: "apologies"})
    response = await service.client.put(
        f"{sessions}/{first['session_id']}", json=corrected, headers=as_mentor(service, mentor)
    )
    assert response.status_code == 200, response.text
    assert (response.json()["revision"], response.json()["session_id"]) == (2, first["session_id"])
    listed = await service.call("GET", sessions, headers=as_coordinator(service))
    assert [(s["session_id"], s["revision"], s["register"][r3]) for s in listed] == [
        (first["session_id"], 2, "apologies")
    ]

    events = await wait_published(service, GroupSessionHeld, 2)
    assert [(e.data.revision, e.data.absent, e.data.apologies) for e in events] == [
        (1, (r3,), (r2,)),
        (2, (), tuple(sorted((r2, r3)))),
    ]
    detail = await service.call("GET", f"/cohorts/{cohort_id}", headers=as_coordinator(service))
    assert detail["schedule"][0]["status"] == "held" and detail["sessions_held"] == 1
    assert [(m["attended"], m["apologies"], m["absent"]) for m in detail["members"]] == [
        (1, 0, 0),
        (0, 1, 0),
        (0, 1, 0),
    ]


async def test_absences_in_a_row_flag_a_follow_up_whose_outcome_clears_it_or_ends_the_place(
    service: ServiceHarness,
) -> None:
    cohort_id, mentor, (r1, r2) = await running_cohort(service, 2)
    today = service.today()
    members = f"/cohorts/{cohort_id}/members"
    await record(
        service, cohort_id, held(service, mentor, {r1: "absent", r2: "attended"}, today - timedelta(days=2))
    )
    await record(
        service, cohort_id, held(service, mentor, {r1: "absent", r2: "absent"}, today - timedelta(days=1))
    )
    detail = await service.call("GET", f"/cohorts/{cohort_id}", headers=as_coordinator(service))
    assert [(m["consecutive_absences"], m["follow_up"]) for m in detail["members"]] == [(2, True), (1, False)]
    flagged = await service.call("GET", "/follow-ups", headers=as_coordinator(service))
    assert [(f["referral_id"], f["cohort_id"], f["consecutive_absences"]) for f in flagged["items"]] == [
        (r1, cohort_id, 2)
    ]
    assert_problem(
        await post(service, f"{members}/{r2}/follow-up", {"outcome": "back"}), 409, "no-follow-up-due"
    )

    assert (await post(service, f"{members}/{r1}/follow-up", {"outcome": "back"})).status_code == 200
    assert (await service.call("GET", "/follow-ups", headers=as_coordinator(service)))["total"] == 0
    # After the follow-up only later absences count: one more is not yet a run of two.
    service.clock.advance(timedelta(days=1))
    await record(service, cohort_id, held(service, mentor, {r1: "absent", r2: "attended"}))
    assert (await service.call("GET", "/follow-ups", headers=as_coordinator(service)))["total"] == 0
    service.clock.advance(timedelta(days=1))
    await record(service, cohort_id, held(service, mentor, {r1: "absent", r2: "attended"}))
    assert (await service.call("GET", "/follow-ups", headers=as_coordinator(service)))["total"] == 1

    stopped = await post(service, f"{members}/{r1}/follow-up", {"outcome": "stopped"})
    assert stopped.status_code == 200, stopped.text
    [gone] = [m for m in stopped.json()["members"] if m["referral_id"] == r1]
    assert (gone["status"], gone["left_reason"], gone["follow_up"]) == ("left", "stopped-attending", False)
    [left] = await wait_published(service, MemberLeft, 1)
    assert (left.data.referral_id, left.data.reason, left.data.sessions_held) == (r1, "stopped-attending", 4)
    assert (left.data.sessions_attended, left.correlationid) != (None, None)


async def test_the_last_planned_session_finishes_the_cohort_with_completed_and_not_completed_members(
    service: ServiceHarness,
) -> None:
    cohort_id, mentor, (r1, r2) = await running_cohort(service, 2, planned_sessions=4)
    today = service.today()
    marks = [("attended", "attended"), ("attended", "absent"), ("attended", "attended")]
    for n, (m1, m2) in enumerate(marks):
        await record(
            service, cohort_id, held(service, mentor, {r1: m1, r2: m2}, today - timedelta(days=3 - n))
        )
    cancelled = {"status": "cancelled", "held_on": today.isoformat(), "cancel_reason": "venue-unavailable"}
    last = await record(service, cohort_id, cancelled)
    assert (last["session_number"], last["status"], last["register"]) == (4, "cancelled", {})

    detail = await service.call("GET", f"/cohorts/{cohort_id}", headers=as_coordinator(service))
    assert detail["status"] == "finished"
    assert [(m["status"], m["left_reason"]) for m in detail["members"]] == [
        ("left", "completed"),
        ("left", "not-completed"),
    ]
    assert [s["status"] for s in detail["schedule"]] == ["held", "held", "held", "cancelled"]
    [finished] = await wait_published(service, CohortFinished, 1)
    assert (
        finished.data.sessions_held,
        finished.data.sessions_cancelled,
        finished.data.members_completed,
    ) == (
        3,
        1,
        1,
    )
    await service.outbox_drained()
    left = await published(service, MemberLeft)
    assert [
        (e.data.referral_id, e.data.reason, e.data.sessions_attended, e.data.sessions_held) for e in left
    ] == [
        (r1, "completed", 3, 3),
        (r2, "not-completed", 2, 3),
    ]
    assert len(await published(service, GroupSessionHeld)) == 3
    assert len(await published(service, GroupSessionCancelled)) == 1
    assert len(await published(service, CohortStarted)) == 1
    assert len(await published(service, MemberEnrolled)) == 2
    response = await post(service, f"/cohorts/{cohort_id}/sessions", held(service, mentor, {}))
    assert_problem(response, 409, "cohort-not-running")
