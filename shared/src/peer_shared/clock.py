"""One injectable clock for the whole code base.

Every "now" in the platform comes from a `Clock`, so a scenario (the demo, a test) can run at a chosen date
and every rule that depends on time (no future sessions, token expiry, escalation deadlines) holds as it
would in real use. Times are always timezone-aware UTC; they are shown in Europe/London only at the edges.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
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


class ScenarioFileClock:
    """Scenario time shared by several processes through a small file that a scenario driver rewrites.

    The file holds `{"at": <ISO instant>, "written": <unix time>}`; the time is `at` plus the real time
    since `written`, so it ticks between jumps. The demo moves every service's clock together this way
    (a week at a time), so each rule that depends on "now" holds as it would in real use.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stamp: tuple[int, int] | None = None
        self._at = datetime.now(UTC)
        self._written = time.time()

    def now(self) -> datetime:
        """Scenario time: the last instant written to the file, plus real time elapsed since."""
        try:
            stat = self._path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp != self._stamp:
                state = json.loads(self._path.read_text())
                self._at = _require_aware(datetime.fromisoformat(state["at"]))
                self._written = float(state["written"])
                self._stamp = stamp
        except (OSError, ValueError, KeyError):
            pass  # no file yet, or caught mid-write: keep the last known time
        return self._at + timedelta(seconds=max(0.0, time.time() - self._written))

    @staticmethod
    def set(path: Path, at: datetime) -> None:
        """Move every clock reading `path` to `at` (atomically, so no reader sees half a file)."""
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps({"at": _require_aware(at).isoformat(), "written": time.time()}))
        partial.replace(path)


def clock_from_setting(start: datetime | None, clock_file: Path | None = None) -> Clock:
    """Build the clock a service runs on: real time, real time shifted to `start`, or a scenario file."""
    if clock_file is not None:
        return ScenarioFileClock(clock_file)
    return SystemClock() if start is None else ShiftedClock(start)


def to_london(moment: datetime) -> datetime:
    """Convert a UTC instant to UK local time for display."""
    return _require_aware(moment).astimezone(LONDON)


def uk_today(clock: Clock) -> date:
    """Today's date in the UK on `clock` (a day starts at midnight in Europe/London, not UTC)."""
    return to_london(clock.now()).date()


def _require_aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(UTC)
