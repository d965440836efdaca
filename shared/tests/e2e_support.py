"""The four services running together in one test, on the session's real NATS and Postgres.

Each service gets a fresh database and consumes only the test's own condition (referrals publishes its
`t2d` referrals under that condition through `condition_aliases`). All four share one scenario clock
through a file (`ScenarioFileClock`), which the test moves on, so every rule that depends on "now" (no
future sessions, baseline before the first session) holds as in real use; bearer tokens are issued on
that clock too. A service can be stopped and started again on the same database and durable consumers.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nhs_number
from bus_support import eventually
from fastapi import FastAPI
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import func, select

from peer_matching.app import create_app as matching_app
from peer_matching.handlers.events import subscriptions as matching_subscriptions
from peer_matching.settings import MatchingSettings
from peer_outcomes.app import create_app as outcomes_app
from peer_outcomes.handlers.events import subscriptions as outcomes_subscriptions
from peer_outcomes.settings import OutcomesSettings
from peer_referrals.app import create_app as referrals_app
from peer_referrals.handlers.events import subscriptions as referrals_subscriptions
from peer_referrals.settings import ReferralsSettings
from peer_sessions.app import create_app as sessions_app
from peer_sessions.handlers.events import subscriptions as sessions_subscriptions
from peer_sessions.settings import SessionsSettings
from peer_shared.auth.tokens import Role, issue_token, load_private_key
from peer_shared.clock import ScenarioFileClock
from peer_shared.contracts import parse_event
from peer_shared.contracts.envelope import CloudEvent, EventData
from peer_shared.contracts.streams import ALL_STREAMS
from peer_shared.contracts.subjects import subject_of
from peer_shared.messaging.tables import dead_letter, outbox
from peer_shared.runtime import ServiceRuntime
from peer_shared.settings import ServiceSettings
from peer_support_cli.embedded import Infrastructure
from peer_support_cli.embedded.service_config import OPERATOR_ISSUER, service_settings

SERVICES = ("referrals", "matching", "sessions", "outcomes")
PROGRAMME = "t2d-one-to-one"
COORDINATOR = "usr_" + "e2" * 16
REFERRER = "ods-B86001"
TOKEN_TTL = timedelta(hours=1)
STOP_SECONDS = 10
NHS_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
PREFERENCES = ("mentor-gender:female", "language:pa", "availability:tue-evening", "contact-mode:in-person")

_KINDS: dict[str, tuple[Callable[..., FastAPI], type[ServiceSettings], Callable[[Any], Sequence[Any]]]] = {
    "referrals": (referrals_app, ReferralsSettings, referrals_subscriptions),
    "matching": (matching_app, MatchingSettings, matching_subscriptions),
    "sessions": (sessions_app, SessionsSettings, sessions_subscriptions),
    "outcomes": (outcomes_app, OutcomesSettings, outcomes_subscriptions),
}


@dataclass
class Running:
    """One service running in the test's event loop."""

    app: FastAPI
    http: httpx.AsyncClient
    settings: ServiceSettings
    stack: contextlib.AsyncExitStack

    @property
    def runtime(self) -> ServiceRuntime:
        """The service's runtime (its database sessions)."""
        runtime: ServiceRuntime = self.app.state.runtime
        return runtime


