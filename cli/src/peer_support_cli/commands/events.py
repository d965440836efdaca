"""`peer-support events tail`: watch events go by, filtered by condition and type, printed readably."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import nats
import typer
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from peer_events.streams import ALL_STREAMS
from peer_shared.clock import to_london
from peer_support_cli.commands.connection import (
    DEFAULT_DATA_DIR,
    DataDirOption,
    operator_nats,
    reports_errors,
    run,
)

app = typer.Typer(help="Watch the platform's events.", no_args_is_help=True)


def subject_filter(condition: str, event: str | None, include_internal: bool) -> list[str]:
    """The subjects to watch: one condition (or `*`), one event name (or all)."""
    roots = ["peer", "internal"] if include_internal else ["peer"]
    tail = f"*.{event}.>" if event else ">"
    return [f"{root}.{condition}.{tail}" for root in roots]


def render(payload: bytes) -> str:
    """One readable line per event: local time, type, subject, then the payload's fields."""
    try:
        event: dict[str, Any] = json.loads(payload)
        moment = to_london(datetime.fromisoformat(event["time"])).strftime("%Y-%m-%d %H:%M:%S")
        data = " ".join(f"{key}={_short(value)}" for key, value in (event.get("data") or {}).items())
        return f"{moment}  {event['type'].removeprefix('uk.nhs.peer-support.')}  {data}"
    except (ValueError, KeyError, TypeError, AttributeError):
        return f"(not an event) {payload[:200]!r}"


async def tail(
    url: str,
    user: str,
    password: str | None,
    subjects: list[str],
    *,
    from_start: bool,
    limit: int | None,
    emit: Callable[[str], None],
) -> int:
    """Print matching events from every stream until cancelled (or `limit` events); returns how many."""
    nc = await nats.connect(url, user=user, password=password)
    js = nc.jetstream()
    queue: asyncio.Queue[bytes] = asyncio.Queue()

    async def collect(msg: Any) -> None:
        await queue.put(msg.data)

    policy = DeliverPolicy.ALL if from_start else DeliverPolicy.NEW
    try:
        for stream in ALL_STREAMS:
            for subject in subjects:
                if _may_overlap(subject, stream.subjects[0]):
                    config = ConsumerConfig(deliver_policy=policy, ack_policy=AckPolicy.NONE)
                    await js.subscribe(
                        subject, stream=stream.name, cb=collect, ordered_consumer=True, config=config
                    )
        shown = 0
        while limit is None or shown < limit:
            emit(render(await queue.get()))
            shown += 1
        return shown
    finally:
        await nc.close()


@app.command("tail")
@reports_errors
def tail_command(
    condition: Annotated[str, typer.Option(help="Condition code, e.g. t2d; * for all.")] = "*",
    event: Annotated[
        str | None, typer.Option("--type", help="Event name, e.g. referral-received (default: all).")
    ] = None,
    from_start: Annotated[bool, typer.Option(help="Replay from the start of the streams first.")] = False,
    internal: Annotated[bool, typer.Option(help="Include internal (safeguarding) events.")] = False,
    limit: Annotated[int | None, typer.Option(help="Stop after this many events.")] = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    nats_url: Annotated[
        str | None, typer.Option(help="NATS URL (default: the running installation).")
    ] = None,
) -> None:
    """Print events as they are published, one line each, until Ctrl-C."""
    url, user, password = operator_nats(Path(data_dir), nats_url)
    subjects = subject_filter(condition, event, internal)
    with contextlib.suppress(KeyboardInterrupt):
        run(tail(url, user, password, subjects, from_start=from_start, limit=limit, emit=typer.echo))


def _short(value: object) -> str:
    text = json.dumps(value, separators=(",", ":")) if isinstance(value, dict | list) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _may_overlap(wanted: str, stream_subject: str) -> bool:
    # Both have the same shape (root.condition.service...); the roots must agree for any overlap.
    return wanted.split(".")[0] == stream_subject.split(".")[0]
