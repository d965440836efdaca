"""Fixtures for the referrals service's tests: the service running in-process on the real infrastructure.

Each serves only its test's condition, as `t2d` (`peer_testkit.referrals.start_referrals`).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from peer_testkit.harness import ServiceHarness
from peer_testkit.plugin import Infrastructure
from peer_testkit.ports import free_port
from peer_testkit.referrals import MLLP, start_referrals


@pytest.fixture
async def referrals(
    infra: Infrastructure, js: JetStreamContext, condition: str, fresh_database_url: str
) -> AsyncIterator[ServiceHarness]:
    """The referrals service on a fresh database, serving only this test's condition (as `t2d`)."""
    async with start_referrals(infra, js, condition, fresh_database_url) as harness:
        yield harness


@pytest.fixture(scope="module")
async def quiet_referrals(infra: Infrastructure, nc: Client) -> AsyncIterator[ServiceHarness]:
    """One service for a whole module of tests that must leave nothing behind (bad inputs)."""
    condition = f"t{uuid.uuid4().hex[:12]}"
    database_url = infra.create_database(f"t_{uuid.uuid4().hex[:16]}")
    async with start_referrals(infra, nc.jetstream(), condition, database_url) as harness:
        yield harness


@pytest.fixture
async def mllp_referrals(
    infra: Infrastructure, js: JetStreamContext, condition: str, fresh_database_url: str
) -> AsyncIterator[ServiceHarness]:
    """The service with its MLLP listener on a free port, accepting facility B86001."""
    async with start_referrals(
        infra, js, condition, fresh_database_url, mllp_port=free_port(), **MLLP
    ) as harness:
        yield harness


@pytest.fixture(scope="module")
async def quiet_mllp(infra: Infrastructure, nc: Client) -> AsyncIterator[ServiceHarness]:
    """One MLLP-listening service for a module of tests that must leave nothing behind."""
    condition = f"t{uuid.uuid4().hex[:12]}"
    database_url = infra.create_database(f"t_{uuid.uuid4().hex[:16]}")
    async with start_referrals(
        infra, nc.jetstream(), condition, database_url, mllp_port=free_port(), **MLLP
    ) as harness:
        yield harness
