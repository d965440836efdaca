"""Who joins and leaves the waitlist, as referrals move on in the referrals service.

Matching waits for the referral's coded facts (district, gender...: `ReferralReceived`) and for its
acceptance (triage done, consent given: `ReferralAccepted`), in whichever order they arrive, before the
mentee joins the waitlist; a round runs as soon as they do. `cause` is the event that set each change
off, so what a round publishes carries on its flow. A programme whose matching is `off` (delivered by
another service, as groups) is left alone: its referrals never become mentees here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from peer_events.envelope import CloudEvent
from peer_matching.domain.match import MatchStatus
from peer_matching.domain.mentee import MenteeState
from peer_matching.settings import MatchingSettings
from peer_matching.store import matches_repo, mentees_repo
from peer_matching.use_cases.rounds import run_round
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


async def record_facts(
    uow: UnitOfWork,
    settings: MatchingSettings,
    referral_id: str,
    facts: Mapping[str, Any],
    cause: CloudEvent[Any],
) -> None:
    """Keep the referral's coded facts; match if triage has already accepted it."""
    await _record(uow, settings, mentees_repo.record_received, referral_id, facts, cause)


async def record_acceptance(
    uow: UnitOfWork,
    settings: MatchingSettings,
    referral_id: str,
    facts: Mapping[str, Any],
    cause: CloudEvent[Any],
) -> None:
    """Keep the confirmed preferences; the mentee waits from now, and is matched if the facts are in."""
    await _record(uow, settings, mentees_repo.record_accepted, referral_id, facts, cause)


async def close(
    uow: UnitOfWork,
    settings: MatchingSettings,
    referral_id: str,
    origin: Mapping[str, Any],
    reason: str,
    cause: CloudEvent[Any],
    *,
    erase: bool,
) -> None:
    """The referral will never be matched (rejected, withdrawn): close the mentee (erasing their facts if
    asked), and free the place an open match held for others waiting."""
    await matches_repo.lock_condition(uow.session, cause.condition)
    if (
        _left_elsewhere(settings, referral_id, cause)
        and await mentees_repo.get(uow.session, referral_id) is None
    ):
        return  # no tombstone for a referral matching never took (one from before `off` is still closed)
    now = uow.clock.now()
    open_match = await matches_repo.open_for_referral(uow.session, referral_id)
    await mentees_repo.close(uow.session, referral_id, origin, reason, now, erase)
    if open_match is None:
        return
    lapsed = open_match.status == MatchStatus.PROPOSED.value
    await matches_repo.finish(
        uow.session,
        open_match.match_id,
        MatchStatus.WITHDRAWN if lapsed else MatchStatus.ENDED,
        now,
        reason,
    )
    await run_round(uow, settings, cause.condition, caused_by=cause)


Recorder = Callable[..., Awaitable[MenteeState]]
"""`mentees_repo.record_received` or `record_accepted`: (session, referral id, facts, now) -> state."""


async def _record(
    uow: UnitOfWork,
    settings: MatchingSettings,
    record: Recorder,
    referral_id: str,
    facts: Mapping[str, Any],
    cause: CloudEvent[Any],
) -> None:
    """Record one half of what matching waits for; once both are in, the mentee waits and a round runs."""
    if _left_elsewhere(settings, referral_id, cause):
        return
    await matches_repo.lock_condition(uow.session, cause.condition)  # before the mentee's row: as rounds do
    state = await record(uow.session, referral_id, facts, uow.clock.now())
    if state is MenteeState.WAITING:
        await run_round(uow, settings, cause.condition, caused_by=cause)


def _left_elsewhere(settings: MatchingSettings, referral_id: str, cause: CloudEvent[Any]) -> bool:
    """Whether the referral's programme is `off` here (another service delivers it), logged when so."""
    if settings.programme(cause.programme).matched:
        return False
    log.info(
        "referral event ignored: matching is off for its programme",
        programme=cause.programme,
        referral_id=referral_id,
        event_type=cause.type,
    )
    return True
