"""Fixtures for the referrals service's tests: the service running in-process on the real infrastructure.

The helpers live in modules beside this file (`referrals_harness`, `referral_examples`); this folder is put
on `sys.path` so test modules can import them by those unique names.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from nats.aio.client import Client

sys.path.insert(0, str(Path(__file__).parent))

from referrals_harness import MLLP, ReferralsHarness, free_port, start_service, token_issuer

from peer_support_cli.embedded import Infrastructure


@pytest.fixture
async def referrals(
    infra: Infrastructure,
    nc: Client,
    condition: str,
    fresh_database_url: str,
    operator_token: Callable[..., str],
) -> AsyncIterator[ReferralsHarness]:
    """The referrals service on a fresh database, serving only this test's condition (as `t2d`)."""
    async with start_service(infra, nc, condition, fresh_database_url, operator_token) as harness:
        yield harness


@pytest.fixture(scope="module")
async def quiet_referrals(infra: Infrastructure, nc: Client) -> AsyncIterator[ReferralsHarness]:
    """One service for a whole module of tests that must leave nothing behind (bad inputs)."""
    condition = f"t{uuid.uuid4().hex[:12]}"
    database_url = infra.create_database(f"t_{uuid.uuid4().hex[:16]}")
    async with start_service(infra, nc, condition, database_url, token_issuer(infra)) as harness:
        yield harness


@pytest.fixture
async def mllp_referrals(
    infra: Infrastructure, nc: Client, condition: str, fresh_database_url: str
) -> AsyncIterator[ReferralsHarness]:
    """The service with its MLLP listener on a free port, accepting facility B86001."""
    issuer = token_issuer(infra)
    async with start_service(
        infra, nc, condition, fresh_database_url, issuer, mllp_port=free_port(), **MLLP
    ) as harness:
        yield harness


@pytest.fixture(scope="module")
async def quiet_mllp(infra: Infrastructure, nc: Client) -> AsyncIterator[ReferralsHarness]:
    """One MLLP-listening service for a module of tests that must leave nothing behind."""
    condition = f"t{uuid.uuid4().hex[:12]}"
    database_url = infra.create_database(f"t_{uuid.uuid4().hex[:16]}")
    issuer = token_issuer(infra)
    async with start_service(
        infra, nc, condition, database_url, issuer, mllp_port=free_port(), **MLLP
    ) as harness:
        yield harness
