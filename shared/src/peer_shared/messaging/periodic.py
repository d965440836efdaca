"""A periodic check of a service (escalating concerns, starting cohorts): one step, in its own unit of
work, again and again until the app stops."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)

UnitsOfWork = Callable[[], contextlib.AbstractAsyncContextManager[UnitOfWork]]
"""Opens a unit of work (the runtime's `unit_of_work`)."""

Step = Callable[[UnitOfWork], Awaitable[object]]
"""One pass of a check, run in the unit of work it is given."""


async def run_periodically(unit_of_work: UnitsOfWork, step: Step, *, every: float, check: str) -> None:
    """Run `step` in a fresh unit of work every `every` seconds until cancelled.

    A pass that fails is rolled back and logged as "`check` failed", and the next pass retries: a check
    must outlive a database that is briefly away. Cancellation is not caught, so it ends the loop.
    """
    while True:
        try:
            async with unit_of_work() as uow:
                await step(uow)
        except Exception as exc:
            log.error(f"{check} failed", error=repr(exc))
        await asyncio.sleep(every)
