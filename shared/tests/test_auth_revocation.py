"""Revocations travel through the real JetStream key-value bucket to every service's verifier."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import nats
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nats.aio.client import Client
from nats.js import JetStreamContext

from peer_shared.auth import (
    BUCKET,
    AuthenticationError,
    AuthFailure,
    RevocationList,
    RevocationWatcher,
    Role,
    TokenVerifier,
    issue_token,
    open_revocation_bucket,
    revoke,
)
from peer_shared.clock import SystemClock

pytestmark = pytest.mark.integration

ISSUER = "peer-support-operator"
KEY = Ed25519PrivateKey.generate()
CLOCK = SystemClock()


async def _connect(infra: Any) -> Client:
    user, password = infra.nats_credentials["operator"]
    return await nats.connect(infra.nats_url, user=user, password=password)


@pytest.fixture
async def js(infra: Any) -> AsyncIterator[JetStreamContext]:
    connection = await _connect(infra)
    yield connection.jetstream()
    await connection.close()


@pytest.fixture
async def watcher(js: JetStreamContext) -> AsyncIterator[RevocationWatcher]:
    watcher = RevocationWatcher(js)
    await watcher.start()
    yield watcher
    await watcher.stop()


def _verifier(revocations: RevocationList) -> TokenVerifier:
    return TokenVerifier({ISSUER: KEY.public_key()}, revocations, CLOCK)


def _token() -> str:
    return issue_token(
        KEY, issuer=ISSUER, role=Role.MENTOR, subject="M-7", ttl=timedelta(hours=1), clock=CLOCK
    )


async def _eventually(condition: Callable[[], bool], within: float = 10.0) -> None:
    async with asyncio.timeout(within):
        while not condition():
            await asyncio.sleep(0.02)


async def test_a_revocation_reaches_a_running_watcher(
    js: JetStreamContext, watcher: RevocationWatcher
) -> None:
    verifier = _verifier(watcher.revocations)
    token = _token()
    principal = verifier.verify(token)

    await revoke(js, principal.token_id, principal.expires_at)
    await _eventually(lambda: principal.token_id in watcher.revocations)

    with pytest.raises(AuthenticationError) as caught:
        verifier.verify(token)
    assert caught.value.reason is AuthFailure.REVOKED
    assert verifier.verify(_token()).subject == "M-7"


async def test_a_revocation_written_before_the_watcher_started_is_loaded(js: JetStreamContext) -> None:
    principal = _verifier(RevocationList()).verify(token := _token())
    await revoke(js, principal.token_id, principal.expires_at)

    watcher = RevocationWatcher(js)
    await watcher.start()
    try:
        assert principal.token_id in watcher.revocations
        with pytest.raises(AuthenticationError, match="revoked"):
            _verifier(watcher.revocations).verify(token)
    finally:
        await watcher.stop()


async def test_the_record_says_when_and_until_when(js: JetStreamContext) -> None:
    principal = _verifier(RevocationList()).verify(_token())
    await revoke(js, principal.token_id, principal.expires_at)

    entry = await (await open_revocation_bucket(js)).get(principal.token_id)
    assert entry.value is not None
    assert f'"expires_at": "{principal.expires_at.isoformat()}"' in entry.value.decode()
    assert b'"revoked_at": ' in entry.value


async def test_a_deleted_record_is_forgotten(js: JetStreamContext, watcher: RevocationWatcher) -> None:
    principal = _verifier(RevocationList()).verify(_token())
    await revoke(js, principal.token_id, principal.expires_at)
    await _eventually(lambda: principal.token_id in watcher.revocations)

    await (await js.key_value(BUCKET)).delete(principal.token_id)

    await _eventually(lambda: principal.token_id not in watcher.revocations)


async def test_without_nats_the_last_known_list_still_applies(infra: Any, js: JetStreamContext) -> None:
    connection = await _connect(infra)
    watcher = RevocationWatcher(connection.jetstream(), retry_delay=0.05)
    await watcher.start()
    try:
        verifier = _verifier(watcher.revocations)
        principal = verifier.verify(token := _token())
        await revoke(js, principal.token_id, principal.expires_at)
        await _eventually(lambda: principal.token_id in watcher.revocations)

        await connection.close()
        await asyncio.sleep(0.2)  # let the watcher fail and retry a few times

        with pytest.raises(AuthenticationError, match="revoked"):
            verifier.verify(token)
        assert verifier.verify(_token()).subject == "M-7"
    finally:
        await watcher.stop()
