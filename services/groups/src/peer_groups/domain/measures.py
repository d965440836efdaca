"""Outcome measures of a group member: C19-YRSm and ONS4 scale totals, at baseline and at the end.

Only the totals the instrument produces are kept (never question text or item answers). Each instrument
has a fixed set of scales, each with its range; an entry must score every one of them, and nothing else.
A member has one baseline per instrument: a mistake in it is corrected (a new revision), not re-entered.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from peer_events.events.groups import Instrument, MeasureTimepoint, Scale
from peer_shared.refusals import Conflict, FieldProblem, Invalid

MAX_REVISIONS = 100
"""The contract's limit on `MeasureRecorded.revision`."""

SCALE_MAXIMA: Mapping[Instrument, Mapping[Scale, int]] = MappingProxyType(
    {
        Instrument.C19_YRSM: MappingProxyType(
            {
                Scale.SYMPTOM_SEVERITY: 30,
                Scale.FUNCTIONAL_ABILITY: 15,
                Scale.OTHER_SYMPTOMS: 25,
                Scale.OVERALL_HEALTH: 10,
            }
        ),
        Instrument.ONS4: MappingProxyType(
            {Scale.LIFE_SATISFACTION: 10, Scale.WORTHWHILE: 10, Scale.HAPPINESS: 10, Scale.ANXIETY: 10}
        ),
    }
)
"""Every instrument's scales and the highest total each can reach (the lowest is 0)."""


class MeasureProblem(StrEnum):
    """Why a measure was refused: one code per rule (the `code` of the refusal)."""

    UNKNOWN_SCALE = "unknown-scale"
    MISSING_SCALE = "missing-scale"
    SCORE_OUT_OF_RANGE = "score-out-of-range"
    VERSION_NOT_OF_INSTRUMENT = "version-not-of-instrument"
    ASSESSED_IN_FUTURE = "assessed-in-future"
    NOT_A_MEMBER = "not-a-member"
    BASELINE_EXISTS = "baseline-exists"
    REFERRAL_CHANGED = "referral-changed"
    MEASURE_NOT_FOUND = "measure-not-found"
    TOO_MANY_CORRECTIONS = "too-many-corrections"


@dataclass(frozen=True)
class MeasureEntry:
    """What was typed in, unchecked: the scale names are as sent, so an unknown one can be named."""

    instrument: Instrument
    instrument_version: str
    timepoint: MeasureTimepoint
    assessed_on: date
    scores: Mapping[str, int]


@dataclass(frozen=True)
class Measure:
    """A member's recorded measure at its current revision."""

    measure_id: str
    referral_id: str
    cohort_id: str
    revision: int
    instrument: Instrument
    instrument_version: str
    timepoint: MeasureTimepoint
    assessed_on: date
    scores: Mapping[Scale, int]


@dataclass(frozen=True)
class MemberPlace:
    """A person's place in a cohort (current or past), with what their events need to carry."""

    cohort_id: str
    referral_id: str
    enrolled_on: date
    enrolled: bool
    """True while the place is held; False once they left."""
    condition: str
    programme: str
    facilitators: tuple[str, ...]
    """The mentors the cohort names as its facilitators."""
    correlation_id: uuid.UUID
    """The referral's correlation id (the person's journey), else the cohort's."""


def check_scores(instrument: Instrument, scores: Mapping[str, int]) -> dict[Scale, int]:
    """The instrument's scale totals, in its order; raises `Invalid` naming every problem at once.

    The refusal's code is that of the first kind of problem found: unknown scale, then out-of-range
    score, then missing scale.
    """
    maxima = SCALE_MAXIMA[instrument]
    known = {scale.value: scale for scale in maxima}
    unknown = [name for name in scores if name not in known]
    out_of_range = [name for name in scores if name in known and not 0 <= scores[name] <= maxima[known[name]]]
    missing = [scale.value for scale in maxima if scale.value not in scores]
    problems = [
        *(
            _problem(n, f"{instrument.value} has no scale {n!r}", MeasureProblem.UNKNOWN_SCALE)
            for n in unknown
        ),
        *(
            _problem(
                n,
                f"{n} is scored 0 to {maxima[known[n]]}, not {scores[n]}",
                MeasureProblem.SCORE_OUT_OF_RANGE,
            )
            for n in out_of_range
        ),
        *(
            _problem(n, f"{instrument.value} needs a {n} score", MeasureProblem.MISSING_SCALE)
            for n in missing
        ),
    ]
    if problems:
        first = problems[0]
        assert first.code is not None
        raise Invalid(first.code, first.message, fields=problems)
    return {scale: scores[scale.value] for scale in maxima}


def check_entry(entry: MeasureEntry, today: date) -> dict[Scale, int]:
    """Check an entry's own values (version, date, scores); returns the checked scale totals."""
    if not entry.instrument_version.startswith(f"{entry.instrument.value}-"):
        raise Invalid(
            MeasureProblem.VERSION_NOT_OF_INSTRUMENT,
            f"version {entry.instrument_version!r} is not a version of {entry.instrument.value} "
            f"(for example {entry.instrument.value}-2022)",
            fields=[FieldProblem("body.instrument_version", "not a version of the instrument")],
        )
    if entry.assessed_on > today:
        raise Invalid(
            MeasureProblem.ASSESSED_IN_FUTURE,
            f"the assessment date {entry.assessed_on.isoformat()} is in the future (today is {today})",
            fields=[FieldProblem("body.assessed_on", "in the future")],
        )
    return check_scores(entry.instrument, entry.scores)


def check_one_baseline(
    entry: MeasureEntry, others: Iterable[Measure], *, correcting: str | None = None
) -> None:
    """Refuse a second baseline of one instrument for a member (the record being corrected excepted)."""
    if entry.timepoint is not MeasureTimepoint.BASELINE:
        return
    for other in others:
        if (
            other.measure_id != correcting
            and other.instrument is entry.instrument
            and other.timepoint is MeasureTimepoint.BASELINE
        ):
            raise Conflict(
                MeasureProblem.BASELINE_EXISTS,
                f"the member already has a {entry.instrument.value} baseline ({other.measure_id}); "
                "correct it with PUT /measures/{measure_id} instead",
            )


def next_revision(current: int) -> int:
    """The revision a correction gets; refused beyond the contract's limit."""
    if current >= MAX_REVISIONS:
        raise Conflict(
            MeasureProblem.TOO_MANY_CORRECTIONS,
            f"a measure can be corrected at most {MAX_REVISIONS - 1} times",
        )
    return current + 1


def _problem(scale: str, message: str, code: MeasureProblem) -> FieldProblem:
    return FieldProblem(f"body.scores.{scale}", message, code.value)
