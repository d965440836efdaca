"""Pure rules of the PAM entry and mentor registry forms: what is sent to the services, and where each of
their refusals is shown."""

from __future__ import annotations

from starlette.datastructures import FormData

from peer_console.domain import mentor_form, pam_form
from peer_console.domain.mentor_refusals import refusal_errors
from peer_matching.domain.training import TrainingModule
from peer_outcomes.domain.pam import AdministeredBy
from peer_outcomes.domain.problems import PamProblem


def _form(**fields: str | list[str]) -> FormData:
    items = []
    for name, value in fields.items():
        items += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    return FormData(items)


def test_the_consoles_code_lists_are_the_services_own() -> None:
    assert [code for code, _ in pam_form.ADMINISTERED_BY] == [a.value for a in AdministeredBy]
    assert set(mentor_form.TRAINING_MODULES) == {m.value for m in TrainingModule}
    assert set(pam_form.REFUSAL_FIELD) == {p.value for p in PamProblem}
    assert set(pam_form.REFUSAL_FIELD.values()) <= set(pam_form.FIELDS)


def test_a_pam_entry_becomes_the_outcomes_apis_body_with_the_score_as_typed() -> None:
    parsed = pam_form.read_pam_form(
        _form(
            timepoint="follow-up",
            follow_up_number="2",
            assessed_on="2026-05-14",
            score="55.25",
            level="",
            tool_version="",
            administered_by="coordinator",
            csrf_token="t",
        )
    )
    assert parsed.errors == {}
    assert parsed.body == {
        "timepoint": "follow-up",
        "follow_up_number": 2,
        "assessed_on": "2026-05-14",
        "score": "55.25",  # its precision is the outcomes service's to judge
        "level": None,
        "tool_version": "pam-13",
        "administered_by": "coordinator",
    }
    baseline = pam_form.read_pam_form(
        _form(
            timepoint="baseline",
            follow_up_number="3",
            assessed_on="2026-05-14",
            score="40",
            level="1",
            administered_by="self-completed",
        )
    )
    assert baseline.body["follow_up_number"] is None and baseline.body["level"] == 1


def test_an_unreadable_pam_entry_names_its_fields_and_keeps_what_was_typed() -> None:
    parsed = pam_form.read_pam_form(
        _form(
            timepoint="follow-up", follow_up_number="first", assessed_on="14/05/2026", score="high", level="5"
        )
    )
    assert set(parsed.errors) == {"follow_up_number", "assessed_on", "score", "level", "administered_by"}
    assert parsed.values["score"] == "high" and parsed.values["assessed_on"] == "14/05/2026"
    assert parsed.body == {}


def test_the_outcomes_services_refusals_sit_next_to_their_fields() -> None:
    message = "score 45.5 is level 1 under cut-point set hibbard-2005 (level 4 is 67.1 and above)"
    assert pam_form.refusal_errors("level-contradicts-score", message, {}) == {"level": "S" + message[1:]}
    assert set(pam_form.refusal_errors("baseline-after-first-session", "after", {})) == {"assessed_on"}
    assert set(pam_form.refusal_errors("follow-up-exists", "twice", {})) == {"follow_up_number"}
    invalid = pam_form.refusal_errors(None, "x", {"tool_version": "String should match pattern"})
    assert invalid == {"tool_version": pam_form.FRIENDLY["tool_version"]}


def test_the_next_pam_entry_is_the_baseline_then_the_next_follow_up() -> None:
    assert pam_form.next_timepoint([]) == {"timepoint": "baseline"}
    results = [
        {"timepoint": "baseline", "follow_up_number": None},
        {"timepoint": "follow-up", "follow_up_number": 1},
    ]
    assert pam_form.next_timepoint(results) == {"timepoint": "follow-up", "follow_up_number": "2"}


def _mentor_fields(**changes: str | list[str]) -> FormData:
    fields: dict[str, str | list[str]] = {
        "full_name": "Priya Example",
        "email": "priya@example.org",
        "phone": "",
        "conditions": ["t2d"],
        "capacity": "3",
        "postcode_district": "ls8",
        "travel_km": "12.5",
        "contact_modes": ["in-person", "phone"],
        "gender": "female",
        "languages": "en, PA",
        "availability": ["tue-evening"],
        "experience": ["insulin"],
        "interests": "",
        "training_mentoring": "2026-01-10",
        "training_goal_setting": "",
        "dbs_checked_on": "2025-12-01",
        "safeguarding_refreshed_on": "",
        "status": "applicant",
        "csrf_token": "t",
    }
    return _form(**(fields | changes))


