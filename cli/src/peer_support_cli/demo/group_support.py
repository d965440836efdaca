"""A long Covid group's programme as plain data: its cohorts, the register of each fortnightly session,
and the members' C19-YRSm scores at baseline and at the end.

Members mostly come, sometimes send apologies, and rarely miss a session without a word (never twice in a
row, except the one member who stops coming). Symptoms ease and function improves over the programme for
all but one member of each cohort, who stays much the same.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

ATTENDED, APOLOGIES, ABSENT = "attended", "apologies", "absent"
CURRICULUM = (
    ("fatigue-and-pacing",),
    ("breathing", "fatigue-and-pacing"),
    ("memory-and-concentration",),
    ("sleep",),
    ("emotional-wellbeing",),
    ("fatigue-and-pacing", "emotional-wellbeing"),
)
"""Each session's topics, in order: pacing first, then one theme a fortnight, and a look back to end."""
APOLOGIES_CHANCE, ABSENT_CHANCE = 0.12, 0.04
C19_YRSM, C19_YRSM_VERSION = "c19-yrsm", "c19-yrsm-2022"
C19_MAXIMA = {"symptom-severity": 30, "functional-ability": 15, "other-symptoms": 25, "overall-health": 10}


@dataclass(frozen=True)
class CohortPlan:
    """A cohort the coordinator plans: who facilitates it and who the waitlist will give its places to."""

    key: str
    name: str
    venue: str
    starts_on: date
    planned_sessions: int
    cadence_days: int
    facilitators: tuple[int, ...]
    """Indices into the scenario's facilitators."""
    members: tuple[str, ...]
    """Referral keys of the people it takes from the waitlist when it opens (its size is theirs)."""
    opens_on: date


@dataclass(frozen=True)
class GroupSessionPlan:
    """One session as its facilitator records it: the register names every current member once."""

    number: int
    held_on: date
    duration_minutes: int
    topics: tuple[str, ...]
    facilitators: tuple[int, ...]
    register: tuple[tuple[str, str], ...]
    """(referral key, attended | apologies | absent), in key order."""

    def count(self, presence: str) -> int:
        """How many members the register marks so."""
        return sum(1 for _, marked in self.register if marked == presence)


@dataclass(frozen=True)
class MeasurePlan:
    """A member's C19-YRSm scale totals as the coordinator enters them."""

    timepoint: str
    """baseline or end."""
    assessed_on: date
    scores: tuple[tuple[str, int], ...]


def registers(
    rng: random.Random, members: Sequence[str], days: Sequence[date], *, stops: str | None, stops_at: int
) -> list[dict[str, str]]:
    """Each session's register (by referral key); the member `stops` is absent from session `stops_at`
    on and leaves the register once followed up after two absences in a row."""
    found: list[dict[str, str]] = []
    for number in range(1, len(days) + 1):
        register: dict[str, str] = {}
        for key in members:
            missed_last = bool(found) and found[-1].get(key) == ABSENT
            if key == stops and number >= stops_at:
                if number < stops_at + 2:
                    register[key] = ABSENT
                continue  # followed up after the second absence: no longer a member
            presence = ATTENDED
            # Everyone comes to the first and the last; the one who stops comes until they stop.
            if number not in (1, len(days)) and key != stops:
                draw = rng.random()
                if draw < APOLOGIES_CHANCE:
                    presence = APOLOGIES
                elif draw < APOLOGIES_CHANCE + ABSENT_CHANCE and not missed_last:
                    presence = ABSENT
            register[key] = presence
        found.append(register)
    return found


def c19_scores(rng: random.Random, *, improves: bool) -> tuple[dict[str, int], dict[str, int]]:
    """Baseline and end scale totals: moderate to severe symptoms at the start; a member who `improves`
    does so by more than the minimal important differences (symptoms 2 points, function 1), the others
    barely move."""
    baseline = {
        "symptom-severity": rng.randint(12, 26),
        "functional-ability": rng.randint(5, 12),
        "other-symptoms": rng.randint(6, 18),
        "overall-health": rng.randint(2, 6),
    }
    change = {
        "symptom-severity": -rng.randint(3, 9) if improves else rng.randint(-1, 2),
        "functional-ability": -rng.randint(1, 4) if improves else rng.randint(0, 1),
        "other-symptoms": -rng.randint(1, 6) if improves else rng.randint(-1, 1),
        "overall-health": rng.randint(1, 3) if improves else rng.randint(-1, 0),
    }
    end = {scale: min(C19_MAXIMA[scale], max(0, baseline[scale] + change[scale])) for scale in baseline}
    return baseline, end
