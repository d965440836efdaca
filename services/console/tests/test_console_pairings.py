"""Goal reviews in the mentor's session form, the coordinator's pairing page and its lifecycle actions,
and the report's breakdown filters, over HTTP in front of the four real services: what each person sees
and what the services stored; the pairing page refused to mentors and commissioners, and its forms
without the session's CSRF token."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest

from peer_console.domain.report_filters import financial_quarter_of
from peer_shared.auth.tokens import Role
from peer_shared.clock import SystemClock, to_london, uk_today
from peer_testkit.console.platform import ConsoleAlone as Console
from peer_testkit.console.platform import Platform
from peer_testkit.console.steps import csrf_of, pair, refer, service_json, sign_in
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration
PAIRING_ID = "pai_" + "f6" * 16
MENTOR_ID = "mnt_" + "c3" * 16


@asynccontextmanager
async def signed_in(
    platform: Platform, role: Role, mentor_id: str | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in to the running console as a new account of `role`."""
    user = await platform.account(role, mentor_id)
    async with httpx.AsyncClient(base_url=platform.url) as client:
        assert (await sign_in(client, user)).status_code == 303
        yield client


def error_of(page: httpx.Response, field: str) -> str:
    """The error message shown next to a field (empty if none)."""
    found = re.search(
        rf'id="{field}-error"><span class="nhsuk-u-visually-hidden">Error:</span> ([^<]*)<', page.text
    )
    return found.group(1) if found else ""


def _session(token: str, hours_ahead: int, **fields: str) -> dict[str, str]:
    """A session that took place; an hour or two ahead (allowed: at most a day), so never before the
    pairing started today whatever the time of the test."""
    starts = to_london(SystemClock().now() + timedelta(hours=hours_ahead))
    return {
        "date": starts.date().isoformat(),
        "time": starts.strftime("%H:%M"),
        "duration": "30",
        "mode": "library",
        "attendance": "attended",
        "topics": "physical-activity",
        "goal_what": "",
        "goal_topic": "",
        "goal_when": "",
        "confidence": "7",
        "notes": "",
        "csrf_token": token,
    } | fields


async def test_a_mentor_reviews_a_goal_in_the_session_form_and_the_coordinator_completes(
    platform: Platform,
) -> None:
    mentor_id, _, pairing_id = await pair(platform)
    url = f"/mentor/pairings/{pairing_id}/sessions"
    async with signed_in(platform, Role.MENTOR, mentor_id) as mentor:
        form = await mentor.get(f"{url}/new")
        assert form.status_code == 200 and "Goals to review" not in form.text
        first = _session(
            csrf_of(form), 1, goal_what="Walk to the shops twice a week", goal_topic="physical-activity"
        )
        assert (await mentor.post(url, data=first)).status_code == 303
        (goal,) = await service_json(platform, "sessions", f"/pairings/{pairing_id}/goals")
        prefix = f"review_{goal['id']}_"

        form = await mentor.get(f"{url}/new")
        assert "Goals to review" in form.text and "Walk to the shops twice a week" in form.text
        assert f'id="{prefix}progress" name="{prefix}progress" type="radio" value="" checked' in form.text
        # Revised without saying what the goal is now, and no confidence: both shown, nothing typed lost.
        second = _session(
            csrf_of(form),
            2,
            notes="Talked about the bus",
            **{f"{prefix}progress": "revised", f"{prefix}confidence": "", f"{prefix}what": ""},
        )
        refused = await mentor.post(url, data=second)
        assert refused.status_code == 422
        assert "confidence" in error_of(refused, f"{prefix}confidence")
        assert "goal has changed" in error_of(refused, f"{prefix}what")
        assert f'href="#{prefix}what"' in refused.text
        assert f'name="{prefix}progress" type="radio" value="revised" checked' in refused.text
        assert 'value="Talked about the bus"' in refused.text
        assert (await service_json(platform, "sessions", f"/pairings/{pairing_id}/sessions"))["total"] == 1

        reviewed = second | {f"{prefix}progress": "partly", f"{prefix}confidence": "8"}
        logged = await mentor.post(url, data=reviewed)
        assert logged.status_code == 303 and logged.headers["location"].endswith("?logged=1")
        mentee = await mentor.get(logged.headers["location"])
        assert "confidence 8 of 10, Partly" in mentee.text

    sessions = (await service_json(platform, "sessions", f"/pairings/{pairing_id}/sessions"))["items"]
    assert [s["goals_set"] for s in sessions] == [1, 0] and [s["goals_reviewed"] for s in sessions] == [0, 1]
    (stored,) = await service_json(platform, "sessions", f"/pairings/{pairing_id}/goals")
    assert stored["progress"] == "partly" and stored["confidence"] == 8
    assert [step["kind"] for step in stored["history"]] == ["set", "reviewed"]
    assert stored["history"][1]["session_id"] == sessions[1]["id"]

    async with signed_in(platform, Role.COORDINATOR) as coordinator:
        page = await coordinator.get(f"/coordinator/pairings/{pairing_id}")
        assert page.status_code == 200
        assert re.search(r'id="sessions-count">\s*2 \(2 took place\)', page.text)
        assert 'id="attendance-rate">100%' in page.text
        assert "Walk to the shops twice a week" in page.text and "Partly at the last review" in page.text
        completed = await coordinator.post(
            f"/coordinator/pairings/{pairing_id}/complete", data={"csrf_token": csrf_of(page)}
        )
        assert completed.status_code == 303
        page = await coordinator.get(completed.headers["location"])
        assert "Pairing completed." in page.text and ">Completed</strong>" in page.text
        assert "Pause pairing" not in page.text
    stored_pairing = await service_json(platform, "sessions", f"/pairings/{pairing_id}")
    assert stored_pairing["status"] == "completed"


