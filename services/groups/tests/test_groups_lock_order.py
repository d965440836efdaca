"""Locks are always taken cohort first, then its members' waitlist entries, whoever writes: a withdrawal
heard from the bus and a coordinator finishing the cohort at the same moment once deadlocked.

The test holds the cohort's row lock in a transaction of its own (as a coordinator's request would),
publishes the withdrawal, waits until the consumer is blocked on a lock, and then asks for the member's
waitlist entry without waiting: it is free only if the consumer queued for the cohort first.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from peer_events.events.groups import MemberLeft
from peer_events.events.referrals import ReferralWithdrawn, WithdrawalReason
from peer_testkit.groups import (
    as_coordinator,
    cohort_body,
    facilitator,
    incoming,
    refer,
    wait_published,
)
from peer_testkit.harness import ServiceHarness
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration


async def test_a_withdrawal_waits_for_the_cohort_before_locking_the_members_entry(
    service: ServiceHarness,
) -> None:
    mentor = await facilitator(service)
    referral_id = await refer(service)
    planned = await service.call(
        "POST", "/cohorts", json=cohort_body(service, [mentor]), headers=as_coordinator(service), expect=201
    )
    cohort_id = planned["cohort_id"]
    await service.call("POST", f"/cohorts/{cohort_id}/open", headers=as_coordinator(service))

    withdrawn = ReferralWithdrawn(
        referral_id=referral_id,
        withdrawn_on=service.today(),
        reason=WithdrawalReason.MENTEE_REQUEST,
        erase_personal_data=False,
    )
    async with service.sessions() as holder, holder.begin():
        await holder.execute(text("SELECT 1 FROM cohort WHERE id = :c FOR UPDATE"), {"c": cohort_id})
        await service.publish(incoming(service, withdrawn))

        async def consumer_blocked() -> bool:
            waiting = await service.scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            return bool(waiting)

        await eventually(consumer_blocked)
        try:
            await holder.execute(
                text("SELECT 1 FROM waitlist_entry WHERE referral_id = :r FOR UPDATE NOWAIT"),
                {"r": referral_id},
            )
        except DBAPIError as exc:
            pytest.fail(f"the withdrawal locked the waitlist entry before the cohort: {exc}")

    [left] = await wait_published(service, MemberLeft, 1)
    assert (left.data.referral_id, left.data.reason.value) == (referral_id, "withdrew")
    assert await service.dead_letters() == 0
