"""Scenario dates and times: UK local times, weekdays, and where the scenario starts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
SPAN = timedelta(weeks=21)
"""How far back the scenario starts: long enough for the last follow-up to lie in the past."""


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A UK local time on a day, as an aware datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def weekdays_from(day: date, count: int) -> date:
    """The `count`-th weekday after `day` (0: `day` itself if a weekday, else the next one)."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    for _ in range(count):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return day


def start_for(today: date) -> date:
    """The Monday the scenario starts on: about five months before `today`."""
    first = today - SPAN
    return first - timedelta(days=first.weekday())