async def test_a_coordinator_pauses_resumes_and_ends_a_pairing(platform: Platform) -> None:
    mentor_id, referral_id, pairing_id = await pair(platform)
    url = f"/coordinator/pairings/{pairing_id}"

    async def status() -> dict[str, Any]:
        found: dict[str, Any] = await service_json(platform, "sessions", f"/pairings/{pairing_id}")
        return found

    async with signed_in(platform, Role.COORDINATOR) as client:
        referral = await client.get(f"/coordinator/referrals/{referral_id}")
        assert f'href="/coordinator/pairings/{pairing_id}"' in referral.text

        page = await client.get(url)
        assert page.status_code == 200 and ">Active</strong>" in page.text
        assert f'href="/coordinator/mentors/{mentor_id}">Priya Example</a>' in page.text
        assert f'href="/coordinator/referrals/{referral_id}"' in page.text
        assert f'href="/coordinator/referrals/{referral_id}/pam"' in page.text
        assert re.search(r'id="sessions-count">\s*0 \(0 took place\)', page.text)
        assert 'id="last-contact">None yet' in page.text
        token = csrf_of(page)

        no_reason = await client.post(f"{url}/pause", data={"pause_reason": "", "csrf_token": token})
        assert no_reason.status_code == 422 and "Choose why the pairing pauses" in error_of(
            no_reason, "pause_reason"
        )
        assert (await status())["status"] == "active"
        paused = await client.post(
            f"{url}/pause", data={"pause_reason": "mentee-unavailable", "csrf_token": token}
        )
        assert paused.status_code == 303
        page = await client.get(paused.headers["location"])
        assert (
            "Pairing paused." in page.text
            and ">Paused</strong>" in page.text
            and "Resume pairing" in page.text
        )
        stored = await status()
        assert stored["status"] == "paused" and stored["pause_reason"] == "mentee-unavailable"

        resumed = await client.post(f"{url}/resume", data={"csrf_token": token})
        assert resumed.status_code == 303 and (await status())["status"] == "active"
        # Resuming again: the sessions service refuses, and its words are shown by the action.
        again = await client.post(f"{url}/resume", data={"csrf_token": token})
        assert again.status_code == 422 and "not paused" in error_of(again, "resume")

        no_reason = await client.post(f"{url}/end", data={"end_reason": "", "csrf_token": token})
        assert no_reason.status_code == 422 and error_of(no_reason, "end_reason")
        ended = await client.post(f"{url}/end", data={"end_reason": "no-engagement", "csrf_token": token})
        assert ended.status_code == 303
        page = await client.get(ended.headers["location"])
        assert "Pairing ended early." in page.text and ">Ended</strong>" in page.text
        assert "(No engagement)" in page.text and "End pairing early" not in page.text
        late = await client.post(f"{url}/complete", data={"csrf_token": token})
        assert late.status_code == 422 and "it is ended" in error_of(late, "complete")

    stored = await status()
    assert stored["status"] == "ended" and stored["end_reason"] == "no-engagement"
    assert stored["finished_on"] == uk_today(SystemClock()).isoformat()


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_the_report_shows_a_breakdown_and_the_csv_honours_it(platform: Platform) -> None:
    await refer(platform)
    condition = platform.condition
    today = uk_today(SystemClock())

    async def counted() -> bool:
        found = await service_json(
            platform, "outcomes", f"/reports/programme?start={today - timedelta(days=365)}&end={today}"
        )
        return bool(found["total"]["activity"]["referrals_received"] == 1)

    await eventually(counted)
    async with signed_in(platform, Role.COORDINATOR) as coordinator:
        page = await coordinator.get("/report", params={"breakdown": "condition"})
        assert page.status_code == 200 and 'id="breakdown-table"' in page.text
        assert "By condition" in page.text and f"{condition}</th>" in page.text
        assert f'<option value="{condition}"' in page.text  # the groups to narrow to
        row = page.text[page.text.index(f"{condition}</th>") :]
        assert re.match(rf"{condition}</th>\s*<td[^>]*><span[^>]*>Referrals received </span>1</td>", row)

        quarter = {"period": "quarter", "breakdown": "condition", "group": condition}
        narrowed = await coordinator.get("/report", params=quarter)
        assert narrowed.status_code == 200
        assert f'<option value="{financial_quarter_of(today)}" selected>' in narrowed.text
        assert narrowed.text.count('<tr class="nhsuk-table__row">') == 2  # everyone, and the one group
        link = re.search(r'id="csv-download" href="([^"]+)"', narrowed.text).group(1)  # type: ignore[union-attr]
        download = await coordinator.get(link.replace("&amp;", "&"))
        assert download.status_code == 200
        assert re.search(rf'filename="programme-report-\d{{4}}-\d{{2}}-Q[1-4]-condition-{condition}\.csv"',
                         download.headers["content-disposition"])  # fmt: skip
        rows = _rows(download.text)
        assert {(r["scope"], r["group"]) for r in rows} == {("total", "all"), ("condition", condition)}
        received = [r for r in rows if r["measure"] == "activity.referrals_received"]
        assert [(r["scope"], r["value"]) for r in received] == [("total", "1"), ("condition", "1")]
        whole = _rows((await coordinator.get("/report.csv")).text)
        assert {r["scope"] for r in whole} >= {
            "total",
            "programme",
            "condition",
            "locality",
            "ethnic_category",
        }

        unknown = await coordinator.get("/report", params={"breakdown": "locality", "group": "Atlantis"})
        assert unknown.status_code == 422 and error_of(unknown, "group")
        bad = await coordinator.get("/report", params={"period": "quarter", "quarter": "2025-27-Q1"})
        assert bad.status_code == 422 and "2025-26" in error_of(bad, "quarter")

    async with signed_in(platform, Role.COMMISSIONER) as commissioner:
        page = await commissioner.get("/report", params={"breakdown": "condition", "group": condition})
        row = page.text[page.text.index(f"{condition}</th>") :]
        assert re.match(rf"{condition}</th>\s*<td[^>]*><span[^>]*>Referrals received </span>&lt;5</td>", row)
        assert "Under disclosure control" in page.text
        download = await commissioner.get(
            "/report.csv", params={"breakdown": "condition", "group": condition}
        )
        received = [r for r in _rows(download.text) if r["measure"] == "activity.referrals_received"]
        assert [(r["scope"], r["value"]) for r in received] == [("total", "<5"), ("condition", "<5")]


