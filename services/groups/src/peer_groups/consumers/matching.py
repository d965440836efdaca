"""The matching service's events about mentors: who can facilitate a group, and until when."""

from __future__ import annotations

from typing import Any

from peer_events.envelope import CloudEvent
from peer_events.events.matching import (
    MentorActivated,
    MentorCredentialsChanged,
    MentorLeft,
    MentorPaused,
    MentorRegistered,
)
from peer_groups.domain.facilitators import FacilitatorStatus
from peer_groups.use_cases import facilitator_news
from peer_shared.messaging.unit_of_work import UnitOfWork

_CREDENTIALS = ("group_facilitator", "checks_valid_until")


async def on_mentor_registered(event: CloudEvent[MentorRegistered], uow: UnitOfWork) -> None:
    """Remember the mentor and their conditions."""
    await facilitator_news.mentor_registered(uow, event.data.mentor_id, event.data.conditions)


async def on_mentor_activated(event: CloudEvent[MentorActivated], uow: UnitOfWork) -> None:
    """The mentor is active; take their credentials from the event only where it carries them."""
    data = event.data
    credentials: dict[str, Any] = {
        name: getattr(data, name) for name in _CREDENTIALS if name in data.model_fields_set
    }
    await facilitator_news.mentor_activated(uow, data.mentor_id, credentials=credentials)


async def on_mentor_credentials_changed(event: CloudEvent[MentorCredentialsChanged], uow: UnitOfWork) -> None:
    """The mentor's group training or checks changed."""
    data = event.data
    await facilitator_news.credentials_changed(
        uow,
        data.mentor_id,
        group_facilitator=data.group_facilitator,
        checks_valid_until=data.checks_valid_until,
    )


async def on_mentor_paused(event: CloudEvent[MentorPaused], uow: UnitOfWork) -> None:
    """A paused mentor facilitates no session until activated again."""
    await facilitator_news.mentor_status(uow, event.data.mentor_id, FacilitatorStatus.PAUSED)


async def on_mentor_left(event: CloudEvent[MentorLeft], uow: UnitOfWork) -> None:
    """A mentor who left facilitates nothing again."""
    await facilitator_news.mentor_status(uow, event.data.mentor_id, FacilitatorStatus.LEFT)
