"""What the safeguarding and cohort checks of the services share: the escalation rule, the periodic loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from peer_events.events.safeguarding import Urgency
from peer_shared.clock import SystemClock
from peer_shared.messaging.periodic import run_periodically
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.safeguarding import MAX_ESCALATION_LEVEL, escalation_due
from peer_shared.safeguarding_settings import SafeguardingSettings

RAISED = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
INTERVALS = {
    Urgency.IMMEDIATE: timedelta(minutes=15),
    Urgency.WITHIN_24_HOURS: timedelta(hours=4),
    Urgency.ROUTINE: timedelta(days=3),
}


def due(after: timedelta, *, level: int = 0, acknowledged: bool = False) -> int | None:
    """The level an immediate concern raised at RAISED is due at `after` later."""
    return escalation_due(
        raised_at=RAISED,
        urgency=Urgency.IMMEDIATE,
        escalation_level=level,
        acknowledged=acknowledged,
        now=RAISED + after,
        intervals=INTERVALS,
    )


def test_a_concern_escalates_one_level_per_whole_interval() -> None:
    assert due(timedelta(minutes=14, seconds=59)) is None
    assert due(timedelta(minutes=15)) == 1
    assert due(timedelta(minutes=29), level=1) is None
    assert due(timedelta(minutes=46), level=1) == 3  # missed checks: straight to the level due


def test_the_interval_is_the_concerns_urgency() -> None:
    routine = escalation_due(
        raised_at=RAISED,
        urgency=Urgency.ROUTINE,
        escalation_level=0,
        acknowledged=False,
        now=RAISED + timedelta(days=2),
        intervals=INTERVALS,
    )
    assert routine is None


def test_an_acknowledged_concern_never_escalates() -> None:
    assert due(timedelta(days=1), acknowledged=True) is None


def test_the_level_stops_at_the_contracts_limit() -> None:
    assert due(timedelta(days=365)) == MAX_ESCALATION_LEVEL
    assert due(timedelta(days=730), level=MAX_ESCALATION_LEVEL) is None


def test_a_configured_interval_replaces_only_its_urgency() -> None:
    intervals = SafeguardingSettings(
        safeguarding_escalate_after_minutes={Urgency.ROUTINE: 60}
    ).escalation_intervals()
    assert intervals == {**INTERVALS, Urgency.ROUTINE: timedelta(hours=1)}


def test_an_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        SafeguardingSettings(safeguarding_escalate_after_minutes={Urgency.IMMEDIATE: 0})


class Units:
    """Opens stand-in units of work and records how each one ended (None: committed)."""

    def __init__(self) -> None:
        self.endings: list[BaseException | None] = []

    @contextlib.asynccontextmanager
    async def __call__(self) -> AsyncIterator[UnitOfWork]:
        try:
            # The steps under test touch no database.
            yield UnitOfWork(session=cast(Any, None), clock=SystemClock())
        except BaseException as exc:
            self.endings.append(exc)
            raise
        self.endings.append(None)


async def test_a_failed_pass_is_rolled_back_and_retried_until_cancelled() -> None:
    units = Units()
    passes: list[UnitOfWork] = []
    retried = asyncio.Event()
    blocked = asyncio.Event()

    async def step(uow: UnitOfWork) -> None:
        passes.append(uow)
        if len(passes) == 1:
            raise RuntimeError("database away")
        if len(passes) == 2:
            retried.set()
            return
        blocked.set()
        await asyncio.Event().wait()  # the third pass waits until the loop is cancelled

    loop = asyncio.create_task(run_periodically(units, step, every=0, check="test check"))
    await asyncio.wait_for(retried.wait(), 5)
    await asyncio.wait_for(blocked.wait(), 5)
    loop.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(loop, 5)

    assert len(passes) == 3
    assert len({id(uow) for uow in passes}) == 3  # a fresh unit of work each pass
    first, second, third = units.endings
    assert isinstance(first, RuntimeError)
    assert second is None
    assert isinstance(third, asyncio.CancelledError)
