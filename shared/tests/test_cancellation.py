"""A cancellation absorbed by a library call still stops the loop that made the call."""

from __future__ import annotations

import asyncio

import pytest

from peer_shared.cancellation import stop_if_cancelled


async def _absorbing_call(started: asyncio.Event) -> None:
    """Stands in for a library call that catches the cancellation and returns normally."""
    started.set()
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        return


async def test_a_loop_that_checks_stops_although_the_call_absorbed_the_cancellation() -> None:
    started = asyncio.Event()
    rounds = 0

    async def loop() -> None:
        nonlocal rounds
        while True:
            rounds += 1
            await _absorbing_call(started)
            stop_if_cancelled()

    task = asyncio.create_task(loop())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
    assert rounds == 1


async def test_it_does_nothing_in_a_task_not_asked_to_stop() -> None:
    stop_if_cancelled()
