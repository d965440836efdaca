"""The group programme pages in real headless Chromium: every page in front of a stand-in for the
groups API (`peer_testkit.console.fake_groups`, faithful to its shapes and codes), then end to end in
front of the real services with the test's condition on the long Covid group programme.

Every page of the stand-in's cohort (members with a follow-up flag, the facilitators' warning, the
schedule, the follow-up form), the waitlist with its proposal, the cohort form, the coordinator home with
a group concern, and the facilitator's register on a phone (an unmarked member, then the service's
no-valid-facilitator refusal next to the facilitators), and the commissioner's report with a group
programme's section (in front of a stand-in report, `peer_testkit.console.fake_outcomes`) are checked
with axe.

End to end:

Two people referred with long Covid wait for a group; the coordinator sees them on the waitlist with
their positions, plans a cohort (after the form's errors) with a facilitator whose checks are in date
and one whose checks ran out, opens it (both are enrolled from the waitlist) and starts it. On a phone,
the facilitator whose checks ran out is refused the register in the groups service's words next to the
facilitators; the other takes it (after leaving a member unmarked), and logs a second session the same
member misses. That member, flagged for follow-up, appears on the coordinator's home page and the
cohort page, where the coordinator records that they are coming back. The coordinator acknowledges a
safeguarding concern raised in the group from the home page. Each step checks the page and what the
groups service stored; every page visited is checked with axe-core, and some are photographed for the
docs.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from nats.js import JetStreamContext
from playwright.async_api import Page, expect

from peer_console.app import create_app
from peer_shared.auth.tokens import Role
from peer_shared.clock import SystemClock, uk_today
from peer_testkit.console.browser import PHONE, Visits, chromium, person, sign_in
from peer_testkit.console.fake_groups import COHORT_ID, MENTOR_A, FakeGroups
from peer_testkit.console.fake_outcomes import answering_reports
from peer_testkit.console.group_steps import facilitator, refer_to_group, waitlist
from peer_testkit.console.platform import Keys, Platform, console_settings, serve_console
from peer_testkit.console.steps import service_json

pytestmark = pytest.mark.integration


async def test_group_pages_in_front_of_the_agreed_api_in_chromium(
    console_keys: Keys, fresh_database_url: str
) -> None:
    fake = FakeGroups()
    settings = console_settings(console_keys, fresh_database_url, secure_cookies=False)
    app = create_app(settings, api_transport=httpx.MockTransport(answering_reports(fake.handle)))
    visits = Visits()
    async with serve_console(app) as url, chromium() as browser:
        platform = Platform(url, settings)
        coordinator = await platform.account(Role.COORDINATOR)
        async with person(browser, url) as page:
            await sign_in(page, coordinator)
            await expect(page.locator("section", has_text="in groups to acknowledge")).to_contain_text(
                "hopeless"
            )
            await visits.check(page)
            await page.get_by_role("link", name="Groups", exact=True).click()
            await visits.check(page)
            await page.get_by_role("link", name="Leeds spring group").click()
            await expect(page.locator("#cohort-status")).to_have_text("Running")
            await expect(page.get_by_text("No facilitator can run the next session")).to_be_visible()
            await visits.check(page, "group-cohort-no-facilitator")
            await page.get_by_role("button", name="Record follow-up").click()
            await expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose the follow-up outcome")
            await visits.check(page)
            await page.get_by_label("Coming back").check()
            await page.get_by_role("button", name="Record follow-up").click()
            await expect(page.locator(".nhsuk-inset-text")).to_contain_text("coming back")
            await page.goto("/coordinator/groups/waitlist")
            await expect(page.locator("#proposal")).to_contain_text("7 people are waiting")
            await visits.check(page)
            await page.get_by_role("link", name="Plan the next cohort").click()
            await expect(page.get_by_label("Date of the first session")).to_have_value("2026-09-08")
            await visits.check(page)
        mentor = await platform.account(Role.MENTOR, MENTOR_A)
        async with person(browser, url, PHONE) as phone:
            await sign_in(phone, mentor)
            await phone.get_by_role("link", name="My groups").click()
            await visits.check(phone)
            await phone.get_by_role("button", name="Take the register").click()
            await phone.get_by_role("button", name="Save register").click()
            await expect(phone.locator(".nhsuk-error-summary")).to_contain_text("Choose attended")
            await visits.check(phone)
            for n, presence in enumerate(("attended", "apologies")):
                await (
                    phone.locator(f'input[type="radio"][value="{presence}"][name^="presence_"]')
                    .nth(n)
                    .check()
                )
            detail = "no facilitator of the session is valid on its day"
            fake.refusals[f"/cohorts/{COHORT_ID}/sessions"] = (409, "no-valid-facilitator", detail, [])
            await phone.get_by_role("button", name="Save register").click()
            await expect(phone.locator("#facilitators-error")).to_contain_text(
                "No facilitator of the session"
            )
            await visits.check(phone)
            await phone.get_by_role("button", name="Save register").click()
            await expect(phone.locator(".nhsuk-inset-text")).to_contain_text("Register saved")
        async with person(browser, url) as page:
            await sign_in(page, await platform.account(Role.COMMISSIONER))
            section = page.locator("#group-programme-long-covid-group")
            await expect(section.get_by_role("heading", level=2)).to_contain_text("Long Covid peer support")
            await expect(section.locator("dl")).to_contain_text("82.2%")
            await visits.check(page)
    (sent,) = fake.sent("POST", f"/cohorts/{COHORT_ID}/sessions")[-1:]
    assert sent is not None and sorted(sent["register"].values()) == ["apologies", "attended"]
    assert len(visits.checked) >= 10
    assert visits.problems == {}, visits.problems


async def plan_open_and_start(page: Page, visits: Visits, ready: str, lapsed: str) -> str:
    """The coordinator's part: waitlist, plan a cohort, open and start it; the cohort's id."""
    await page.get_by_role("link", name="Groups", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Group cohorts")
    await visits.check(page)
    await page.get_by_role("link", name="The group waitlist").click()
    await expect(page.locator("#group-waitlist tbody tr")).to_have_count(2)
    await expect(page.locator("#group-waitlist tbody tr td:first-child")).to_have_text(["1", "2"])
    await visits.check(page, "group-waitlist")

    await page.goto("/coordinator/groups/new")
    await page.get_by_label("Online", exact=True).check()
    await page.get_by_role("button", name="Plan cohort").click()
    await expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a name")
    await expect(page.locator("#online_link-error")).to_contain_text("https://")
    await visits.check(page, "cohort-form-error")
    await page.get_by_label("Name of the cohort").fill("Leeds spring group")
    await page.get_by_label("Date of the first session").fill(uk_today(SystemClock()).isoformat())
    await page.get_by_label("In a venue").check()
    await page.get_by_label("Venue", exact=True).fill("Chapeltown Library, LS7")
    await page.locator(f'input[name="facilitators"][value="{ready}"]').check()
    await page.locator(f'input[name="facilitators"][value="{lapsed}"]').check()
    await page.get_by_label("Days between sessions").fill("7")
    await page.get_by_role("button", name="Plan cohort").click()
    await expect(page.locator("#cohort-status")).to_have_text("Planned")
    cohort_id = page.url.split("?")[0].rstrip("/").split("/")[-1]
    await visits.check(page)

    await page.get_by_role("button", name="Open for enrolment").click()
    await expect(page.locator("#cohort-status")).to_have_text("Open")
    await expect(page.locator("#members tbody tr")).to_have_count(2)
    await page.get_by_role("button", name="Start cohort").click()
    await expect(page.locator("#cohort-status")).to_have_text("Running")
    await visits.check(page, "group-cohort")
    return cohort_id


async def take_the_register(
    phone: Page, visits: Visits, absent: str, *, refused: bool = False, unmarked_first: bool = False
) -> None:
    """The facilitator's part on a phone: my groups, the register with `absent` marked absent and the
    other member attended; refused, or saved (`unmarked_first`: after leaving `absent` unmarked)."""
    await expect(phone.get_by_role("heading", level=1)).to_have_text("My groups")
    await visits.check(phone)
    await phone.get_by_role("button", name="Take the register").click()
    await expect(phone.get_by_role("heading", level=1)).to_contain_text("Take the register")
    rows = phone.locator('input[type="radio"][value="attended"][name^="presence_"]')
    await expect(rows).to_have_count(2)
    await phone.get_by_label("How long, in minutes").fill("90")
    await phone.get_by_label("Fatigue and pacing").check()
    await phone.locator(f'input[type="radio"][value="attended"]:not([name="presence_{absent}"])').check()
    if unmarked_first:
        await phone.get_by_role("button", name="Save register").click()  # the absent member unmarked
        await expect(phone.locator(".nhsuk-error-summary")).to_contain_text("Choose attended")
        await expect(phone.get_by_label("Fatigue and pacing")).to_be_checked()
        await visits.check(phone, "facilitator-register-error")
    await phone.locator(f'input[name="presence_{absent}"][value="absent"]').check()
    await phone.get_by_role("button", name="Save register").click()
    if refused:
        await expect(phone.locator("#facilitators-error")).to_contain_text("facilitators may facilitate on")
        await expect(phone.get_by_label("Fatigue and pacing")).to_be_checked()
        await visits.check(phone, "facilitator-register-refused")
        return
    await expect(phone.locator(".nhsuk-inset-text")).to_contain_text("Register saved")
    await visits.check(phone)


async def follow_up_from_home(page: Page, visits: Visits, cohort_id: str, flagged: str) -> None:
    """The coordinator sees the member flagged on the home page and the cohort page, and records that
    they are coming back."""
    await page.goto("/coordinator")
    follow_ups = page.locator("#follow-ups")
    await expect(follow_ups.locator("tbody tr")).to_have_count(1)
    await expect(follow_ups).to_contain_text(flagged)
    await visits.check(page)
    await follow_ups.get_by_role("link", name="Leeds spring group").click()
    await expect(page.locator(f"#member-{flagged}")).to_contain_text("Follow up")
    await expect(page.locator(f"#member-{flagged}")).to_contain_text("2 (2 in a row)")
    await visits.check(page, "group-cohort-follow-up")
    await page.get_by_label("Coming back").check()
    await page.get_by_role("button", name="Record follow-up").click()
    await expect(page.locator(".nhsuk-inset-text")).to_contain_text("coming back")
    await expect(page.locator(f"#member-{flagged}")).not_to_contain_text("Follow up")
    await visits.check(page)


async def test_group_programme_pages_in_chromium(group_platform: Platform, js: JetStreamContext) -> None:
    platform = group_platform
    ready = await facilitator(platform, js)
    lapsed = await facilitator(platform, js, uk_today(SystemClock()) - timedelta(days=1))
    people = [await refer_to_group(platform) for _ in range(2)]
    # Joined the same day, so in referral id order.
    lines = (await waitlist(platform))["items"]
    assert [(w["position"], w["referral_id"]) for w in lines] == list(enumerate(sorted(people), start=1))
    coordinator = await platform.account(Role.COORDINATOR)
    visits = Visits()
    async with chromium() as browser, person(browser, platform.url) as page:
        await sign_in(page, coordinator)
        await expect(page.get_by_role("heading", level=1)).to_have_text("Coordinator home")
        cohort_id = await plan_open_and_start(page, visits, ready, lapsed)
        detail = await service_json(platform, "groups", f"/cohorts/{cohort_id}")
        assert detail["status"] == "running" and detail["cadence_days"] == 7
        assert sorted(m["referral_id"] for m in detail["members"]) == sorted(people)

        for mentor_id, refused, unmarked_first in ((lapsed, True, False), (ready, False, True)):
            account = await platform.account(Role.MENTOR, mentor_id)
            async with person(browser, platform.url, PHONE) as phone:
                await sign_in(phone, account)
                await phone.goto("/mentor/groups")
                await take_the_register(
                    phone, visits, people[1], refused=refused, unmarked_first=unmarked_first
                )
                if not refused:  # a week on, the same member misses the second session
                    await phone.goto("/mentor/groups")
                    await take_the_register(phone, visits, people[1])
        sessions = await service_json(platform, "groups", f"/cohorts/{cohort_id}/sessions")
        assert [(s["session_number"], s["status"]) for s in sessions] == [(1, "held"), (2, "held")]
        assert all(s["register"] == {people[0]: "attended", people[1]: "absent"} for s in sessions)
        assert sessions[0]["duration_minutes"] == 90 and sessions[0]["facilitators"] == [ready]
        flagged = await service_json(platform, "groups", "/follow-ups")
        assert [f["referral_id"] for f in flagged["items"]] == [people[1]]

        await follow_up_from_home(page, visits, cohort_id, people[1])
        detail = await service_json(platform, "groups", f"/cohorts/{cohort_id}")
        assert [m["follow_up"] for m in detail["members"] if m["referral_id"] == people[1]] == [False]
        assert (await service_json(platform, "groups", "/follow-ups"))["total"] == 0

        concern = {"referral_id": people[1], "category": "risk-to-self", "urgency": "within-24-hours"}
        raised = await platform.apis["groups"].post(
            f"/cohorts/{cohort_id}/concerns",
            json=concern | {"details": "Spoke of feeling hopeless"},
            headers=platform.as_operator(Role.MENTOR, ready),
        )
        assert raised.status_code == 201, raised.text
        await page.goto("/coordinator")
        section = page.locator(
            "section", has=page.get_by_role("heading", name="Safeguarding concerns in groups")
        )
        await expect(section).to_contain_text("Spoke of feeling hopeless")
        await visits.check(page, "coordinator-group-concern")
        await section.get_by_label("First action taken").select_option("gp-informed")
        await section.get_by_role("button", name="Acknowledge group concern").click()
        await expect(page.locator(".nhsuk-inset-text")).to_contain_text("Concern acknowledged")
        left = await service_json(platform, "groups", "/concerns?status=open")
        assert left["total"] == 0

    assert len(visits.checked) >= 16
    assert visits.problems == {}, visits.problems
