"""Why a PAM entry or correction was refused: one code per rule, so clients can act on it."""

from __future__ import annotations

from enum import StrEnum


class ProblemKind(StrEnum):
    """How a refusal maps onto HTTP: a bad value, a clash with what is recorded, or a missing thing."""

    INVALID = "invalid"
    CONFLICT = "conflict"
    NOT_FOUND = "not-found"


class PamProblem(StrEnum):
    """A machine-readable reason a PAM result was refused."""

    SCORE_OUT_OF_RANGE = "score-out-of-range"
    SCORE_PRECISION = "score-precision"
    LEVEL_OUT_OF_RANGE = "level-out-of-range"
    LEVEL_CONTRADICTS_SCORE = "level-contradicts-score"
    ASSESSED_IN_FUTURE = "assessed-in-future"
    FOLLOW_UP_NUMBER = "follow-up-number"
    UNKNOWN_REFERRAL = "unknown-referral"
    UNKNOWN_PAM = "unknown-pam"
    BASELINE_EXISTS = "baseline-exists"
    BASELINE_AFTER_FIRST_SESSION = "baseline-after-first-session"
    BASELINE_AFTER_FOLLOW_UP = "baseline-after-follow-up"
    NO_BASELINE = "no-baseline"
    FOLLOW_UP_BEFORE_BASELINE = "follow-up-before-baseline"
    FOLLOW_UP_EXISTS = "follow-up-exists"
    FOLLOW_UP_OUT_OF_ORDER = "follow-up-out-of-order"
    TOO_MANY_CORRECTIONS = "too-many-corrections"


KIND_OF: dict[PamProblem, ProblemKind] = {
    PamProblem.UNKNOWN_REFERRAL: ProblemKind.NOT_FOUND,
    PamProblem.UNKNOWN_PAM: ProblemKind.NOT_FOUND,
    PamProblem.BASELINE_EXISTS: ProblemKind.CONFLICT,
    PamProblem.BASELINE_AFTER_FIRST_SESSION: ProblemKind.CONFLICT,
    PamProblem.BASELINE_AFTER_FOLLOW_UP: ProblemKind.CONFLICT,
    PamProblem.NO_BASELINE: ProblemKind.CONFLICT,
    PamProblem.FOLLOW_UP_BEFORE_BASELINE: ProblemKind.CONFLICT,
    PamProblem.FOLLOW_UP_EXISTS: ProblemKind.CONFLICT,
    PamProblem.FOLLOW_UP_OUT_OF_ORDER: ProblemKind.CONFLICT,
    PamProblem.TOO_MANY_CORRECTIONS: ProblemKind.CONFLICT,
}


class PamRefused(Exception):
    """A PAM entry or correction broke a rule; nothing was recorded."""

    def __init__(self, problem: PamProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message

    @property
    def kind(self) -> ProblemKind:
        """Whether the input was bad in itself, clashed with the record, or named something unknown."""
        return KIND_OF.get(self.problem, ProblemKind.INVALID)
