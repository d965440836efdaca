"""Running the whole platform for the console's tests: the four services in-process on the session's
NATS and Postgres (each with a fresh database and the test's own condition), and the console in front."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import nhs_number
import uvicorn
from fastapi import FastAPI

from peer_console.commands import add_account
from peer_console.settings import CONSOLE_ISSUER, ConsoleSettings
from peer_console.store import accounts_repo
from peer_matching.app import create_app as matching_app
from peer_matching.domain.training import TrainingModule
from peer_matching.settings import MatchingSettings, ProgrammeMatching
from peer_outcomes.app import create_app as outcomes_app
from peer_outcomes.settings import OutcomesSettings
from peer_referrals.app import create_app as referrals_app
from peer_referrals.settings import ReferralsSettings
from peer_sessions.app import create_app as sessions_app
from peer_sessions.settings import SessionsSettings
from peer_shared.auth.tokens import Role
from peer_shared.clock import SystemClock, to_london
from peer_shared.db import make_engine, make_session_factory
from peer_shared.settings import ServiceSettings
from peer_support_cli.embedded import Infrastructure
from peer_support_cli.embedded.service_config import service_settings

DATA = Path(__file__).parent / "data"
PASSWORD = "correct horse battery staple"
SERVICES = ("referrals", "matching", "sessions", "outcomes")


class AppsTransport(httpx.AsyncBaseTransport):
    """Sends each request to the in-process app named by its host (`http://matching.test/...`)."""

    def __init__(self, apps: dict[str, FastAPI]) -> None:
        self._transports = {f"{name}.test": httpx.ASGITransport(app=app) for name, app in apps.items()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Route by host."""
        return await self._transports[request.url.host].handle_async_request(request)


@dataclass
class Keys:
    """The console's signing key (a file) and its public half (for the services to trust)."""

    private_path: Path
    public_pem: str


def service_values(infra: Infrastructure, name: str, condition: str, keys: Keys) -> dict[str, Any]:
    """Settings of one service for this test: fresh database, own condition, trusting the console."""
    values = service_settings(infra, name, database_url=infra.create_database(f"c_{uuid.uuid4().hex[:16]}"))
    values["auth_public_keys"] = values["auth_public_keys"] | {CONSOLE_ISSUER: keys.public_pem}
    return values | {
        "conditions": [condition],
        "consumer_name_prefix": f"{condition}-",
        "outbox_poll_seconds": 0.1,
        "consumer_backoff_seconds": [0.2, 0.5],
        "log_level": "warning",
    }


def build_services(infra: Infrastructure, condition: str, keys: Keys) -> dict[str, FastAPI]:
    """The four services; the test's programme is matched in `suggest` mode (a coordinator confirms)."""
    programme = f"{condition}-suggest"
    settings: dict[str, ServiceSettings] = {
        "referrals": ReferralsSettings(
            **service_values(infra, "referrals", condition, keys),
            condition_aliases={"t2d": condition},
            condition_programmes={"t2d": programme},
        ),
        "matching": MatchingSettings(
            **service_values(infra, "matching", condition, keys),
            condition_programmes={condition: programme},
            programmes={programme: ProgrammeMatching(mode="suggest")},
        ),
        "sessions": SessionsSettings(
            **service_values(infra, "sessions", condition, keys), safeguarding_check_seconds=0.2
        ),
        "outcomes": OutcomesSettings(**service_values(infra, "outcomes", condition, keys)),
    }
    return {
        "referrals": referrals_app(settings["referrals"]),  # type: ignore[arg-type]
        "matching": matching_app(settings["matching"]),  # type: ignore[arg-type]
        "sessions": sessions_app(settings["sessions"]),  # type: ignore[arg-type]
        "outcomes": outcomes_app(settings["outcomes"]),  # type: ignore[arg-type]
    }