def test_a_mentor_registration_becomes_the_matching_apis_body() -> None:
    parsed = mentor_form.read_mentor_form(_mentor_fields(), registering=True)
    assert parsed.errors == {}
    body = parsed.body
    assert body["contact"] == {"full_name": "Priya Example", "email": "priya@example.org", "phone": None}
    assert body["training"] == [{"module": "mentoring", "completed_on": "2026-01-10"}]
    assert body["dbs_checked_on"] == "2025-12-01" and body["safeguarding_refreshed_on"] is None
    assert body["postcode_district"] == "LS8" and body["languages"] == ["en", "pa"]
    assert body["capacity"] == 3 and body["travel_km"] == 12.5 and body["status"] == "applicant"
    changed = mentor_form.read_mentor_form(_mentor_fields(in_training="yes"), registering=False)
    assert "status" not in changed.body and changed.body["in_training"] is True


def test_an_unreadable_mentor_form_names_its_fields_and_keeps_what_was_typed() -> None:
    parsed = mentor_form.read_mentor_form(
        _mentor_fields(
            full_name="", conditions=[], capacity="two", training_goal_setting="soon", status="left"
        ),
        registering=True,
    )
    assert set(parsed.errors) == {"full_name", "conditions", "capacity", "training_goal_setting", "status"}
    assert parsed.values["training_goal_setting"] == "soon" and parsed.values["availability"] == [
        "tue-evening"
    ]


def test_the_matching_services_refusals_sit_next_to_their_fields() -> None:
    sent = {"training": [{"module": "mentoring"}, {"module": "boundaries"}]}
    fields = {
        "contact.email": "String should match pattern",
        "training.1.completed_on": "Input should be a valid date",
        "postcode_district": "Value error, unknown postcode district 'ZZ9'",
    }
    errors = refusal_errors(None, "", fields, registering=True, sent=sent)
    assert set(errors) == {"email", "training_boundaries", "postcode_district"}
    assert refusal_errors("not-ready", "the mentor cannot be active", {}, registering=True) == {
        "status": "The mentor cannot be active"
    }
    assert set(refusal_errors("not-ready", "x", {}, registering=False)) == {"training"}
    future = "training.safeguarding is 2030-01-01, after today (2026-05-14)"
    assert set(refusal_errors("date-in-future", future, {}, registering=True)) == {"training_safeguarding"}
    dbs = "dbs_checked_on is 2030-01-01, after today (2026-05-14)"
    assert set(refusal_errors("date-in-future", dbs, {}, registering=True)) == {"dbs_checked_on"}
    assert set(refusal_errors("capacity-below-load", "x", {}, registering=False)) == {"capacity"}
    assert set(refusal_errors("something-new", "x", {}, registering=False)) == {mentor_form.GENERAL}


def test_a_mentor_as_the_api_shows_them_fills_the_change_form() -> None:
    mentor = {
        "contact": {"full_name": "Priya Example", "email": None, "phone": "07700 900123"},
        "status": "active",
        "conditions": ["t2d"],
        "training": [{"module": "boundaries", "completed_on": "2026-01-02"}],
        "dbs_checked_on": "2025-12-01",
        "safeguarding_refreshed_on": None,
        "capacity": 2,
        "postcode_district": "LS8",
        "travel_km": 10.0,
        "gender": "female",
        "languages": ["en", "pa"],
        "availability": ["tue-evening"],
        "experience": [],
        "interests": ["gardening"],
        "contact_modes": ["in-person"],
    }
    values = mentor_form.values_of(mentor)
    assert values["training_boundaries"] == "2026-01-02" and values["training_mentoring"] == ""
    assert values["languages"] == "en, pa" and values["travel_km"] == "10" and values["email"] == ""
    again = mentor_form.read_mentor_form(_form(**values), registering=False)
    assert again.errors == {}
    assert again.body["training"] == mentor["training"] and again.body["interests"] == ["gardening"]
