"""PAM entry and the mentor registry over HTTP, in front of the four real services: what the coordinator
sees, what the services stored, refusals shown next to their fields with what was typed kept, and the
pages refused to mentors, commissioners and forms without the session's CSRF token."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest

from peer_matching.domain.training import TrainingModule
from peer_shared.auth.tokens import Role
from peer_shared.clock import SystemClock, uk_today
from peer_testkit.console.platform import ConsoleAlone as Console
from peer_testkit.console.platform import Platform
from peer_testkit.console.steps import csrf_of, outcomes_knows, refer, register_mentor, service_json, sign_in

pytestmark = pytest.mark.integration
MENTOR_ID = "mnt_" + "c3" * 16
REFERRAL_ID = "ref_" + "d4" * 16
PAM_ID = "pam_" + "e5" * 16


@asynccontextmanager
async def signed_in(platform: Platform, role: Role = Role.COORDINATOR) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in to the running console as a new account of `role`."""
    user = await platform.account_in_role(role)
    async with httpx.AsyncClient(base_url=platform.url) as client:
        assert (await sign_in(client, user)).status_code == 303
        yield client


def today() -> Any:
    return uk_today(SystemClock())


def error_of(page: httpx.Response, field: str) -> str:
    """The error message shown next to a field (empty if none)."""
    found = re.search(
        rf'id="{field}-error"><span class="nhsuk-u-visually-hidden">Error:</span> ([^<]*)<', page.text
    )
    return found.group(1) if found else ""


def value_of(page: httpx.Response, field: str) -> str:
    """The value a text input shows."""
    found = re.search(rf'id="{field}" name="{field}" type="[a-z]+" value="([^"]*)"', page.text)
    assert found, f"no input {field}"
    return found.group(1)


async def test_a_coordinator_records_a_baseline_and_a_follow_up_and_corrects_one(platform: Platform) -> None:
    referral_id = await refer(platform)
    await outcomes_knows(platform, referral_id)
    async with signed_in(platform) as client:
        start = await client.get("/coordinator/pam", params={"referral_id": referral_id})
        assert (
            start.status_code == 303
            and start.headers["location"] == f"/coordinator/referrals/{referral_id}/pam"
        )
        page = await client.get(start.headers["location"])
        assert page.status_code == 200 and "No PAM results recorded yet" in page.text
        assert 'value="baseline" checked' in page.text  # the first entry is the baseline
        url = f"/coordinator/referrals/{referral_id}/pam"
        form = {
            "timepoint": "baseline",
            "follow_up_number": "",
            "assessed_on": (today() - timedelta(days=10)).isoformat(),
            "score": "45.5",
            "level": "",
            "tool_version": "pam-13",
            "administered_by": "coordinator",
            "csrf_token": csrf_of(page),
        }
        recorded = await client.post(url, data=form)
        assert recorded.status_code == 303, recorded.text
        assert re.fullmatch(r"/coordinator/pam/pam_[0-9a-f]{32}\?recorded=1", recorded.headers["location"])
        shown = await client.get(recorded.headers["location"])
        assert "PAM result recorded" in shown.text
        assert "Level 1, worked out from the score (cut points hibbard-2005)" in shown.text

        # A level that contradicts the score: the outcomes service's words next to the level, input kept.
        follow_up = form | {
            "timepoint": "follow-up",
            "follow_up_number": "1",
            "assessed_on": today().isoformat(),
            "score": "60.1",
            "level": "1",
            "administered_by": "mentor",
        }
        refused = await client.post(url, data=follow_up)
        assert refused.status_code == 422
        assert "There is a problem" in refused.text and 'href="#level"' in refused.text
        assert "Score 60.1 is level 3" in error_of(refused, "level")
        assert value_of(refused, "score") == "60.1" and value_of(refused, "follow_up_number") == "1"
        assert '<option value="1" selected>' in refused.text
        assert 'value="mentor" checked' in refused.text and 'value="follow-up" checked' in refused.text
        future = await client.post(
            url, data=follow_up | {"level": "3", "assessed_on": (today() + timedelta(days=2)).isoformat()}
        )
        assert future.status_code == 422 and "in the future" in error_of(future, "assessed_on")
        stored = await service_json(platform, "outcomes", f"/referrals/{referral_id}/pam")
        assert len(stored) == 1  # nothing recorded by the refused entries

        saved = await client.post(url, data=follow_up | {"level": "3"})
        assert saved.status_code == 303, saved.text
        result_url = saved.headers["location"].split("?")[0]
        result = await client.get(saved.headers["location"])
        assert "Level 3, as reported by the PAM tool" in result.text

        # Correct the follow-up: a new revision; the level is now worked out from the new score.
        corrected = await client.post(
            result_url, data=follow_up | {"score": "68.0", "level": "", "csrf_token": csrf_of(result)}
        )
        assert corrected.status_code == 303 and corrected.headers["location"].endswith("?corrected=1")
        result = await client.get(corrected.headers["location"])
        assert "Correction saved as revision 2" in result.text
        assert "Level 4, worked out from the score" in result.text and "Test Coordinator" in result.text

        history = await client.get(url)
        assert (
            "Corrected (revision 2)" in history.text
            and "Corrections to the follow-up 1 result" in history.text
        )
        assert 'value="follow-up" checked' in history.text and value_of(history, "follow_up_number") == "2"

    stored = await service_json(platform, "outcomes", f"/referrals/{referral_id}/pam")
    baseline, first_follow_up = stored
    assert baseline["level"] == 1 and baseline["level_derived"] is True and baseline["score"] == 45.5
    assert first_follow_up["revision"] == 2 and first_follow_up["score"] == 68.0
    assert first_follow_up["level"] == 4 and first_follow_up["level_derived"] is True


