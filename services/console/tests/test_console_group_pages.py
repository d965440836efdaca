"""The group programme pages over HTTP, in front of a stand-in for the groups API (its shapes, ids and
refusal codes; `peer_testkit.console.fake_groups`): what the coordinator and the facilitator see, what the
console sends, the service's refusals shown next to their fields with what was typed kept, and the pages
refused to the other roles and without the session's CSRF token. The console's own accounts database is
real."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from peer_console.domain.group_form import presence_field
from peer_shared.auth.tokens import Role
from peer_testkit.console.fake_groups import (
    COHORT_ID,
    CONCERN_ID,
    MENTOR_A,
    MENTOR_B,
    REF_1,
    REF_2,
    REF_WAITING,
    FakeGroups,
    cohort,
)
from peer_testkit.console.platform import Keys, Platform, console_settings, running_console
from peer_testkit.console.steps import csrf_of, sign_in
from peer_testkit.plugin import Infrastructure

pytestmark = pytest.mark.integration
URL = "https://console.test"
Console = tuple[httpx.AsyncClient, Platform, FakeGroups]


@pytest.fixture
async def console(
    infra: Infrastructure, console_keys: Keys, fresh_database_url: str
) -> AsyncIterator[Console]:
    """The console in front of the stand-in groups API."""
    fake = FakeGroups()
    settings = console_settings(console_keys, fresh_database_url)
    async with running_console(settings, URL, httpx.MockTransport(fake.handle)) as client:
        yield client, Platform(URL, settings), fake


async def _as(console: Console, role: Role, mentor_id: str | None = None) -> httpx.AsyncClient:
    client, platform, _ = console
    user = await platform.account(role, mentor_id) if mentor_id else await platform.account_in_role(role)
    client.cookies.clear()
    assert (await sign_in(client, user)).status_code == 303
    return client


def error_of(page: httpx.Response, field: str) -> str:
    """The error message shown next to a field (empty if none)."""
    found = re.search(
        rf'id="{field}-error"><span class="nhsuk-u-visually-hidden">Error:</span> ([^<]*)<', page.text
    )
    return found.group(1) if found else ""


async def test_a_coordinator_lists_and_plans_cohorts(console: Console) -> None:
    client = await _as(console, Role.COORDINATOR)
    fake = console[2]
    listed = await client.get(
        "/coordinator/groups", params={"programme": "long-covid-group", "status": "running"}
    )
    assert listed.status_code == 200
    assert f'<a href="/coordinator/groups/{COHORT_ID}">Leeds spring group</a>' in listed.text
    assert "2 of 12" in listed.text and "2 of 3" in listed.text
    assert ("GET", "/cohorts?limit=200&programme=long-covid-group&status=running", None) in fake.requests
    assert 'href="/coordinator/groups"' in listed.text  # the Groups menu

    form = await client.get("/coordinator/groups/new?starts_on=2026-09-08")
    assert form.status_code == 200 and 'value="2026-09-08"' in form.text
    assert "Ready to facilitate; checks in date until 2099-01-01" in form.text
    assert "Not yet trained to facilitate groups" in form.text
    typed = {
        "programme": "long-covid-group",
        "name": "Leeds autumn group",
        "starts_on": "2026-09-08",
        "setting": "venue",
        "venue": "Chapeltown Library",
        "facilitators": [MENTOR_A, MENTOR_B],
        "max_size": "10",
        "csrf_token": csrf_of(form),
    }
    missing = await client.post("/coordinator/groups", data=typed | {"venue": "", "facilitators": []})
    assert missing.status_code == 422 and fake.sent("POST", "/cohorts") == []
    assert error_of(missing, "venue") and error_of(missing, "facilitators")
    assert 'value="Leeds autumn group"' in missing.text

    fake.refusals["/cohorts"] = (422, "unknown-facilitator", "mentor mnt_b2… is not known here", [])
    refused = await client.post("/coordinator/groups", data=typed)
    assert (
        refused.status_code == 422 and error_of(refused, "facilitators") == "Mentor mnt_b2… is not known here"
    )
    assert 'value="10"' in refused.text and f'value="{MENTOR_B}" checked' in refused.text

    created = await client.post("/coordinator/groups", data=typed)
    assert (
        created.status_code == 303
        and created.headers["location"] == f"/coordinator/groups/{COHORT_ID}?done=created"
    )
    assert fake.sent("POST", "/cohorts")[-1] == {
        "programme": "long-covid-group",
        "name": "Leeds autumn group",
        "starts_on": "2026-09-08",
        "setting": "venue",
        "venue": "Chapeltown Library",
        "facilitators": [MENTOR_A, MENTOR_B],
        "max_size": 10,
    }


async def test_the_cohort_page_shows_members_schedule_and_follow_up_and_takes_actions(
    console: Console,
) -> None:
    client = await _as(console, Role.COORDINATOR)
    fake = console[2]
    page = await client.get(f"/coordinator/groups/{COHORT_ID}")
    assert page.status_code == 200 and 'id="cohort-status">Running</strong>' in page.text
    assert "2 (2 in a row)" in page.text and "Follow up</strong>" in page.text
    assert "No facilitator can run the next session" in page.text
    assert "2026-06-30" in page.text and "Finish cohort" in page.text and "Cancel cohort" not in page.text
    assert f'<option value="{REF_WAITING}"' in page.text  # enrol from the waitlist

    url = f"/coordinator/groups/{COHORT_ID}"
    token = csrf_of(page)
    name = f"follow_up_{REF_2}"
    unchosen = await client.post(f"{url}/members/{REF_2}/follow-up", data={"csrf_token": token})
    assert unchosen.status_code == 422 and error_of(unchosen, name) == "Choose the follow-up outcome"
    back = await client.post(f"{url}/members/{REF_2}/follow-up", data={name: "back", "csrf_token": token})
    assert back.status_code == 303 and fake.sent("POST", f"/cohorts/{COHORT_ID}/members/{REF_2}") == [
        {"outcome": "back"}
    ]

    enrolled = await client.post(f"{url}/members", data={"referral_id": REF_WAITING, "csrf_token": token})
    assert enrolled.status_code == 303 and fake.sent("POST", f"/cohorts/{COHORT_ID}/members", exact=True) == [
        {"referral_id": REF_WAITING}
    ]
    gone = f"{REF_WAITING} is not on the long-covid-group waitlist"
    fake.refusals[f"/cohorts/{COHORT_ID}/members"] = (404, "not-on-waitlist", gone, [])
    refused_place = await client.post(
        f"{url}/members", data={"referral_id": REF_WAITING, "csrf_token": token}
    )
    assert refused_place.status_code == 422 and error_of(refused_place, "referral_id") == gone
    assert f'<option value="{REF_WAITING}" selected>' in refused_place.text
    fake.refusals[f"/cohorts/{COHORT_ID}/finish"] = (409, "cohort-not-running", "the cohort has finished", [])
    refused = await client.post(f"{url}/finish", data={"csrf_token": token})
    assert refused.status_code == 422 and error_of(refused, "general") == "the cohort has finished"
    assert (await client.post(f"{url}/finish", data={"csrf_token": token})).status_code == 303
    assert (await client.post(f"{url}/explode", data={"csrf_token": token})).status_code == 404
    assert (await client.post(f"{url}/finish")).status_code == 403  # no CSRF token
    assert (await client.get("/coordinator/groups/coh_nonsense")).status_code == 404
    assert (await client.get(f"/coordinator/groups/coh_{'ff' * 16}")).status_code == 404  # the service's

    fake.detail = cohort("planned")
    planned = await client.get(url)
    assert "Open for enrolment" in planned.text and "Cancel cohort" in planned.text


async def test_the_waitlist_proposes_the_next_cohort(console: Console) -> None:
    client = await _as(console, Role.COORDINATOR)
    page = await client.get("/coordinator/groups/waitlist")
    assert page.status_code == 200
    assert "A next cohort is needed" in page.text and "7 people are waiting" in page.text
    assert 'href="/coordinator/groups/new?programme=long-covid-group&amp;starts_on=2026-09-08"' in page.text
    assert f"referral {REF_WAITING}" in page.text and "Not yet known" in page.text


async def test_group_concerns_are_acknowledged_from_the_coordinator_home(console: Console) -> None:
    client = await _as(console, Role.COORDINATOR)
    fake = console[2]
    home = await client.get("/coordinator")
    assert "Safeguarding concerns in groups to acknowledge" in home.text
    follow_ups = home.text.split('id="follow-ups"')[1].split("</table>")[0]
    assert f"referral {REF_2}" in follow_ups and f"referral {REF_1}" not in follow_ups
    assert f'<a href="/coordinator/groups/{COHORT_ID}">Leeds spring group</a>' in follow_ups
    assert "Spoke of feeling hopeless" in home.text and f'href="/coordinator/groups/{COHORT_ID}"' in home.text
    done = await client.post(
        f"/coordinator/group-concerns/{CONCERN_ID}/acknowledge",
        data={"action": "gp-informed", "csrf_token": csrf_of(home)},
    )
    assert done.status_code == 303
    assert fake.sent("POST", f"/concerns/{CONCERN_ID}/acknowledge") == [{"action": "gp-informed"}]


async def test_a_facilitator_takes_the_register_on_the_phone_pages(console: Console) -> None:
    client = await _as(console, Role.MENTOR, MENTOR_A)
    fake = console[2]
    mine = await client.get("/mentor/groups")
    assert mine.status_code == 200 and "Leeds spring group" in mine.text
    assert f'href="/mentor/groups/{COHORT_ID}/register"' in mine.text
    form = await client.get(f"/mentor/groups/{COHORT_ID}/register")
    assert form.status_code == 200 and "Session 3 of 3, planned for 2026-06-30" in form.text
    assert f'value="{MENTOR_A}" checked' in form.text and ">You</label>" in form.text
    typed = {
        "status": "held",
        "held_on": "2026-06-30",
        "duration_minutes": "90",
        "setting": "venue",
        "facilitators": [MENTOR_A],
        "topics": ["breathing"],
        presence_field(REF_1): "attended",
        "notes": "Breathing exercises went well",
        "csrf_token": csrf_of(form),
    }
    url = f"/mentor/groups/{COHORT_ID}/register"
    incomplete = await client.post(url, data=typed)
    assert incomplete.status_code == 422 and error_of(incomplete, presence_field(REF_2))
    assert fake.sent("POST", f"/cohorts/{COHORT_ID}/sessions") == []
    typed[presence_field(REF_2)] = "absent"
    line = {"field": f"body.register.{REF_2}", "message": "the register leaves out a current member"}
    invalid = (
        422,
        "invalid-session",
        "the session record breaks the rules",
        [line | {"code": "member-missing"}],
    )
    fake.refusals[f"/cohorts/{COHORT_ID}/sessions"] = invalid
    refused_line = await client.post(url, data=typed)
    assert error_of(refused_line, presence_field(REF_2)) == "The register leaves out a current member"
    detail = "no facilitator of the session is valid on 2026-06-30"
    fake.refusals[f"/cohorts/{COHORT_ID}/sessions"] = (409, "no-valid-facilitator", detail, [])
    refused = await client.post(url, data=typed)
    assert refused.status_code == 422 and error_of(refused, "facilitators") == "N" + detail[1:]
    assert 'value="absent" checked' in refused.text and "Breathing exercises went well" in refused.text
    saved = await client.post(url, data=typed)
    assert saved.status_code == 303
    (body,) = fake.sent("POST", f"/cohorts/{COHORT_ID}/sessions")[-1:]
    assert body is not None and body["register"] == {REF_1: "attended", REF_2: "absent"}
    assert body["topics"] == ["breathing"] and body["duration_minutes"] == 90
    assert "Register saved." in (await client.get(saved.headers["location"])).text
    (stored,) = fake.sessions[-1:]
    assert stored["session_id"].startswith("gss_") and stored["session_number"] == 3


async def test_each_role_is_refused_the_others_group_pages(console: Console) -> None:
    mentor = await _as(console, Role.MENTOR, MENTOR_A)
    for path in ("/coordinator/groups", "/coordinator/groups/waitlist", f"/coordinator/groups/{COHORT_ID}"):
        assert (await mentor.get(path)).status_code == 403
    coordinator = await _as(console, Role.COORDINATOR)
    assert (await coordinator.get("/mentor/groups")).status_code == 403
    commissioner = await _as(console, Role.COMMISSIONER)
    assert (await commissioner.get("/coordinator/groups/new")).status_code == 403
