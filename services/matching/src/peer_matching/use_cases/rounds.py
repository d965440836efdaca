"""Running a matching round inside a unit of work: load the condition's waitlist and mentors, plan,
record proposals and waitlist reasons, publish what `auto` mode confirms.

Every change to a condition's capacity takes the same transaction-level advisory lock
(`matches_repo.lock_condition`), so two rounds (or a round and a coordinator's override) never hand out
the same place.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

from peer_events.envelope import CloudEvent
from peer_events.events.matching import ConfirmedBy, MatchMode
from peer_matching.domain.match import MatchStatus
from peer_matching.domain.matching import Proposal, RoundInput, RoundResult, plan_round
from peer_matching.domain.mentee import MenteeState
from peer_matching.events_out import mentor_matched
from peer_matching.settings import MatchingSettings
from peer_matching.store import matches_repo, mentees_repo, mentors_repo
from peer_shared.clock import uk_today
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


async def run_round(
    uow: UnitOfWork,
    settings: MatchingSettings,
    condition: str,
    *,
    caused_by: CloudEvent[Any] | None = None,
) -> RoundResult:
    """Match the condition's waiting mentees to mentors with free places, as far as possible."""
    await matches_repo.lock_condition(uow.session, condition)
    session, now = uow.session, uow.clock.now()
    # Mentees who waited when their programme was switched `off` are no longer matched here.
    waiting = [
        m for m in await mentees_repo.waiting(session, condition) if settings.programme(m.programme).matched
    ]
    if not waiting:
        return RoundResult([], {})
    volunteers = await mentors_repo.for_condition(session, condition)
    loads = await matches_repo.loads(session, [m.mentor_id for m in volunteers])
    result = plan_round(
        RoundInput(
            condition=condition,
            mentees=waiting,
            mentors=volunteers,
            loads=loads,
            now=now,
            context=settings.eligibility_context(uk_today(uow.clock)),
            rules_for=settings.scoring_for,
        )
    )
    flows = await mentees_repo.correlations(session, [p.mentee.referral_id for p in result.proposals])
    for proposal in result.proposals:
        await _record(uow, settings, proposal, now, flows.get(proposal.mentee.referral_id), caused_by)
    await mentees_repo.record_wait_reasons(session, result.waiting, now)
    log.info("matching round", condition=condition, waiting=len(waiting), matched=len(result.proposals))
    return result


def match_values(proposal: Proposal, mode: MatchMode, now: datetime) -> dict[str, Any]:
    """The stored record of a proposal (its breakdown and the passed-over mentors included)."""
    breakdown = proposal.breakdown
    auto = mode is MatchMode.AUTO
    return {
        "match_id": f"mat_{uuid.uuid4().hex}",
        "referral_id": proposal.mentee.referral_id,
        "mentor_id": proposal.mentor.mentor_id,
        "condition": proposal.mentee.condition,
        "programme": proposal.mentee.programme,
        "status": (MatchStatus.CONFIRMED if auto else MatchStatus.PROPOSED).value,
        "mode": mode.value,
        "score": breakdown.score,
        "priority": proposal.priority,
        "distance_km": breakdown.distance_km,
        "components": [
            {"component": c.value, "value": v, "weight": breakdown.weights[c]}
            for c, v in breakdown.values.items()
        ],
        "reasons": [r.value for r in breakdown.reasons],
        "passed_over": [{**asdict(p), "reasons": [r.value for r in p.reasons]} for p in proposal.passed_over],
        "proposed_at": now,
        "decided_at": now if auto else None,
        "decided_by": ConfirmedBy.SYSTEM.value if auto else None,
    }


async def _record(
    uow: UnitOfWork,
    settings: MatchingSettings,
    proposal: Proposal,
    now: datetime,
    correlation_id: uuid.UUID | None,
    caused_by: CloudEvent[Any] | None,
) -> None:
    mode = MatchMode(settings.programme(proposal.mentee.programme).mode)  # never `off`: see run_round
    values = match_values(proposal, mode, now)
    await matches_repo.add(uow.session, values)
    if mode is MatchMode.AUTO:
        await mentees_repo.set_state(uow.session, proposal.mentee.referral_id, MenteeState.MATCHED, now)
        event = mentor_matched(
            {**values, "confirmed_by": ConfirmedBy.SYSTEM.value}, correlation_id, uow.clock, caused_by
        )
        await uow.emit(event)
    else:
        await mentees_repo.set_state(uow.session, proposal.mentee.referral_id, MenteeState.PROPOSED, now)
