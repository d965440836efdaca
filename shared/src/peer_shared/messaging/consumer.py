"""Durable pull consumers on nats-py: one transaction per fetched batch, per-message outcomes.

FastStream acknowledges a fetched batch as a whole, so this drives nats-py directly (ADR 0002). A batch
is first applied in one transaction (the fast path). If any handler fails, that transaction is rolled
back and the batch is applied again with a savepoint around each message, so one bad message fails alone:
it is redelivered after a back-off delay, and on its last attempt parked in the dead-letter table with its
error and acknowledged. Acks go out only after the commit; a crash in between redelivers, and the inbox
skips what was already applied.

The fast path costs a few round trips per batch rather than per message: one inbox claim for the whole
batch, and the events its handlers emit go to the outbox together (one INSERT, one NOTIFY) just before the
commit, still in the same transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import structlog
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from peer_events.envelope import CloudEvent, EventData, envelope_for
from peer_events.registry import EVENT_TYPES, MalformedEvent, UnknownEventType, parse_event
from peer_shared.cancellation import stop_if_cancelled
from peer_shared.clock import Clock
from peer_shared.db import SessionFactory
from peer_shared.logging import get_logger
from peer_shared.messaging import dead_letters, inbox
from peer_shared.messaging.outbox import put_in_outbox
from peer_shared.messaging.subscription import (
    BatchHandler,
    Handler,
    PermanentError,
    Subscription,
    call_handler,
)
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.metrics import EVENTS_HANDLED, HANDLER_SECONDS

log = get_logger(__name__)


class Outcome(StrEnum):
    """What became of one delivered message."""

    HANDLED = "handled"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    RETRIED = "retried"
    DEAD_LETTERED = "dead_lettered"


@dataclass
class _Delivery:
    msg: Msg
    event: CloudEvent[EventData] | None
    error: str | None
    outcome: Outcome | None = None


@dataclass
class _StagingUnitOfWork(UnitOfWork):
    """The fast path's unit of work: emitted events wait in a list shared by the whole batch.

    The batch then writes them to the outbox with one multi-row INSERT and one NOTIFY just before it
    commits, instead of two round trips per handler. They are still in the same transaction, so they are
    published only if it commits; if that write fails, the batch is re-run in isolation, where each
    handler's events go to the outbox inside its own savepoint.
    """

    staged: list[CloudEvent[Any]] = field(default_factory=list)

    async def emit(self, *events: CloudEvent[Any]) -> None:
        """Stage events for this batch's outbox write."""
        self.staged.extend(events)


