"""The escalation rule of a safeguarding concern, the same wherever concerns are raised.

A concern nobody acknowledges is raised again every interval for its urgency (level 1 after one
interval, level 2 after two, ...), so it keeps reaching the safeguarding lead until someone takes it.
Plain Python: the services' domain classes call it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from peer_events.events.safeguarding import Urgency

MAX_ESCALATION_LEVEL = 1000
"""The contracts' limit on a raised concern's `escalation_level`."""


def escalation_due(
    *,
    raised_at: datetime,
    urgency: Urgency,
    escalation_level: int,
    acknowledged: bool,
    now: datetime,
    intervals: Mapping[Urgency, timedelta],
) -> int | None:
    """The level a concern is due to be raised again at now, or None if no new level is due.

    One level per whole interval since it was raised, so a missed check jumps straight to the level
    due; an acknowledged concern never escalates, and the level stops at `MAX_ESCALATION_LEVEL`.
    """
    if acknowledged:
        return None
    due = min(int((now - raised_at) / intervals[urgency]), MAX_ESCALATION_LEVEL)
    return due if due > escalation_level else None
