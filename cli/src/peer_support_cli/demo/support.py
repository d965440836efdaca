"""Sixteen weeks of one mentee's support, as plain data: weekly sessions with goals, and PAM scores.

Mostly attended, sometimes missed or cancelled; goals set at the first session and reviewed until done,
new ones set as old ones are reached. Activation rises over the programme, as it did in the pilot.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

WEEKS = 16
GOALS = {
    "diet": ("Swap fizzy drinks for water or sugar-free squash", "every drink", "at home and work", "daily"),
    "physical-activity": ("Walk after the evening meal", "20 minutes", "after dinner", "5 days a week"),
    "blood-glucose-monitoring": ("Check and note blood sugar", "before breakfast", "mornings", "daily"),
    "medication": ("Take tablets with breakfast, using a pill box", "every dose", "breakfast", "daily"),
    "foot-care": ("Check both feet for cuts or redness", "both feet", "after a shower", "daily"),
    "emotional-wellbeing": ("Ring a friend or family member for a chat", "one call", "weekend", "weekly"),
    "family": ("Plan one family meal with less rice and more vegetables", "one meal", "Sunday", "weekly"),
}
NOTES = (
    "Talked through the food diary; small swaps are working.",
    "Went over last week's goals; motivation good.",
    "Discussed what makes walking hard in bad weather; agreed an indoor option.",
    "Shared experience of the first months after diagnosis.",
    "Practised reading food labels together.",
    "Talked about worries before the next diabetes review.",
)
PLACES = ("cafe", "community-centre", "library")
ATTENDANCE = (("mentee-did-not-attend", 0.06), ("cancelled-by-mentee", 0.04), ("cancelled-by-mentor", 0.02))


@dataclass(frozen=True)
class GoalPlan:
    """A SMART goal agreed in a session."""

    topic: str
    what: str
    how_much: str
    when: str
    how_often: str
    confidence: int


@dataclass(frozen=True)
class ReviewPlan:
    """A later look at the mentee's `goal`-th goal (counted from 0 over the whole support)."""

    goal: int
    progress: str
    confidence: int


@dataclass(frozen=True)
class SessionPlan:
    """One planned weekly session and what the mentor logs about it."""

    number: int
    starts_at: datetime
    attendance: str
    mode: str
    duration_minutes: int | None = None
    topics: tuple[str, ...] = ()
    notes: str | None = None
    new_goals: tuple[GoalPlan, ...] = ()
    reviews: tuple[ReviewPlan, ...] = ()

    @property
    def attended(self) -> bool:
        """The session took place."""
        return self.attendance == "attended"


@dataclass
class _Goal:
    index: int
    confidence: int
    reviews_left: int


def sessions(
    rng: random.Random, first: datetime, modes: tuple[str, ...], *, weeks: int = WEEKS, attend: frozenset[int]
) -> list[SessionPlan]:
    """Weekly sessions from `first`; the first, the last and those numbered in `attend` always happen."""
    found: list[SessionPlan] = []
    goals: list[_Goal] = []
    count = 0
    for number in range(1, weeks + 1):
        starts_at = first + timedelta(weeks=number - 1)
        mode = _mode(rng, modes)
        attendance = "attended"
        if number not in attend and number not in (1, weeks):
            draw = rng.random()
            for outcome, chance in ATTENDANCE:
                if draw < chance:
                    attendance = outcome
                    break
                draw -= chance
        if attendance != "attended":
            found.append(SessionPlan(number, starts_at, attendance, mode))
            continue
        reviews = []
        for goal in goals:
            goal.reviews_left -= 1
            goal.confidence = min(10, goal.confidence + rng.choice((0, 0, 1)))
            progress = "done" if goal.reviews_left <= 0 else rng.choice(("partly", "partly", "not-started"))
            reviews.append(ReviewPlan(goal.index, progress, goal.confidence))
        goals = [g for g in goals if g.reviews_left > 0]
        wanted = 2 if number == 1 else (1 if len(goals) < 2 and count < 5 and number < weeks else 0)
        new = []
        for topic in rng.sample(sorted(GOALS), wanted):
            confidence = rng.randint(4, 7)
            new.append(GoalPlan(topic, *GOALS[topic], confidence=confidence))
            goals.append(_Goal(count, confidence, rng.randint(3, 7)))
            count += 1
        topics = tuple(dict.fromkeys([g.topic for g in new] + [rng.choice(sorted(GOALS))]))
        found.append(
            SessionPlan(
                number,
                starts_at,
                attendance,
                mode,
                duration_minutes=rng.choice((40, 45, 50, 55, 60)),
                topics=topics,
                notes=rng.choice(NOTES),
                new_goals=tuple(new),
                reviews=tuple(reviews),
            )
        )
    return found


def _mode(rng: random.Random, modes: tuple[str, ...]) -> str:
    if "in-person" in modes and rng.random() < 0.6:
        return rng.choice(PLACES)
    if "video" in modes and rng.random() < 0.3:
        return "video"
    return "phone"


@dataclass(frozen=True)
class PamPlan:
    """A PAM result the coordinator enters (the level is derived by the outcomes service)."""

    assessed_on: date
    score: Decimal


def pam_scores(rng: random.Random) -> tuple[Decimal, Decimal]:
    """A baseline (mostly levels 1-2) and a follow-up after support: most gain well, a few barely move."""
    level = rng.choices((1, 2, 3), weights=(25, 50, 25))[0]
    low, high = {1: (38.0, 47.0), 2: (47.1, 55.1), 3: (55.2, 60.0)}[level]
    baseline = round(rng.uniform(low, high), 1)
    gain = rng.uniform(-3.0, 2.9) if rng.random() < 0.12 else rng.uniform(8.0, 26.0)
    follow_up = min(92.0, round(baseline + gain, 1))
    return Decimal(str(baseline)), Decimal(str(follow_up))
