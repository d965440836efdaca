"""One injectable clock for the whole code base.

Every "now" in the platform comes from a `Clock`, so a scenario (the demo, a test) can run at a chosen date
and every rule that depends on time (no future sessions, token expiry, escalation deadlines) holds as it
would in real use. Times are always timezone-aware UTC; they are shown in Europe/London only at the edges.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock(Protocol):
    """Anything that can tell the current time (timezone-aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until told to move: for tests."""

    def __init__(self, at: datetime) -> None:
        self._at = _require_aware(at)

    def now(self) -> datetime:
        """Return the time the clock is set to."""
        return self._at

    def advance(self, by: timedelta) -> None:
        """Move the clock forward (or back, with a negative delta)."""
        self._at += by

    def set(self, at: datetime) -> None:
        """Jump to a given time."""
        self._at = _require_aware(at)


class ShiftedClock:
    """Real time moved to start at a chosen instant: a backdated scenario that still ticks."""

    def __init__(self, start: datetime) -> None:
        self._start = _require_aware(start)
        self._origin = time.monotonic()

    def now(self) -> datetime:
        """Return the chosen start plus the real time elapsed since the clock was made."""
        return self._start + timedelta(seconds=time.monotonic() - self._origin)


def clock_from_setting(start: datetime | None) -> Clock:
    """Build the clock a service runs on: real time, or real time shifted to `start`."""
    return SystemClock() if start is None else ShiftedClock(start)


def to_london(moment: datetime) -> datetime:
    """Convert a UTC instant to UK local time for display."""
    return _require_aware(moment).astimezone(LONDON)


def _require_aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(UTC)
