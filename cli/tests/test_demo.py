"""`peer-support demo`: the scenario keeps every rule, each referral passes its feed's checks, and the demo
runs end to end on real NATS, Postgres, services and web console, ending with the documented figures,
console accounts a person can sign in with, and nothing left running once stopped."""

from __future__ import annotations

import asyncio
import html
import io
import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import httpx
import nats
import psutil  # type: ignore[import-untyped,unused-ignore]
import pytest
import typer
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from peer_events.streams import ALL_STREAMS
from peer_referrals.domain.validation import validate
from peer_referrals.feeds.csv.reader import read_rows
from peer_referrals.feeds.fhir.reader import read_fhir
from peer_referrals.feeds.hl7.message import Hl7Message, decode
from peer_referrals.feeds.hl7.reader import read_referral
from peer_referrals.settings import ReferralsSettings
from peer_referrals.use_cases.reception import referral_policy
from peer_support_cli.demo.command import DEFAULT_SEED
from peer_support_cli.demo.days import start_for
from peer_support_cli.demo.feeds import csv_file, hl7_message
from peer_support_cli.demo.fhir_documents import fhir_document
from peer_support_cli.demo.folder import MARKER, fresh_data_dir
from peer_support_cli.demo.scenario import Scenario, build
from peer_support_cli.demo.steps import Feed
from peer_support_cli.embedded import EmbeddedInfrastructure, Infrastructure
from peer_support_cli.services import EVERYTHING, names

DEADLINE = 240.0
SERVICES = names(EVERYTHING)
SignIn = Callable[[str, str, str], httpx.Client]
"""The `sign_in_to_console` fixture (cli/tests/conftest.py)."""
TODAY = date(2026, 3, 9)
HEADLINE = [
    "One-to-one peer support for type 2 diabetes (t2d-one-to-one):",
    "referrals: 40 (FHIR 16, HL7 v2 12, CSV 12); 38 accepted, 2 rejected",
    "matched: 38",
    "sessions: 544 delivered, 45 missed; 37 completed, 1 ended early",
    "mean PAM level: 2.16 -> 3.51 (37 mentees with baseline and follow-up)",
    "Group peer support for long Covid (long-covid-group):",
    "referrals: 16 (FHIR 16, HL7 v2 0, CSV 0); 16 accepted, 0 rejected",
]
"""What the demo prints for the default seed (the README quotes the one-to-one figures); the group
programme's figures are in `GROUP_HEADLINE`."""
GROUP_HEADLINE = [
    "cohorts: 2 started, 2 finished; 16 people enrolled; days from waitlist to first session: median 13, "
    "90th centile 15",
    "group sessions: 12 held, 0 cancelled; attendance 88.3% (83 of 94 member-sessions)",
    "places ended: 16 (14 completed, 1 not completed, 1 stopped attending); completion 87.5%, drop-out 12.5%",
    "C19-YRSm, mean scores (15 members with baseline and end):",
    "symptom severity 20.87 -> 15.4 (lower is better; 13 of 15 improved by the MID, 2)",
    "functional ability 8.13 -> 6.33 (lower is better; 13 of 15 improved by the MID, 1)",
    "other symptoms 12.67 -> 10 (lower is better)",
    "overall health 3.33 -> 4.93 (higher is better)",
]
"""The group programme's figures the demo prints for the default seed (completions by the groups
service's rule: at least three quarters of the sessions held)."""


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return build(DEFAULT_SEED, start_for(TODAY))


def test_the_same_seed_tells_the_same_story_whatever_the_day(scenario: Scenario) -> None:
    assert build(DEFAULT_SEED, start_for(TODAY)) == scenario
    later = build(DEFAULT_SEED, start_for(TODAY + timedelta(days=200)))
    assert later.expected() == scenario.expected()
    assert later.expected_group() == scenario.expected_group()
    assert [s.action for s in later.steps] == [s.action for s in scenario.steps]
    assert build(DEFAULT_SEED + 1, start_for(TODAY)).steps != scenario.steps


