"""What matching leaves to the groups service and tells it: a programme whose matching is `off` (the
known group programmes by default) never becomes a mentee here, group facilitation is a module one-to-one
matching does not ask for, and mentor events carry the credentials group programmes need."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from nats.js import JetStreamContext

from peer_events.envelope import new_event
from peer_events.events.matching import (
    MentorActivated,
    MentorCredentialsChanged,
    MentorMatched,
)
from peer_events.events.referrals import ReferralWithdrawn, WithdrawalReason
from peer_events.programmes import LONG_COVID_GROUP, T2D_ONE_TO_ONE
from peer_matching.domain.mentor import MentorStatus, credentials, readiness_problems
from peer_matching.domain.training import Check, CheckRules, TrainingModule, checks_valid_until
from peer_matching.settings import MatchingSettings, ProgrammeMode
from peer_testkit.harness import ServiceHarness
from peer_testkit.matching import ALL_MODULES, TODAY, caught_up, mentor, mentor_body, referral_events
from peer_testkit.streams import events_of
from peer_testkit.waiting import eventually

ONE_TO_ONE_MODULES = [m for m in TrainingModule if m is not TrainingModule.GROUP_FACILITATION]


def test_known_group_programmes_are_off_by_default_and_any_programme_can_be_set_off() -> None:
    defaults = MatchingSettings()
    assert defaults.programme(LONG_COVID_GROUP.code).mode is ProgrammeMode.OFF
    assert not defaults.programme(LONG_COVID_GROUP.code).matched
    assert defaults.programme(T2D_ONE_TO_ONE.code).matched
    # Listing other programmes (as deployments and the tests do) keeps the group programme off...
    listed = MatchingSettings.model_validate(
        {"programmes": {"x-groups": {"mode": "off"}, "y": {"mode": "suggest"}}}
    )
    assert not listed.programme("x-groups").matched and not listed.programme(LONG_COVID_GROUP.code).matched
    assert listed.programme("y").mode == "suggest" and listed.programme("unlisted").matched
    # ...and listing the group programme itself turns matching on for it.
    on = MatchingSettings.model_validate({"programmes": {LONG_COVID_GROUP.code: {"mode": "auto"}}})
    assert on.programme(LONG_COVID_GROUP.code).matched


def test_group_facilitation_is_optional_for_one_to_one_and_makes_a_facilitator() -> None:
    rules = CheckRules()
    without = mentor(training={m: date(2025, 9, 1) for m in ONE_TO_ONE_MODULES})
    assert readiness_problems(without, TODAY, rules) == []
    assert not credentials(without, rules).group_facilitator
    assert credentials(mentor(training=dict(ALL_MODULES)), rules).group_facilitator
    lacking = mentor(training={TrainingModule.GROUP_FACILITATION: date(2025, 9, 1)})
    assert len(readiness_problems(lacking, TODAY, rules)) == len(ONE_TO_ONE_MODULES)


def test_checks_count_until_the_first_one_runs_out() -> None:
    rules = CheckRules(dbs_valid_days=10, safeguarding_valid_days=5)
    assert checks_valid_until(
        {Check.DBS: date(2026, 1, 1), Check.SAFEGUARDING_REFRESHER: date(2026, 1, 3)}, rules
    ) == (date(2026, 1, 8))
    assert checks_valid_until(
        {Check.DBS: date(2026, 1, 1), Check.SAFEGUARDING_REFRESHER: date(2026, 1, 9)}, rules
    ) == (date(2026, 1, 11))
    assert (
        checks_valid_until({Check.DBS: date(2026, 1, 1), Check.SAFEGUARDING_REFRESHER: None}, rules) is None
    )


@pytest.mark.integration
async def test_referrals_of_an_off_programme_never_become_mentees_while_one_to_one_still_matches(
    matching: ServiceHarness, js: JetStreamContext, condition: str
) -> None:
    chosen = (
        await matching.client.post("/mentors", json=mentor_body(matching, condition, capacity=2))
    ).json()
    group = referral_events(condition, programme=LONG_COVID_GROUP.code)
    one_to_one = referral_events(condition)
    withdrawn = new_event(
        ReferralWithdrawn(
            referral_id=group[0].data.referral_id,
            withdrawn_on=matching.today(),
            reason=WithdrawalReason.MENTEE_REQUEST,
            erase_personal_data=False,
        ),
        clock=matching.clock,
        condition=condition,
        programme=LONG_COVID_GROUP.code,
    )
    # The group referral comes first, to a mentor with room for both: only `off` keeps it unmatched.
    for event in (*group, withdrawn, *one_to_one):
        await matching.publish(event)

    async def one_to_one_matched() -> bool:
        return len(await events_of(js, condition, MentorMatched)) == 1

    await eventually(one_to_one_matched)
    await eventually(lambda: caught_up(js, "PEER_REFERRALS", f"{condition}-matching-referrals-v1"))
    matched = await events_of(js, condition, MentorMatched)
    assert [(e.data.referral_id, e.data.mentor_id) for e in matched] == [
        (one_to_one[0].data.referral_id, chosen["mentor_id"])
    ]
    group_id = group[0].data.referral_id
    assert await matching.scalar("SELECT count(*) FROM mentee WHERE referral_id = :r", r=group_id) == 0
    assert await matching.scalar("SELECT count(*) FROM match WHERE referral_id = :r", r=group_id) == 0
    assert await matching.count("mentee") == 1
    assert await matching.dead_letters() == 0


@pytest.mark.integration
async def test_mentor_events_carry_credentials_and_a_change_is_published_once(
    matching: ServiceHarness, js: JetStreamContext, condition: str
) -> None:
    done = matching.today() - timedelta(days=30)
    one_to_one_only = [{"module": m.value, "completed_on": done.isoformat()} for m in ONE_TO_ONE_MODULES]
    body = mentor_body(matching, condition, training=one_to_one_only)
    created = await matching.client.post("/mentors", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == MentorStatus.ACTIVE and created.json()["missing_modules"] == []
    mentor_id = created.json()["mentor_id"]
    rules = CheckRules()
    first_expiry = min(rules.expires_on(check, done) for check in Check)

    with_groups = [*one_to_one_only, {"module": "group-facilitation", "completed_on": done.isoformat()}]
    url = f"/mentors/{mentor_id}"
    for change in (
        {"training": with_groups},  # becomes a facilitator: published
        {"training": with_groups, "capacity": 3},  # nothing group programmes know of changed
        {"safeguarding_refreshed_on": matching.today().isoformat()},  # checks last longer: published
    ):
        response = await matching.client.patch(url, json=change)
        assert response.status_code == 200, response.text
    await matching.outbox_drained()

    activated = await events_of(js, condition, MentorActivated)
    assert [(e.data.mentor_id, e.data.group_facilitator, e.data.checks_valid_until) for e in activated] == [
        (mentor_id, False, first_expiry)
    ]
    changed = await events_of(js, condition, MentorCredentialsChanged)
    later_expiry = min(rules.expires_on(Check.DBS, done), matching.today() + timedelta(days=365))
    assert [(e.data.group_facilitator, e.data.checks_valid_until) for e in changed] == [
        (True, first_expiry),
        (True, later_expiry),
    ]
    assert all(e.subject == mentor_id and e.data.changed_on == matching.today() for e in changed)
    assert b"Alex" not in b"".join(m.data for m in await matching.published_messages())


@pytest.mark.integration
async def test_a_mentor_not_yet_active_publishes_credentials_only_on_activation(
    matching: ServiceHarness, js: JetStreamContext, condition: str
) -> None:
    body = mentor_body(matching, condition, status="in-training", training=[])
    mentor_id = (await matching.client.post("/mentors", json=body)).json()["mentor_id"]
    trained = await matching.client.patch(
        f"/mentors/{mentor_id}", json={"training": mentor_body(matching, condition)["training"]}
    )
    assert trained.status_code == 200, trained.text
    assert (await matching.client.post(f"/mentors/{mentor_id}/activate")).json()["status"] == "active"
    await matching.outbox_drained()

    assert await events_of(js, condition, MentorCredentialsChanged) == []
    activated = await events_of(js, condition, MentorActivated)
    assert [e.data.group_facilitator for e in activated] == [True]  # the kit's body has every module
