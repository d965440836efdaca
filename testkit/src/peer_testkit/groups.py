"""Builders and reads for the groups service's tests: settings, tokens, the other services' events it
consumes (accepted referrals, facilitators from matching), and what it published.

async with start_groups(infra, js, condition=condition, database_url=url) as service:
    mentor = await facilitator(service)
    referral = await refer(service)
    cohort = await service.call("POST", "/cohorts", json=cohort_body(service, [mentor]), expect=201)
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

from nats.js import JetStreamContext

from peer_events import CloudEvent, EventData, new_event
from peer_events.events.matching import MentorActivated, MentorRegistered
from peer_events.events.referrals import Consent, MenteePreferences, ReferralAccepted
from peer_groups.service import SERVICE
from peer_shared.auth import Role
from peer_shared.clock import Clock
from peer_support_cli.embedded import Infrastructure
from peer_testkit.harness import ServiceHarness, start_service
from peer_testkit.streams import events_of
from peer_testkit.waiting import eventually

PROGRAMME = "long-covid-group"
COORDINATOR = "usr_" + "c1" * 16
"""The staff account the tests' coordinator tokens are issued to (recorded on acknowledgements)."""
SETTINGS: dict[str, Any] = {
    "safeguarding_check_seconds": 0.1,
    "cohort_start_check_seconds": 0.1,
    "log_level": "warning",
}
"""Beyond the kit's fast settings: the periodic checks run often, and the logs stay quiet."""


@contextlib.asynccontextmanager
async def start_groups(
    infra: Infrastructure,
    js: JetStreamContext,
    *,
    condition: str,
    database_url: str,
    clock: Clock | None = None,
    programme: dict[str, Any] | None = None,
    **overrides: Any,
) -> AsyncIterator[ServiceHarness]:
    """The groups service on the test's own database, running `PROGRAMME` for the test's condition
    (`programme`: that programme's settings beyond the defaults), on a fixed clock at the real time."""
    programmes = {PROGRAMME: {"condition": condition} | (programme or {})}
    settings = SETTINGS | {"programmes": programmes} | overrides
    async with start_service(
        SERVICE, infra, js, condition=condition, database_url=database_url, clock=clock, **settings
    ) as service:
        yield service


def as_coordinator(service: ServiceHarness) -> dict[str, str]:
    """Headers with a coordinator's token (staff account `COORDINATOR`)."""
    return service.auth(Role.COORDINATOR, COORDINATOR)


def as_mentor(service: ServiceHarness, mentor_id: str) -> dict[str, str]:
    """Headers with a mentor's token: its subject is the mentor id."""
    return service.auth(Role.MENTOR, mentor_id)


def new_id(prefix: str) -> str:
    """A fresh pseudonymous id of a kind, e.g. `ref_...`."""
    return f"{prefix}_{uuid.uuid4().hex}"


def incoming(service: ServiceHarness, data: EventData, *, programme: str = PROGRAMME) -> CloudEvent[Any]:
    """Another service's event under the test's condition and `programme`, on the service's clock."""
    return new_event(data, clock=service.clock, condition=service.condition, programme=programme)


def referral_accepted(
    service: ServiceHarness, *, accepted_on: date | None = None, programme: str = PROGRAMME
) -> CloudEvent[Any]:
    """Triage accepted a referral to `programme` (the group programme unless told)."""
    referral_id = new_id("ref")
    data = ReferralAccepted(
        referral_id=referral_id,
        accepted_on=accepted_on or service.today(),
        consent=Consent(peer_support=True, share_outcomes_with_referrer=False, contact_for_evaluation=False),
        preferences=MenteePreferences(),
    )
    return new_event(
        data, clock=service.clock, condition=service.condition, programme=programme, subject=referral_id
    )


async def waitlist(service: ServiceHarness) -> dict[str, Any]:
    """The group programme's waitlist as the coordinator sees it."""
    found: dict[str, Any] = await service.call(
        "GET", f"/waitlist?programme={PROGRAMME}", headers=as_coordinator(service)
    )
    return found


async def refer(service: ServiceHarness, *, accepted_on: date | None = None) -> str:
    """Publish an accepted group referral and wait until groups has it (waiting or enrolled); its id."""
    event = referral_accepted(service, accepted_on=accepted_on)
    await service.publish(event)
    referral_id: str = event.data.referral_id

    async def arrived() -> bool:
        found = await service.scalar(
            "SELECT count(*) FROM waitlist_entry WHERE referral_id = :r", r=referral_id
        )
        return bool(found)

    await eventually(arrived)
    return referral_id


async def facilitator(
    service: ServiceHarness,
    *,
    group_facilitator: bool = True,
    checks_valid_until: date | None = None,
) -> str:
    """A mentor registered and activated in matching (trained for groups, checks valid for a year unless
    told), as groups learns of them; waits until groups knows them and returns their id."""
    mentor_id = new_id("mnt")
    today = service.today()
    registered = MentorRegistered(
        mentor_id=mentor_id,
        registered_on=today,
        conditions=[service.condition],
        postcode_district="LS8",
        capacity=2,
    )
    activated = MentorActivated(
        mentor_id=mentor_id,
        activated_on=today,
        capacity=2,
        group_facilitator=group_facilitator,
        checks_valid_until=checks_valid_until or today + timedelta(days=365),
    )
    await service.publish(incoming(service, registered), incoming(service, activated))

    async def known() -> bool:
        found = await service.scalar("SELECT status FROM facilitator WHERE mentor_id = :m", m=mentor_id)
        return bool(found == "active")

    await eventually(known)
    return mentor_id


def cohort_body(
    service: ServiceHarness, facilitators: list[str], *, starts_in_days: int = 7, **changes: Any
) -> dict[str, Any]:
    """A venue cohort of the group programme starting in `starts_in_days` days; override any field."""
    body: dict[str, Any] = {
        "programme": PROGRAMME,
        "name": "Leeds spring group",
        "starts_on": (service.today() + timedelta(days=starts_in_days)).isoformat(),
        "setting": "venue",
        "venue": "Chapeltown Library, LS7",
        "facilitators": facilitators,
    }
    return body | changes


async def published(service: ServiceHarness, data_type: type[EventData]) -> list[CloudEvent[Any]]:
    """Every event of one type the groups service put on PEER_GROUPS or INTERNAL_GROUPS, oldest first."""
    return await events_of(service.js, service.condition, data_type)


async def wait_published(
    service: ServiceHarness, data_type: type[EventData], count: int
) -> list[CloudEvent[Any]]:
    """Wait until at least `count` events of one type reached the stream; return them all."""

    async def enough() -> bool:
        return len(await published(service, data_type)) >= count

    await eventually(enough)
    return await published(service, data_type)