def _registration(platform: Platform, token: str, **changes: Any) -> dict[str, Any]:
    done = (today() - timedelta(days=30)).isoformat()
    dbs_running_out = (today() - timedelta(days=3 * 365 - 10)).isoformat()  # valid for 10 more days
    fields: dict[str, Any] = {
        "full_name": "Sam Example",
        "email": "sam@example",
        "phone": "07700 900456",
        "conditions": [platform.condition],
        "capacity": "2",
        "postcode_district": "ZZ99",
        "travel_km": "10",
        "contact_modes": ["in-person", "phone"],
        "gender": "male",
        "languages": "en",
        "availability": ["mon-morning", "thu-evening"],
        "experience": ["insulin"],
        "interests": "",
        "dbs_checked_on": dbs_running_out,
        "safeguarding_refreshed_on": done,
        "status": "active",
        "csrf_token": token,
    }
    fields |= {f"training_{m.value.replace('-', '_')}": done for m in TrainingModule}
    return fields | changes


async def test_a_coordinator_registers_changes_pauses_and_retires_a_mentor(platform: Platform) -> None:
    async with signed_in(platform) as client:
        new = await client.get("/coordinator/mentors/new")
        assert new.status_code == 200 and 'value="applicant" checked' in new.text
        form = _registration(platform, csrf_of(new))
        refused = await client.post("/coordinator/mentors", data=form)
        # The matching service refuses the email and the unknown district; both are shown, the rest kept.
        assert refused.status_code == 422, refused.text
        assert "email address in the correct format" in error_of(refused, "email")
        assert "postcode district" in error_of(refused, "postcode_district")
        assert (
            value_of(refused, "full_name") == "Sam Example"
            and value_of(refused, "postcode_district") == "ZZ99"
        )
        assert value_of(refused, "training_boundaries") == form["training_boundaries"]
        assert (
            'id="contact_modes-phone" name="contact_modes" type="checkbox" value="phone" checked'
            in refused.text
        )
        assert 'value="thu-evening" checked' in refused.text

        created = await client.post(
            "/coordinator/mentors", data=form | {"email": "sam@example.org", "postcode_district": "ls8"}
        )
        assert created.status_code == 303, created.text
        location = created.headers["location"]
        mentor_id = re.search(r"mnt_[0-9a-f]{32}", location).group(0)  # type: ignore[union-attr]
        detail = await client.get(location)
        assert "Mentor registered" in detail.text and "sam@example.org" in detail.text
        assert "07700 900456" in detail.text and ">Active</strong>" in detail.text

        listed = await client.get("/coordinator/mentors")
        row = listed.text[listed.text.index(mentor_id) :]
        assert "Sam Example" in row and "0 of 2" in row and "Expires in 10 days" in row
        paused_only = await client.get("/coordinator/mentors", params={"status": "paused"})
        assert mentor_id not in paused_only.text

        edit = await client.get(f"/coordinator/mentors/{mentor_id}/edit")
        assert value_of(edit, "email") == "sam@example.org" and value_of(edit, "capacity") == "2"
        changed = await client.post(
            f"/coordinator/mentors/{mentor_id}",
            data=form | {"email": "sam@example.org", "postcode_district": "LS8", "capacity": "3"},
        )
        assert changed.status_code == 303 and changed.headers["location"].endswith("done=updated")

        token = csrf_of(detail)
        no_reason = await client.post(f"/coordinator/mentors/{mentor_id}/pause", data={"csrf_token": token})
        assert no_reason.status_code == 422 and error_of(no_reason, "pause_reason")
        paused = await client.post(
            f"/coordinator/mentors/{mentor_id}/pause",
            data={"pause_reason": "unavailable", "expected_back_on": "", "csrf_token": token},
        )
        assert paused.status_code == 303
        detail = await client.get(paused.headers["location"])
        assert "Mentor paused" in detail.text and ">Paused</strong>" in detail.text
        assert "Activate mentor" in detail.text and "Pause mentor" not in detail.text
        assert (await service_json(platform, "matching", f"/mentors/{mentor_id}"))["status"] == "paused"

        retired = await client.post(
            f"/coordinator/mentors/{mentor_id}/retire",
            data={"leave_reason": "moved-away", "csrf_token": token},
        )
        assert retired.status_code == 303
        detail = await client.get(retired.headers["location"])
        assert ">Left</strong>" in detail.text and "Change details" not in detail.text

    stored = await service_json(platform, "matching", f"/mentors/{mentor_id}")
    assert stored["status"] == "left" and stored["capacity"] == 3
    assert stored["contact"] == {
        "full_name": "Sam Example",
        "email": "sam@example.org",
        "phone": "07700 900456",
    }
    assert stored["availability"] == ["mon-morning", "thu-evening"] and stored["postcode_district"] == "LS8"


