"""Every service together in the test's event loop, on the session's real NATS and Postgres.

async with platform(infra, js, condition, start_at) as p:
    mentor = await p.call("matching", "POST", "/mentors", json=body, expect=201)
    p.move_clock(start_at + timedelta(days=7))
    await eventually(p.quiet)

Each service of `peer_support_cli.services.SERVICES` gets a fresh database and consumes only the test's
own condition, which is wired to one programme (type 2 diabetes one-to-one unless the test names
another: referrals publishes that programme's referrals under the test's condition). All share one
scenario clock through a file, as in the demo, which the test moves on, so every rule that depends on
"now" (no future sessions, baseline before the first session) holds as in real use; bearer tokens are
issued on that clock too. A service can be stopped and started again on the same database and durable
consumers.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from nats.js import JetStreamContext

from peer_events.envelope import CloudEvent, EventData
from peer_events.programmes import KNOWN_PROGRAMMES, DeliveryFormat
from peer_shared.auth.tokens import Role
from peer_shared.clock import ScenarioFileClock, uk_today
from peer_shared.service import ServiceDescriptor
from peer_support_cli.embedded import Infrastructure
from peer_support_cli.services import SERVICES, service_named
from peer_testkit.harness import ServiceHarness, start_service
from peer_testkit.streams import events_of
from peer_testkit.waiting import eventually

PROGRAMME = "t2d-one-to-one"
COORDINATOR = "usr_" + "e2" * 16
"""The coordinator every call is made as unless it says otherwise."""
STOP_SECONDS = 10


def programme_settings(condition: str, programme: str = PROGRAMME) -> dict[str, dict[str, Any]]:
    """Settings (service -> values) that put the test's condition on `programme` (a known programme).

    Referrals publishes the programme's own condition under the test's code; a group programme is left
    to the groups service by matching (its matching mode is `off`), as a deployment configures it, and
    groups runs it for the test's code.
    """
    known = KNOWN_PROGRAMMES[programme]
    matching: dict[str, Any] = {"condition_programmes": {condition: programme}}
    wiring: dict[str, dict[str, Any]] = {
        "referrals": {
            "condition_aliases": {known.condition: condition},
            "condition_programmes": {known.condition: programme},
        },
        "matching": matching,
    }
    if known.delivery is DeliveryFormat.GROUP:
        matching["programmes"] = {programme: {"mode": "off"}}
        wiring["groups"] = {"programmes": {programme: {"condition": condition}}}
    return wiring


@dataclass
class Platform:
    """The services, their databases, the shared scenario clock and an operator's NATS access."""

    infra: Infrastructure
    js: JetStreamContext
    condition: str
    clock_file: Path
    databases: Mapping[str, str]
    """Service -> the URL of its database."""
    programme: str = PROGRAMME
    """The programme the test's condition is wired to."""
    services: tuple[ServiceDescriptor, ...] = SERVICES
    running: dict[str, ServiceHarness] = field(init=False, default_factory=dict)
    """Service -> its harness, for the services running now."""
    _stops: dict[str, contextlib.AsyncExitStack] = field(init=False, default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.clock = ScenarioFileClock(self.clock_file)

    async def start(self, name: str) -> None:
        """Start a new app of the service on its database (its durable consumers carry on)."""
        service = service_named(name, self.services)
        stack = contextlib.AsyncExitStack()
        self.running[name] = await stack.enter_async_context(
            start_service(
                service,
                self.infra,
                self.js,
                condition=self.condition,
                database_url=self.databases[name],
                clock=self.clock,
                clock_file=self.clock_file,
                **programme_settings(self.condition, self.programme).get(name, {}),
            )
        )
        self._stops[name] = stack

    async def stop(self, name: str) -> None:
        """Stop the service as its process would stop (the lifespan ends), failing if it does not."""
        del self.running[name]
        # In a task of its own: a task that swallowed its cancellation would hold an awaiting caller
        # forever, deadline or not.
        closing = asyncio.create_task(self._stops.pop(name).aclose())
        if (await asyncio.wait({closing}, timeout=STOP_SECONDS))[0]:
            closing.result()
            return
        stuck = [t for t in asyncio.all_tasks() if t.cancelling() and not t.done() and t is not closing]
        for task in stuck:  # cancel them again, so they cannot haunt the tests that follow
            task.cancel()
        await asyncio.wait({closing}, timeout=STOP_SECONDS)
        names = sorted(t.get_coro().__qualname__ for t in stuck)  # type: ignore[union-attr]
        raise AssertionError(f"{name} did not stop within {STOP_SECONDS}s; still running: {names}")

    def move_clock(self, at: datetime) -> None:
        """Move every service's clock (and the tokens') to `at`; it ticks on from there."""
        ScenarioFileClock.set(self.clock_file, at)

    def today(self) -> date:
        """The scenario's date in the UK."""
        return uk_today(self.clock)

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        role: Role = Role.COORDINATOR,
        subject: str = COORDINATOR,
        expect: int = 200,
        **kwargs: Any,
    ) -> Any:
        """Make a request of a running service as `role`, check its status; return the JSON answer."""
        return await self.running[service].call(
            method, path, role=role, subject=subject, expect=expect, **kwargs
        )

    async def quiet(self) -> bool:
        """Every running service has published its outbox and consumed everything of this condition."""
        for harness in self.running.values():
            if await harness.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL"):
                return False
            consumers = harness.service.subscriptions
            for subscription in consumers(harness.settings) if consumers is not None else ():
                info = await self.js.consumer_info(subscription.stream, subscription.name)
                if info.num_pending or info.num_ack_pending:
                    return False
        return True

    async def dead_letters(self) -> dict[str, int]:
        """Messages each running service parked as failed (a flow that works parks none)."""
        return {name: await harness.dead_letters() for name, harness in self.running.items()}


@contextlib.asynccontextmanager
async def platform(
    infra: Infrastructure,
    js: JetStreamContext,
    condition: str,
    start_at: datetime,
    programme: str = PROGRAMME,
) -> AsyncIterator[Platform]:
    """Every service on a fresh database, with the scenario clock set to `start_at` and the test's
    condition wired to `programme`."""
    folder = Path(tempfile.mkdtemp(prefix="peer-platform-"))
    clock_file = folder / "clock.json"
    ScenarioFileClock.set(clock_file, start_at)
    databases = {service.name: infra.create_database(f"t_{uuid.uuid4().hex[:16]}") for service in SERVICES}
    running = Platform(infra, js, condition, clock_file, databases, programme=programme)
    try:
        # One after another: Alembic keeps its migration context in module globals, so two services
        # migrating at once in their worker threads would trip over each other.
        for service in running.services:
            await running.start(service.name)
        yield running
    finally:
        failures = []
        for name in list(running.running):
            try:
                await running.stop(name)
            except AssertionError as failure:
                failures.append(failure)
        shutil.rmtree(folder, ignore_errors=True)
        if failures:
            raise failures[0]


async def wait_for_events(
    js: JetStreamContext,
    condition: str,
    data_type: type[EventData],
    count: int,
    *,
    where: Callable[[CloudEvent[Any]], bool] = lambda _: True,
    timeout: float = 30.0,
) -> list[CloudEvent[Any]]:
    """Wait until at least `count` events of a type (and matching `where`) reached the stream."""
    found: list[CloudEvent[Any]] = []

    async def enough() -> bool:
        nonlocal found
        found = [e for e in await events_of(js, condition, data_type) if where(e)]
        return len(found) >= count

    await eventually(enough, timeout=timeout)
    return found
