"""The FastStream subscriber template (examples/faststream_subscriber/), on the real server as `regional`."""

from __future__ import annotations

import importlib.util
import itertools
import sqlite3
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from faststream import TestApp
from faststream.nats import NatsBroker, TestNatsBroker
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerInfo, DeliverPolicy

from peer_events import CloudEvent, EventData, new_event, subject_for
from peer_events import events as ev
from peer_events.codes import AgeBand, Gender
from peer_shared.clock import SystemClock
from peer_shared.messaging.outbox import headers_of
from peer_support_cli.embedded import Infrastructure
from peer_testkit.journeys import rejection
from peer_testkit.waiting import eventually

ROOT = Path(__file__).resolve().parent.parent
# The template is a package in examples/, which is not installed: make `faststream_subscriber` importable.
sys.path.insert(0, str(ROOT / "examples"))

from faststream_subscriber import handlers  # noqa: E402
from faststream_subscriber.app import create_app  # noqa: E402
from faststream_subscriber.settings import STREAMS, Settings  # noqa: E402

PROGRAMME = "t2d-one-to-one"
PARK_AFTER = 3
FIRST_RETRY = 0.3


def contract_examples() -> list[EventData]:
    """One example payload of every public event type, from the contract tests."""
    path = ROOT / "events" / "tests" / "test_contracts_schema.py"
    spec = importlib.util.spec_from_file_location("contract_examples", path)
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [example for example in module.EXAMPLES if not type(example).internal]


def settings_for(infra: Infrastructure, condition: str, folder: Path, **overrides: Any) -> Settings:
    """The template's settings for one test: its own consumers, condition and database."""
    user, password = infra.nats_credentials["regional"]
    values: dict[str, Any] = {
        "url": infra.nats_url,
        "user": user,
        "password": password,
        "consumer_prefix": f"fs-{uuid.uuid4().hex[:8]}",
        "condition": condition,
        "database": folder / "regional.sqlite3",
        "park_after": PARK_AFTER,
        "first_retry_seconds": FIRST_RETRY,
        "max_retry_seconds": 5.0,
    }
    return Settings(**(values | overrides))


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[None]:
    """The subscriber app, started and stopped as `faststream run` would."""
    app = create_app(settings)
    await app.start()
    try:
        yield
    finally:
        await app.stop()


async def publish(js: JetStreamContext, event: CloudEvent[Any], msg_id: str | None = None) -> int:
    """Publish as the platform does (operator connection); returns the stream sequence."""
    headers = headers_of(event) | ({"Nats-Msg-Id": msg_id} if msg_id else {})
    ack = await js.publish(subject_for(event), event.model_dump_json().encode(), headers=headers)
    return ack.seq


