"""The injectable clocks."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from peer_shared.clock import FixedClock, ScenarioFileClock, ShiftedClock, clock_from_setting, to_london


def test_fixed_clock_moves_only_when_told() -> None:
    clock = FixedClock(datetime(2026, 3, 29, 0, 30, tzinfo=UTC))
    assert clock.now() == clock.now()
    clock.advance(timedelta(hours=1))
    assert to_london(clock.now()).hour == 2  # the clocks went forward that night


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FixedClock(datetime(2026, 1, 1))


def test_shifted_clock_starts_at_the_chosen_instant_and_ticks() -> None:
    start = datetime(2025, 4, 1, 9, tzinfo=UTC)
    clock = ShiftedClock(start)
    first = clock.now()
    assert start <= first < start + timedelta(seconds=5)
    assert clock.now() >= first


def test_scenario_file_clock_follows_every_jump_the_driver_makes() -> None:
    path = Path(tempfile.mkdtemp()) / "clock.json"
    readers = [clock_from_setting(None, path), clock_from_setting(None, path)]
    for at in (datetime(2025, 4, 1, 9, tzinfo=UTC), datetime(2025, 4, 8, 9, tzinfo=UTC)):
        ScenarioFileClock.set(path, at)
        for clock in readers:
            assert at <= clock.now() < at + timedelta(seconds=5)
