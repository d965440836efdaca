"""The report page's group programme sections: the console's names and formats are the outcomes
service's own, the stand-in report (`peer_testkit.console.fake_outcomes`) has the outcomes service's
shape, only measured scales get a row; and over HTTP, in front of the stand-in, a commissioner sees each
figure of the section after the one-to-one report, suppressed values as given. The console's own
accounts database is real."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest

from peer_console.domain import report_filters, report_groups
from peer_outcomes.api.rendering import html_report, labels
from peer_outcomes.domain.disclosure import disclose, plain
from peer_outcomes.domain.group_facts import GroupFacts
from peer_outcomes.domain.group_report import group_section
from peer_outcomes.domain.periods import Period
from peer_shared.auth.tokens import Role
from peer_testkit.console.fake_groups import FakeGroups
from peer_testkit.console.fake_outcomes import GROUP_PROGRAMME, answering_reports
from peer_testkit.console.fake_outcomes import group_section as stand_in_section
from peer_testkit.console.platform import Keys, Platform, console_settings, running_console
from peer_testkit.console.steps import sign_in
from peer_testkit.plugin import Infrastructure

URL = "https://console.test"
PERIOD = Period(date(2025, 6, 1), date(2026, 5, 31), "2025-06-01 to 2026-05-31")
WAIT_PEOPLE = "wait_to_first_session_days.n"


def _shape(tree: Any) -> Any:
    """The keys of a JSON tree, all the way down (the figures left out)."""
    return {k: _shape(v) for k, v in tree.items()} if isinstance(tree, dict) else None


def test_the_group_sections_use_the_outcomes_services_names() -> None:
    shown = [m for m, _ in report_groups.GROUP_FIGURES if m != WAIT_PEOPLE]
    assert shown == list(html_report.GROUP_FIGURES)
    for measure, label in report_groups.GROUP_FIGURES:
        assert measure == WAIT_PEOPLE or labels.MEASURE_LABELS[measure] == label
    outcomes_columns = dict(html_report.SCALE_COLUMNS)
    assert [c for c, _ in report_groups.SCALE_COLUMNS if c in outcomes_columns] == list(outcomes_columns)
    assert all(outcomes_columns.get(c, label) == label for c, label in report_groups.SCALE_COLUMNS)
    assert report_groups.INSTRUMENT_TITLES == labels.INSTRUMENT_TITLES
    assert {"attendance_rate", "completion_rate", "drop_out_rate"} <= report_filters.PERCENTAGES


def test_the_stand_in_report_has_the_outcomes_services_group_section() -> None:
    tree, constraints = group_section(GroupFacts(), PERIOD, "Long Covid peer support groups")
    disclosed = disclose(tree, constraints, 5)
    del disclosed["disclosure"]
    assert _shape(stand_in_section()) == _shape(disclosed)
    # a commissioner's section hides a count of 0 too, so every unmeasured scale is suppressed
    assert {b["paired"] for scales in disclosed["measures"].values() for b in scales.values()} == {"<5"}


def test_only_measured_or_suppressed_scales_get_a_row() -> None:
    tree, _ = group_section(GroupFacts(), PERIOD, "Long Covid peer support groups")
    section = plain(tree)
    del section["disclosure"]
    scales = section["measures"]["c19-yrsm"]
    scales["symptom-severity"] |= {"paired": 6, "baseline_mean": 19.0, "end_mean": 15.5, "mean_change": -3.5}
    scales["symptom-severity"] |= {"reached_mid": 4, "not_reached_mid": 2, "share_reached_mid": 0.667}
    scales["overall-health"] |= {"mean_change": "withheld"}
    section |= {"attendances": 3, "member_sessions": 4, "attendance_rate": 0.75}

    (found,) = report_groups.group_sections({"group_programmes": {GROUP_PROGRAMME: section}})
    assert [(row.scale, row.mid) for row in found.scales] == [
        ("symptom-severity", "2 (lower is better)"),
        ("overall-health", "none"),
    ]
    assert found.scales[0].figures == ["6", "19", "15.5", "-3.5", "4", "2", "66.7%"]
    assert found.scales[1].figures == ["0", "n/a", "n/a", "withheld", "n/a", "n/a", "n/a"]
    assert dict(found.figures)["Attendance rate"] == "75.0%"
    assert dict(found.figures)["Days from waitlist to first group attended: median"] == "n/a"
    assert found.leavers_by_reason[0] == ("completed", "0")
    assert report_groups.group_sections({"group_programmes": {}}) == []
    assert report_groups.group_sections({}) == []


@pytest.fixture
async def commissioner(
    infra: Infrastructure, console_keys: Keys, fresh_database_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    """A commissioner signed in to the console, in front of the stand-in report."""
    settings = console_settings(console_keys, fresh_database_url)
    handler = answering_reports(FakeGroups().handle)
    async with running_console(settings, URL, httpx.MockTransport(handler)) as client:
        user = await Platform(URL, settings).account_in_role(Role.COMMISSIONER)
        assert (await sign_in(client, user)).status_code == 303
        yield client


def _summary(html: str) -> dict[str, str]:
    pairs = re.findall(
        r'<dt class="nhsuk-summary-list__key">([^<]*)</dt><dd class="nhsuk-summary-list__value">([^<]*)</dd>',
        html,
    )
    return {k: v.replace("&lt;", "<") for k, v in pairs}


def _cells(html: str, row_id: str) -> list[str]:
    """A table row's cells as read (the phone layout's repeated headings left out)."""
    found = re.search(rf'<tr class="nhsuk-table__row" id="{row_id}">(.*?)</tr>', html, re.S)
    assert found is not None, row_id
    row = re.sub(r'<span class="nhsuk-table-responsive__heading"[^>]*>[^<]*</span>', "", found[1])
    return [c.strip().replace("&lt;", "<") for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]


@pytest.mark.integration
async def test_the_report_shows_each_group_programme_with_suppressed_figures_as_given(
    commissioner: httpx.AsyncClient,
) -> None:
    page = await commissioner.get("/report")
    assert page.status_code == 200
    html = page.text
    section_at = html.index(f'<section id="group-programme-{GROUP_PROGRAMME}"')
    assert html.index('<iframe src="/report/view?') < section_at  # after the one-to-one report, kept
    assert html.index('id="csv-download"') < section_at
    heading = re.search(r'<h2 id="group-programme-long-covid-group-title">([^<]*)<', html)
    assert heading is not None and heading[1].strip() == "Long Covid peer support groups (long-covid-group)"
    section = html[section_at : html.index("</section>", section_at)]
    assert re.findall(r"<h([1-6])[ >]", section) == ["2", "3", "3"]

    figures = _summary(section)
    assert figures == {
        "Cohorts started": "<5",
        "Cohorts finished": "<5",
        "People enrolled in a cohort": "31",
        "People who attended their first group": "27",
        "Days from waitlist to first group attended: median": "21",
        "Days from waitlist to first group attended: 90th percentile": "38.5",
        "Group sessions held": "18",
        "Group sessions cancelled": "<5",
        "Attendances": "176",
        "Members enrolled at sessions held (sessions x members)": "214",
        "Attendance rate": "82.2%",
        "Places ended": "14",
        "Completion (share of places ended)": "64.3%",
        "Dropped out (stopped attending, withdrew, did not complete)": "5",
        "Drop-out (share of places ended)": "35.7%",
    }
    reasons = re.findall(
        r"</span>([^<]*)</th>\s*<td[^>]*><span[^>]*>Places ended </span>([^<]*)</td>", section
    )
    assert [(r, v.replace("&lt;", "<")) for r, v in reasons] == [
        ("Completed", "9"),
        ("Not completed", "<5"),
        ("Stopped attending", "<5"),
        ("Withdrew", "<5"),
        ("Coordinator decision", "<5"),
    ]
    c19 = "C19-YRSm (modified COVID-19 Yorkshire Rehabilitation Scale)"
    assert _cells(section, "scale-long-covid-group-symptom-severity") == [
        *(f"{c19}: Symptom severity", "2 (lower is better)", "12", "18.5", "14.25", "-4.25"),
        *("*", "<5", "withheld"),
    ]
    assert _cells(section, "scale-long-covid-group-life-satisfaction") == [
        *("ONS4 personal wellbeing: Life satisfaction", "1 (higher is better)", "11", "5.2", "6.9"),
        *("1.7", "6", "5", "54.5%"),
    ]
    assert _cells(section, "scale-long-covid-group-other-symptoms")[1:4] == ["none", "<5", "withheld"]
    assert section.count('id="scale-long-covid-group-') == 8  # every scale's count is suppressed or shown
    assert "<strong>withheld</strong> not shown because it rests on a hidden count" in html