def test_the_scenario_keeps_every_rule(scenario: Scenario) -> None:
    assert scenario.end.date() < TODAY  # everything lies in the past once the clock reaches today
    assert scenario.start.weekday() == 0
    numbers = [r.person.nhs_number for r in scenario.referrals]
    assert len(set(numbers)) == 56  # both programmes; each passes Modulus 11: see the feeds' checks below
    assert [s.at for s in scenario.steps] == sorted(s.at for s in scenario.steps)
    one_to_one = {r.key for r in scenario.referrals if r.programme == "t2d-one-to-one"}
    assert len(one_to_one) == 40
    accepted = {s.referral: s.at for s in scenario.steps if s.action == "accept" and s.referral in one_to_one}
    sessions = [s for s in scenario.steps if s.session is not None]
    for step in sessions:
        assert step.session is not None
        assert step.session.starts_at < step.at  # logged after it happened, never ahead
        assert step.session.starts_at.date() > accepted[step.referral or ""].date()
    # One weekly slot per mentee: a mentor with several mentees never has two sessions at once.
    slots = {(s.session.starts_at.weekday(), s.session.starts_at.hour) for s in sessions if s.session}
    owners = {
        (s.session.starts_at.weekday(), s.session.starts_at.hour): s.referral for s in sessions if s.session
    }
    assert len(slots) == len(owners) == len(accepted)
    for key in accepted:
        mine = [s for s in scenario.steps if s.referral == key]
        first = next(s for s in mine if s.session is not None)
        baseline = next(s for s in mine if s.action == "baseline")
        assert baseline.pam is not None and first.session is not None
        assert baseline.pam.assessed_on == first.session.starts_at.date() and baseline.at <= first.at
        follow_up = next((s for s in mine if s.action == "follow-up"), None)
        if follow_up is not None:
            last = [s for s in mine if s.session is not None][-1]
            assert follow_up.pam is not None and last.session is not None
            assert follow_up.pam.assessed_on > last.session.starts_at.date()
    # Matching runs in rounds as acceptances arrive, so a hard wish must be one it can meet in any order.
    accepts = [s for s in scenario.steps if s.action == "accept" and s.referral in one_to_one]
    assert sum(m.capacity for m in scenario.mentors) >= len(accepts)
    women = sum(m.capacity for m in scenario.mentors if m.gender == "female")
    wishes = [s for s in accepts if "mentor-gender:female" in s.detail["preferences"]]  # type: ignore[operator]
    assert wishes and all(sum(1 for a in accepts if a.at <= s.at) <= women for s in wishes)
    assert scenario.expected() == {
        "referrals_received": 40,
        "accepted": 38,
        "rejected": 2,
        "matched": 38,
        "sessions_delivered": 544,
        "sessions_missed": 45,
        "completions": 37,
        "early_endings": 1,
        "baselines_recorded": 38,
        "paired": 37,
    }


def test_every_referral_passes_its_feeds_checks(scenario: Scenario) -> None:
    policy = referral_policy(ReferralsSettings(conditions=["long-covid", "t2d"]))
    feeds = {feed: 0 for feed in Feed}
    for referral in scenario.referrals:
        arrived = next(s.at for s in scenario.steps if s.referral == referral.key and s.action == "arrive")
        if referral.feed is Feed.HL7:
            message = Hl7Message(decode(hl7_message(referral, arrived)))
            submission = read_referral(message, message.header())
        elif referral.feed is Feed.CSV:
            [row] = list(read_rows(io.StringIO(csv_file([referral]), newline="")))
            assert row.submission is not None, row.problems
            submission = row.submission
        else:
            path, body = fhir_document(referral)
            submission = read_fhir(
                json.dumps(body).encode(), "Bundle" if path == "/fhir" else "ServiceRequest"
            ).submission
        valid = validate(submission, policy, arrived.date())
        assert valid.person.nhs_number == referral.person.nhs_number
        assert valid.route.programme == referral.programme  # the coded reason routes it
        feeds[referral.feed] += 1
    # The long Covid referrals all come over FHIR, half as Bundles.
    assert feeds == {Feed.FHIR_BUNDLE: 16, Feed.FHIR_REQUEST: 16, Feed.HL7: 12, Feed.CSV: 12}