async def test_activating_a_mentor_who_is_not_ready_shows_why(platform: Platform) -> None:
    mentor_id = await register_mentor(platform)
    async with signed_in(platform) as client:
        detail = await client.get(f"/coordinator/mentors/{mentor_id}")
        token = csrf_of(detail)
        form = {"pause_reason": "checks-expired", "csrf_token": token}
        assert (await client.post(f"/coordinator/mentors/{mentor_id}/pause", data=form)).status_code == 303
        edit = await client.get(f"/coordinator/mentors/{mentor_id}/edit")
        fields = _registration(platform, token, full_name="Priya Example", email="", postcode_district="LS8")
        fields.pop("status")
        fields["dbs_checked_on"] = ""
        assert (await client.post(f"/coordinator/mentors/{mentor_id}", data=fields)).status_code == 303
        refused = await client.post(f"/coordinator/mentors/{mentor_id}/activate", data={"csrf_token": token})
        assert refused.status_code == 422 and "dbs check missing" in error_of(refused, "activate")
        assert "Priya Example" in edit.text


@pytest.mark.parametrize("role", [Role.MENTOR, Role.COMMISSIONER])
async def test_mentors_and_commissioners_are_refused_pam_entry_and_the_registry(
    console_alone: Console, role: Role
) -> None:
    client, platform = console_alone
    user = await platform.account_in_role(role)
    home = await client.get((await sign_in(client, user)).headers["location"])
    assert "/coordinator/mentors" not in home.text and "/coordinator/pam" not in home.text
    pages = [
        "/coordinator/pam",
        f"/coordinator/referrals/{REFERRAL_ID}/pam",
        f"/coordinator/pam/{PAM_ID}",
        "/coordinator/mentors",
        "/coordinator/mentors/new",
        f"/coordinator/mentors/{MENTOR_ID}",
        f"/coordinator/mentors/{MENTOR_ID}/edit",
    ]
    for path in pages:
        page = await client.get(path)
        assert page.status_code == 403 and "You cannot open this page" in page.text, path
    actions = [
        f"/coordinator/referrals/{REFERRAL_ID}/pam",
        f"/coordinator/pam/{PAM_ID}",
        "/coordinator/mentors",
        f"/coordinator/mentors/{MENTOR_ID}",
        f"/coordinator/mentors/{MENTOR_ID}/pause",
        f"/coordinator/mentors/{MENTOR_ID}/retire",
        f"/coordinator/mentors/{MENTOR_ID}/activate",
    ]
    for path in actions:
        refused = await client.post(path, data={"csrf_token": csrf_of(home), "score": "50"})
        assert refused.status_code == 403 and "You cannot open this page" in refused.text, path


async def test_pam_and_registry_forms_without_the_csrf_token_are_refused(console_alone: Console) -> None:
    client, platform = console_alone
    await sign_in(client, await platform.account(Role.COORDINATOR))
    actions = [
        f"/coordinator/referrals/{REFERRAL_ID}/pam",
        f"/coordinator/pam/{PAM_ID}",
        "/coordinator/mentors",
        f"/coordinator/mentors/{MENTOR_ID}",
        f"/coordinator/mentors/{MENTOR_ID}/pause",
        f"/coordinator/mentors/{MENTOR_ID}/retire",
    ]
    for path in actions:
        missing = await client.post(path, data={"score": "50", "pause_reason": "unavailable"})
        assert missing.status_code == 403 and "This form has expired" in missing.text, path
        forged = await client.post(path, data={"csrf_token": "forged"})
        assert forged.status_code == 403, path


async def test_malformed_ids_are_pages_that_do_not_exist(console_alone: Console) -> None:
    client, platform = console_alone
    await sign_in(client, await platform.account(Role.COORDINATOR))
    for path in ("/coordinator/referrals/nope/pam", "/coordinator/pam/nope", "/coordinator/mentors/nope"):
        assert (await client.get(path)).status_code == 404, path
    typed = await client.get("/coordinator/pam", params={"referral_id": "12345"})
    assert typed.status_code == 422 and "Enter a referral id" in typed.text
