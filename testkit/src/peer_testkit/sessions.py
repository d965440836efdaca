"""Builders and reads for the sessions service's tests: settings, tokens, seeded pairings, other
services' events, what the service published, and the rows a refused request must leave as they were.

async with start_sessions(infra, js, condition=condition, database_url=url) as service:
    pairing = await seed_pairing(service)
    mentor = as_mentor(service, pairing.mentor_id)
    await service.client.post(f"/pairings/{pairing.id}/sessions", json=body, headers=mentor)
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from nats.js import JetStreamContext
from sqlalchemy import func, select

from peer_events import CloudEvent, EventData, new_event
from peer_events.subjects import subject_of
from peer_sessions.domain.pairing import Pairing, start_pairing
from peer_sessions.service import SERVICE
from peer_sessions.store import pairings_repo
from peer_sessions.store.tables import (
    concern,
    goal,
    goal_history,
    mentoring_session,
    pairing,
    session_revision,
)
from peer_shared.auth import Role
from peer_shared.clock import Clock
from peer_shared.messaging.tables import outbox
from peer_support_cli.embedded import Infrastructure
from peer_testkit.harness import ServiceHarness, start_service
from peer_testkit.streams import BusMessage, events_of, read_stream, stream_of

PROGRAMME = "t2d-one-to-one"
COORDINATOR = "usr_" + "c" * 32
"""The staff account the tests' coordinator tokens are issued to (recorded on acknowledgements)."""
SETTINGS: dict[str, Any] = {"safeguarding_check_seconds": 0.1, "log_level": "warning"}
"""Beyond the kit's fast settings: the escalation check runs often, and the logs stay quiet."""
_TABLES = (mentoring_session, session_revision, goal, goal_history, concern, pairing, outbox)


@contextlib.asynccontextmanager
async def start_sessions(
    infra: Infrastructure,
    js: JetStreamContext,
    *,
    condition: str,
    database_url: str,
    clock: Clock | None = None,
    **overrides: Any,
) -> AsyncIterator[ServiceHarness]:
    """The sessions service on the test's own database and condition (a fixed clock at the real time)."""
    settings = SETTINGS | overrides
    async with start_service(
        SERVICE, infra, js, condition=condition, database_url=database_url, clock=clock, **settings
    ) as service:
        yield service


def as_coordinator(service: ServiceHarness) -> dict[str, str]:
    """Headers with a coordinator's token (staff account `COORDINATOR`)."""
    return service.auth(Role.COORDINATOR, COORDINATOR)


def as_mentor(service: ServiceHarness, mentor_id: str) -> dict[str, str]:
    """Headers with a mentor's token: its subject is the mentor id."""
    return service.auth(Role.MENTOR, mentor_id)


def incoming(service: ServiceHarness, data: EventData) -> CloudEvent[EventData]:
    """Another service's event under the test's condition, on the service's clock."""
    return new_event(data, clock=service.clock, condition=service.condition, programme=PROGRAMME)


async def seed_pairing(service: ServiceHarness, mentor_id: str | None = None) -> Pairing:
    """A pairing as a `MentorMatched` would have started it four weeks ago (for API tests)."""
    new = start_pairing(
        match_id=f"mat_{uuid.uuid4().hex}",
        referral_id=f"ref_{uuid.uuid4().hex}",
        mentor_id=mentor_id or f"mnt_{uuid.uuid4().hex}",
        condition=service.condition,
        programme=PROGRAMME,
        started_on=service.today() - timedelta(days=28),
        weeks=16,
        correlation_id=uuid.uuid4(),
    )
    async with service.sessions() as session, session.begin():
        await pairings_repo.add(session, new, at=service.clock.now())
    return new


async def counts(service: ServiceHarness) -> dict[str, int]:
    """Rows in every table a request could write to."""
    async with service.sessions() as session:
        return {
            t.name: int((await session.execute(select(func.count()).select_from(t))).scalar_one())
            for t in _TABLES
        }


async def published(service: ServiceHarness, data_type: type[EventData]) -> list[CloudEvent[Any]]:
    """Every event of one type the service put on its stream (public or internal), oldest first."""
    return await events_of(service.js, service.condition, data_type)


async def raw_published(service: ServiceHarness, data_type: type[EventData]) -> list[BusMessage]:
    """The messages of one event type as they sit on the stream (bytes and headers)."""
    return await read_stream(service.js, stream_of(data_type), subject_of(data_type, service.condition))


async def has_published(service: ServiceHarness, data_type: type[EventData], count: int) -> bool:
    """Whether at least `count` events of one type reached the stream."""
    return len(await published(service, data_type)) >= count


async def consumed_everything(service: ServiceHarness, stream: str, consumer: str) -> bool:
    """Whether one of the service's durable consumers has nothing pending or unacknowledged."""
    info = await service.js.consumer_info(stream, f"{service.condition}-{consumer}")
    return (info.num_pending or 0) == 0 and (info.num_ack_pending or 0) == 0
