"""A cohort starts by itself: when its start date comes (the service's periodic check, on the real servers
with the check every 0.1 s), and, where the programme says so, as soon as it is full."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from peer_events.events.groups import CohortStarted
from peer_groups.use_cases.cohort_starts import start_due_cohorts
from peer_shared.clock import FixedClock
from peer_testkit.groups import as_coordinator, cohort_body, facilitator, published, refer, wait_published
from peer_testkit.harness import ServiceHarness

pytestmark = pytest.mark.integration


async def _open_cohort(service: ServiceHarness, members: int, **changes: object) -> str:
    mentor = await facilitator(service)
    for _ in range(members):
        await refer(service)
    body = cohort_body(service, [mentor], starts_in_days=3, **changes)
    planned = await service.call("POST", "/cohorts", json=body, headers=as_coordinator(service), expect=201)
    cohort_id: str = planned["cohort_id"]
    await service.call("POST", f"/cohorts/{cohort_id}/open", headers=as_coordinator(service))
    return cohort_id


async def _status(service: ServiceHarness, cohort_id: str) -> str:
    detail = await service.call("GET", f"/cohorts/{cohort_id}", headers=as_coordinator(service))
    return str(detail["status"])


async def test_an_open_cohort_starts_when_its_start_date_comes(service: ServiceHarness) -> None:
    cohort_id = await _open_cohort(service, 2)
    start_day = service.today() + timedelta(days=3)
    clock = service.clock
    assert isinstance(clock, FixedClock)

    clock.set(datetime.combine(start_day - timedelta(days=1), time(12), UTC))
    # The day before: the check (run here once more, as the background task does) starts nothing.
    async with service.runtime.unit_of_work() as uow:
        assert await start_due_cohorts(uow) == 0
    assert await _status(service, cohort_id) == "open"
    assert await published(service, CohortStarted) == []

    clock.set(datetime.combine(start_day, time(8), UTC))
    [started] = await wait_published(service, CohortStarted, 1)
    assert (started.data.cohort_id, started.data.started_on, started.data.members) == (
        cohort_id,
        start_day,
        2,
    )
    assert await _status(service, cohort_id) == "running"


@pytest.mark.parametrize("programme", [{"start_when_full": True}])
async def test_a_programme_that_starts_full_cohorts_starts_one_when_its_last_place_is_taken(
    service: ServiceHarness,
) -> None:
    cohort_id = await _open_cohort(service, 2, max_size=3, min_size=2)
    assert await _status(service, cohort_id) == "open"
    await refer(service)  # the third place: taken at once from the bus, and the cohort is full
    [started] = await wait_published(service, CohortStarted, 1)
    assert (started.data.cohort_id, started.data.members, started.data.started_on) == (
        cohort_id,
        3,
        service.today(),
    )
