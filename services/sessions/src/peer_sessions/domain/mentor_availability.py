"""What the sessions service remembers about a mentor's availability, from the mentor lifecycle events.

Events from other streams arrive in any order and may be delivered more than once (a mentor serving two
conditions is announced once per condition). The newest news wins; leaving is final.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class MentorStatus(StrEnum):
    """A mentor's availability as last heard."""

    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


@dataclass(frozen=True)
class MentorState:
    """A mentor's availability and when it became so (the event's time)."""

    status: MentorStatus
    since: datetime


def supersedes(news: MentorState, known: MentorState | None) -> bool:
    """Whether `news` replaces what is known: it is newer, and the mentor has not left.

    A repeat of the same news (same status, same time) changes nothing either.
    """
    if known is None:
        return True
    if known.status is MentorStatus.LEFT:
        return False
    if news.status is MentorStatus.LEFT:
        return True
    return news.since > known.since
