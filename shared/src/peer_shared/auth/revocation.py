"""Token revocations, shared between services through a JetStream key-value bucket.

The services share no database, so the operator CLI writes each revoked token id (key = `jti`) to
the `peer_revocations` bucket and every service keeps an in-memory copy current by watching it.
Verification reads only the in-memory copy: while NATS is unreachable it uses the last known list.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError
from nats.js.kv import KV_DEL, KV_PURGE, KeyValue

from peer_shared.cancellation import stop_if_cancelled
from peer_shared.clock import Clock, SystemClock
from peer_shared.logging import get_logger

BUCKET = "peer_revocations"
# The bucket forgets a record after this long; tokens may live at most a day less (see tokens.py).
REVOCATION_RETENTION = timedelta(days=91)

log = get_logger(__name__)


class RevocationList:
    """The ids (`jti`) of revoked tokens as last seen: what the verifier checks on every request."""

    def __init__(self, token_ids: Iterable[str] = ()) -> None:
        self._ids = set(token_ids)

    def __contains__(self, token_id: object) -> bool:
        return token_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, token_id: str) -> None:
        """Mark a token as revoked."""
        self._ids.add(token_id)

    def discard(self, token_id: str) -> None:
        """Forget a revocation (its record was deleted or purged from the bucket)."""
        self._ids.discard(token_id)

    def replace(self, token_ids: Iterable[str]) -> None:
        """Swap in a complete snapshot of the bucket, dropping records it no longer holds."""
        self._ids = set(token_ids)


async def open_revocation_bucket(js: JetStreamContext, *, replicas: int = 1) -> KeyValue:
    """Return the revocations bucket, creating it (file-backed, latest value per key) if absent."""
    try:
        return await js.key_value(BUCKET)
    except BucketNotFoundError:
        # Creating with an identical config is idempotent, so racing services cannot conflict.
        config = KeyValueConfig(
            bucket=BUCKET,
            description="Revoked bearer token ids (jti) with revoked_at and expires_at",
            history=1,
            ttl=REVOCATION_RETENTION.total_seconds(),
            storage=StorageType.FILE,
            replicas=replicas,
        )
        return await js.create_key_value(config)


async def revoke(
    js: JetStreamContext, token_id: str, expires_at: datetime, *, clock: Clock | None = None
) -> None:
    """Record that the token `token_id` (its `jti`), valid until `expires_at`, is revoked."""
    revoked_at = (clock or SystemClock()).now()
    record = {"revoked_at": revoked_at.isoformat(), "expires_at": expires_at.isoformat()}
    kv = await open_revocation_bucket(js)
    await kv.put(token_id, json.dumps(record).encode())


class RevocationWatcher:
    """Keeps a `RevocationList` current by watching the bucket; run it from a service's lifespan.

    It reloads the whole bucket every `resync_interval` seconds (and after any error), so an update
    missed while disconnected, or a record the bucket has aged out, is caught up without a restart.
    If the bucket does not exist yet it is created with `replicas` (the service's stream replicas).
    """

    def __init__(
        self,
        js: JetStreamContext,
        revocations: RevocationList | None = None,
        *,
        resync_interval: float = 300.0,
        retry_delay: float = 2.0,
        replicas: int = 1,
    ) -> None:
        self.revocations = revocations if revocations is not None else RevocationList()
        self._js = js
        self._resync_interval = resync_interval
        self._retry_delay = retry_delay
        self._replicas = replicas
        self._synced = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self, load_timeout: float = 10.0) -> None:
        """Start watching and wait until the bucket's current contents are loaded.

        Raises `TimeoutError` if they are not loaded within `load_timeout` seconds: a service that
        started with an empty list would accept every revoked token, so it should not start.
        """
        if self._task is not None:
            raise RuntimeError("the revocation watcher is already running")
        self._task = asyncio.create_task(self._run(), name="revocation-watcher")
        try:
            await asyncio.wait_for(self._synced.wait(), load_timeout)
        except TimeoutError:
            await self.stop()
            raise TimeoutError(f"revocations bucket {BUCKET!r} not loaded in {load_timeout}s") from None

    async def stop(self) -> None:
        """Stop watching; the list keeps its last contents."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            try:
                await self._watch_until_resync()
                stop_if_cancelled()
            except Exception:
                log.warning("revocation watch failed; keeping the last known list", exc_info=True)
                await asyncio.sleep(self._retry_delay)

    async def _watch_until_resync(self) -> None:
        kv = await open_revocation_bucket(self._js, replicas=self._replicas)
        watcher: _KeyWatcher = await kv.watchall()
        try:
            snapshot: set[str] = set()
            # nats-py marks the end of the bucket's current contents with a None entry.
            while (entry := await watcher.updates(timeout=self._resync_interval)) is not None:
                _apply(snapshot, entry)
            self.revocations.replace(snapshot)
            self._synced.set()
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self._resync_interval
            while (remaining := deadline - loop.time()) > 0:
                try:
                    entry = await watcher.updates(timeout=remaining)
                except NatsTimeoutError:
                    return
                if entry is not None:
                    _apply(self.revocations, entry)
        finally:
            # The connection may already be gone; the ordered consumer then dies with it.
            with contextlib.suppress(Exception):
                await watcher.stop()


class _KeyWatcher(Protocol):
    """The part of nats-py's (untyped) `KeyValue.KeyWatcher` used here."""

    async def updates(self, timeout: float) -> KeyValue.Entry | None: ...

    async def stop(self) -> None: ...


def _apply(revocations: RevocationList | set[str], entry: KeyValue.Entry) -> None:
    if entry.operation in (KV_DEL, KV_PURGE):
        revocations.discard(entry.key)
    else:
        revocations.add(entry.key)
