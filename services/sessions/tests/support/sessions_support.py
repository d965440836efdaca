"""Test support for the sessions service: the running service as tests see it, and its settings."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import func, select

from peer_sessions.domain.pairing import Pairing, start_pairing
from peer_sessions.settings import SessionsSettings
from peer_sessions.store import pairings
from peer_sessions.store.tables import (
    concern,
    goal,
    goal_history,
    mentoring_session,
    pairing,
    session_revision,
)
from peer_shared.auth import Role
from peer_shared.clock import FixedClock, to_london
from peer_shared.contracts import CloudEvent, EventData, new_event, parse_event, subject_for, subject_of
from peer_shared.contracts.streams import internal_stream, public_stream
from peer_shared.db import SessionFactory
from peer_shared.messaging.outbox import headers_of
from peer_shared.messaging.tables import outbox
from peer_shared.runtime import ServiceRuntime
from peer_support_cli.embedded import Infrastructure
from peer_support_cli.embedded.service_config import service_settings

PROGRAMME = "t2d-one-to-one"
COORDINATOR = "usr_" + "c" * 32


@dataclass
class RunningService:
    """The sessions service running in the test's event loop."""

    client: httpx.AsyncClient
    clock: FixedClock
    settings: SessionsSettings
    runtime: ServiceRuntime
    condition: str
    js: JetStreamContext
    issue: Callable[..., str]

    @property
    def db(self) -> SessionFactory:
        """Sessions on the service's own database."""
        return self.runtime.sessions

    def auth(self, role: Role = Role.COORDINATOR, subject: str = COORDINATOR) -> dict[str, str]:
        """Request headers carrying a bearer token for `role` acting as `subject`."""
        return {"Authorization": f"Bearer {self.issue(role, subject)}"}

    def event(self, data: EventData) -> CloudEvent[EventData]:
        """An event under this test's condition."""
        return new_event(data, clock=self.clock, condition=self.condition, programme=PROGRAMME)

    async def publish(self, event: CloudEvent[Any], *, msg_id: str | None = None) -> None:
        """Put an event on its stream as its producer would; a given `msg_id` defeats de-duplication."""
        headers = headers_of(event)
        headers["Nats-Msg-Id"] = msg_id or headers["Nats-Msg-Id"]
        await self.js.publish(subject_for(event), event.model_dump_json().encode(), headers=headers)

    async def consumed_everything(self, stream: str, consumer: str) -> bool:
        """Whether one of the service's durable consumers has nothing pending or unacknowledged."""
        info = await self.js.consumer_info(stream, f"{self.condition}-{consumer}")
        return (info.num_pending or 0) == 0 and (info.num_ack_pending or 0) == 0

    async def outbox_drained(self) -> bool:
        """Whether the relays have published every outbox row."""
        query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        async with self.db() as session:
            return int((await session.execute(query)).scalar_one()) == 0

    async def seed_pairing(self, mentor_id: str | None = None) -> Pairing:
        """A pairing as a `MentorMatched` would have started it four weeks ago (for API tests)."""
        new = start_pairing(
            match_id=f"mat_{uuid.uuid4().hex}",
            referral_id=f"ref_{uuid.uuid4().hex}",
            mentor_id=mentor_id or f"mnt_{uuid.uuid4().hex}",
            condition=self.condition,
            programme=PROGRAMME,
            started_on=to_london(self.clock.now()).date() - timedelta(days=28),
            weeks=16,
            correlation_id=uuid.uuid4(),
        )
        async with self.db() as session, session.begin():
            await pairings.add(session, new, at=self.clock.now())
        return new

    async def counts(self) -> dict[str, int]:
        """Rows in every table a request could write to."""
        tables = (mentoring_session, session_revision, goal, goal_history, concern, pairing, outbox)
        async with self.db() as session:
            return {
                t.name: int((await session.execute(select(func.count()).select_from(t))).scalar_one())
                for t in tables
            }

    async def published(self, data_type: type[EventData]) -> list[CloudEvent[EventData]]:
        """Every event of one type this test's service put on its stream (read with an ephemeral consumer)."""
        messages = await self.raw_published(data_type)
        return [parse_event(m.data) for m in messages]

    async def raw_published(self, data_type: type[EventData]) -> list[Msg]:
        """The raw messages of one event type on this test's subjects."""
        spec = internal_stream("sessions") if data_type.internal else public_stream("sessions")
        psub = await self.js.pull_subscribe(
            subject_of(data_type, self.condition),
            stream=spec.name,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
        )
        try:
            pending = (await psub.consumer_info()).num_pending or 0
            messages: list[Msg] = []
            while len(messages) < pending:
                messages += await psub.fetch(min(pending - len(messages), 1000), timeout=5)
            return messages
        finally:
            await psub.unsubscribe()


def sessions_settings(
    infra: Infrastructure, database_url: str, condition: str, **overrides: object
) -> SessionsSettings:
    """Settings for a test's own service: its database, its condition, quick polls and retries."""
    values = service_settings(infra, "sessions", database_url=database_url)
    tuned: dict[str, object] = {
        "conditions": [condition],
        "consumer_name_prefix": f"{condition}-",
        "outbox_poll_seconds": 0.2,
        "consumer_backoff_seconds": [0.2, 0.5],
        "safeguarding_check_seconds": 0.1,
        "log_level": "warning",
    }
    return SessionsSettings(**(values | tuned | overrides))