def test_only_a_demo_folder_is_ever_cleared() -> None:
    root = Path(tempfile.mkdtemp(prefix="peer-support-demo-folder-"))
    try:
        (root / "precious.txt").write_text("not a demo")
        with pytest.raises(typer.BadParameter, match="something other than a demo"):
            fresh_data_dir(root, 1)
        assert (root / "precious.txt").exists()
        (root / "precious.txt").unlink()
        fresh_data_dir(root, 1)
        (root / "old-report.html").write_text("a previous demo")
        fresh_data_dir(root, 2)
        assert sorted(p.name for p in root.iterdir()) == [MARKER]
    finally:
        shutil.rmtree(root, ignore_errors=True)


async def every_event(infra: Infrastructure) -> list[str]:
    """Every message on every stream, public and internal, as text (read as the operator)."""
    user, password = infra.nats_credentials["operator"]
    client = await nats.connect(infra.nats_url, user=user, password=password)
    try:
        js = client.jetstream()
        found: list[str] = []
        for stream in ALL_STREAMS:
            config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE)
            psub = await js.pull_subscribe(stream.subjects[0], stream=stream.name, config=config)
            pending = (await psub.consumer_info()).num_pending
            while pending:
                batch = await psub.fetch(min(pending, 1000), timeout=5)
                found += [m.data.decode() for m in batch]
                pending -= len(batch)
            await psub.unsubscribe()
        return found
    finally:
        await client.drain()


def identifiers(scenario: Scenario) -> list[re.Pattern[str]]:
    """Every direct identifier of the demo's people, as patterns: names as whole words."""
    texts: list[str] = []
    for referral in scenario.referrals:
        p = referral.person
        texts += [p.nhs_number, p.birth_date.isoformat(), f"{p.birth_date:%Y%m%d}", p.postcode]
        texts += [p.postcode.replace(" ", ""), p.phone, p.phone.replace(" ", ""), p.email, p.address_line]
    for mentor in (*scenario.mentors, *scenario.facilitators):
        texts += [mentor.full_name, mentor.email, mentor.phone]
    names = {n for r in scenario.referrals for n in (r.person.given, r.person.family)}
    return [re.compile(re.escape(t)) for t in texts] + [re.compile(rf"\b{re.escape(n)}\b") for n in names]


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return list(psutil.Process(pid).children(recursive=True))
    except psutil.NoSuchProcess:
        return []


