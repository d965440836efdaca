"""Cancellation that a library call absorbed.

On Python 3.11, ``asyncio.wait_for`` (used inside nats-py's fetch and publish) can swallow a cancellation
that arrives as its inner awaitable completes. A loop that only ends by cancellation then runs forever and
a service never shuts down; the loops call this after each such call.
"""

from __future__ import annotations

import asyncio


def stop_if_cancelled() -> None:
    """Raise ``CancelledError`` if the running task has been asked to cancel."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