class EventConsumer:
    """Runs one `Subscription` against its stream until cancelled."""

    def __init__(
        self,
        *,
        service: str,
        subscription: Subscription,
        js: JetStreamContext,
        sessions: SessionFactory,
        clock: Clock,
        batch_size: int = 256,
        fetch_timeout: float = 1.0,
    ) -> None:
        self.subscription = subscription
        self._service = service
        self._js = js
        self._sessions = sessions
        self._clock = clock
        self._batch_size = batch_size
        self._fetch_timeout = fetch_timeout
        self._handler_seconds = HANDLER_SECONDS.labels(service, subscription.name)

    async def run(self) -> None:
        """Create or bind the durable consumer and process batches until cancelled."""
        sub = self.subscription
        while True:
            try:
                await self._js.add_consumer(sub.stream, sub.consumer_config())
                psub = await self._js.pull_subscribe_bind(sub.name, stream=sub.stream)
                break
            except NotFoundError:
                log.info("waiting for stream", stream=sub.stream, consumer=sub.name)
                stop_if_cancelled()
                await asyncio.sleep(1.0)
        stop_if_cancelled()
        try:
            while True:
                try:
                    msgs = await psub.fetch(self._batch_size, timeout=self._fetch_timeout)
                except TimeoutError:
                    msgs = []
                # nats-py's fetch uses asyncio.wait_for, which on Python 3.11 can swallow a cancellation
                # that races with its timeout; without this check a cancelled consumer would loop forever.
                stop_if_cancelled()
                if msgs:
                    await self.process(msgs)
        finally:
            with contextlib.suppress(Exception):
                await psub.unsubscribe()

    async def process(self, msgs: list[Msg]) -> None:
        """Apply a fetched batch, then acknowledge or schedule redelivery per message."""
        deliveries = [self._decode(msg) for msg in msgs]
        try:
            await self._apply_batch(deliveries, isolate=False)
        except Exception:
            for delivery in deliveries:
                delivery.outcome = None
            try:
                await self._apply_batch(deliveries, isolate=True)
            except Exception as exc:
                # The database itself failed: nothing was committed, everything comes back later.
                log.warning("batch not committed; redelivering", error=repr(exc), size=len(msgs))
                for delivery in deliveries:
                    delivery.outcome = Outcome.RETRIED
        await self._settle(deliveries)

    def _decode(self, msg: Msg) -> _Delivery:
        event = _decode_by_header(msg)
        if event is not None:
            return _Delivery(msg, event, None)
        try:
            return _Delivery(msg, parse_event(msg.data), None)
        except (MalformedEvent, UnknownEventType) as exc:
            return _Delivery(msg, None, str(exc))

    async def _apply_batch(self, deliveries: list[_Delivery], *, isolate: bool) -> None:
        name = self.subscription.name
        staged: list[CloudEvent[Any]] = []
        batched: dict[BatchHandler, list[_Delivery]] = {}
        async with self._sessions() as session, session.begin():
            decoded = [d.event.id for d in deliveries if d.event is not None]
            fresh = await inbox.claim(session, name, decoded)
            for delivery in deliveries:
                event = delivery.event
                if event is None:
                    await self._park(session, delivery, delivery.error or "undecodable")
                    continue
                if event.id not in fresh:
                    delivery.outcome = Outcome.DUPLICATE
                    continue
                fresh.discard(event.id)  # a second copy in the same batch is a duplicate
                attempts = delivery.msg.metadata.num_delivered
                if attempts > self.subscription.retry.max_deliver:
                    # It never got as far as failing: the process died or timed out under it.
                    await inbox.release(session, name, event.id)
                    await self._park(session, delivery, f"delivered {attempts} times, never finished")
                    continue
                handler = self.subscription.handlers.get(type(event.data))
                if handler is None:
                    delivery.outcome = Outcome.IGNORED
                    continue
                if not isolate:
                    if isinstance(handler, BatchHandler):
                        batched.setdefault(handler, []).append(delivery)
                        continue
                    uow = _StagingUnitOfWork(session=session, clock=self._clock, staged=staged)
                    await self._run_handler([event], handler, uow)
                    delivery.outcome = Outcome.HANDLED
                    continue
                try:
                    async with session.begin_nested():
                        await self._run_handler(
                            [event], handler, UnitOfWork(session=session, clock=self._clock)
                        )
                    delivery.outcome = Outcome.HANDLED
                except Exception as exc:
                    await inbox.release(session, name, event.id)
                    await self._fail(session, delivery, exc)
            for batch_handler, group in batched.items():
                uow = _StagingUnitOfWork(session=session, clock=self._clock, staged=staged)
                await self._run_handler([d.event for d in group if d.event], batch_handler, uow)
                for delivery in group:
                    delivery.outcome = Outcome.HANDLED
            if staged:
                await put_in_outbox(session, staged)

    async def _run_handler(
        self, events: list[CloudEvent[EventData]], handler: Handler | BatchHandler, uow: UnitOfWork
    ) -> None:
        """Run a handler on one event, or a batch handler on several, with their ids bound to the logs."""
        started = time.perf_counter()
        first = events[0]
        context: dict[str, object] = (
            {"event_id": str(first.id), "correlation_id": str(first.correlationid), "event_type": first.type}
            if len(events) == 1
            else {"batch_size": len(events)}  # a batch handler may take several types at once
        )
        with structlog.contextvars.bound_contextvars(**context):
            await call_handler(handler, events, uow)
        self._handler_seconds.observe(time.perf_counter() - started)

    async def _fail(self, session: AsyncSession, delivery: _Delivery, exc: Exception) -> None:
        attempt = delivery.msg.metadata.num_delivered
        error = f"{type(exc).__name__}: {exc}"
        log.warning(
            "handler failed",
            consumer=self.subscription.name,
            attempt=attempt,
            error=error,
            event_id=str(delivery.event.id) if delivery.event else None,
        )
        if isinstance(exc, PermanentError) or attempt >= self.subscription.retry.max_deliver:
            await self._park(session, delivery, error)
        else:
            delivery.outcome = Outcome.RETRIED

    async def _park(self, session: AsyncSession, delivery: _Delivery, error: str) -> None:
        msg = delivery.msg
        headers = dict(msg.headers or {})
        event_id = delivery.event.id if delivery.event else _uuid_or_none(headers.get("Nats-Msg-Id"))
        await dead_letters.park(
            session,
            consumer=self.subscription.name,
            stream=msg.metadata.stream,
            stream_sequence=msg.metadata.sequence.stream,
            subject=msg.subject,
            event_id=event_id,
            payload=msg.data,
            headers=headers,
            error=error,
            attempts=msg.metadata.num_delivered,
            at=self._clock.now(),
        )
        delivery.outcome = Outcome.DEAD_LETTERED
        log.error("message dead-lettered", consumer=self.subscription.name, error=error)

    async def _settle(self, deliveries: list[_Delivery]) -> None:
        retry = self.subscription.retry
        outcomes: Counter[Outcome] = Counter()
        for delivery in deliveries:
            outcome = delivery.outcome or Outcome.RETRIED
            outcomes[outcome] += 1
            if outcome is Outcome.RETRIED:
                attempt = delivery.msg.metadata.num_delivered
                await delivery.msg.nak(delay=retry.delay_after(attempt))
            else:
                await delivery.msg.ack()
        # Counted once per batch and outcome: a labelled metric costs a lookup and a lock per call.
        for outcome, n in outcomes.items():
            EVENTS_HANDLED.labels(self._service, self.subscription.name, outcome.value).inc(n)


def _decode_by_header(msg: Msg) -> CloudEvent[EventData] | None:
    """Parse with the model the `ce-type` header names, or None to leave it to `parse_event`.

    `parse_event` reads the whole JSON once to find the type and again to validate it; the relay puts the
    type in a header, which saves the first pass. Only a result whose own `type` agrees with the header is
    used, so anything unusual (no header, a wrong one, invalid data) takes the general path and gets the
    same outcome and error message as before.
    """
    event_type = msg.headers.get("ce-type") if msg.headers else None
    data_type = EVENT_TYPES.get(event_type) if event_type else None
    if data_type is None:
        return None
    try:
        event: CloudEvent[EventData] = envelope_for(data_type).model_validate_json(msg.data)
    except ValidationError:
        return None
    return event if event.type == event_type else None


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None
