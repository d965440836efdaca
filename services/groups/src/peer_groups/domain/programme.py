"""How a group programme runs its cohorts: the rules the use cases apply (configured in settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProgrammeRules:
    """One programme's cohort defaults and thresholds (see `GroupProgramme` in settings for each)."""

    max_size: int = 12
    min_size: int = 6
    planned_sessions: int = 8
    cadence_days: int = 14
    session_minutes: int = 90
    completion_share: float = 0.75
    absences_before_follow_up: int = 2
    start_when_full: bool = False
    propose_next_cohort_at: int = 6
