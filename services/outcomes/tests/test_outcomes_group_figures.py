"""The group programmes' report rules on their own: minimal important differences, the section's figures,
and disclosure control over a section (no servers)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

import pytest

from peer_outcomes.domain.disclosure import disclose, plain
from peer_outcomes.domain.facts import MenteeFacts
from peer_outcomes.domain.group_facts import (
    CohortFacts,
    GroupFacts,
    MeasureFacts,
    PlaceFacts,
    RegisterFacts,
)
from peer_outcomes.domain.localities import LocalityMap
from peer_outcomes.domain.measure_rules import INSTRUMENTS, RULES
from peer_outcomes.domain.periods import date_range
from peer_outcomes.domain.report import build_report
from peer_outcomes.store.projection_batch import (
    COHORT_MEMBERS,
    GROUP_ATTENDANCE,
    MEASURES,
    ProjectionBatch,
    Upsert,
)

PERIOD = date_range(date(2026, 1, 1), date(2026, 3, 31))
GROUP = "long-covid-group"


def rule(instrument: str, scale: str) -> Any:
    return next(r for r in RULES if (r.instrument, r.scale) == (instrument, scale))


@pytest.mark.parametrize(
    ("instrument", "scale", "baseline", "end", "reached"),
    [
        ("c19-yrsm", "symptom-severity", 20, 18, True),  # a fall of 2 on a lower-is-better scale
        ("c19-yrsm", "symptom-severity", 20, 19, False),
        ("c19-yrsm", "symptom-severity", 18, 20, False),  # a rise is a worsening
        ("c19-yrsm", "functional-ability", 8, 7, True),
        ("c19-yrsm", "functional-ability", 8, 8, False),
        ("c19-yrsm", "functional-ability", 7, 9, False),
        ("c19-yrsm", "other-symptoms", 20, 5, False),  # no MID is used
        ("c19-yrsm", "overall-health", 2, 9, False),
        ("ons4", "life-satisfaction", 4, 5, True),  # higher is better on ONS4...
        ("ons4", "happiness", 5, 4, False),
        ("ons4", "anxiety", 7, 6, True),  # ...except anxiety
        ("ons4", "anxiety", 6, 7, False),
    ],
)
def test_the_minimal_important_difference_counts_in_the_improving_direction_only(
    instrument: str, scale: str, baseline: int, end: int, reached: bool
) -> None:
    assert rule(instrument, scale).reaches_mid(baseline, end) is reached


def test_every_scale_of_both_instruments_has_a_rule() -> None:
    assert {s: r.mid for s, r in ((r.scale, r) for r in INSTRUMENTS["c19-yrsm"])} == {
        "symptom-severity": 2,
        "functional-ability": 1,
        "other-symptoms": None,
        "overall-health": None,
    }
    assert {r.scale: (r.mid, r.better.value) for r in INSTRUMENTS["ons4"]} == {
        "life-satisfaction": (1, "higher"),
        "worthwhile": (1, "higher"),
        "happiness": (1, "higher"),
        "anxiety": (1, "lower"),
    }


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


def measure(who: str, timepoint: str, on: date, **scores: int) -> MeasureFacts:
    return MeasureFacts(who, "c19-yrsm", timepoint, on, {k.replace("_", "-"): v for k, v in scores.items()})


FACTS = GroupFacts(
    cohorts=(
        CohortFacts("coh_a", started_on=d(1, 19), finished_on=d(3, 16)),
        CohortFacts("coh_b", started_on=d(12, 1, 2025), finished_on=None),  # started before the period
        CohortFacts("coh_c"),  # opened, not started
    ),
    places=(
        PlaceFacts("coh_a", "r1", d(1, 6), d(12, 1, 2025), d(3, 16), "completed"),
        PlaceFacts("coh_a", "r2", d(1, 6), d(12, 11, 2025), d(3, 16), "not-completed"),
        PlaceFacts("coh_a", "r3", d(1, 6), d(12, 21, 2025), d(2, 1), "stopped-attending"),
        # Moved on to cohort c: two places, one person; the earlier waitlist day counts.
        PlaceFacts("coh_a", "r4", d(1, 6), d(1, 1), d(1, 25), "coordinator-decision"),
        PlaceFacts("coh_c", "r4", d(1, 26), d(1, 20)),
        PlaceFacts("coh_b", "r5", d(11, 20, 2025), d(11, 1, 2025), d(1, 10), "withdrew"),
    ),
    sessions=(
        RegisterFacts("s1", d(1, 19), attended=3, apologies=1, absent=0),
        RegisterFacts("s2", d(2, 2), attended=2, apologies=0, absent=1),
        RegisterFacts("s0", d(12, 1, 2025), attended=2, absent=0),  # before the period
    ),
    cancelled_on=(d(3, 2), d(4, 6)),
    first_attended={"r1": d(1, 19), "r2": d(1, 19), "r3": d(2, 2), "r4": d(1, 19), "r5": d(12, 1, 2025)},
    measures=(
        measure("r1", "baseline", d(1, 12), symptom_severity=20, functional_ability=8),
        measure("r1", "end", d(3, 16), symptom_severity=17, functional_ability=8),
        measure("r2", "baseline", d(1, 12), symptom_severity=15, functional_ability=5),
        measure("r2", "end", d(3, 16), symptom_severity=16, functional_ability=4),
        # r3's end falls after the period: not paired in it.
        measure("r3", "baseline", d(1, 12), symptom_severity=10),
        measure("r3", "end", d(4, 2), symptom_severity=2),
        # r4's end came before any baseline: not paired.
        measure("r4", "end", d(2, 1), symptom_severity=9),
        measure("r4", "baseline", d(2, 3), symptom_severity=20),
    ),
)


def section(facts: GroupFacts = FACTS, *, disclosure: bool = False) -> dict[str, Any]:
    report = build_report(
        [],
        [],
        PERIOD,
        LocalityMap.from_groups({}),
        generated_at=datetime(2026, 4, 20, tzinfo=UTC),
        group_facts={GROUP: facts},
    )
    shown = disclose(report.tree, report.constraints, 5) if disclosure else plain(report.tree)
    programmes: dict[str, dict[str, Any]] = shown["group_programmes"]
    assert list(programmes) == [GROUP]
    return programmes[GROUP]


def test_the_section_counts_each_figure_by_when_its_event_fell() -> None:
    s = section()
    assert (s["title"], s["delivery"]) == ("Group peer support for long Covid", "group")
    assert (s["cohorts_started"], s["cohorts_finished"]) == (1, 1)
    assert s["people_enrolled"] == 4  # r1-r4 (r4 twice, counted once); r5 enrolled before the period
    # r1 49 days, r2 39, r3 43, r4 18 (from 1 January, not 20 January); r5 first attended before it.
    assert s["wait_to_first_session_days"] == {"n": 4, "median": 41.0, "p90": 47.2}
    assert (s["sessions_held"], s["sessions_cancelled"]) == (2, 1)
    assert (s["attendances"], s["member_sessions"], s["attendance_rate"]) == (5, 7, round(5 / 7, 3))
    assert s["leavers"] == 5
    assert s["leavers_by_reason"] == {
        "completed": 1,
        "not-completed": 1,
        "stopped-attending": 1,
        "withdrew": 1,
        "coordinator-decision": 1,
    }
    assert (s["completion_rate"], s["dropped_out"], s["drop_out_rate"]) == (0.2, 3, 0.6)


def test_measures_are_paired_baseline_to_end_within_the_period() -> None:
    c19 = section()["measures"]["c19-yrsm"]
    assert c19["symptom-severity"] == {
        "better": "lower",
        "mid": 2,
        "paired": 2,
        "baseline_mean": 17.5,
        "end_mean": 16.5,
        "mean_change": -1.0,
        "reached_mid": 1,  # r1 fell by 3; r2 rose by 1
        "not_reached_mid": 1,
        "share_reached_mid": 0.5,
    }
    assert c19["functional-ability"]["mean_change"] == -0.5
    assert c19["functional-ability"]["share_reached_mid"] == 0.5  # r2 fell by 1: the MID
    # Scored by nobody: nothing paired, nothing derived; a scale with no MID has no MID counts.
    assert c19["other-symptoms"] == {
        "better": "lower",
        "mid": None,
        "paired": 0,
        "baseline_mean": None,
        "end_mean": None,
        "mean_change": None,
        "share_reached_mid": None,
    }
    assert section()["measures"]["ons4"]["anxiety"]["paired"] == 0


def test_a_later_end_measure_replaces_an_earlier_one() -> None:
    later = measure("r1", "end", d(3, 20), symptom_severity=20)
    s = section(GroupFacts(measures=(*FACTS.measures, later)))
    assert s["measures"]["c19-yrsm"]["symptom-severity"]["mean_change"] == 0.5  # r1 now 0, r2 +1


def test_under_disclosure_control_small_counts_hide_and_what_rests_on_them_is_withheld() -> None:
    s = section(disclosure=True)
    assert s["people_enrolled"] == "<5" and s["cohorts_started"] == "<5"
    assert (s["attendances"], s["attendance_rate"]) == (5, round(5 / 7, 3))  # resting on shown counts
    assert s["wait_to_first_session_days"] == {"n": "<5", "median": "withheld", "p90": "withheld"}
    assert set(s["leavers_by_reason"].values()) == {"<5"}
    assert s["leavers"] == 5  # five hidden parts holding 5: none can be worked out
    assert s["drop_out_rate"] == "withheld" and s["completion_rate"] == "withheld"
    scale = s["measures"]["c19-yrsm"]["symptom-severity"]
    assert (scale["paired"], scale["mean_change"], scale["better"], scale["mid"]) == (
        "<5",
        "withheld",
        "lower",
        2,
    )


def test_a_lone_small_reason_takes_another_with_it() -> None:
    completed = [PlaceFacts("coh_a", f"r{i}", d(1, 6), d(1, 1), d(3, 16), "completed") for i in range(6)]
    places = (*completed, PlaceFacts("coh_a", "rx", d(1, 6), d(1, 1), d(2, 1), "withdrew"))
    s = section(GroupFacts(places=places), disclosure=True)
    # withdrew (1) and the three zeros hide but hold less than 5 together: completed (6) hides too.
    assert s["leavers_by_reason"]["completed"] == "*"
    assert s["leavers"] == 7 and s["completion_rate"] == "withheld"


def test_a_known_group_programme_with_referrals_but_no_group_event_gets_an_empty_section() -> None:
    mentee = MenteeFacts("r1", "long-covid", GROUP, received_on=d(1, 2))
    report = build_report(
        [mentee], [], PERIOD, LocalityMap.from_groups({}), generated_at=datetime(2026, 4, 20, tzinfo=UTC)
    )
    shown = plain(report.tree)
    assert list(shown["group_programmes"]) == [GROUP]
    assert shown["group_programmes"][GROUP]["sessions_held"] == 0
    assert shown["breakdowns"]["programme"][GROUP]["activity"]["referrals_received"] == 1


def merged(upsert: Upsert, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The merged row for every order the rows could arrive in."""
    results = []
    for order in itertools.permutations(rows):
        batch = ProjectionBatch()
        for row in order:
            batch.put(upsert, row)
        (only,) = batch.rows[upsert.table.name].values()
        results.append(only)
    return results


