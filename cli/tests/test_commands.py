"""The operator commands against the session's real NATS and Postgres: tokens, dead letters, outbox."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import nats
import pytest
import typer
from sqlalchemy import insert
from typer.testing import CliRunner

from peer_events.envelope import CloudEvent, new_event
from peer_events.events.referrals import ReferralWithdrawn, WithdrawalReason
from peer_referrals.service import SERVICE as REFERRALS
from peer_shared.auth.revocation import BUCKET, RevocationList
from peer_shared.auth.tokens import Role, TokenVerifier, load_public_key
from peer_shared.clock import FixedClock, SystemClock
from peer_shared.db import migrate
from peer_shared.messaging.dead_letters import park
from peer_shared.messaging.subscription import Subscription
from peer_shared.messaging.tables import outbox
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_support_cli.commands.connection import database_sessions
from peer_support_cli.commands.dead_letters import fetch_dead_letters, replay
from peer_support_cli.commands.tokens import parse_ttl
from peer_support_cli.embedded import Infrastructure
from peer_support_cli.embedded.service_config import OPERATOR_ISSUER
from peer_support_cli.main import app

pytestmark = pytest.mark.integration

# Wide enough that rich never wraps a table cell.
runner = CliRunner(env={"COLUMNS": "250", "NO_COLOR": "1"})


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


@pytest.fixture
def referrals_database(fresh_database_url: str) -> str:
    """A fresh database with the referrals service's tables."""
    asyncio.run(migrate(REFERRALS.migrations, fresh_database_url))
    return fresh_database_url


def test_issued_token_verifies_with_the_public_key(infra: Infrastructure) -> None:
    issue = ["token", "issue", "--role", "coordinator", "--subject", "alice", "--ttl", "2h"]
    result = runner.invoke(app, [*issue, "--data-dir", str(infra.data_dir)])
    assert result.exit_code == 0, result.output
    verifier = TokenVerifier(
        {OPERATOR_ISSUER: load_public_key(infra.issuer_public_key_path)}, RevocationList(), SystemClock()
    )
    principal = verifier.verify(result.stdout.strip())
    assert (principal.role, principal.subject) == (Role.COORDINATOR, "alice")
    lifetime = principal.expires_at - datetime.now(UTC)
    assert timedelta(hours=2) - timedelta(minutes=1) < lifetime <= timedelta(hours=2)


def test_token_lifetimes_are_read_like_an_operator_writes_them() -> None:
    assert parse_ttl("1h30m") == timedelta(minutes=90)
    assert parse_ttl("7d") == timedelta(days=7)
    for wrong in ("", "8", "8x", "h8", "1h 30m"):
        with pytest.raises(typer.BadParameter):
            parse_ttl(wrong)


def test_token_issue_without_a_key_says_how_to_get_one(tmp_path: Path) -> None:
    code, output = invoke(
        "token", "issue", "--role", "mentor", "--subject", "bob", "--data-dir", str(tmp_path)
    )
    assert code == 1 and "peer-support up" in output


def test_revoked_token_is_recorded_in_the_shared_bucket(infra: Infrastructure) -> None:
    user, password = infra.nats_credentials["operator"]
    token_id = f"test-{uuid.uuid4()}"
    env = {"PEER_NATS_OPERATOR_PASSWORD": password}
    code, output = invoke("token", "revoke", token_id, "--nats-url", infra.nats_url, env=env)
    assert code == 0, output

    async def recorded() -> bytes:
        client = await nats.connect(infra.nats_url, user=user, password=password)
        try:
            entry = await (await client.jetstream().key_value(BUCKET)).get(token_id)
            return entry.value or b""
        finally:
            await client.drain()

    assert b"revoked_at" in asyncio.run(recorded())


def test_commands_need_a_running_installation(tmp_path: Path) -> None:
    code, output = invoke("outbox", "status", "--service", "referrals", "--data-dir", str(tmp_path))
    assert code == 1 and "nothing is running" in output


CLOCK = FixedClock(datetime(2026, 11, 2, 9, 30, tzinfo=UTC))


def withdrawal() -> CloudEvent[ReferralWithdrawn]:
    data = ReferralWithdrawn(
        referral_id=f"ref_{uuid.uuid4().hex}",
        withdrawn_on=date(2026, 11, 2),
        reason=WithdrawalReason.MOVED_AWAY,
        erase_personal_data=False,
    )
    return new_event(data, clock=CLOCK, condition="t2d", programme="t2d-one-to-one")


