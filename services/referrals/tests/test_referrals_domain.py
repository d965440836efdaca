"""Pure rules of the referrals service: no I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from peer_events.codes import AgeBand
from peer_events.events.referrals import ReferralSource
from peer_referrals.domain.age import age_band, age_on
from peer_referrals.domain.conditions import CodeSystem, ConditionRouting, ReasonCode, condition_for
from peer_referrals.domain.postcode import parse_postcode
from peer_referrals.domain.preferences import PreferenceError, parse_preferences
from peer_referrals.domain.problems import InvalidReferral, ProblemCode
from peer_referrals.domain.submission import Submission
from peer_referrals.domain.support import SupportFact, SupportStage, current_mentor, progress
from peer_referrals.domain.triage import ConsentRecord, Triage, TriageError, TriageStatus
from peer_referrals.domain.validation import ReferralPolicy, validate

TODAY = date(2026, 11, 28)
POLICY = ReferralPolicy(
    ConditionRouting(programmes={"t2d": "t2d-one-to-one"}, aliases={}, served=frozenset({"t2d"}))
)


@pytest.mark.parametrize(
    ("text", "full", "district"),
    [("ls8 5hx", "LS8 5HX", "LS8"), ("SW1A1AA", "SW1A 1AA", "SW1A"), (" m1  1ae ", "M1 1AE", "M1")],
)
def test_postcodes_are_normalised_to_their_district(text: str, full: str, district: str) -> None:
    postcode = parse_postcode(text)
    assert postcode is not None
    assert (postcode.full, postcode.district) == (full, district)


@pytest.mark.parametrize("text", ["LS8 HX5", "LS8 5CX", "12345", "", "LS8 5HXX", "GIR 0AA"])
def test_invalid_postcodes_are_refused(text: str) -> None:
    assert parse_postcode(text) is None


def test_age_counts_whole_years_and_leap_day_birthdays() -> None:
    assert age_on(date(2008, 11, 29), TODAY) == 17
    assert age_on(date(2008, 11, 28), TODAY) == 18
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18
    assert [age_band(a) for a in (18, 24, 25, 64, 75, 101)] == [
        AgeBand.AGE_18_24,
        AgeBand.AGE_18_24,
        AgeBand.AGE_25_34,
        AgeBand.AGE_55_64,
        AgeBand.AGE_75_PLUS,
        AgeBand.AGE_75_PLUS,
    ]


def test_reason_codes_map_to_conditions_by_snomed_and_icd10_category() -> None:
    assert condition_for(ReasonCode(CodeSystem.ICD10, "e11.65")).code == "t2d"  # type: ignore[union-attr]
    assert condition_for(ReasonCode(CodeSystem.ICD10, "U09.9")).code == "long-covid"  # type: ignore[union-attr]
    assert condition_for(ReasonCode(CodeSystem.SNOMED_CT, "1119303003")).code == "long-covid"  # type: ignore[union-attr]
    assert condition_for(ReasonCode(CodeSystem.ICD10, "E10")) is None
    routing = ConditionRouting({"t2d": "t2d-one-to-one"}, {"t2d": "t2d-test"}, frozenset({"t2d-test"}))
    route = routing.route(condition_for(ReasonCode(CodeSystem.SNOMED_CT, "44054006")))  # type: ignore[arg-type]
    assert route is not None
    assert (route.condition, route.programme) == ("t2d-test", "t2d-one-to-one")


def test_preferences_are_parsed_from_codes_and_unknown_ones_refused() -> None:
    preferences = parse_preferences(
        ["mentor-gender:male", "language:ur", "language:ur", "contact-mode:video"]
    )
    assert preferences.preferred_mentor_gender == "male"
    assert preferences.languages == ("ur",)
    with pytest.raises(PreferenceError, match="kind"):
        parse_preferences(["star-sign:leo"])
    with pytest.raises(PreferenceError, match="availability"):
        parse_preferences(["availability:someday"])


def test_validation_reports_every_problem_at_once() -> None:
    submission = Submission(
        source=ReferralSource.CSV,
        source_key="k",
        nhs_number="1234567890",
        birth_date=date(2015, 1, 1),
        postcode="nowhere",
        locations={"nhs_number": "col-nhs"},
    )
    with pytest.raises(InvalidReferral) as caught:
        validate(submission, POLICY, TODAY)
    found = {(p.code, p.location) for p in caught.value.problems}
    assert found == {
        (ProblemCode.NHS_NUMBER_INVALID, "col-nhs"),
        (ProblemCode.REQUIRED, "family_name"),
        (ProblemCode.POSTCODE_INVALID, "postcode"),
        (ProblemCode.UNDER_AGE, "birth_date"),
        (ProblemCode.REQUIRED, "reasons"),
        (ProblemCode.REQUIRED, "referrer_ods_code"),
    }


def test_triage_needs_contact_then_consent_before_acceptance() -> None:
    triage = Triage(TriageStatus.RECEIVED)
    with pytest.raises(TriageError):
        triage.accept()
    triage.log_contact()
    with pytest.raises(TriageError, match="consent"):
        triage.accept()
    triage.record_consent(ConsentRecord(True, False, True, TODAY, "usr_1"))
    assert triage.accept().contact_for_evaluation is True
    with pytest.raises(TriageError):
        triage.reject()
    triage.withdraw()
    with pytest.raises(TriageError):
        triage.withdraw()


def test_the_latest_support_fact_wins_whatever_order_they_came_in() -> None:
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    matched = SupportFact(SupportStage.MATCHED, t0, "mnt_a")
    started = SupportFact(SupportStage.STARTED, t0 + timedelta(days=1), "mnt_a")
    ended = SupportFact(SupportStage.ENDED, t0 + timedelta(days=9), "mnt_a")
    rematched = SupportFact(SupportStage.MATCHED, t0 + timedelta(days=10), "mnt_b")
    assert current_mentor([started, matched]) == "mnt_a"
    assert current_mentor([ended, started, matched]) is None
    assert current_mentor([rematched, ended, matched, started]) == "mnt_b"
    assert progress("accepted", SupportStage.ENDED) == "ended"
    assert progress("withdrawn", SupportStage.STARTED) == "withdrawn"
