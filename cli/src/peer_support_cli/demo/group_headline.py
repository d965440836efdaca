"""A group programme's headline figures as text, from its section of the outcomes report: cohorts, the
wait for a first group, attendance, how places ended, and the change in each outcome measure's scales."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

INSTRUMENTS = {"c19-yrsm": "C19-YRSm", "ons4": "ONS4"}


def group_lines(section: Mapping[str, Any]) -> list[str]:
    """The section's figures as lines, a measure's scales indented under it (an instrument nobody has a
    baseline and an end of is left out)."""
    wait = section["wait_to_first_session_days"]
    ended = section["leavers_by_reason"]
    reasons = ", ".join(f"{n} {reason.replace('-', ' ')}" for reason, n in ended.items() if n)
    lines = [
        f"cohorts: {section['cohorts_started']} started, {section['cohorts_finished']} finished; "
        f"{section['people_enrolled']} people enrolled; days from waitlist to first session: median "
        f"{_number(wait['median'])}, 90th centile {_number(wait['p90'])}",
        f"group sessions: {section['sessions_held']} held, {section['sessions_cancelled']} cancelled; "
        f"attendance {_share(section['attendance_rate'])} ({section['attendances']} of "
        f"{section['member_sessions']} member-sessions)",
        f"places ended: {section['leavers']} ({reasons or 'none'}); completion "
        f"{_share(section['completion_rate'])}, drop-out {_share(section['drop_out_rate'])}",
    ]
    for code, scales in section["measures"].items():
        paired = max((scale["paired"] for scale in scales.values()), default=0)
        if paired:
            lines.append(
                f"{INSTRUMENTS.get(code, code)}, mean scores ({paired} members with baseline and end):"
            )
            lines += [f"  {_scale(name, scale)}" for name, scale in scales.items()]
    return lines


def _scale(name: str, scale: Mapping[str, Any]) -> str:
    """`symptom severity 19.3 -> 13.2 (lower is better; 13 of 15 improved by the MID, 2)`."""
    text = f"{name.replace('-', ' ')} {_number(scale['baseline_mean'])} -> {_number(scale['end_mean'])}"
    better = f"{scale['better']} is better"
    if scale.get("mid") is None:
        return f"{text} ({better})"
    return (
        f"{text} ({better}; {scale['reached_mid']} of {scale['paired']} improved by the MID, {scale['mid']})"
    )


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}"


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"