def park_letter(database_url: str, consumer: str, event: CloudEvent[ReferralWithdrawn]) -> None:
    async def park_it() -> None:
        async with database_sessions(database_url) as sessions, sessions() as session, session.begin():
            await park(
                session, consumer=consumer, stream="PEER_REFERRALS", stream_sequence=7,
                subject="peer.t2d.referrals.referral-withdrawn", event_id=event.id,
                payload=event.model_dump_json().encode(), headers={}, error="ValueError: boom",
                attempts=5, at=CLOCK.now(),
            )  # fmt: skip

    asyncio.run(park_it())


def test_dead_letters_are_listed_and_replayed_once(referrals_database: str) -> None:
    applied: list[uuid.UUID] = []

    async def on_withdrawn(event: CloudEvent[ReferralWithdrawn], unit: UnitOfWork) -> None:
        applied.append(event.id)

    consumer = f"test-{uuid.uuid4().hex[:8]}-v1"
    subscription = Subscription(consumer, "PEER_REFERRALS", {ReferralWithdrawn: on_withdrawn})
    event = withdrawal()
    park_letter(referrals_database, consumer, event)
    url = ["--service", "referrals", "--database-url", referrals_database]
    code, output = invoke("dead-letters", "list", *url)
    assert code == 0, output
    assert consumer in output and "ValueError: boom" in output and "2026-11-02 09:30 GMT" in output

    # The referrals service has no such consumer: the letter fails again and stays waiting.
    [waiting] = asyncio.run(fetch_dead_letters(referrals_database, include_replayed=False))
    code, output = invoke("dead-letters", "replay", *url, "--id", str(waiting.id))
    assert code == 1 and f"no consumer named {consumer}" in output

    results = asyncio.run(replay(referrals_database, [subscription], None))
    assert [(r.letter_id, r.applied, r.error) for r in results] == [(waiting.id, True, None)]
    assert applied == [event.id]
    assert asyncio.run(replay(referrals_database, [subscription], None)) == []

    code, output = invoke("dead-letters", "list", *url)
    assert code == 0 and "No waiting dead letters" in output
    code, output = invoke("dead-letters", "list", *url, "--all")
    assert code == 0 and consumer in output and "GMT" in output.split(consumer)[1]


def test_replay_goes_through_the_services_own_consumers(referrals_database: str) -> None:
    assert REFERRALS.subscriptions is not None
    [consumer, *_] = REFERRALS.subscriptions(REFERRALS.settings())
    # An event type this consumer has no handler for: replay then depends on the wiring alone,
    # not on what the service's handlers do.
    assert ReferralWithdrawn not in consumer.handlers
    park_letter(referrals_database, consumer.name, withdrawal())
    url = ["--service", "referrals", "--database-url", referrals_database]
    code, output = invoke("dead-letters", "replay", *url, "--all")
    assert code == 0 and "nothing applied" in output, output
    code, output = invoke("dead-letters", "replay", *url, "--all")
    assert code == 0 and "No waiting dead letters" in output, output


def test_outbox_republish_marks_published_rows_since_a_time(referrals_database: str) -> None:
    before, after = datetime(2026, 10, 31, 23, 0, tzinfo=UTC), datetime(2026, 11, 1, 1, 0, tzinfo=UTC)

    async def published_rows() -> None:
        async with database_sessions(referrals_database) as sessions, sessions() as session, session.begin():
            rows = [
                {"event_id": uuid.uuid4(), "subject": "peer.t2d.referrals.x", "payload": b"{}", "headers": {},
                 "created_at": created, "published_at": created}
                for created in (before, after)
            ]  # fmt: skip
            await session.execute(insert(outbox), rows)

    asyncio.run(published_rows())
    url = ["--service", "referrals", "--database-url", referrals_database]
    code, output = invoke("outbox", "republish", *url, "--since", "2026-11-01T00:00Z")
    assert code == 0 and output.startswith("1 events of referrals since 2026-11-01 00:00 GMT"), output
    code, output = invoke("outbox", "status", *url)
    assert code == 0 and "1 events waiting" in output, output
    code, output = invoke("outbox", "republish", *url, "--since", "yesterday")
    assert code == 2 and "ISO 8601" in output


def test_up_refuses_an_unknown_service() -> None:
    code, output = invoke("up", "--only", "referrals,billing")
    assert code == 2 and "billing" in output
