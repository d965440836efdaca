"""Why a PAM entry or correction was refused: one code per rule, so clients can act on it.

The rules raise these codes as `peer_shared.refusals`: a bad value is `Invalid`, a clash with what is
recorded `Conflict`, an unknown referral or record `NotFound`.
"""

from __future__ import annotations

from enum import StrEnum


class PamProblem(StrEnum):
    """A machine-readable reason a PAM result was refused (the `code` of the refusal)."""

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
