"""Pure rules of the group programme forms (create a cohort, take the register): what is sent to the
groups service, what the console refuses before sending, and where each of the service's refusals is
shown."""

from __future__ import annotations

from starlette.datastructures import FormData

from peer_console.domain import group_form
from peer_console.domain.group_form import (
    REGISTER_REFUSALS,
    presence_field,
    read_cohort_form,
    read_register_form,
    refusal_errors,
)
from peer_events.codes import Topic
from peer_events.events.groups import CancellationReason, GroupSetting, Presence

MENTOR_A = "mnt_" + "a1" * 16
MENTOR_B = "mnt_" + "b2" * 16
MENTOR_C = "mnt_" + "c3" * 16
REF_1 = "ref_" + "11" * 16
REF_2 = "ref_" + "22" * 16


def _form(**fields: str | list[str]) -> FormData:
    items = []
    for name, value in fields.items():
        items += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    return FormData(items)


def _cohort(**fields: str | list[str]) -> FormData:
    base: dict[str, str | list[str]] = {
        "programme": "long-covid-group",
        "name": "Leeds spring group",
        "starts_on": "2026-06-02",
        "setting": "venue",
        "venue": "Chapeltown Library, LS7",
        "online_link": "",
        "facilitators": [MENTOR_A],
        "max_size": "",
        "min_size": "",
        "planned_sessions": "",
        "cadence_days": "",
        "csrf_token": "t",
    }
    return _form(**(base | fields))


def _register(**fields: str | list[str]) -> FormData:
    base: dict[str, str | list[str]] = {
        "status": "held",
        "held_on": "2026-06-02",
        "duration_minutes": "90",
        "setting": "venue",
        "facilitators": [MENTOR_A],
        "topics": ["fatigue-and-pacing", "sleep"],
        presence_field(REF_1): "attended",
        presence_field(REF_2): "apologies",
        "cancel_reason": "",
        "notes": "",
        "csrf_token": "t",
    }
    return _form(**(base | fields))


def test_the_consoles_code_lists_are_the_contracts_own() -> None:
    assert [code for code, _ in group_form.PRESENCE] == [p.value for p in Presence]
    assert [code for code, _ in group_form.SETTINGS] == [s.value for s in GroupSetting]
    assert [code for code, _ in group_form.CANCEL_REASONS[1:]] == [r.value for r in CancellationReason]
    assert [code for code, _ in group_form.GROUP_TOPICS] == [t.value for t in Topic]
    assert [code for code, _ in group_form.GROUP_PROGRAMMES] == ["long-covid-group"]


def test_a_cohort_becomes_the_groups_apis_body_with_the_programmes_defaults_left_out() -> None:
    parsed = read_cohort_form(_cohort(cadence_days="7"), [MENTOR_A, MENTOR_B])
    assert parsed.errors == {}
    assert parsed.body == {
        "programme": "long-covid-group",
        "name": "Leeds spring group",
        "starts_on": "2026-06-02",
        "setting": "venue",
        "venue": "Chapeltown Library, LS7",
        "facilitators": [MENTOR_A],
        "cadence_days": 7,
    }
    online = read_cohort_form(
        _cohort(
            setting="online", online_link="https://meet.example.nhs.uk/g1", facilitators=[MENTOR_A, MENTOR_B]
        ),
        [MENTOR_A, MENTOR_B],
    )
    assert online.body["online_link"] == "https://meet.example.nhs.uk/g1" and "venue" not in online.body
    assert online.body["facilitators"] == [MENTOR_A, MENTOR_B]


def test_an_unreadable_cohort_names_its_fields_and_keeps_what_was_typed() -> None:
    parsed = read_cohort_form(
        _cohort(
            programme="t2d-one-to-one",
            name="",
            starts_on="2 June",
            setting="online",
            online_link="http://insecure",
            facilitators=[MENTOR_A, MENTOR_B, MENTOR_C],
            max_size="twelve",
            cadence_days="40",
        ),
        [MENTOR_A, MENTOR_B, MENTOR_C],
    )
    assert set(parsed.errors) == {
        "programme",
        "name",
        "starts_on",
        "online_link",
        "facilitators",
        "max_size",
        "cadence_days",
    }
    assert parsed.values["starts_on"] == "2 June" and parsed.values["max_size"] == "twelve"
    assert parsed.values["facilitators"] == [MENTOR_A, MENTOR_B, MENTOR_C] and parsed.body == {}
    no_venue = read_cohort_form(_cohort(venue=""), [MENTOR_A])
    assert set(no_venue.errors) == {"venue"}
    not_offered = read_cohort_form(_cohort(facilitators=[MENTOR_C]), [MENTOR_A])
    assert set(not_offered.errors) == {"facilitators"}


