"""Smoke test of a running compose deployment, through its published ports only.

    python deploy/compose_smoke.py --env .env --keys keys

The first console account is added as the README says; a GP practice refers someone with type 2
diabetes over FHIR; the coordinator reaches them, records consent and accepts; matching pairs them with the
one active mentor; the mentor logs a session; the match and the session reach the outcomes report; a
regional subscriber with the read-only NATS identity reads the events. Then a service container's process
is killed (SIGKILL, as a crash or the kernel's OOM killer would): the engine restarts it by its restart
policy, and a second referral still goes the whole way. (The exception: the smoke test's own "first
account" and the container kill go through the Docker engine, as an operator would.)
Each check prints one line; the first that fails stops the run with exit code 1. Tokens are signed with
the operator's private key (keys/issuer.key), which every service trusts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats

from peer_shared.auth.tokens import Role, issue_token, load_private_key
from peer_shared.clock import SystemClock
from peer_testkit.journeys import Person, mentor_body, service_request
from peer_testkit.waiting import eventually

HOST = "127.0.0.1"
PORTS = {
    "referrals": 8001,
    "matching": 8002,
    "sessions": 8003,
    "outcomes": 8004,
    "groups": 8006,
    "console": 8005,
}
OPERATOR = "peer-support-operator"
DEADLINE = 60.0
PERSON = Person(
    given=("Samina",),
    family="Akhtar",
    birth_date=date(1961, 4, 12),
    postcode="LS8 5HX",
    address_line="14 Harehills Lane",
    phone="07700 900123",
    email="samina.akhtar@example.com",
)


class SmokeFailed(Exception):
    """A check of the smoke test did not hold."""


def say(text: str) -> None:
    """One line of the run's report."""
    print(f"compose smoke: {text}", flush=True)


