"""What groups knows of facilitators, from matching's events on the real servers: credentials changes
land, a paused mentor is not active, and leaving is final even when an older activation arrives late."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from peer_events.events.matching import (
    MentorActivated,
    MentorCredentialsChanged,
    MentorLeaveReason,
    MentorLeft,
)
from peer_testkit.groups import as_coordinator, facilitator, incoming
from peer_testkit.harness import ServiceHarness
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration


async def _known(service: ServiceHarness, mentor_id: str) -> dict[str, Any]:
    rows = await service.call("GET", "/facilitators", headers=as_coordinator(service))
    [row] = [r for r in rows if r["mentor_id"] == mentor_id]
    found: dict[str, Any] = row
    return found


async def test_credentials_change_and_leaving_is_final(service: ServiceHarness) -> None:
    mentor_id = await facilitator(service, group_facilitator=False)
    assert (await _known(service, mentor_id))["group_facilitator"] is False

    renewed = service.today() + timedelta(days=700)
    changed = MentorCredentialsChanged(
        mentor_id=mentor_id, changed_on=service.today(), group_facilitator=True, checks_valid_until=renewed
    )
    await service.publish(incoming(service, changed))

    async def trained() -> bool:
        row = await _known(service, mentor_id)
        return bool(row["group_facilitator"] and row["checks_valid_until"] == renewed.isoformat())

    await eventually(trained)

    left = MentorLeft(mentor_id=mentor_id, left_on=service.today(), reason=MentorLeaveReason.OTHER)
    late = MentorActivated(mentor_id=mentor_id, activated_on=service.today(), capacity=2)
    late_event = incoming(service, late)
    await service.publish(incoming(service, left), late_event)

    async def consumed() -> bool:
        found = await service.scalar("SELECT count(*) FROM inbox WHERE event_id = :e", e=late_event.id)
        return bool(found)

    await eventually(consumed)
    row = await _known(service, mentor_id)
    assert (row["status"], row["active"]) == ("left", False)