@dataclass
class Platform:
    """The four services, their databases, the shared scenario clock and an operator's NATS access."""

    infra: Infrastructure
    js: JetStreamContext
    condition: str
    clock_file: Path
    databases: dict[str, str]
    running: dict[str, Running] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.clock = ScenarioFileClock(self.clock_file)
        self._key = load_private_key(self.infra.issuer_private_key_path)

    def settings(self, service: str) -> ServiceSettings:
        """The service's settings: its fresh database, the test's condition, the scenario clock."""
        values = service_settings(self.infra, service, database_url=self.databases[service])
        values |= {
            "conditions": [self.condition],
            "consumer_name_prefix": f"{self.condition}-",
            "clock_file": self.clock_file,
            "outbox_poll_seconds": 0.2,
            "consumer_backoff_seconds": [0.2, 0.5, 1.0],
            # A service stopped mid-batch leaves its messages unacknowledged: they come back this soon.
            "consumer_ack_wait_seconds": 5,
        }
        if service == "referrals":
            values |= {
                "condition_aliases": {"t2d": self.condition},
                "condition_programmes": {"t2d": PROGRAMME},
            }
        if service == "matching":
            values |= {"condition_programmes": {self.condition: PROGRAMME}}
        return _KINDS[service][1](**values)

    async def start(self, service: str) -> None:
        """Start a new app of the service on its database (its durable consumers carry on)."""
        make_app = _KINDS[service][0]
        settings = self.settings(service)
        app = make_app(settings)
        stack = contextlib.AsyncExitStack()
        await stack.enter_async_context(app.router.lifespan_context(app))
        transport = httpx.ASGITransport(app=app)
        http = await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url="http://test"))
        self.running[service] = Running(app, http, settings, stack)

    async def stop(self, service: str) -> None:
        """Stop the service as its process would stop (the lifespan ends), failing if it does not."""
        # In a task of its own: a task that swallowed its cancellation would hold an awaiting caller
        # forever, deadline or not.
        closing = asyncio.create_task(self.running.pop(service).stack.aclose())
        if (await asyncio.wait({closing}, timeout=STOP_SECONDS))[0]:
            closing.result()
            return
        stuck = [t for t in asyncio.all_tasks() if t.cancelling() and not t.done() and t is not closing]
        for task in stuck:  # cancel them again, so they cannot haunt the tests that follow
            task.cancel()
        await asyncio.wait({closing}, timeout=STOP_SECONDS)
        names = sorted(t.get_coro().__qualname__ for t in stuck)  # type: ignore[union-attr]
        raise AssertionError(f"{service} did not stop within {STOP_SECONDS}s; still running: {names}")

    def move_clock(self, at: datetime) -> None:
        """Move every service's clock (and the tokens') to `at`; it ticks on from there."""
        ScenarioFileClock.set(self.clock_file, at)

    def today(self) -> date:
        """The scenario's date (UTC)."""
        return self.clock.now().date()

    def auth(self, role: Role, subject: str) -> dict[str, str]:
        """A bearer token issued now on the scenario clock (an earlier one may have expired since)."""
        token = issue_token(
            self._key,
            issuer=OPERATOR_ISSUER,
            role=role,
            subject=subject,
            ttl=TOKEN_TTL,
            clock=self.clock,
        )
        return {"Authorization": f"Bearer {token}"}

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        role: Role = Role.COORDINATOR,
        subject: str = COORDINATOR,
        expect: int = 200,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Make a request of a service and check its status; return the JSON answer."""
        sent = self.auth(role, subject) | (headers or {})
        response = await self.running[service].http.request(method, path, headers=sent, **kwargs)
        assert response.status_code == expect, f"{method} {service} {path}: {response.text}"
        return response.json()

    async def quiet(self) -> bool:
        """Every running service has published its outbox and consumed everything of this condition."""
        for service, running in self.running.items():
            async with running.runtime.sessions() as session:
                query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
                if (await session.execute(query)).scalar_one():
                    return False
            for subscription in _KINDS[service][2](running.settings):
                info = await self.js.consumer_info(subscription.stream, subscription.name)
                if info.num_pending or info.num_ack_pending:
                    return False
        return True

    async def dead_letters(self) -> dict[str, int]:
        """Messages each running service parked as failed (a flow that works parks none)."""
        counts = {}
        for service, running in self.running.items():
            async with running.runtime.sessions() as session:
                query = select(func.count()).select_from(dead_letter)
                counts[service] = int((await session.execute(query)).scalar_one())
        return counts


@contextlib.asynccontextmanager
async def platform(
    infra: Infrastructure, js: JetStreamContext, condition: str, start_at: datetime
) -> AsyncIterator[Platform]:
    """The four services on fresh databases, with the scenario clock set to `start_at`."""
    folder = Path(tempfile.mkdtemp(prefix="peer-e2e-"))
    clock_file = folder / "clock.json"
    ScenarioFileClock.set(clock_file, start_at)
    databases = {service: infra.create_database(f"t_{uuid.uuid4().hex[:16]}") for service in SERVICES}
    running = Platform(infra, js, condition, clock_file, databases)
    try:
        # One after another: Alembic keeps its migration context in module globals, so two services
        # migrating at once in their worker threads would trip over each other.
        for service in SERVICES:
            await running.start(service)
        yield running
    finally:
        failures = []
        for service in list(running.running):
            try:
                await running.stop(service)
            except AssertionError as failure:
                failures.append(failure)
        shutil.rmtree(folder, ignore_errors=True)
        if failures:
            raise failures[0]


# --- What reached the streams -------------------------------------------------------------------------


@dataclass(frozen=True)
class BusMessage:
    """One message as it sits on a stream."""

    stream: str
    subject: str
    data: bytes
    headers: dict[str, str]

    def event(self) -> CloudEvent[Any]:
        """The message as an event."""
        return parse_event(self.data)


async def read_stream(js: JetStreamContext, stream: str, subject: str) -> list[BusMessage]:
    """Every message on `stream` matching `subject`, oldest first (an ephemeral consumer reads them)."""
    psub = await js.pull_subscribe(
        subject,
        stream=stream,
        config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
    )
    try:
        pending = (await psub.consumer_info()).num_pending or 0
        found: list[BusMessage] = []
        while len(found) < pending:
            for msg in await psub.fetch(min(pending - len(found), 1000), timeout=5):
                found.append(BusMessage(stream, msg.subject, msg.data, dict(msg.headers or {})))
        return found
    finally:
        await psub.unsubscribe()


async def everything_on_the_bus(js: JetStreamContext, condition: str) -> list[BusMessage]:
    """Every message under the condition on every stream, public and internal."""
    found: list[BusMessage] = []
    for spec in ALL_STREAMS:
        root = "internal" if spec.internal else "peer"
        found += await read_stream(js, spec.name, f"{root}.{condition}.>")
    return found


async def events_of(
    js: JetStreamContext, condition: str, data_type: type[EventData]
) -> list[CloudEvent[Any]]:
    """Every event of one type under the condition."""
    stream = f"{'INTERNAL' if data_type.internal else 'PEER'}_{data_type.producer.upper()}"
    return [m.event() for m in await read_stream(js, stream, subject_of(data_type, condition))]


async def wait_for_events(
    js: JetStreamContext,
    condition: str,
    data_type: type[EventData],
    count: int,
    *,
    where: Callable[[CloudEvent[Any]], bool] = lambda _: True,
    timeout: float = 30.0,
) -> list[CloudEvent[Any]]:
    """Wait until at least `count` events of a type (and matching `where`) reached the stream."""
    found: list[CloudEvent[Any]] = []

    async def enough() -> bool:
        nonlocal found
        found = [e for e in await events_of(js, condition, data_type) if where(e)]
        return len(found) >= count

    await eventually(enough, timeout=timeout)
    return found


# --- Inputs -------------------------------------------------------------------------------------------


def fresh_nhs_number() -> str:
    """A valid NHS number (Modulus 11) that no other test uses."""
    return str(nhs_number.generate(quantity=1)[0])  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Person:
    """Somebody referred: the direct identifiers that must never reach the bus."""

    given: tuple[str, ...]
    family: str
    birth_date: date
    postcode: str
    address_line: str
    phone: str
    email: str
    nhs_number: str = field(default_factory=fresh_nhs_number)


def service_request(person: Person, authored_on: date, note: str) -> dict[str, Any]:
    """A UK Core ServiceRequest for type 2 diabetes peer support, with its Patient and practice contained."""
    patient = {
        "resourceType": "Patient",
        "id": "patient",
        "identifier": [{"system": NHS_SYSTEM, "value": person.nhs_number}],
        "name": [{"use": "official", "family": person.family, "given": list(person.given)}],
        "telecom": [
            {"system": "phone", "value": person.phone, "use": "mobile", "rank": 1},
            {"system": "email", "value": person.email, "use": "home"},
        ],
        "gender": "female",
        "birthDate": person.birth_date.isoformat(),
        "address": [
            {"use": "home", "line": [person.address_line], "city": "Leeds", "postalCode": person.postcode}
        ],
    }
    practice = {
        "resourceType": "Organization",
        "id": "practice",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "B86001"}],
        "name": "Harehills Medical Practice",
    }
    return {
        "resourceType": "ServiceRequest",
        "identifier": [
            {"system": "https://fhir.nhs.uk/Id/UBRN", "value": f"{uuid.uuid4().int % 10**12:012d}"}
        ],
        "status": "active",
        "intent": "order",
        "contained": [patient, practice],
        "subject": {"reference": "#patient"},
        "requester": {"reference": "#practice"},
        "authoredOn": authored_on.isoformat(),
        "reasonCode": [{"coding": [{"system": "http://snomed.info/sct", "code": "44054006"}]}],
        "orderDetail": [
            {"coding": [{"system": "urn:peer-support:mentee-preference", "code": c} for c in PREFERENCES]}
        ],
        "note": [{"text": note}],
    }


def mentor_body(condition: str, trained_on: date, contact: dict[str, str], capacity: int) -> dict[str, Any]:
    """A volunteer who finished training and checks on `trained_on`, in Leeds, registered in training."""
    modules = ["mentoring", "motivational-interviewing", "goal-setting", "action-planning", "boundaries"]
    modules += ["confidentiality", "safeguarding"]
    done = trained_on.isoformat()
    return {
        "contact": contact,
        "conditions": [condition],
        "training": [{"module": m, "completed_on": done} for m in modules],
        "dbs_checked_on": done,
        "safeguarding_refreshed_on": done,
        "capacity": capacity,
        "postcode_district": "LS8",
        "travel_km": 10,
        "gender": "female",
        "languages": ["en", "pa"],
        "availability": ["tue-evening"],
        "status": "in-training",
    }


# --- Steps of a referral's journey ----------------------------------------------------------------------


async def register_mentor(p: Platform, contact: dict[str, str], capacity: int, trained_on: date) -> str:
    """Register a trained mentor and activate them; return their id."""
    body = mentor_body(p.condition, trained_on, contact, capacity)
    mentor = await p.call("matching", "POST", "/mentors", json=body, expect=201)
    assert mentor["status"] == "in-training"
    activated = await p.call("matching", "POST", f"/mentors/{mentor['mentor_id']}/activate")
    assert activated["status"] == "active"
    return str(mentor["mentor_id"])


async def refer(p: Platform, person: Person, note: str = "Finding it hard to change her diet.") -> str:
    """Send a FHIR referral as the GP practice; return the referral's id."""
    document = service_request(person, p.today(), note)
    created = await p.call(
        "referrals",
        "POST",
        "/fhir/ServiceRequest",
        role=Role.REFERRER,
        subject=REFERRER,
        json=document,
        headers={"Content-Type": "application/fhir+json"},
        expect=201,
    )
    return str(created["id"])