def read_env(path: Path) -> dict[str, str]:
    """The deployment's .env (KEY=value lines)."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and line[0] != "#")
    return {key: value for key, value in pairs}


class Deployment:
    """HTTP calls to the published ports, as the operator issues tokens for them."""

    def __init__(self, keys: Path) -> None:
        self.key = load_private_key(keys / "issuer.key")
        self.client = httpx.AsyncClient(timeout=30)

    def headers(self, role: Role, subject: str) -> dict[str, str]:
        token = issue_token(
            self.key,
            issuer=OPERATOR,
            role=role,
            subject=subject,
            ttl=timedelta(minutes=10),
            clock=SystemClock(),
        )
        return {"Authorization": f"Bearer {token}"}

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        role: Role = Role.COORDINATOR,
        subject: str = "compose-smoke",
        expect: int = 200,
        **kwargs: Any,
    ) -> Any:
        headers = self.headers(role, subject) | kwargs.pop("headers", {})
        response = await self.client.request(
            method, f"http://{HOST}:{PORTS[service]}{path}", headers=headers, **kwargs
        )
        if response.status_code != expect:
            raise SmokeFailed(f"{method} {service}{path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None


async def within_deadline(what: str, check: Callable[[], Awaitable[bool]]) -> None:
    """Wait until `check()` holds (the flow crosses the bus), failing the smoke test after the deadline."""
    try:
        await eventually(check, timeout=DEADLINE)
    except AssertionError as late:
        raise SmokeFailed(f"not within {DEADLINE:.0f} s: {what}") from late


async def refer_and_support(d: Deployment, mentor_id: str, person: Person, session_hours_ago: int) -> str:
    """One referral from FHIR to a session logged `session_hours_ago`; returns its id."""
    created = await d.call(
        "referrals",
        "POST",
        "/fhir/ServiceRequest",
        role=Role.REFERRER,
        subject="ods-B86001",
        json=service_request(person, date.today(), "Finding it hard to change her diet."),
        headers={"Content-Type": "application/fhir+json"},
        expect=201,
    )
    referral_id = str(created["id"])
    say(f"FHIR referral accepted by the referrals service as {referral_id}")
    contact = {"method": "phone", "outcome": "reached", "note": "Spoke to her."}
    await d.call("referrals", "POST", f"/referrals/{referral_id}/contact-attempts", json=contact, expect=201)
    consent = {
        "peer_support": True,
        "share_outcomes_with_referrer": True,
        "contact_for_evaluation": False,
        "given_on": date.today().isoformat(),
    }
    await d.call("referrals", "POST", f"/referrals/{referral_id}/consent", json=consent, expect=201)
    accepted = await d.call("referrals", "POST", f"/referrals/{referral_id}/accept", json={})
    if accepted["triage_status"] != "accepted":
        raise SmokeFailed(f"triage status {accepted['triage_status']}")
    say("the coordinator accepted it")

    pairing: dict[str, Any] = {}

    async def paired() -> bool:
        pairings = await d.call("sessions", "GET", "/pairings")
        found = [p for p in pairings["items"] if p["referral_id"] == referral_id]
        pairing.update(found[0] if found else {})
        return bool(found)

    await within_deadline("a pairing for the referral", paired)
    if pairing["mentor_id"] != mentor_id:
        raise SmokeFailed(f"paired with {pairing['mentor_id']}, not the active mentor {mentor_id}")
    say(f"matching paired it with mentor {mentor_id}; sessions started pairing {pairing['id']}")

    session = {
        "starts_at": (datetime.now(UTC) - timedelta(hours=session_hours_ago)).isoformat(),
        "duration_minutes": 60,
        "mode": "cafe",
        "attendance": "attended",
        "topics": ["diet"],
    }
    path = f"/pairings/{pairing['id']}/sessions"
    await d.call("sessions", "POST", path, role=Role.MENTOR, subject=mentor_id, json=session, expect=201)
    say("the mentor logged a session")
    return referral_id


async def report_counts(d: Deployment, referrals: int) -> None:
    """The outcomes report counts every match and session."""
    today = date.today().isoformat()
    period = {"start": today, "end": today}

    async def counted() -> bool:
        report = await d.call("outcomes", "GET", "/reports/programme", params=period)
        activity = report["total"]["activity"]
        return bool(activity["matched"] == referrals and activity["sessions_delivered"] == referrals)

    await within_deadline(f"the report to count {referrals} matches and sessions", counted)
    say(f"the outcomes report counts {referrals} matched and {referrals} sessions delivered")


async def regional_reads(env: dict[str, str], referral_ids: list[str]) -> None:
    """The read-only regional identity reads the public events through a consumer of its own (NATS on
    PEER_NATS_PORT of the environment, as compose reads it, else of the .env)."""
    client = await nats.connect(
        f"nats://{HOST}:{os.environ.get('PEER_NATS_PORT') or env.get('PEER_NATS_PORT') or 4222}",
        user="regional",
        password=env["PEER_NATS_REGIONAL_PASSWORD"],
        inbox_prefix=b"_INBOX_regional",
    )
    try:
        js = client.jetstream(timeout=10)
        name = f"compose-smoke-{uuid.uuid4().hex[:8]}"
        subscription = await js.pull_subscribe("peer.t2d.>", durable=name, stream="PEER_REFERRALS")
        seen: list[dict[str, Any]] = []
        while True:
            try:
                batch = await subscription.fetch(100, timeout=2)
            except nats.errors.TimeoutError:
                break
            for message in batch:
                seen.append(json.loads(message.data))
                await message.ack()
        received = {e["data"]["referral_id"] for e in seen if e["type"].endswith("referral-received.v1")}
        if not set(referral_ids) <= received:
            raise SmokeFailed(f"the regional subscriber saw {sorted(received)}, not {referral_ids}")
        say(f"the regional subscriber read {len(seen)} referral events, ReferralReceived for each referral")
    finally:
        await client.close()


def container_of(project: str, service: str) -> str:
    """The id of the service's container (by compose's labels, the same in Compose 1 and 2)."""
    labels = [f"label=com.docker.compose.project={project}", f"label=com.docker.compose.service={service}"]
    found = subprocess.check_output(
        ["docker", "ps", "-q", "--filter", labels[0], "--filter", labels[1]], text=True
    )
    if len(found.split()) != 1:
        raise SmokeFailed(f"no single running container of {service} in project {project}: {found!r}")
    return found.strip()


def crash_and_wait(project: str, service: str) -> None:
    """SIGKILL the service container's main process (as a crash would; `docker kill` is a manual stop,
    which restart policies leave alone) and wait until the engine has restarted it and it is healthy."""
    container = container_of(project, service)
    inspect = ["docker", "inspect", "-f"]
    before = int(subprocess.check_output([*inspect, "{{.RestartCount}}", container], text=True))
    pid = subprocess.check_output([*inspect, "{{.State.Pid}}", container], text=True).strip()
    subprocess.run(["kill", "-9", pid], check=True)
    say(f"killed the {service} container's process {pid} with SIGKILL")
    deadline = time.monotonic() + DEADLINE
    while True:
        count = int(subprocess.check_output([*inspect, "{{.RestartCount}}", container], text=True))
        health = subprocess.check_output([*inspect, "{{.State.Health.Status}}", container], text=True).strip()
        if count > before and health == "healthy":
            break
        if time.monotonic() > deadline:
            raise SmokeFailed(f"{service} not restarted and healthy (restarts {count}, {health})")
        time.sleep(0.5)
    say(f"the {service} container was restarted by its restart policy (restart count {count}) and is healthy")


def first_account(project: str) -> None:
    """The README's first-account command works in the console's container."""
    console = container_of(project, "console")
    command = ["python", "-c", "from peer_console.commands import app; app()", "add", "avery"]
    command += ["--role", "coordinator", "--name", "Avery Coordinator", "--password-stdin"]
    added = subprocess.run(
        ["docker", "exec", "-i", console, *command],
        input="a long enough password\n",
        capture_output=True,
        text=True,
        check=False,
    )
    if added.returncode != 0 or not added.stdout.strip().startswith("usr_"):
        raise SmokeFailed(f"adding the first console account: {added.stdout} {added.stderr[-300:]}")
    say(f"added the first console account ({added.stdout.strip()})")


async def run(env_file: Path, keys: Path, project: str) -> None:
    """The whole smoke test."""
    env = read_env(env_file)
    d = Deployment(keys)
    first_account(project)
    body = mentor_body(
        "t2d",
        date.today() - timedelta(days=7),
        {"full_name": "Grace Mensah", "email": "grace@example.org", "phone": "07700 900777"},
        capacity=4,
    )
    mentor = await d.call("matching", "POST", "/mentors", json=body, expect=201)
    mentor_id = str(mentor["mentor_id"])
    await d.call("matching", "POST", f"/mentors/{mentor_id}/activate")
    say(f"registered and activated mentor {mentor_id}")
    first = await refer_and_support(d, mentor_id, PERSON, 4)
    await report_counts(d, 1)
    await regional_reads(env, [first])

    crash_and_wait(project, "matching")
    neighbour = Person(
        ("Joan",),
        "Whitaker",
        date(1949, 11, 30),
        "LS8 1AB",
        "3 Oakwood Lane",
        "07700 900201",
        "joan@example.com",
    )
    second = await refer_and_support(d, mentor_id, neighbour, 2)
    await report_counts(d, 2)
    await regional_reads(env, [first, second])
    await d.client.aclose()
    say("passed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--env", type=Path, default=Path(".env"), help="the deployment's .env")
    parser.add_argument(
        "--keys", type=Path, default=Path("keys"), help="folder with the operator's issuer.key"
    )
    parser.add_argument("--project", default="peer-support", help="the compose project name")
    args = parser.parse_args()
    try:
        asyncio.run(run(args.env, args.keys, args.project))
    except SmokeFailed as failed:
        say(f"FAILED: {failed}")
        sys.exit(1)


if __name__ == "__main__":
    main()
