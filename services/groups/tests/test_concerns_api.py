"""Safeguarding concerns about group members on the real servers: raised by a facilitator of the cohort
(or a coordinator), published on the internal stream only, escalated by the background task while
nobody acknowledges them, and acknowledged by a coordinator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from peer_events.events.groups import GroupConcernAcknowledged, GroupConcernRaised
from peer_shared.http.problems import PROBLEM_JSON
from peer_testkit.groups import (
    as_coordinator,
    as_mentor,
    cohort_body,
    facilitator,
    published,
    refer,
    wait_published,
)
from peer_testkit.harness import ServiceHarness
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration

CONCERN = {"category": "risk-to-self", "urgency": "immediate", "details": "Spoke of feeling hopeless."}


async def cohort_with_member(service: ServiceHarness) -> tuple[str, str, str]:
    """An open cohort facilitated by a mentor, with one member: (cohort, mentor, referral)."""
    mentor = await facilitator(service)
    referral = await refer(service)
    created = await service.call(
        "POST", "/cohorts", json=cohort_body(service, [mentor]), headers=as_coordinator(service), expect=201
    )
    await service.call("POST", f"/cohorts/{created['cohort_id']}/open", headers=as_coordinator(service))
    return created["cohort_id"], mentor, referral


async def raise_concern(
    service: ServiceHarness, cohort_id: str, headers: dict[str, str], **changes: Any
) -> Any:
    return await service.call(
        "POST", f"/cohorts/{cohort_id}/concerns", json=CONCERN | changes, headers=headers, expect=201
    )


async def levels(service: ServiceHarness) -> list[tuple[str, int]]:
    return [
        (e.data.concern_id, e.data.escalation_level) for e in await published(service, GroupConcernRaised)
    ]


async def test_a_facilitator_raises_a_concern_on_the_internal_stream_and_a_coordinator_acknowledges_it(
    service: ServiceHarness,
) -> None:
    cohort_id, mentor, referral = await cohort_with_member(service)
    outsider = await facilitator(service)
    response = await service.client.post(
        f"/cohorts/{cohort_id}/concerns",
        json=CONCERN | {"referral_id": referral},
        headers=as_mentor(service, outsider),
    )
    assert (response.status_code, response.json()["code"]) == (403, "not-your-cohort")

    raised = await raise_concern(service, cohort_id, as_mentor(service, mentor), referral_id=referral)
    assert (raised["raised_by"], raised["status"], raised["details"]) == (
        "mentor",
        "open",
        CONCERN["details"],
    )
    [event] = await wait_published(service, GroupConcernRaised, 1)
    assert (event.data.concern_id, event.data.referral_id, event.subject) == (
        raised["concern_id"],
        referral,
        cohort_id,
    )
    assert "hopeless" not in event.model_dump_json()
    internal = await service.published_messages("groups.>", internal=True)
    assert [m.subject.rsplit(".", 2)[-2] for m in internal] == ["group-concern-raised"]
    await service.outbox_drained()
    public = await service.published()
    assert not any("concern" in e["type"] for e in public)

    listed = await service.call("GET", "/concerns?status=open", headers=as_coordinator(service))
    assert [c["concern_id"] for c in listed["items"]] == [raised["concern_id"]]
    path = f"/concerns/{raised['concern_id']}/acknowledge"
    done = await service.call("POST", path, json={"action": "gp-informed"}, headers=as_coordinator(service))
    assert (done["status"], done["action"]) == ("acknowledged", "gp-informed")
    again = await service.client.post(path, json={"action": "monitoring"}, headers=as_coordinator(service))
    assert (again.status_code, again.headers["content-type"]) == (409, PROBLEM_JSON)
    assert again.json()["code"] == "concern-already-acknowledged"
    [acknowledged] = await wait_published(service, GroupConcernAcknowledged, 1)
    assert acknowledged.data.concern_id == raised["concern_id"]
    assert (await service.call("GET", "/concerns?status=open", headers=as_coordinator(service)))["total"] == 0


async def test_the_background_task_raises_an_unacknowledged_concern_again_until_acknowledged(
    service: ServiceHarness,
) -> None:
    cohort_id, _mentor, referral = await cohort_with_member(service)
    coordinator = as_coordinator(service)
    kept = await raise_concern(service, cohort_id, coordinator, referral_id=referral)
    taken = await raise_concern(service, cohort_id, coordinator, referral_id=referral)
    await wait_published(service, GroupConcernRaised, 2)
    await service.call(
        "POST",
        f"/concerns/{taken['concern_id']}/acknowledge",
        json={"action": "monitoring"},
        headers=coordinator,
    )

    service.clock.advance(timedelta(minutes=16))  # immediate concerns are raised again every 15 minutes
    await wait_published(service, GroupConcernRaised, 3)
    service.clock.advance(timedelta(minutes=15))

    async def raised_twice() -> bool:
        return (kept["concern_id"], 2) in await levels(service)

    await eventually(raised_twice)
    # The acknowledged concern, checked on the same passes, was never raised again.
    assert sorted(await levels(service)) == sorted(
        [(kept["concern_id"], 0), (taken["concern_id"], 0), (kept["concern_id"], 1), (kept["concern_id"], 2)]
    )
    listed = await service.call("GET", "/concerns?status=open", headers=as_coordinator(service))
    assert [(c["concern_id"], c["escalation_level"]) for c in listed["items"]] == [(kept["concern_id"], 2)]
