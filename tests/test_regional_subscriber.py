"""The example regional subscriber, on the real server with the read-only identity."""

from __future__ import annotations

import importlib.util
import tempfile
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from nats.js import JetStreamContext

from peer_events.subjects import subject_for
from peer_shared.messaging.outbox import headers_of
from peer_support_cli.embedded import Infrastructure
from peer_testkit.journeys import rejection

pytestmark = pytest.mark.integration
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "regional_subscriber.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("regional_subscriber", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_durable_subscriber_resumes_deduplicates_and_replays(
    infra: Infrastructure, js: JetStreamContext, condition: str
) -> None:
    example = load_example()
    user, password = infra.nats_credentials["regional"]
    received: list[dict[str, Any]] = []

    async def run(consumer: str, seen_file: Path) -> int:
        count: int = await example.subscribe(
            url=infra.nats_url,
            user=user,
            password=password,
            stream="PEER_REFERRALS",
            filter_subject=f"peer.{condition}.>",
            consumer=consumer,
            seen=example.SeenIds(seen_file),
            handle=received.append,
            stop_when_idle=True,
        )
        return count

    async def publish(n: int) -> list[str]:
        events = [rejection(condition) for _ in range(n)]
        for event in events:
            await js.publish(subject_for(event), event.model_dump_json().encode(), headers=headers_of(event))
        return [str(e.id) for e in events]

    folder = Path(tempfile.mkdtemp())
    consumer = f"regional-{uuid.uuid4().hex[:8]}"
    first = await publish(3)
    assert await run(consumer, folder / "seen.txt") == 3

    second = await publish(2)
    # The same event again under a new message id: a subscriber must de-duplicate on the event id.
    again = rejection(condition).model_copy(update={"id": uuid.UUID(first[0])})
    headers = headers_of(again) | {"Nats-Msg-Id": str(uuid.uuid4())}
    await js.publish(subject_for(again), again.model_dump_json().encode(), headers=headers)
    assert await run(consumer, folder / "seen.txt") == 2  # resumed after the first three, skipped the copy

    # A new consumer name replays the stream from the beginning.
    assert await run(f"{consumer}-replay", folder / "fresh-seen.txt") == 5
    assert [e["id"] for e in received] == first + second + first + second
