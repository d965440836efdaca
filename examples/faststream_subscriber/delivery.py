"""At-least-once delivery: acknowledge after the effects commit, retry with back-off, park poison events.

FastStream's default (`AckPolicy.REJECT_ON_ERROR`) *terminates* a message whose handler raises: JetStream
never delivers it again, and the event is lost to this subscriber. `NACK_ON_ERROR` redelivers at once, in a
tight loop. So the subscribers run with `AckPolicy.MANUAL` and this middleware decides instead, for every
message, whatever happened (a handler error, a payload that fails validation, undecodable JSON):

- success: ack (the handler returned, so its transaction committed);
- failure, delivery n < `park_after`: nack with a delay, doubling from `first_retry_seconds`;
- failure on delivery `park_after`: write the message to the `parked` table, then ack;
- cancelled (shutdown mid-handler): leave it unacknowledged; the server redelivers it after `ack_wait`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from faststream import BaseMiddleware, ContextRepo
from nats.aio.msg import Msg

from .store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """When to try again, and when to give up on an event and park it."""

    park_after: int
    first_retry_seconds: float
    max_retry_seconds: float

    def delay_after(self, failed_deliveries: int) -> float:
        """Seconds to wait before the next delivery, after this many failed ones (exponential back-off)."""
        return float(min(self.first_retry_seconds * 2 ** (failed_deliveries - 1), self.max_retry_seconds))


class AtLeastOnce:
    """The broker middleware factory: FastStream builds one `_Delivery` per message."""

    def __init__(self, store: Store, policy: RetryPolicy) -> None:
        self._store = store
        self._policy = policy

    def __call__(self, msg: Any, /, *, context: ContextRepo) -> _Delivery:
        """The middleware for one message."""
        return _Delivery(msg, context=context, store=self._store, policy=self._policy)


class _Delivery(BaseMiddleware[Any, Any]):
    def __init__(self, msg: Msg, /, *, context: ContextRepo, store: Store, policy: RetryPolicy) -> None:
        super().__init__(msg, context=context)
        self._store = store
        self._policy = policy

    async def after_processed(
        self,
        exc_type: type[BaseException] | None = None,
        exc_val: BaseException | None = None,
        exc_tb: TracebackType | None = None,
    ) -> bool | None:
        message: Msg = self.msg  # the raw nats-py message: FastStream runs broker middlewares on it
        if exc_val is None:
            await message.ack()
            return False
        if not isinstance(exc_val, Exception):
            return False  # cancellation or interpreter exit: no verdict, the server redelivers it later
        deliveries = message.metadata.num_delivered
        if deliveries < self._policy.park_after:
            delay = self._policy.delay_after(deliveries)
            log.warning(
                "delivery %d of %s failed (%r): retrying in %.1fs",
                deliveries,
                message.subject,
                exc_val,
                delay,
            )
            await message.nak(delay=delay)
        else:
            await self._park(message, deliveries, exc_val)
        return True  # handled here: FastStream must neither log it as unhandled nor act on it

    async def _park(self, message: Msg, deliveries: int, error: Exception) -> None:
        sequence = message.metadata.sequence.stream
        try:
            self._store.park(
                stream=message.metadata.stream,
                stream_sequence=sequence,
                subject=message.subject,
                event_id=_event_id(message.data),
                attempts=deliveries,
                error=repr(error),
                body=message.data,
            )
        except Exception:
            # Not parked, so not acknowledged either: keep retrying at the longest interval.
            log.exception("could not park %s #%d", message.metadata.stream, sequence)
            await message.nak(delay=self._policy.max_retry_seconds)
            return
        log.error(
            "parked %s #%d after %d deliveries: %r", message.metadata.stream, sequence, deliveries, error
        )
        await message.ack()


def _event_id(body: bytes) -> str | None:
    """The CloudEvent id, if the body is JSON enough to have one (it may be what failed)."""
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return str(value["id"]) if isinstance(value, dict) and "id" in value else None