def test_a_register_becomes_the_groups_apis_session_body() -> None:
    parsed = read_register_form(_register(notes="Good energy today"), [REF_1, REF_2], [MENTOR_A, MENTOR_B])
    assert parsed.errors == {}
    assert parsed.body == {
        "status": "held",
        "held_on": "2026-06-02",
        "duration_minutes": 90,
        "setting": "venue",
        "topics": ["fatigue-and-pacing", "sleep"],
        "facilitators": [MENTOR_A],
        "register": {REF_1: "attended", REF_2: "apologies"},
        "cancel_reason": None,
        "notes": "Good energy today",
    }


def test_a_cancelled_session_needs_its_reason_and_no_register() -> None:
    cancelled = _register(
        status="cancelled", duration_minutes="", **{presence_field(REF_1): "", presence_field(REF_2): ""}
    )
    refused = read_register_form(cancelled, [REF_1, REF_2], [MENTOR_A])
    assert set(refused.errors) == {"cancel_reason"}
    parsed = read_register_form(
        _register(status="cancelled", duration_minutes="", cancel_reason="venue-unavailable"),
        [REF_1, REF_2],
        [MENTOR_A],
    )
    assert parsed.errors == {}
    nobody = _register(status="cancelled", cancel_reason="no-facilitator", facilitators=[])
    assert read_register_form(nobody, [REF_1, REF_2], [MENTOR_A]).body["facilitators"] == []
    assert (
        parsed.body["register"] == {}
        and parsed.body["topics"] == []
        and parsed.body["duration_minutes"] is None
    )
    assert parsed.body["cancel_reason"] == "venue-unavailable"


def test_a_held_session_left_without_length_or_setting_takes_the_services_defaults() -> None:
    parsed = read_register_form(_register(duration_minutes="", setting=""), [REF_1, REF_2], [MENTOR_A])
    assert parsed.errors == {}
    assert parsed.body["duration_minutes"] is None and parsed.body["setting"] is None


def test_an_unmarked_member_is_named_next_to_their_row_and_nothing_typed_is_lost() -> None:
    parsed = read_register_form(
        _register(duration_minutes="5", facilitators=[], **{presence_field(REF_2): ""}),
        [REF_1, REF_2],
        [MENTOR_A],
    )
    assert set(parsed.errors) == {presence_field(REF_2), "duration_minutes", "facilitators"}
    assert parsed.errors["duration_minutes"] == "Enter how long the session lasted, 10 to 480 minutes"
    assert parsed.values[presence_field(REF_1)] == "attended"
    assert parsed.values["topics"] == ["fatigue-and-pacing", "sleep"]


def test_the_groups_services_refusals_sit_next_to_their_fields() -> None:
    no_one = "no facilitator of the session is valid on 2026-06-02"
    assert refusal_errors("no-valid-facilitator", no_one, {}, REGISTER_REFUSALS, "held_on") == {
        "facilitators": "No" + no_one[2:]
    }
    # The service's invalid-session names each register line at fault (body.register.<referral id>).
    lines = {
        f"register.{REF_1}": "not a current member of the cohort",
        f"register.{REF_2}": "the register leaves out a current member",
        "cancel_reason": "only a cancelled session has a reason",
    }
    assert refusal_errors("invalid-session", "breaks the rules", lines, REGISTER_REFUSALS, "held_on") == {
        presence_field(REF_1): "Not a current member of the cohort",
        presence_field(REF_2): "The register leaves out a current member",
        "cancel_reason": "Only a cancelled session has a reason",
    }
    future = {"held_on": "a held session cannot be in the future"}
    assert refusal_errors("session-in-future", "not yet", future, REGISTER_REFUSALS, "status") == {
        "held_on": "Not yet"
    }
    assert set(refusal_errors("something-new", "no", {}, REGISTER_REFUSALS, "held_on")) == {"held_on"}
    sizes = refusal_errors("sizes-out-of-order", "min", {"min_size": "x"}, group_form.COHORT_REFUSALS, "name")
    assert sizes == {"min_size": "Min"}
    unreadable = {f"register.{REF_1}": "Input should be 'attended'", "topics.0": "bad", "odd.path": "?"}
    assert refusal_errors("invalid-request", "", unreadable, REGISTER_REFUSALS, "held_on") == {
        presence_field(REF_1): "Input should be 'attended'",
        "topics": "Bad",
        "held_on": "?",
    }
    cohort = refusal_errors("invalid-request", "", {"online_link": "URL"}, group_form.COHORT_REFUSALS, "name")
    assert cohort == {"online_link": "URL"}