def test_group_rows_merge_the_same_whatever_the_order() -> None:
    place = {"cohort_id": "c", "referral_id": "r", "condition": "long-covid", "programme": GROUP}
    rows = [
        {**place, "enrolled_on": d(1, 6), "waitlisted_on": d(1, 1)},
        {**place, "left_on": d(3, 16), "leave_reason": "completed"},
        {**place, "enrolled_on": d(1, 6), "waitlisted_on": d(1, 3)},
    ]
    expected = {**place, "enrolled_on": d(1, 6), "waitlisted_on": d(1, 1), "left_on": d(3, 16)}
    assert all(r == {**expected, "leave_reason": "completed"} for r in merged(COHORT_MEMBERS, rows))
    register = [
        {"session_id": "s", "referral_id": "r", "revision": n, "presence": f"v{n}"} for n in (2, 1, 3)
    ]
    assert {r["presence"] for r in merged(GROUP_ATTENDANCE, register)} == {"v3"}
    scores = [{"measure_id": "m", "revision": n, "score_anxiety": n} for n in (1, 2)]
    assert {r["score_anxiety"] for r in merged(MEASURES, scores)} == {2}
    assert GROUP_ATTENDANCE.statement().endswith("WHERE EXCLUDED.revision > t.revision")
    assert "LEAST(t.waitlisted_on, EXCLUDED.waitlisted_on)" in COHORT_MEMBERS.statement()
