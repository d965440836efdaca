"""The measure rules as plain Python: scales and ranges per instrument, versions, dates, one baseline."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from peer_events.events.groups import Instrument, MeasureTimepoint, Scale
from peer_groups.domain.measures import (
    MAX_REVISIONS,
    SCALE_MAXIMA,
    Measure,
    MeasureEntry,
    MeasureProblem,
    check_entry,
    check_one_baseline,
    check_scores,
    next_revision,
)
from peer_shared.refusals import Conflict, Invalid

TODAY = date(2026, 6, 1)
C19 = {"symptom-severity": 12, "functional-ability": 5, "other-symptoms": 8, "overall-health": 6}
ONS4 = {"life-satisfaction": 6, "worthwhile": 7, "happiness": 5, "anxiety": 4}


def entry(**changes: Any) -> MeasureEntry:
    values: dict[str, Any] = {
        "instrument": Instrument.C19_YRSM,
        "instrument_version": "c19-yrsm-2022",
        "timepoint": MeasureTimepoint.BASELINE,
        "assessed_on": date(2026, 5, 20),
        "scores": C19,
    }
    return MeasureEntry(**(values | changes))


def recorded(measure_id: str, instrument: Instrument, timepoint: MeasureTimepoint) -> Measure:
    return Measure(
        measure_id=measure_id,
        referral_id="ref_" + "1" * 32,
        cohort_id="coh_" + "2" * 32,
        revision=1,
        instrument=instrument,
        instrument_version=f"{instrument.value}-2022",
        timepoint=timepoint,
        assessed_on=date(2026, 5, 1),
        scores={},
    )


def test_each_instrument_has_its_published_scales_and_ranges() -> None:
    assert dict(SCALE_MAXIMA[Instrument.C19_YRSM]) == {
        Scale.SYMPTOM_SEVERITY: 30,
        Scale.FUNCTIONAL_ABILITY: 15,
        Scale.OTHER_SYMPTOMS: 25,
        Scale.OVERALL_HEALTH: 10,
    }
    assert dict(SCALE_MAXIMA[Instrument.ONS4]) == dict.fromkeys(
        (Scale.LIFE_SATISFACTION, Scale.WORTHWHILE, Scale.HAPPINESS, Scale.ANXIETY), 10
    )
    assert set(SCALE_MAXIMA) == set(Instrument)


@pytest.mark.parametrize(("instrument", "scores"), [(Instrument.C19_YRSM, C19), (Instrument.ONS4, ONS4)])
def test_a_complete_entry_is_returned_as_scale_totals_in_the_instrument_s_order(
    instrument: Instrument, scores: dict[str, int]
) -> None:
    checked = check_scores(instrument, dict(reversed(scores.items())))
    assert list(checked) == list(SCALE_MAXIMA[instrument])
    assert {scale.value: score for scale, score in checked.items()} == scores


def test_the_ends_of_every_range_are_accepted() -> None:
    for instrument, maxima in SCALE_MAXIMA.items():
        assert set(check_scores(instrument, {s.value: 0 for s in maxima}).values()) == {0}
        assert check_scores(instrument, {s.value: m for s, m in maxima.items()}) == dict(maxima)


@pytest.mark.parametrize(
    ("instrument", "scores", "code", "field"),
    [
        (Instrument.C19_YRSM, C19 | {"happiness": 5}, MeasureProblem.UNKNOWN_SCALE, "happiness"),
        (Instrument.ONS4, ONS4 | {"symptom-severity": 3}, MeasureProblem.UNKNOWN_SCALE, "symptom-severity"),
        (Instrument.C19_YRSM, C19 | {"fatigue": 5}, MeasureProblem.UNKNOWN_SCALE, "fatigue"),
        (
            Instrument.C19_YRSM,
            C19 | {"symptom-severity": 31},
            MeasureProblem.SCORE_OUT_OF_RANGE,
            "symptom-severity",
        ),
        (
            Instrument.C19_YRSM,
            C19 | {"functional-ability": 16},
            MeasureProblem.SCORE_OUT_OF_RANGE,
            "functional-ability",
        ),
        (
            Instrument.C19_YRSM,
            C19 | {"other-symptoms": 26},
            MeasureProblem.SCORE_OUT_OF_RANGE,
            "other-symptoms",
        ),
        (Instrument.ONS4, ONS4 | {"anxiety": 11}, MeasureProblem.SCORE_OUT_OF_RANGE, "anxiety"),
        (Instrument.ONS4, ONS4 | {"worthwhile": -1}, MeasureProblem.SCORE_OUT_OF_RANGE, "worthwhile"),
        (
            Instrument.ONS4,
            {k: v for k, v in ONS4.items() if k != "anxiety"},
            MeasureProblem.MISSING_SCALE,
            "anxiety",
        ),
        (Instrument.C19_YRSM, {}, MeasureProblem.MISSING_SCALE, "symptom-severity"),
    ],
)
def test_a_wrong_scale_or_score_is_refused_naming_the_scale(
    instrument: Instrument, scores: dict[str, int], code: MeasureProblem, field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        check_scores(instrument, scores)
    assert refused.value.code == code
    assert refused.value.fields[0].field == f"body.scores.{field}"


def test_every_problem_is_listed_and_the_first_kind_gives_the_code() -> None:
    scores = {"symptom-severity": 40, "functional-ability": 3, "happiness": 2}
    with pytest.raises(Invalid) as refused:
        check_scores(Instrument.C19_YRSM, scores)
    assert refused.value.code == MeasureProblem.UNKNOWN_SCALE
    assert [(f.field, f.code) for f in refused.value.fields] == [
        ("body.scores.happiness", "unknown-scale"),
        ("body.scores.symptom-severity", "score-out-of-range"),
        ("body.scores.other-symptoms", "missing-scale"),
        ("body.scores.overall-health", "missing-scale"),
    ]


def test_an_entry_must_name_a_version_of_its_instrument_and_not_be_in_the_future() -> None:
    assert check_entry(entry(), TODAY)[Scale.SYMPTOM_SEVERITY] == 12
    assert check_entry(entry(assessed_on=TODAY), TODAY)
    cases = [
        (entry(instrument_version="ons4-2011"), MeasureProblem.VERSION_NOT_OF_INSTRUMENT),
        (entry(instrument=Instrument.ONS4, scores=ONS4), MeasureProblem.VERSION_NOT_OF_INSTRUMENT),
        (entry(assessed_on=date(2026, 6, 2)), MeasureProblem.ASSESSED_IN_FUTURE),
    ]
    for wrong, code in cases:
        with pytest.raises(Invalid) as refused:
            check_entry(wrong, TODAY)
        assert refused.value.code == code
    ons4 = entry(instrument=Instrument.ONS4, instrument_version="ons4-2011", scores=ONS4)
    assert check_entry(ons4, TODAY)[Scale.ANXIETY] == 4


def test_a_member_has_one_baseline_per_instrument_but_may_be_corrected() -> None:
    baseline = recorded("msr_" + "a" * 32, Instrument.C19_YRSM, MeasureTimepoint.BASELINE)
    others = [baseline, recorded("msr_" + "b" * 32, Instrument.ONS4, MeasureTimepoint.END)]

    with pytest.raises(Conflict) as refused:
        check_one_baseline(entry(), others)
    assert refused.value.code == MeasureProblem.BASELINE_EXISTS
    assert baseline.measure_id in refused.value.message

    check_one_baseline(entry(), others, correcting=baseline.measure_id)  # the record itself
    check_one_baseline(entry(timepoint=MeasureTimepoint.END), others)  # an end measure
    check_one_baseline(entry(instrument=Instrument.ONS4), others)  # another instrument's baseline
    check_one_baseline(entry(), [])


def test_corrections_stop_at_the_contract_s_revision_limit() -> None:
    assert next_revision(1) == 2
    assert next_revision(MAX_REVISIONS - 1) == MAX_REVISIONS
    with pytest.raises(Conflict) as refused:
        next_revision(MAX_REVISIONS)
    assert refused.value.code == MeasureProblem.TOO_MANY_CORRECTIONS