@pytest.mark.parametrize("role", [Role.MENTOR, Role.COMMISSIONER])
async def test_mentors_and_commissioners_are_refused_the_pairing_page(
    console_alone: Console, role: Role
) -> None:
    client, platform = console_alone
    user = await platform.account_in_role(role)
    home = await client.get((await sign_in(client, user)).headers["location"])
    assert "/coordinator/pairings" not in home.text
    page = await client.get(f"/coordinator/pairings/{PAIRING_ID}")
    assert page.status_code == 403 and "You cannot open this page" in page.text
    for action in ("pause", "resume", "end", "complete"):
        path = f"/coordinator/pairings/{PAIRING_ID}/{action}"
        refused = await client.post(path, data={"csrf_token": csrf_of(home), "pause_reason": "other"})
        assert refused.status_code == 403 and "You cannot open this page" in refused.text, path


async def test_pairing_actions_and_the_session_form_without_the_csrf_token_are_refused(
    console_alone: Console,
) -> None:
    client, platform = console_alone
    await sign_in(client, await platform.account(Role.COORDINATOR))
    for action in ("pause", "resume", "end", "complete"):
        path = f"/coordinator/pairings/{PAIRING_ID}/{action}"
        missing = await client.post(path, data={"pause_reason": "other", "end_reason": "other"})
        assert missing.status_code == 403 and "This form has expired" in missing.text, path
        assert (await client.post(path, data={"csrf_token": "forged"})).status_code == 403, path
    assert (await client.get("/coordinator/pairings/nope")).status_code == 404

    await sign_in(client, await platform.account(Role.MENTOR, MENTOR_ID, f"m{uuid.uuid4().hex[:8]}"))
    missing = await client.post(f"/mentor/pairings/{PAIRING_ID}/sessions", data={"date": "2026-05-14"})
    assert missing.status_code == 403 and "This form has expired" in missing.text
