"""Pure rules of goal reviews in the log-a-session form and of the report's breakdown filters."""

from __future__ import annotations

from datetime import date

from starlette.datastructures import FormData

from peer_console.domain import report_filters
from peer_console.domain.session_form import PROGRESS, open_goals, read_session_form, refusal_field
from peer_events.events.sessions import GoalProgress
from peer_outcomes.api.rendering import html_report, labels

GOALS = [
    {"id": "gol_" + "1" * 32, "topic": "diet", "what": "Swap crisps for fruit", "progress": None},
    {"id": "gol_" + "2" * 32, "topic": "physical-activity", "what": "Walk daily", "progress": "partly"},
]
G1, G2 = (f"review_{g['id']}_" for g in GOALS)


def _form(**fields: str | list[str]) -> FormData:
    items = []
    for name, value in fields.items():
        items += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    return FormData(items)


def _session(**reviews: str) -> FormData:
    fields = {
        "date": "2026-05-14",
        "time": "10:30",
        "duration": "45",
        "mode": "cafe",
        "attendance": "attended",
    }
    return _form(**(fields | reviews))


def test_the_consoles_code_lists_are_the_services_own() -> None:
    assert [code for code, _ in PROGRESS[1:]] == [p.value for p in GoalProgress]
    assert [code for code, _ in report_filters.BREAKDOWNS[1:]] == list(labels.DIMENSION_TITLES)
    assert [m for m, _ in report_filters.COLUMNS] == list(html_report.BREAKDOWN_COLUMNS)
    for measure, label in report_filters.COLUMNS:
        assert labels.MEASURE_LABELS[measure.split(".", 1)[1]] == label
    assert report_filters.PERCENTAGES == html_report.PERCENTAGES


def test_only_goals_not_done_and_not_erased_are_open_for_review() -> None:
    goals = [*GOALS, {"id": "gol_3", "what": "x", "progress": "done"}, {"id": "gol_4", "what": None}]
    assert [g["id"] for g in open_goals(goals)] == [g["id"] for g in GOALS]


def test_goal_reviews_become_the_sessions_apis_body() -> None:
    fields = {
        f"{G1}progress": "revised",
        f"{G1}confidence": "6",
        f"{G1}what": "Fruit at lunch on work days",
        f"{G2}progress": "",  # not reviewed this time: not sent
        f"{G2}confidence": "",
    }
    parsed = read_session_form(_session(**fields), GOALS)
    assert parsed.errors == {}
    assert parsed.body["goal_reviews"] == [
        {
            "goal_id": GOALS[0]["id"],
            "progress": "revised",
            "confidence": 6,
            "revised_goal": {"topic": "diet", "what": "Fruit at lunch on work days"},
        }
    ]
    done = read_session_form(_session(**{f"{G2}progress": "done", f"{G2}confidence": "10"}), GOALS)
    assert done.body["goal_reviews"] == [{"goal_id": GOALS[1]["id"], "progress": "done", "confidence": 10}]


def test_review_errors_sit_next_to_their_fields_and_keep_what_was_typed() -> None:
    fields = {
        f"{G1}progress": "revised",
        f"{G1}confidence": "",
        f"{G1}what": "",
        f"{G2}progress": "",
        f"{G2}confidence": "4",
    }
    parsed = read_session_form(_session(**fields), GOALS)
    assert set(parsed.errors) == {f"{G1}confidence", f"{G1}what", f"{G2}progress"}
    assert parsed.values[f"{G2}confidence"] == "4" and parsed.values[f"{G1}progress"] == "revised"
    assert parsed.body == {}
    unexpected = read_session_form(
        _session(**{f"{G2}progress": "partly", f"{G2}confidence": "5", f"{G2}what": "x"}), GOALS
    )
    assert set(unexpected.errors) == {f"{G2}what"}


def test_goals_are_reviewed_only_in_a_session_that_took_place() -> None:
    fields = {
        "attendance": "mentee-did-not-attend",
        "duration": "",
        f"{G1}progress": "partly",
        f"{G1}confidence": "5",
    }
    parsed = read_session_form(_session(**fields), GOALS)
    assert set(parsed.errors) == {f"{G1}progress"}
    skipped = read_session_form(_session(attendance="cancelled-by-mentee", duration=""), GOALS)
    assert skipped.errors == {} and skipped.body["goal_reviews"] == []


