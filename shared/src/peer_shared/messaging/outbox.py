"""Writing events to the transactional outbox: the state change and its events commit together.

Nothing here talks to NATS. The relay (`relay.py`) publishes committed rows afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import LargeBinary, Text, Uuid, bindparam, cast, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import Executable

from peer_events.envelope import CloudEvent, EventData
from peer_events.subjects import subject_for
from peer_shared.messaging.tables import outbox

NOTIFY_CHANNEL = "peer_outbox"
DEFAULT_LANE = "default"
URGENT_LANE = "urgent"
"""Internal, time-critical events (safeguarding) have their own lane and relay, so they never queue
behind a backlog of ordinary events."""


def lane_of(event: CloudEvent[EventData]) -> str:
    """Internal events travel in the urgent lane; everything else in the default one."""
    return URGENT_LANE if type(event.data).internal else DEFAULT_LANE


def headers_of(event: CloudEvent[EventData]) -> dict[str, str]:
    """NATS headers: the de-duplication id plus a few CloudEvents attributes for cheap filtering."""
    return {
        "Nats-Msg-Id": str(event.id),
        "ce-type": event.type,
        "ce-correlationid": str(event.correlationid),
        "content-type": "application/cloudevents+json",
    }


def _staging_statement() -> Executable:
    """INSERT the rows (arrays, one per column) and NOTIFY each lane they touch, in one statement.

    One statement whatever the number of events, so a handler's commit costs one round trip for its
    events, and SQLAlchemy and asyncpg reuse one compiled and prepared form for every batch size.
    """
    columns = ("event_id", "lane", "subject", "payload", "headers")
    rows = select(
        func.unnest(bindparam("event_ids", type_=ARRAY(Uuid))),
        func.unnest(bindparam("lanes", type_=ARRAY(Text))),
        func.unnest(bindparam("subjects", type_=ARRAY(Text))),
        func.unnest(bindparam("payloads", type_=ARRAY(LargeBinary))),
        cast(func.unnest(bindparam("headers", type_=ARRAY(Text))), JSONB),
    )
    inserted = insert(outbox).from_select(columns, rows).returning(outbox.c.lane).cte("inserted")
    lanes = select(inserted.c.lane).distinct().subquery("lanes")
    return select(func.pg_notify(NOTIFY_CHANNEL, lanes.c.lane))


_STAGE = _staging_statement()


async def put_in_outbox(session: AsyncSession, events: Iterable[CloudEvent[Any]]) -> int:
    """Stage events in the caller's transaction; the relay is woken when it commits.

    Postgres delivers NOTIFY only on commit (and folds repeats), so a rolled-back transaction
    wakes nobody and a batch of a thousand rows wakes the relay once.
    """
    events = list(events)
    if not events:
        return 0
    await session.execute(
        _STAGE,
        {
            "event_ids": [event.id for event in events],
            "lanes": [lane_of(event) for event in events],
            "subjects": [subject_for(event) for event in events],
            "payloads": [event.model_dump_json().encode() for event in events],
            "headers": [json.dumps(headers_of(event)) for event in events],
        },
    )
    return len(events)


async def mark_for_republish(session: AsyncSession, since: object) -> int:
    """Queue every event created since `since` to be published again (after a broker disaster).

    The same event ids go out again: JetStream de-duplicates inside its window, and every consumer's
    inbox de-duplicates beyond it, so re-publishing is harmless.
    """
    result = await session.execute(
        update(outbox)
        .where(outbox.c.created_at >= since, outbox.c.published_at.is_not(None))
        .values(published_at=None)
    )
    for lane in (DEFAULT_LANE, URGENT_LANE):  # wake the relays now rather than at their next poll
        await session.execute(
            text("SELECT pg_notify(:channel, :lane)"), {"channel": NOTIFY_CHANNEL, "lane": lane}
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def pending_summary(session: AsyncSession) -> tuple[int, float]:
    """How many rows wait to be published, and the age in seconds of the oldest one."""
    row = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.extract("epoch", func.now() - func.min(outbox.c.created_at)), 0),
            ).where(outbox.c.published_at.is_(None))
        )
    ).one()
    return int(row[0]), float(row[1])
