"""Where a referral is received and `ReferralReceived` is published: the one path every feed takes.

Receiving is idempotent on the feed's own identifier, and a second referral for a person who already has
an open referral in the same programme is stored, linked to the first and flagged for the coordinator.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from peer_referrals import events_out
from peer_referrals.domain.triage import TriageStatus
from peer_referrals.domain.validation import ValidReferral
from peer_referrals.store import people_repo, referrals_repo
from peer_shared.clock import to_london, uk_today
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


@dataclass(frozen=True)
class Received:
    """What became of one incoming referral."""

    referral_id: str
    created: bool
    """False when the same source identifier was received before: nothing new was stored."""
    duplicate_of: str | None = None
    """The person's earlier open referral in the same programme, when there is one."""


def new_referral_id() -> str:
    """A fresh pseudonymous referral id: random, so it says nothing about the person."""
    return f"ref_{uuid.uuid4().hex}"


async def receive(
    uow: UnitOfWork, incoming: Sequence[ValidReferral], *, submitted_by: str | None
) -> list[Received]:
    """Store valid referrals sent by one submitter; see `receive_each`."""
    return await receive_each(uow, [(referral, submitted_by) for referral in incoming])


async def receive_each(uow: UnitOfWork, items: Sequence[tuple[ValidReferral, str | None]]) -> list[Received]:
    """Store valid referrals (each with who sent it) and stage their `ReferralReceived` events, in the
    caller's transaction.

    Returns one result per input, in order. Several referrals are taken at once (a CSV batch, or FHIR
    requests arriving together) with a handful of statements, whatever their number.
    """
    session = uow.session
    incoming = [referral for referral, _ in items]
    await referrals_repo.lock_keys(session, [":".join(_person(r)) for r in incoming])
    hashes = [_key_hash(r) for r in incoming]
    results: list[Received | None] = []
    plans: list[_Plan] = []
    seen = await _already_received(session, incoming, hashes)
    open_by_person = await _open_referrals(session, incoming)
    for index, ((referral, submitted_by), key_hash) in enumerate(zip(items, hashes, strict=True)):
        if key_hash is not None and key_hash in seen:
            results.append(Received(seen[key_hash], created=False))
            continue
        plan = _Plan(index, new_referral_id(), referral, submitted_by, key_hash, None, uuid.uuid4())
        # The person's earliest open referral in the programme; this one is it if there is none yet.
        earlier = open_by_person.setdefault(_person(referral), plan.referral_id)
        plan.duplicate_of = earlier if earlier != plan.referral_id else None
        if key_hash is not None:
            seen[key_hash] = plan.referral_id
        plans.append(plan)
        results.append(None)

    inserted = await referrals_repo.add_referrals(
        session, [_referral_row(p, now=uow.clock.now()) for p in plans]
    )
    stored = [p for p in plans if p.referral_id in inserted]
    await people_repo.add_people(
        session, [people_repo.person_row(p.referral_id, p.referral.person) for p in stored]
    )
    for plan in plans:
        if plan.referral_id not in inserted:
            # A concurrent twin committed first under the same source key: answer with that referral.
            again = await _already_received(session, [plan.referral], [plan.key_hash])
            results[plan.index] = Received(next(iter(again.values())), created=False)
        else:
            results[plan.index] = Received(plan.referral_id, created=True, duplicate_of=plan.duplicate_of)
    received_on = uk_today(uow.clock)
    await uow.emit(
        *(
            events_out.referral_received(
                uow.clock,
                plan.referral_id,
                plan.referral,
                received_on=received_on,
                duplicate_of=plan.duplicate_of,
                correlation_id=plan.correlation_id,
            )
            for plan in stored
        )
    )
    done = [r for r in results if r is not None]
    for result in done:
        log.info("referral received", referral_id=result.referral_id, created=result.created)
    return done


async def _already_received(
    session: AsyncSession, incoming: Sequence[ValidReferral], hashes: Sequence[str | None]
) -> dict[str, str]:
    """Referrals stored before under these source keys: key hash -> referral id."""
    seen: dict[str, str] = {}
    for source in {r.source.value for r in incoming}:
        wanted = [h for h, r in zip(hashes, incoming, strict=True) if h and r.source.value == source]
        seen |= await referrals_repo.find_by_source_keys(session, source, wanted)
    return seen


async def _open_referrals(
    session: AsyncSession, incoming: Sequence[ValidReferral]
) -> dict[tuple[str, str], str]:
    """The earliest open referral of each incoming person: (programme, NHS number) -> referral id."""
    found: dict[tuple[str, str], str] = {}
    for programme in {r.route.programme for r in incoming}:
        nhs = [r.person.nhs_number for r in incoming if r.route.programme == programme]
        open_now = await referrals_repo.open_referrals(session, nhs, programme)
        found |= {(programme, n): referral_id for n, referral_id in open_now.items()}
    return found


@dataclass
class _Plan:
    """A referral about to be stored."""

    index: int
    referral_id: str
    referral: ValidReferral
    submitted_by: str | None
    key_hash: str | None
    duplicate_of: str | None
    correlation_id: uuid.UUID


def _person(referral: ValidReferral) -> tuple[str, str]:
    return (referral.route.programme, referral.person.nhs_number)


def _key_hash(referral: ValidReferral) -> str | None:
    if referral.source_key is None:
        return None
    return referrals_repo.source_key_hash(referral.source.value, referral.source_key)


def _referral_row(plan: _Plan, *, now: datetime) -> dict[str, Any]:
    r = plan.referral
    return {
        "id": plan.referral_id,
        "source": r.source.value,
        "source_key_hash": plan.key_hash,
        "known_condition": r.route.known_condition,
        "condition": r.route.condition,
        "programme": r.route.programme,
        "triage_status": TriageStatus.RECEIVED.value,
        "received_at": now,
        "received_on": to_london(now).date(),
        "authored_on": r.authored_on,
        "referrer_ods_code": r.referrer_ods_code,
        "requester": r.requester,
        "submitted_by": plan.submitted_by,
        "age_band": r.age_band.value,
        "gender": r.person.gender.value,
        "postcode_district": r.postcode_district,
        "ethnic_category": r.ethnic_category.value if r.ethnic_category else None,
        "preferred_language": r.preferred_language,
        "preferences": r.preferences.model_dump(mode="json"),
        "duplicate_of": plan.duplicate_of,
        "needs_review": plan.duplicate_of is not None,
        "correlation_id": plan.correlation_id,
        "updated_at": now,
    }