def test_the_sessions_services_refusals_sit_next_to_their_fields() -> None:
    assert refusal_field("session-overlaps") == "date"
    assert refusal_field("content-without-attendance") == "attendance"
    assert refusal_field("goal-not-in-pairing") == "reviews"
    assert refusal_field("something-new") == "date" and refusal_field(None) == "date"


def test_report_periods_are_dates_or_nhs_financial_quarters() -> None:
    today = date(2026, 5, 14)
    assert report_filters.financial_quarter_of(today) == "2026-27-Q1"
    assert report_filters.financial_quarter_of(date(2026, 3, 31)) == "2025-26-Q4"
    assert report_filters.quarter_label("2025-26-Q4") == "2025/26 Q4 (Jan to Mar 2026)"
    choices = report_filters.quarter_choices(today)
    assert [c for c, _ in choices[:3]] == ["2026-27-Q1", "2025-26-Q4", "2025-26-Q3"] and len(choices) == 8

    default = report_filters.read_filters({}, today)
    assert default.errors == {} and default.query == {"start": "2025-05-14", "end": "2026-05-14"}
    quarter = report_filters.read_filters({"period": "quarter", "start": "2026-01-01"}, today)
    assert quarter.query == {"quarter": "2026-27-Q1"}
    assert report_filters.read_filters({"quarter": "2025-26-Q2"}, today).query == {"quarter": "2025-26-Q2"}
    asked = {"period": "quarter", "quarter": "2025-26-Q2", "breakdown": "locality", "group": "Leeds North"}
    filters = report_filters.read_filters(asked, today)
    assert filters.link_query() == {
        "period": "quarter",
        "quarter": "2025-26-Q2",
        "breakdown": "locality",
        "group": "Leeds North",
    }
    assert filters.csv_filename() == "programme-report-2025-26-Q2-locality-Leeds-North.csv"

    bad = report_filters.read_filters(
        {"start": "14/05/2026", "end": "2026-05-14", "programme": "T2D!", "breakdown": "age"}, today
    )
    assert set(bad.errors) == {"start", "programme", "breakdown"}
    backwards = report_filters.read_filters({"start": "2026-05-14", "end": "2026-01-01"}, today)
    assert set(backwards.errors) == {"end"}
    assert set(report_filters.read_filters({"period": "quarter", "quarter": "Q1"}, today).errors) == {
        "quarter"
    }


def test_a_breakdown_drops_figures_and_never_changes_them() -> None:
    block = {
        "activity": {"referrals_received": "<5", "accepted": "*", "matched": 7, "sessions_delivered": 0,
                     "completions": 5},
        "outcomes": {"paired": 6, "mean_change": "withheld", "share_gained_3_or_more": 0.5},
    }  # fmt: skip
    report = {"total": block, "breakdowns": {"ethnic_category": {"A": block, "not-recorded": block}}}
    rows = report_filters.breakdown_rows(report, "ethnic_category", "A")
    assert [name for name, _ in rows] == ["Everyone", "White: British (A)"]
    assert rows[1][1] == ["<5", "*", "7", "0", "5", "6", "withheld", "50.0%"]

    text = (
        "period_start,period_end,scope,group,measure,value\r\n"
        "2026-04-01,2026-06-30,total,all,activity.referrals_received,12\r\n"
        "2026-04-01,2026-06-30,condition,t2d,activity.referrals_received,<5\r\n"
        "2026-04-01,2026-06-30,condition,copd,activity.referrals_received,*\r\n"
        "2026-04-01,2026-06-30,locality,other,activity.referrals_received,12\r\n"
        "2026-04-01,2026-06-30,mentors,all,registered,3\r\n"
    )
    lines = text.splitlines(keepends=True)
    assert report_filters.filter_csv(text, "") == text
    assert report_filters.filter_csv(text, "condition") == "".join(lines[:4])
    assert report_filters.filter_csv(text, "condition", "t2d") == "".join(lines[:3])
