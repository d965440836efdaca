"""The report as one self-contained HTML page: tables, inline SVG charts, inline CSS, nothing fetched."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from peer_outcomes.api.rendering.labels import (
    DIMENSION_TITLES,
    INSTRUMENT_TITLES,
    MEASURE_LABELS,
    group_label,
)
from peer_outcomes.api.rendering.svg_charts import bar_chart

STYLE = """
body{font-family:Arial,sans-serif;color:#212b32;margin:2rem auto;max-width:60rem;padding:0 1rem}
h1{color:#005eb8}h2{border-bottom:2px solid #005eb8;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #d8dde0;padding:.25rem .5rem}
th{background:#f0f4f5;text-align:left}td.n{text-align:right}.note{color:#4c6272;font-size:.9rem}
figure{margin:1rem 0}
"""
ACTIVITY = (
    "referrals_received",
    "accepted",
    "rejected",
    "withdrawn",
    "matched",
    "time_to_match_days.median",
    "time_to_match_days.p90",
    "time_to_first_session_days.median",
    "time_to_first_session_days.p90",
    "mentors_active",
    "mentees_seen",
    "sessions_delivered",
    "sessions_missed",
    "attendance_rate",
    "sessions_per_mentee",
    "completions",
    "early_endings",
)
OUTCOMES = (
    "baselines_recorded",
    "paired",
    "baseline_mean_level",
    "follow_up_mean_level",
    "baseline_mean_score",
    "follow_up_mean_score",
    "mean_change",
    "mean_change_ci95",
    "gained_3_or_more",
    "share_gained_3_or_more",
    "finished_without_follow_up",
)
BREAKDOWN_COLUMNS = (
    "activity.referrals_received",
    "activity.accepted",
    "activity.matched",
    "activity.sessions_delivered",
    "activity.completions",
    "outcomes.paired",
    "outcomes.mean_change",
    "outcomes.share_gained_3_or_more",
)
REASON_TABLES = ("received_by_source", "rejected_by_reason", "withdrawn_by_reason", "early_endings_by_reason")


def _get(block: Mapping[str, Any], dotted: str) -> Any:
    node: Any = block
    for key in dotted.split("."):
        node = node[key]
    return node


PERCENTAGES = frozenset(
    {"attendance_rate", "share_gained_3_or_more", "completion_rate", "drop_out_rate", "share_reached_mid"}
)
NOT_AVAILABLE = "n/a"


def _show(value: Any, measure: str = "") -> str:
    if value is None:
        return NOT_AVAILABLE
    if isinstance(value, list):
        return " to ".join(_show(v) for v in value)
    if isinstance(value, float) and measure.rsplit(".", 1)[-1] in PERCENTAGES:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + f"<th>{escape(str(row[0]))}</th>"
        + "".join(f'<td class="n">{escape(v if isinstance(v, str) else _show(v))}</td>' for v in row[1:])
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _measures(block: Mapping[str, Any], names: Sequence[str]) -> str:
    return _table(("Measure", "Value"), [(MEASURE_LABELS.get(n, n), _show(_get(block, n), n)) for n in names])


def _charts(total: Mapping[str, Any]) -> str:
    activity, outcomes = total["activity"], total["outcomes"]
    months = activity["received_by_month"]
    waits = activity["time_to_match_days"]
    wait_title = (
        f"Days from referral to match (median {_show(waits['median'])}, "
        f"90th percentile {_show(waits['p90'])})"
    )
    levels = ("1", "2", "3", "4")
    charts = (
        bar_chart("Referrals received by month", list(months), [("Referrals", list(months.values()))]),
        bar_chart(
            wait_title,
            list(waits["distribution"]),
            [("Mentees", list(waits["distribution"].values()))],
        ),
        bar_chart(
            "PAM level before and after (paired mentees)",
            [f"Level {level}" for level in levels],
            [
                ("Baseline", [outcomes["baseline_by_level"][level] for level in levels]),
                ("Follow-up", [outcomes["follow_up_by_level"][level] for level in levels]),
            ],
        ),
    )
    return "".join(f"<figure>{chart}</figure>" for chart in charts)


def _transitions(outcomes: Mapping[str, Any]) -> str:
    matrix = outcomes["level_transitions"]
    columns = list(next(iter(matrix.values())))
    rows = [(f"Baseline level {row}", *(cells[c] for c in columns)) for row, cells in matrix.items()]
    return _table(("", *(f"Follow-up level {c}" for c in columns)), rows)


def _breakdowns(report: Mapping[str, Any]) -> str:
    sections = []
    for dimension, groups in report["breakdowns"].items():
        rows = [
            (group_label(dimension, g), *(_show(_get(b, c), c) for c in BREAKDOWN_COLUMNS))
            for g, b in groups.items()
        ]
        headers = (
            DIMENSION_TITLES.get(dimension, dimension),
            *(MEASURE_LABELS.get(c.split(".", 1)[1], c) for c in BREAKDOWN_COLUMNS),
        )
        title = escape(DIMENSION_TITLES.get(dimension, dimension).lower())
        sections.append(f"<h3>By {title}</h3>{_table(headers, rows)}")
    return "".join(sections)


GROUP_FIGURES = (
    "cohorts_started",
    "cohorts_finished",
    "people_enrolled",
    "wait_to_first_session_days.median",
    "wait_to_first_session_days.p90",
    "sessions_held",
    "sessions_cancelled",
    "attendances",
    "member_sessions",
    "attendance_rate",
    "leavers",
    "completion_rate",
    "dropped_out",
    "drop_out_rate",
)
SCALE_COLUMNS = (
    ("paired", "Members with baseline and end"),
    ("baseline_mean", "Mean at baseline"),
    ("end_mean", "Mean at end"),
    ("mean_change", "Mean change"),
    ("reached_mid", "Improved by the MID or more"),
    ("share_reached_mid", "Share improving by the MID or more"),
)


def _scale_rows(measures: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    rows = []
    for instrument, scales in measures.items():
        for scale, block in scales.items():
            mid = "none" if block["mid"] is None else f"{block['mid']} ({block['better']} is better)"
            figures = (_show(block[key], key) if key in block else NOT_AVAILABLE for key, _ in SCALE_COLUMNS)
            rows.append((f"{INSTRUMENT_TITLES.get(instrument, instrument)}: {scale}", mid, *figures))
    return rows


def _group_programmes(report: Mapping[str, Any]) -> str:
    sections = []
    for code, section in report["group_programmes"].items():
        reasons = _table(
            ("", "Count"),
            [(group_label("leave_reason", k), v) for k, v in section["leavers_by_reason"].items()],
        )
        scales = _table(
            ("Scale", "Minimal important difference", *(title for _, title in SCALE_COLUMNS)),
            _scale_rows(section["measures"]),
        )
        sections.append(
            f"<h2>{escape(section['title'])} ({escape(code)})</h2>{_measures(section, GROUP_FIGURES)}"
            f"<h3>{escape(MEASURE_LABELS['leavers_by_reason'])}</h3>{reasons}"
            f"<h3>Outcome measures (change from baseline to end)</h3>{scales}"
        )
    return "".join(sections)


def _disclosure(report: Mapping[str, Any]) -> str:
    disclosure = report["disclosure"]
    if not disclosure.get("applied"):
        return '<p class="note">All figures shown (not for publication: no disclosure control applied).</p>'
    markers = "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in disclosure["markers"].items())
    threshold = disclosure["threshold"]
    applied = f'<p class="note">Disclosure control applied (threshold {threshold}).</p>'
    return f'{applied}<ul class="note">{markers}</ul>'


def report_html(report: Mapping[str, Any]) -> str:
    """The page for a report (as it may be shown)."""
    period, total = report["period"], report["total"]
    activity = total["activity"]
    reasons = "".join(
        f"<h3>{escape(MEASURE_LABELS.get(name, name))}</h3>"
        + _table(("", "Count"), [(group_label(name, k), v) for k, v in activity[name].items()])
        for name in REASON_TABLES
    )
    mentors = report["mentors"]
    mentor_rows = [("All conditions", *mentors["total"].values())] + [
        (c, *block.values()) for c, block in mentors["by_condition"].items()
    ]
    mentor_headers = ("", *(MEASURE_LABELS.get(k, k) for k in mentors["total"]))
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>Programme report {escape(period['label'])}</title><style>{STYLE}</style></head><body>"
        f"<h1>Peer support programme report</h1><p>{escape(period['label'])} "
        f"({escape(period['start'])} to {escape(period['end'])}). "
        f"Generated {escape(report['generated_at'])}.</p>"
        f"{_disclosure(report)}<h2>Charts</h2>{_charts(total)}"
        f"<h2>Activity</h2>{_measures(activity, ACTIVITY)}{reasons}"
        f"<h2>Outcomes (Patient Activation Measure)</h2>{_measures(total['outcomes'], OUTCOMES)}"
        f"<h3>Level transitions</h3>{_transitions(total['outcomes'])}"
        f"<h2>Mentors</h2>{_table(mentor_headers, mentor_rows)}"
        f"<h2>Breakdowns</h2>{_breakdowns(report)}"
        f"{_group_programmes(report)}"
        "</body></html>"
    )
