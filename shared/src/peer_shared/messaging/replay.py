"""Replaying dead letters after the cause is fixed: each applies at most once, through the inbox."""

from __future__ import annotations

from dataclasses import dataclass

from peer_events.registry import parse_event
from peer_shared.clock import Clock
from peer_shared.db import SessionFactory
from peer_shared.logging import get_logger
from peer_shared.messaging import dead_letters, inbox
from peer_shared.messaging.subscription import Subscription, call_handler
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


@dataclass(frozen=True)
class ReplayResult:
    """What happened to one dead letter on replay."""

    letter_id: int
    applied: bool
    error: str | None


async def replay_dead_letters(
    sessions: SessionFactory,
    subscriptions: list[Subscription],
    clock: Clock,
    *,
    letter_ids: list[int] | None = None,
) -> list[ReplayResult]:
    """Apply waiting dead letters (all, or the given ids) with the same handlers as the consumer.

    Each letter runs in its own transaction with its inbox claim, so replaying twice, or replaying an
    event that a later redelivery already applied, changes nothing. A letter that fails again stays
    waiting with its new error.
    """
    by_name = {s.name: s for s in subscriptions}
    async with sessions() as session:
        waiting = await dead_letters.list_dead_letters(session)
    results = []
    for letter in waiting:
        if letter_ids is not None and letter.id not in letter_ids:
            continue
        subscription = by_name.get(letter.consumer)
        error: str | None = None
        applied = False
        try:
            if subscription is None:
                raise LookupError(f"no consumer named {letter.consumer} in this service")
            event = parse_event(letter.payload)
            async with sessions() as session, session.begin():
                if await inbox.claim(session, letter.consumer, [event.id]):
                    handler = subscription.handlers.get(type(event.data))
                    if handler is not None:
                        await call_handler(handler, [event], UnitOfWork(session=session, clock=clock))
                        applied = True
                await dead_letters.mark_replayed(session, letter.id, at=clock.now(), error=None)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            async with sessions() as session, session.begin():
                await dead_letters.mark_replayed(session, letter.id, at=clock.now(), error=error)
        log.info("dead letter replayed", letter_id=letter.id, applied=applied, error=error)
        results.append(ReplayResult(letter.id, applied, error))
    return results