def _gone(process: psutil.Process) -> bool:
    try:
        return bool(process.status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


def _command(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def _total(scenario: Scenario, figure: str) -> int:
    """A figure over both programmes (the report's total)."""
    return sum(scenario.expected(programme)[figure] for programme in scenario.programmes)


def _cell(page: str, measure: str) -> str:
    found = re.search(rf"<tr><th>{re.escape(measure)}</th><td class=\"n\">([^<]*)</td>", page)
    assert found, measure
    return html.unescape(found.group(1))


def explore_the_console(output: str, sign_in: SignIn, scenario: Scenario) -> None:
    """Sign in with the accounts the demo printed: each role sees what the services hold."""
    [url] = re.findall(r"console +(http://\S+)/ ", output)
    accounts = {role: (user, password) for role, user, password in re.findall(
        r"(coordinator|commissioner|mentor) +user (\S+) +password (\S+)", output
    )}  # fmt: skip
    assert set(accounts) == {"coordinator", "commissioner", "mentor"}, output[-3000:]

    coordinator = sign_in(url, *accounts["coordinator"])
    home = coordinator.get("/coordinator")
    assert home.status_code == 200 and "Not available just now" not in home.text  # every service answered

    mentor = sign_in(url, *accounts["mentor"])
    mentees = mentor.get("/mentor")
    assert mentees.status_code == 200
    page = html.unescape(mentees.text)
    assert 'href="/mentor/pairings/' in page, page[-3000:]  # their own pairings, from sessions
    assert any(f"{m.full_name} (mentor)" in page for m in scenario.mentors)  # the account carries their name

    commissioner = sign_in(url, *accounts["commissioner"])
    start = scenario.start.date().isoformat()
    report = commissioner.get("/report/view", params={"start": start})
    assert report.status_code == 200
    assert _cell(report.text, "Referrals received") == str(_total(scenario, "referrals_received"))
    assert commissioner.get("/coordinator").status_code == 403  # aggregates only


@pytest.mark.integration
def test_the_demo_runs_end_to_end_and_leaves_nothing_running(
    scenario: Scenario, sign_in_to_console: SignIn
) -> None:
    # Not pytest's tmp_path: when run as root, Postgres runs as another account (see the root conftest).
    data_dir = Path(tempfile.mkdtemp(prefix="peer-support-demo-"))
    log = data_dir.with_name(f"{data_dir.name}.out")
    argv = [
        sys.executable,
        "-m",
        "peer_support_cli.main",
        "demo",
        "--data-dir",
        str(data_dir),
        "--keep-running",
    ]
    started = time.monotonic()
    with log.open("wb") as out:
        demo = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        seen: dict[int, psutil.Process] = {}
        while "still running" not in log.read_text():
            seen |= {process.pid: process for process in _descendants(demo.pid) if process.pid not in seen}
            if demo.poll() is not None:
                pytest.fail(f"the demo stopped with {demo.returncode}:\n{log.read_text()[-5000:]}")
            if time.monotonic() - started > DEADLINE:
                pytest.fail(f"the demo did not finish in {DEADLINE:.0f} s:\n{log.read_text()[-5000:]}")
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        # Read now that everything runs: a process seen just after its fork still showed its parent's.
        running = _descendants(demo.pid)
        seen |= {process.pid: process for process in running}
        commands = [_command(process) for process in running]
        explore_the_console(log.read_text(), sign_in_to_console, scenario)
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=60) == 0, log.read_text()[-5000:]
        output = log.read_text()

        for what in ("nats-server", "postgres -D", *(f"-m peer_{name}" for name in SERVICES)):
            assert any(what in command for command in commands), what
        _, alive = psutil.wait_procs(list(seen.values()), timeout=10)
        assert [p for p in alive if not _gone(p)] == []

        printed = [line.removeprefix("demo |").strip() for line in output.splitlines()]
        assert all(line in printed for line in HEADLINE + GROUP_HEADLINE), output[-3000:]
        assert any(line.startswith("week ") and "long Covid groups: " in line for line in printed)
        expected, group = scenario.expected(), scenario.expected_group()
        page = (data_dir / "report.html").read_text()
        assert "Disclosure control applied" in page  # the commissioner's version
        for measure, value in {
            "Referrals received": _total(scenario, "referrals_received"),
            "Accepted at triage": _total(scenario, "accepted"),
            "Matched with a mentor (first match)": expected["matched"],
            "Sessions delivered": expected["sessions_delivered"],
            "Sessions missed (did not attend, cancelled by mentee)": expected["sessions_missed"],
            "Completed support": expected["completions"],
            "Baseline PAMs recorded": expected["baselines_recorded"],
            "Mentees with baseline and follow-up": expected["paired"],
            "Mean level at baseline": 2.16,
            "Mean level at follow-up": 3.51,
            "People enrolled in a cohort": group["people_enrolled",],
            "Group sessions held": group["sessions_held",],
            "Attendances": group["attendances",],
            "Places ended": group["leavers",],
        }.items():
            assert _cell(page, measure) == str(value), measure
        assert _cell(page, "Ended early") == "<5"  # one: below the disclosure threshold
        print(f"\ndemo finished in {elapsed:.1f} s")

        # The streams outlive the run: every event the demo published, scanned for direct identifiers.
        with EmbeddedInfrastructure(data_dir, nats_port=0, postgres_port=0, nats_monitor_port=0) as infra:
            events = asyncio.run(every_event(infra))
        assert len(events) > expected["sessions_delivered"]
        leaks = [
            (what, event[:300]) for event in events for what in identifiers(scenario) if what.search(event)
        ]
        assert leaks == []
    finally:
        if demo.poll() is None:
            demo.kill()  # its children follow (parent-death signal)
            demo.wait()
        shutil.rmtree(data_dir, ignore_errors=True)
        log.unlink(missing_ok=True)
