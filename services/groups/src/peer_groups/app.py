"""Wires the groups service: settings, runtime (database, bus, auth), HTTP routes, background checks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from functools import partial
from typing import Any

from fastapi import FastAPI

from peer_groups.api import ROUTERS
from peer_groups.consumers.subscriptions import subscriptions
from peer_groups.settings import GroupsSettings
from peer_groups.store import MIGRATIONS
from peer_groups.use_cases.cohort_starts import start_due_cohorts
from peer_groups.use_cases.escalation import escalate_overdue
from peer_shared.clock import Clock
from peer_shared.http.app import service_app
from peer_shared.messaging.periodic import run_periodically
from peer_shared.runtime import ServiceRuntime


def create_app(settings: GroupsSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the groups service's ASGI app; nothing connects until the lifespan starts.

    `clock` replaces the clock the settings describe (a test moves time on to see a cohort start or a
    concern escalate).
    """
    configured = settings or GroupsSettings()
    runtime = ServiceRuntime(
        configured, migrations=MIGRATIONS, subscriptions=lambda _: subscriptions(configured), clock=clock
    )

    def background() -> dict[str, Coroutine[Any, Any, None]]:
        # Each periodic check of the service, by task name; every one runs until the app stops.
        return {
            "groups-cohort-starts": run_periodically(
                runtime.unit_of_work,
                start_due_cohorts,
                every=configured.cohort_start_check_seconds,
                check="cohort start check",
            ),
            "groups-safeguarding-escalation": run_periodically(
                runtime.unit_of_work,
                partial(escalate_overdue, intervals=configured.escalation_intervals()),
                every=configured.safeguarding_check_seconds,
                check="group safeguarding escalation check",
            ),
        }

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime.lifespan(app):
            tasks = [asyncio.create_task(job, name=name) for name, job in background().items()]
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    return service_app(
        title="Peer support: groups",
        description="Group peer-support programmes: cohorts, the waitlist, group sessions and measures.",
        runtime=runtime,
        lifespan=lifespan,
        routers=ROUTERS,
    )