async def accept(p: Platform, referral_id: str) -> dict[str, Any]:
    """Triage: reach the person, record their consent, accept. Returns the referral's summary."""
    contact = {"method": "phone", "outcome": "reached", "note": "Spoke to her; keen to start."}
    await p.call("referrals", "POST", f"/referrals/{referral_id}/contact-attempts", json=contact, expect=201)
    consent = {
        "peer_support": True,
        "share_outcomes_with_referrer": True,
        "contact_for_evaluation": False,
        "given_on": p.today().isoformat(),
    }
    await p.call("referrals", "POST", f"/referrals/{referral_id}/consent", json=consent, expect=201)
    summary: dict[str, Any] = await p.call("referrals", "POST", f"/referrals/{referral_id}/accept", json={})
    assert summary["triage_status"] == "accepted"
    return summary


async def referral_status(p: Platform, referral_id: str) -> str:
    """Where the referral is, as the referrer sees it."""
    view = await p.call(
        "referrals", "GET", f"/my/referrals/{referral_id}", role=Role.REFERRER, subject=REFERRER
    )
    return str(view["status"])


async def pairing_of(p: Platform, referral_id: str) -> dict[str, Any]:
    """The referral's one pairing, as a coordinator sees it in the sessions service."""
    page = await p.call("sessions", "GET", "/pairings", params={"limit": 200})
    [pairing] = [item for item in page["items"] if item["referral_id"] == referral_id]
    return dict(pairing)


def pam_body(
    timepoint: str, assessed_on: date, score: float, follow_up_number: int | None = None
) -> dict[str, Any]:
    """A PAM result as the licensed tool reported its score (the level is derived from it)."""
    return {
        "timepoint": timepoint,
        "follow_up_number": follow_up_number,
        "assessed_on": assessed_on.isoformat(),
        "score": score,
        "administered_by": "coordinator",
    }