def console_settings(
    infra: Infrastructure, keys: Keys, database_url: str, **overrides: Any
) -> ConsoleSettings:
    """The console's settings: services reached at `http://<name>.test`."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "signing_key_path": keys.private_path,
        "session_secret": "s" * 48,
        "log_level": "warning",
        "lockout_failures": 3,
        "lockout_minutes": 0,
        **{f"{name}_url": f"http://{name}.test" for name in SERVICES},
    }
    return ConsoleSettings(**(values | overrides))


@dataclass
class Platform:
    """The running platform: the console's URL, its settings, and operator clients for each service."""

    url: str
    settings: ConsoleSettings
    condition: str
    apis: dict[str, httpx.AsyncClient]
    token: Callable[..., str]

    async def account(self, role: Role, mentor_id: str | None = None, username: str | None = None) -> str:
        """Add a console account (as the operator's CLI does); returns its user name."""
        username = username or f"{role.value}-{uuid.uuid4().hex[:8]}"
        url = self.settings.database_url.get_secret_value()
        await add_account(url, username, f"Test {role.value.title()}", role, PASSWORD, mentor_id)
        return username

    async def account_in_role(self, role: Role) -> str:
        """A new account of `role`; a mentor account is bound to a mentor id of its own, which is all a
        check of what the role may open needs."""
        return await self.account(role, f"mnt_{uuid.uuid4().hex}" if role is Role.MENTOR else None)

    async def stored_account(self, username: str) -> accounts_repo.Account | None:
        """The account as the console's database holds it."""
        engine = make_engine(self.settings.database_url.get_secret_value(), pool_size=1)
        try:
            async with make_session_factory(engine)() as session:
                return await accounts_repo.by_username(session, username)
        finally:
            await engine.dispose()

    def as_operator(self, role: Role, subject: str = "usr_" + "0" * 32) -> dict[str, str]:
        """Headers for calling a service directly with the operator's key (to set up and to check)."""
        return {"Authorization": f"Bearer {self.token(role, subject)}"}


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def serve_console(app: FastAPI, port: int) -> AsyncIterator[str]:
    """Serve the console with uvicorn on a real socket, in this event loop (the services share it)."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    try:
        while not server.started:
            if task.done():
                task.result()
            if loop.time() > deadline:
                raise TimeoutError("the console did not start listening within 20 s")
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def referral_bundle() -> dict[str, Any]:
    """A UK Core referral transaction Bundle with a fresh NHS number and UBRN."""
    bundle: dict[str, Any] = copy.deepcopy(json.loads((DATA / "referral-bundle.json").read_text()))
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Patient":
            resource["identifier"][0]["value"] = str(nhs_number.generate(quantity=1)[0])
        if resource["resourceType"] == "ServiceRequest":
            resource["identifier"][0]["value"] = f"{uuid.uuid4().int % 10**12:012d}"
    return bundle


async def register_mentor(platform: Platform) -> str:
    """A trained, checked mentor near the referred person who fits her preferences."""
    done = (to_london(SystemClock().now()).date() - timedelta(days=30)).isoformat()
    body = {
        "contact": {"full_name": "Priya Example", "email": "priya@example.org", "phone": "07700 900123"},
        "conditions": [platform.condition],
        "training": [{"module": m.value, "completed_on": done} for m in TrainingModule],
        "dbs_checked_on": done,
        "safeguarding_refreshed_on": done,
        "postcode_district": "LS8",
        "travel_km": 10,
        "gender": "female",
        "languages": ["en", "pa"],
        "availability": ["tue-evening"],
        "contact_modes": ["in-person"],
        "experience": ["newly-diagnosed"],
        "status": "active",
    }
    response = await platform.apis["matching"].post(
        "/mentors", json=body, headers=platform.as_operator(Role.COORDINATOR)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["mentor_id"])


async def refer(platform: Platform) -> str:
    """A GP practice refers someone (FHIR transaction Bundle); the referral's id."""
    headers = platform.as_operator(Role.REFERRER, "ods-B86001") | {"Content-Type": "application/fhir+json"}
    response = await platform.apis["referrals"].post("/fhir", json=referral_bundle(), headers=headers)
    assert response.status_code == 200, response.text
    queue = await platform.apis["referrals"].get("/referrals", headers=platform.as_operator(Role.COORDINATOR))
    (referral,) = queue.json()["items"]
    return str(referral["referral_id"])


async def service_json(
    platform: Platform,
    service: str,
    path: str,
    role: Role = Role.COORDINATOR,
    subject: str = "usr_" + "0" * 32,
) -> Any:
    """What a service holds, read with the operator's key."""
    response = await platform.apis[service].get(path, headers=platform.as_operator(role, subject))
    assert response.status_code == 200, response.text
    return response.json()


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 20) -> None:
    """Wait until `check` holds, or fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.2)


async def outcomes_knows(platform: Platform, referral_id: str) -> None:
    """Wait until the outcomes service has seen the referral (ReferralReceived, over the bus).

    The probe is a PAM entry whose level contradicts its score: refused as `unknown-referral` (404) until
    the referral is known, then as `level-contradicts-score` (422); either way nothing is recorded.
    """
    probe = {
        "timepoint": "baseline",
        "assessed_on": "2026-01-01",
        "score": 10,
        "level": 4,
        "administered_by": "coordinator",
    }

    async def known() -> bool:
        response = await platform.apis["outcomes"].post(
            f"/referrals/{referral_id}/pam", json=probe, headers=platform.as_operator(Role.COORDINATOR)
        )
        return response.status_code != 404

    await eventually(known)


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token in a page's forms."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page has no CSRF token"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    """Open the sign-in page and post the form with its CSRF token."""
    token = csrf_of(await client.get("/sign-in"))
    form = {"username": username, "password": password, "csrf_token": token}
    return await client.post("/sign-in", data=form)


async def pair(platform: Platform) -> tuple[str, str, str]:
    """A referral triaged and accepted, its match proposed and confirmed, and the pairing the sessions
    service starts from it, all through the services' APIs: (mentor id, referral id, pairing id)."""
    mentor_id = await register_mentor(platform)
    referral_id = await refer(platform)
    coordinator = platform.as_operator(Role.COORDINATOR)
    referrals, matching = platform.apis["referrals"], platform.apis["matching"]
    today = to_london(SystemClock().now()).date().isoformat()
    steps = [
        (f"/referrals/{referral_id}/contact-attempts", {"method": "phone", "outcome": "reached"}),
        (
            f"/referrals/{referral_id}/consent",
            {
                "peer_support": True,
                "share_outcomes_with_referrer": False,
                "contact_for_evaluation": False,
                "given_on": today,
            },
        ),
        (f"/referrals/{referral_id}/accept", {}),
    ]
    for path, body in steps:
        response = await referrals.post(path, json=body, headers=coordinator)
        assert response.status_code < 300, response.text
    proposals: list[dict[str, Any]] = []

    async def proposed() -> bool:
        proposals[:] = (
            await matching.get("/matches", params={"status": "proposed"}, headers=coordinator)
        ).json()
        return len(proposals) == 1

    await eventually(proposed)
    confirmed = await matching.post(f"/matches/{proposals[0]['match_id']}/confirm", headers=coordinator)
    assert confirmed.status_code == 200, confirmed.text
    pairings: list[dict[str, Any]] = []

    async def started() -> bool:
        pairings[:] = (await service_json(platform, "sessions", "/pairings"))["items"]
        return len(pairings) == 1

    await eventually(started)
    return mentor_id, referral_id, str(pairings[0]["id"])
