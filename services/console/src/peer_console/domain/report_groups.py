"""The programme report's group programme sections: the figures of each group programme in the outcomes
service's report (`group_programmes`), named and formatted as the outcomes service's own report page shows
them. As for the breakdowns, the console only picks and formats figures: a suppressed value (`<5`, `*`,
`withheld`) is shown as it comes, and nothing is worked out here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from peer_console.domain.report_filters import show

# The figures of a group programme, in the outcomes service's order and words (`html_report.GROUP_FIGURES`
# and its labels), with the number of people behind the wait figures as well.
GROUP_FIGURES: tuple[tuple[str, str], ...] = (
    ("cohorts_started", "Cohorts started"),
    ("cohorts_finished", "Cohorts finished"),
    ("people_enrolled", "People enrolled in a cohort"),
    ("wait_to_first_session_days.n", "People who attended their first group"),
    ("wait_to_first_session_days.median", "Days from waitlist to first group attended: median"),
    ("wait_to_first_session_days.p90", "Days from waitlist to first group attended: 90th percentile"),
    ("sessions_held", "Group sessions held"),
    ("sessions_cancelled", "Group sessions cancelled"),
    ("attendances", "Attendances"),
    ("member_sessions", "Members enrolled at sessions held (sessions x members)"),
    ("attendance_rate", "Attendance rate"),
    ("leavers", "Places ended"),
    ("completion_rate", "Completion (share of places ended)"),
    ("dropped_out", "Dropped out (stopped attending, withdrew, did not complete)"),
    ("drop_out_rate", "Drop-out (share of places ended)"),
)
# One scale's columns (`html_report.SCALE_COLUMNS`, and those who did not reach the MID).
SCALE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("paired", "Members with baseline and end"),
    ("baseline_mean", "Mean at baseline"),
    ("end_mean", "Mean at end"),
    ("mean_change", "Mean change"),
    ("reached_mid", "Improved by the MID or more"),
    ("not_reached_mid", "Did not improve by the MID"),
    ("share_reached_mid", "Share improving by the MID or more"),
)
INSTRUMENT_TITLES = {
    "c19-yrsm": "C19-YRSm (modified COVID-19 Yorkshire Rehabilitation Scale)",
    "ons4": "ONS4 personal wellbeing",
}
NOT_AVAILABLE = "n/a"


@dataclass(frozen=True)
class ScaleRow:
    """One scale of an instrument: its minimal important difference and its figures (SCALE_COLUMNS)."""

    instrument: str
    scale: str
    mid: str
    figures: list[str]


@dataclass(frozen=True)
class GroupSection:
    """One group programme's section of the report page, every figure as it is shown."""

    code: str
    title: str
    figures: list[tuple[str, str]]
    """(label, value) in GROUP_FIGURES order."""
    leavers_by_reason: list[tuple[str, str]]
    """(leave reason code, value) in the report's order."""
    scales: list[ScaleRow]
    """Only the scales someone was measured on (or whose count is suppressed)."""


def _get(block: Mapping[str, Any], dotted: str) -> Any:
    node: Any = block
    for key in dotted.split("."):
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _measured(block: Mapping[str, Any]) -> bool:
    """Whether a scale is worth a row: someone paired on it, or a figure hidden by disclosure control
    (which may hide a count of people measured)."""
    paired = block.get("paired")
    suppressed = any(isinstance(block.get(key), str) for key, _ in SCALE_COLUMNS)
    return suppressed or (isinstance(paired, int) and paired > 0)


def _mid(block: Mapping[str, Any]) -> str:
    if block.get("mid") is None:
        return "none"
    return f"{block['mid']} ({block.get('better', '')} is better)"


def _scales(measures: Mapping[str, Any]) -> list[ScaleRow]:
    return [
        ScaleRow(
            INSTRUMENT_TITLES.get(instrument, instrument),
            scale,
            _mid(block),
            [show(block[key], key) if key in block else NOT_AVAILABLE for key, _ in SCALE_COLUMNS],
        )
        for instrument, scales in measures.items()
        for scale, block in scales.items()
        if _measured(block)
    ]


def group_sections(report: Mapping[str, Any]) -> list[GroupSection]:
    """The report's group programmes, in its order (none for a report without any)."""
    return [
        GroupSection(
            code=code,
            title=str(section.get("title", code)),
            figures=[(label, show(_get(section, name), name)) for name, label in GROUP_FIGURES],
            leavers_by_reason=[
                (reason, show(n)) for reason, n in section.get("leavers_by_reason", {}).items()
            ],
            scales=_scales(section.get("measures", {})),
        )
        for code, section in report.get("group_programmes", {}).items()
    ]
