"""SMART goals and their reviews, as motivational interviewing practice records them.

A goal says what, how much, when and how often, with the mentee's confidence (0-10). Later sessions
review it (not started, partly, done, revised); a revision restates the goal. Nothing is overwritten:
the store keeps every version and review.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from peer_events.codes import Topic
from peer_events.events.sessions import GoalProgress
from peer_shared.refusals import Invalid

MAX_GOALS_PER_SESSION = 20
MAX_GOAL_TEXT_CHARS = 500


@dataclass(frozen=True)
class GoalPlan:
    """A goal as agreed: the wording stays in this service, only topic and confidence are published."""

    topic: Topic
    what: str
    how_much: str | None
    when: str | None
    how_often: str | None
    confidence: int


@dataclass(frozen=True)
class GoalReview:
    """How a goal is getting on, recorded in a later session."""

    goal_id: str
    progress: GoalProgress
    confidence: int
    revised: GoalPlan | None = None


def check_plans(plans: Sequence[GoalPlan]) -> None:
    """Refuse goals without wording, with over-long wording, or with a confidence outside 0-10."""
    if len(plans) > MAX_GOALS_PER_SESSION:
        raise Invalid("too-many-goals", f"at most {MAX_GOALS_PER_SESSION} goals per session")
    for plan in plans:
        _check_plan(plan)


def _check_plan(plan: GoalPlan) -> None:
    if not plan.what.strip():
        raise Invalid("goal-without-wording", "a goal needs 'what'")
    for text in (plan.what, plan.how_much, plan.when, plan.how_often):
        if text is not None and len(text) > MAX_GOAL_TEXT_CHARS:
            raise Invalid(
                "goal-text-too-long", f"goal wording is limited to {MAX_GOAL_TEXT_CHARS} characters"
            )
    _check_confidence(plan.confidence)


def _check_confidence(confidence: int) -> None:
    if not 0 <= confidence <= 10:
        raise Invalid("confidence-out-of-range", f"confidence must be 0-10, not {confidence}")


def check_reviews(reviews: Sequence[GoalReview], goals_of_pairing: Collection[str]) -> None:
    """Refuse reviews of unknown goals, a goal reviewed twice at once, or a revision without new wording."""
    if len(reviews) > MAX_GOALS_PER_SESSION:
        raise Invalid("too-many-goals", f"at most {MAX_GOALS_PER_SESSION} goal reviews per session")
    seen: set[str] = set()
    for review in reviews:
        if review.goal_id not in goals_of_pairing:
            raise Invalid("goal-not-in-pairing", f"goal {review.goal_id} is not a goal of this pairing")
        if review.goal_id in seen:
            raise Invalid("goal-reviewed-twice", f"goal {review.goal_id} is reviewed twice")
        seen.add(review.goal_id)
        _check_confidence(review.confidence)
        revising = review.progress is GoalProgress.REVISED
        if revising and review.revised is None:
            raise Invalid("revised-goal-missing", "a review with progress 'revised' restates the goal")
        if not revising and review.revised is not None:
            raise Invalid(
                "revised-goal-unexpected", "only a review with progress 'revised' restates the goal"
            )
        if review.revised is not None:
            _check_plan(review.revised)