def rows(settings: Settings, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Read the subscriber's database from outside, as a report would."""
    with sqlite3.connect(settings.database) as db:
        return db.execute(sql, params).fetchall()


def applied_ids(settings: Settings) -> set[str]:
    if not settings.database.exists():
        return set()
    return {event_id for (event_id,) in rows(settings, "SELECT event_id FROM applied")}


async def consumer(js: JetStreamContext, settings: Settings, stream: str) -> ConsumerInfo:
    info: ConsumerInfo = await js.consumer_info(stream, settings.consumer_name(stream))
    return info


def counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """Count the effects of one handler (by event id), keeping what it does."""
    calls: list[str] = []
    original: Callable[[sqlite3.Connection, CloudEvent[Any]], None] = getattr(handlers, name)

    def count(tx: sqlite3.Connection, event: CloudEvent[Any]) -> None:
        calls.append(str(event.id))
        original(tx, event)

    monkeypatch.setattr(handlers, name, count)
    return calls


@pytest.mark.integration
async def test_reads_every_public_event_type_into_typed_handlers(
    infra: Infrastructure, js: JetStreamContext, condition: str, tmp_path: Path
) -> None:
    settings = settings_for(infra, condition, tmp_path)
    published = [
        new_event(data, clock=SystemClock(), condition=condition, programme=PROGRAMME)
        for data in contract_examples()
    ]
    for event in published:
        await publish(js, event)

    async with running(settings):

        async def all_applied() -> bool:
            return applied_ids(settings) == {str(e.id) for e in published}

        await eventually(all_applied)

    assert sorted(rows(settings, "SELECT event_type FROM applied")) == sorted((e.type,) for e in published)
    assert rows(settings, "SELECT * FROM parked") == []
    # The typed handlers acted on the referral the examples follow (ids from the contract examples).
    referral = published[0].data.referral_id  # type: ignore[attr-defined]
    [caseload] = rows(
        settings,
        "SELECT status, age_band, postcode_district, mentor_id, pairing_id, cohort_id, pam_level"
        " FROM caseload WHERE referral_id = ?",
        referral,
    )
    mentor = next(e.data.mentor_id for e in published if isinstance(e.data, ev.MentorMatched))
    pairing = next(e.data.pairing_id for e in published if isinstance(e.data, ev.PairingStarted))
    cohort = next(e.data.cohort_id for e in published if isinstance(e.data, ev.MemberEnrolled))
    # Withdrawn with erasure requested: the profile fields are gone, the pseudonymous links stay.
    assert caseload == ("withdrawn", None, None, mentor, pairing, cohort, 4)

    # Every consumer was created by the regional identity with the template's settings.
    for stream in STREAMS:
        config = (await consumer(js, settings, stream)).config
        assert config.filter_subject == f"peer.{condition}.{stream.removeprefix('PEER_').lower()}.>"
        assert config.durable_name == settings.consumer_name(stream)
        assert config.ack_policy == AckPolicy.EXPLICIT
        assert config.deliver_policy == DeliverPolicy.ALL
        assert config.max_deliver == -1


@pytest.mark.integration
async def test_a_failing_handler_is_retried_with_back_off_then_parked(
    infra: Infrastructure,
    js: JetStreamContext,
    condition: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = settings_for(infra, condition, tmp_path)
    attempts: list[float] = []

    def failing(tx: sqlite3.Connection, event: CloudEvent[ev.ReferralAccepted]) -> None:
        attempts.append(time.monotonic())
        tx.execute(
            "INSERT INTO caseload (referral_id, condition) VALUES (?, ?)", (event.data.referral_id, "x")
        )
        raise RuntimeError("the regional database is down")

    monkeypatch.setattr(handlers, "referral_accepted", failing)
    accepted = new_event(
        next(e for e in contract_examples() if isinstance(e, ev.ReferralAccepted)),
        clock=SystemClock(),
        condition=condition,
        programme=PROGRAMME,
    )
    later = rejection(condition)
    sequence = await publish(js, accepted)
    await publish(js, later)

    async with running(settings):

        async def parked() -> bool:
            return bool(settings.database.exists() and rows(settings, "SELECT 1 FROM parked"))

        await eventually(parked)

        async def settled() -> bool:
            info = await consumer(js, settings, "PEER_REFERRALS")
            return info.num_ack_pending == 0 and info.num_pending == 0

        await eventually(settled)

    assert len(attempts) == PARK_AFTER
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
    # nack(delay=...) with back-off, not an immediate redelivery: 0.3 s, then 0.6 s.
    assert gaps[0] >= FIRST_RETRY * 0.9
    assert gaps[1] >= 2 * FIRST_RETRY * 0.9
    [(stream, stream_sequence, event_id, count, error)] = rows(
        settings, "SELECT stream, stream_sequence, event_id, attempts, error FROM parked"
    )
    assert (stream, stream_sequence, event_id, count) == ("PEER_REFERRALS", sequence, str(accepted.id), 3)
    assert "the regional database is down" in error
    # The failed attempts were rolled back (neither the effect nor the applied row stayed); the event after
    # the parked one was applied.
    assert applied_ids(settings) == {str(later.id)}
    assert rows(settings, "SELECT referral_id FROM caseload") == [(later.data.referral_id,)]


@pytest.mark.integration
async def test_a_restart_resumes_without_rereading_and_a_new_consumer_replays_from_a_date(
    infra: Infrastructure,
    js: JetStreamContext,
    condition: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = settings_for(infra, condition, tmp_path)
    effects = counting(monkeypatch, "referral_rejected")
    first = [rejection(condition) for _ in range(3)]
    for event in first:
        await publish(js, event)

    async def applied(events: list[CloudEvent[Any]], of: Settings = settings) -> None:
        async def done() -> bool:
            return {str(e.id) for e in events} <= applied_ids(of)

        await eventually(done)

    async with running(settings):
        await applied(first)
    between = datetime.now(UTC)
    second = [rejection(condition) for _ in range(2)]
    for event in second:
        await publish(js, event)

    async with running(settings):
        await applied(second)

    info = await consumer(js, settings, "PEER_REFERRALS")
    assert info.delivered is not None
    # Five deliveries in all, none of them a redelivery: the second run started after the acknowledged three.
    assert (info.delivered.consumer_seq, info.num_redelivered, info.num_ack_pending) == (5, 0, 0)
    assert sorted(effects) == sorted(
        str(e.id) for e in first + second
    )  # each once (a batch runs concurrently)

    # A new consumer configured to replay from a moment reads only what came after it.
    replay = settings_for(infra, condition, tmp_path / "replay", replay_from=between)
    replay.database.parent.mkdir()
    async with running(replay):
        await applied(second, replay)
    assert applied_ids(replay) == {str(e.id) for e in second}
    config = (await consumer(js, replay, "PEER_REFERRALS")).config
    assert config.deliver_policy == DeliverPolicy.BY_START_TIME


@pytest.mark.integration
async def test_the_same_event_under_another_message_id_is_applied_once(
    infra: Infrastructure,
    js: JetStreamContext,
    condition: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = settings_for(infra, condition, tmp_path)
    effects = counting(monkeypatch, "referral_rejected")
    event = rejection(condition)
    await publish(js, event)
    # An operator re-publish: the server's de-duplication window does not catch a new Nats-Msg-Id.
    copy = await publish(js, event, msg_id=str(uuid.uuid4()))

    async with running(settings):

        async def both_acknowledged() -> bool:
            info = await consumer(js, settings, "PEER_REFERRALS")
            return (
                info.ack_floor is not None and info.ack_floor.stream_seq >= copy and info.num_ack_pending == 0
            )

        await eventually(both_acknowledged)

    assert effects == [str(event.id)]
    assert rows(settings, "SELECT event_id FROM applied") == [(str(event.id),)]
    assert rows(settings, "SELECT referral_id, status FROM caseload") == [
        (event.data.referral_id, "rejected")
    ]


async def test_routing_sends_each_event_type_to_its_typed_handler(tmp_path: Path) -> None:
    """In memory (no acks, no server): which handler an event reaches, by its subject."""
    settings = Settings(password="unused", database=tmp_path / "regional.sqlite3")
    app = create_app(settings)
    received = new_event(
        ev.ReferralReceived(
            referral_id=f"ref_{uuid.uuid4().hex}",
            received_on=datetime.now(UTC).date(),
            source=ev.referrals.ReferralSource.FHIR,
            referrer_ods_code="A81001",
            age_band=AgeBand.AGE_55_64,
            gender=Gender.FEMALE,
            postcode_district="TS18",
        ),
        clock=SystemClock(),
        condition="t2d",
        programme=PROGRAMME,
    )
    assert isinstance(app.broker, NatsBroker)
    async with TestNatsBroker(app.broker) as broker, TestApp(app):
        await broker.publish(
            received.model_dump_json().encode(),
            subject_for(received),
            stream="PEER_REFERRALS",
        )
        rejected = rejection("t2d")
        await broker.publish(
            rejected.model_dump_json().encode(), subject_for(rejected), stream="PEER_REFERRALS"
        )
        unrouted = rejection("t2d").model_copy(
            update={"type": "uk.nhs.peer-support.referrals.referral-gone.v1"}
        )
        await broker.publish(
            unrouted.model_dump_json().encode(),
            "peer.t2d.referrals.referral-gone.v1",
            stream="PEER_REFERRALS",
        )
    assert sorted(rows(settings, "SELECT referral_id, status, postcode_district FROM caseload")) == sorted(
        [(received.data.referral_id, "received", "TS18"), (rejected.data.referral_id, "rejected", None)]
    )
    # The unknown type reached the catch-all, which skips it without recording it.
    assert applied_ids(settings) == {str(received.id), str(rejected.id)}
