"""The console end to end in real headless Chromium, in front of the four real services.

A coordinator triages a referral and confirms the match; the mentor, on a phone, logs a session with a
goal, opens the next session's goal review and raises a safeguarding concern; the coordinator
acknowledges it and pauses and resumes the pairing; the commissioner opens the report with a breakdown
and downloads the CSV. Each step checks the page and what the services stored; every page visited
is checked with axe-core, and some are photographed for the docs.

The browser is Debian's Chromium driven by Playwright (never Playwright's own download).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from peer_shared.auth.tokens import Role
from peer_shared.clock import SystemClock, to_london, uk_today
from peer_testkit.console.browser import PHONE, Visits, chromium, person, sign_in, until
from peer_testkit.console.platform import PASSWORD, Platform
from peer_testkit.console.steps import outcomes_knows, refer, register_mentor, service_json
from peer_testkit.waiting import eventually

pytestmark = pytest.mark.integration


async def triage_and_match(page: Page, platform: Platform, visits: Visits, referral_id: str) -> None:
    await visits.check(page)
    await page.get_by_role("link", name=f"referral {referral_id}").first.click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Referral")
    await expect(page.locator("#referral-status")).to_have_text("Received")
    await visits.check(page, "referral-detail")

    await page.get_by_label("How you tried to reach them").select_option("phone")
    await page.get_by_label("What happened").select_option("reached")
    await page.get_by_role("button", name="Log contact attempt").click()
    await expect(page.locator("#referral-status")).to_have_text("Contacted")

    await page.get_by_role("button", name="Accept referral").click()  # before consent: refused, shown
    await expect(page.locator(".nhsuk-error-summary")).to_contain_text("consent")
    await visits.check(page)

    await page.get_by_label("Peer support with a volunteer mentor").check()
    today = uk_today(SystemClock()).isoformat()
    await page.get_by_label("Date consent was given").fill(today)
    await page.get_by_role("button", name="Record consent").click()
    await page.get_by_role("button", name="Accept referral").click()
    await expect(page.locator("#referral-status")).to_have_text("Accepted")
    stored = await service_json(
        platform, "referrals", f"/my/referrals/{referral_id}", Role.REFERRER, "ods-B86001"
    )
    assert stored["status"] == "accepted"

    await page.goto("/coordinator")

    async def proposed() -> bool:
        return await page.get_by_role("link", name="Proposal for referral").count() == 1

    await until(proposed, page)
    await page.get_by_role("link", name="Proposal for referral").click()
    await expect(page.locator("#match-status")).to_have_text("Proposed")
    await visits.check(page, "match-proposal")
    await page.get_by_role("button", name="Confirm match").click()
    await expect(page.locator("#match-status")).to_have_text("Confirmed")
    (match,) = await service_json(platform, "matching", "/matches")
    assert match["status"] == "confirmed" and match["referral_id"] == referral_id


async def pam_and_mentor_registry(page: Page, platform: Platform, visits: Visits, referral_id: str) -> None:
    await outcomes_knows(platform, referral_id)
    await page.get_by_role("link", name="PAM results", exact=True).first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("PAM results")
    await visits.check(page)
    await page.get_by_role("link", name=f"PAM results of referral {referral_id}").click()
    yesterday = (uk_today(SystemClock()) - timedelta(days=1)).isoformat()
    await page.get_by_label("Date the questionnaire was answered").fill(yesterday)
    await page.get_by_label("Activation score").fill("45.5")
    await page.get_by_label("PAM level").select_option("4")
    await page.get_by_label("A coordinator", exact=True).check()
    await page.get_by_role("button", name="Save PAM result").click()
    # The outcomes service's refusal sits next to the level; what was typed is kept.
    await expect(page.locator("#level-error")).to_contain_text("is level 1")
    await expect(page.get_by_label("Activation score")).to_have_value("45.5")
    await visits.check(page, "pam-entry-error")
    await page.get_by_label("PAM level").select_option("")
    await page.get_by_role("button", name="Save PAM result").click()
    await expect(page.locator("#pam-level")).to_contain_text("Level 1, worked out from the score")
    await visits.check(page)

    await page.get_by_role("link", name="Mentors", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Mentors")
    await visits.check(page, "mentor-registry")
    await page.get_by_role("link", name="Priya Example").click()
    await expect(page.locator("#mentor-load")).to_have_text("1 of 2")
    await visits.check(page, "mentor-detail")
    await page.goto("/coordinator/mentors/new")
    await page.get_by_role("button", name="Register mentor").click()
    await expect(page.locator(".nhsuk-error-summary")).to_contain_text("full name")
    await visits.check(page)


async def mentor_on_a_phone(page: Page, platform: Platform, visits: Visits, mentor_id: str) -> str:
    await visits.check(page)
    await page.get_by_role("link", name="Mentee since").click()
    await expect(page.get_by_role("heading", level=1)).not_to_have_text("Your mentee")
    await visits.check(page, "mentor-mentee")
    pairing_id = page.url.rstrip("/").split("/")[-1]

    await page.get_by_role("button", name="Log a session").click()
    await page.get_by_label("Where or how you met").select_option("cafe")
    await page.get_by_label("How long, in minutes").fill("")
    await page.get_by_label("Diet").check()
    await page.get_by_label("What will your mentee do?").fill("Walk for 20 minutes after dinner")
    await page.get_by_label("What the goal is about").select_option("physical-activity")
    await page.get_by_role("button", name="Save session").click()
    # Nothing typed is lost on a validation error; the error sits next to its field.
    await expect(page.locator("#duration-error")).to_contain_text("how long")
    await expect(page.get_by_label("What will your mentee do?")).to_have_value(
        "Walk for 20 minutes after dinner"
    )
    await expect(page.get_by_label("Diet")).to_be_checked()
    await visits.check(page, "mentor-log-session-error")
    await page.get_by_label("Date").fill(
        to_london(SystemClock().now() - timedelta(hours=2)).date().isoformat()
    )
    await page.get_by_label("Start time").fill(
        to_london(SystemClock().now() - timedelta(hours=2)).strftime("%H:%M")
    )
    await page.get_by_label("How long, in minutes").fill("55")
    await page.get_by_role("button", name="Save session").click()
    await expect(page.locator(".nhsuk-inset-text")).to_contain_text("Session logged")
    await expect(page.get_by_text("Walk for 20 minutes after dinner")).to_be_visible()
    sessions = await service_json(platform, "sessions", f"/pairings/{pairing_id}/sessions")
    assert sessions["total"] == 1 and sessions["items"][0]["goals_set"] == 1
    assert sessions["items"][0]["duration_minutes"] == 55 and sessions["items"][0]["topics"] == ["diet"]
    # The next session's form offers a review of the goal just set.
    await page.get_by_role("button", name="Log a session").click()
    await expect(page.get_by_role("heading", name="Goals to review")).to_be_visible()
    await expect(page.get_by_label("Not reviewed this time")).to_be_checked()
    await page.get_by_label("Partly done").check()
    await visits.check(page, "mentor-goal-review")
    await page.get_by_role("link", name="Back").click()

    await page.get_by_role("link", name="Raise a safeguarding concern").first.click()
    await visits.check(page, "mentor-raise-concern")
    await page.get_by_label("Who is it about?").select_option(pairing_id)
    await page.get_by_label("What kind of concern").select_option("risk-to-self")
    await page.get_by_label("How urgent").select_option("within-24-hours")
    await page.get_by_label("What you saw or heard (optional)").fill(
        "Said she has stopped taking her tablets"
    )
    await page.get_by_role("button", name="Raise concern").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Concern raised")
    await visits.check(page)
    concerns = await service_json(platform, "sessions", "/safeguarding/concerns")
    assert concerns["total"] == 1 and concerns["items"][0]["raised_by"] == "mentor"
    return pairing_id


async def test_the_console_end_to_end_in_chromium(platform: Platform) -> None:
    mentor_id = await register_mentor(platform)
    referral_id = await refer(platform)
    coordinator = await platform.account(Role.COORDINATOR)
    mentor = await platform.account(Role.MENTOR, mentor_id)
    commissioner = await platform.account(Role.COMMISSIONER)
    visits = Visits()
    async with chromium() as browser:
        async with person(browser, platform.url) as page:
            await page.goto("/sign-in")
            await visits.check(page, "sign-in")
            await sign_in(page, coordinator, PASSWORD)
            await expect(page.get_by_role("heading", level=1)).to_have_text("Coordinator home")
            await triage_and_match(page, platform, visits, referral_id)

            async def paired() -> bool:
                found = await service_json(platform, "sessions", "/pairings")
                return bool(found["total"])

            await eventually(paired, timeout=20)
            await pam_and_mentor_registry(page, platform, visits, referral_id)

            async with person(browser, platform.url, PHONE) as phone:
                await sign_in(phone, mentor, PASSWORD)
                await expect(phone.get_by_role("heading", level=1)).to_have_text("My mentees")
                pairing_id = await mentor_on_a_phone(phone, platform, visits, mentor_id)

            await page.goto("/coordinator")
            first_section = page.locator("main section").first
            await expect(first_section).to_contain_text("Risk to self")
            await visits.check(page, "coordinator-concern")
            await first_section.get_by_label("First action taken").select_option("gp-informed")
            await first_section.get_by_role("button", name="Acknowledge concern").click()
            await expect(page.locator(".nhsuk-inset-text")).to_contain_text("Concern acknowledged")
            open_concerns = await service_json(platform, "sessions", "/safeguarding/concerns")
            assert open_concerns["total"] == 0
            everything = await service_json(platform, "sessions", "/safeguarding/concerns?open_only=false")
            assert everything["items"][0]["action"] == "gp-informed"

            await page.goto(f"/coordinator/pairings/{pairing_id}")
            await expect(page.locator("#pairing-status")).to_have_text("Active")
            await expect(page.locator("#sessions-count")).to_have_text("1 (1 took place)")
            await visits.check(page, "coordinator-pairing")
            await page.get_by_label("Why it pauses").select_option("mentee-unavailable")
            await page.get_by_role("button", name="Pause pairing").click()
            await expect(page.locator("#pairing-status")).to_have_text("Paused")
            await visits.check(page)
            await page.get_by_role("button", name="Resume pairing").click()
            await expect(page.locator("#pairing-status")).to_have_text("Active")
            assert (await service_json(platform, "sessions", f"/pairings/{pairing_id}"))["status"] == "active"

        async with person(browser, platform.url) as page:
            await sign_in(page, commissioner, PASSWORD)
            await expect(page.get_by_role("heading", level=1)).to_have_text("Programme report")
            frame = page.frame_locator("iframe")
            await expect(frame.locator("body")).not_to_be_empty()
            await visits.check(page, "commissioner-report")
            await page.get_by_label("Breakdown").select_option("condition")
            await page.get_by_role("button", name="Show report").click()
            await expect(page.locator("#breakdown-table")).to_contain_text(platform.condition)
            await visits.check(page, "report-breakdown")
            async with page.expect_download() as download_info:
                await page.get_by_role("link", name="Download the report as CSV").click()
            download = await download_info.value
            csv_text = await asyncio.to_thread(Path(await download.path()).read_text)
            assert csv_text.splitlines()[0] == "period_start,period_end,scope,group,measure,value"
            assert download.suggested_filename.startswith("programme-report-")
            assert (await page.goto("/coordinator")).status == 403  # type: ignore[union-attr]
            await visits.check(page)

    assert len(visits.checked) >= 20
    assert visits.problems == {}, visits.problems
