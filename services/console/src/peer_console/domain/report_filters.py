"""The programme report's filters: the period (any dates, or an NHS financial quarter), the programme, and
one breakdown (programme, condition, locality, ethnic category), optionally narrowed to one group.

The outcomes service takes the period and the programme and always returns every breakdown, already under
disclosure control for a commissioner. The console only picks which breakdown (and group) to show and to
put in the CSV: it drops figures, never works any out, so nothing suppressed can reappear.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from peer_events.codes import ETHNIC_CATEGORY_LABELS
from peer_events.programmes import CODE_PATTERN

QUARTER = re.compile(r"^(\d{4})-(\d{2})-Q([1-4])$")
PROGRAMME = re.compile(CODE_PATTERN)
PERIODS: tuple[tuple[str, str], ...] = (
    ("dates", "Between two dates"),
    ("quarter", "An NHS financial quarter"),
)
BREAKDOWNS: tuple[tuple[str, str], ...] = (
    ("", "None: the whole programme"),
    ("programme", "Programme"),
    ("condition", "Condition"),
    ("locality", "Locality"),
    ("ethnic_category", "Ethnic category"),
)
# The figures shown for each group of a breakdown, as the outcomes service's own report page shows them.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("activity.referrals_received", "Referrals received"),
    ("activity.accepted", "Accepted at triage"),
    ("activity.matched", "Matched with a mentor (first match)"),
    ("activity.sessions_delivered", "Sessions delivered"),
    ("activity.completions", "Completed support"),
    ("outcomes.paired", "Mentees with baseline and follow-up"),
    ("outcomes.mean_change", "Mean change in score"),
    ("outcomes.share_gained_3_or_more", "Share gaining 3 or more points"),
)
PERCENTAGES = frozenset(
    {"attendance_rate", "share_gained_3_or_more", "completion_rate", "drop_out_rate", "share_reached_mid"}
)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class ReportFilters:
    """What was asked (kept for re-display), the errors by field, and the outcomes API's query."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)

    @property
    def breakdown(self) -> str:
        """The breakdown to show, or "" for none."""
        return self.values.get("breakdown", "")

    @property
    def group(self) -> str:
        """The one group of the breakdown to show, or "" for every group."""
        return self.values.get("group", "") if self.breakdown else ""

    def link_query(self) -> dict[str, str]:
        """The filters as query parameters of the report's own links (view, CSV)."""
        wanted = {"period": self.values.get("period", "dates"), **self.query}
        if self.breakdown:
            wanted["breakdown"] = self.breakdown
            if self.group:
                wanted["group"] = self.group
        return wanted

    def csv_filename(self) -> str:
        """`programme-report-<period>[-<breakdown>[-<group>]].csv`."""
        period = self.query.get("quarter") or f"{self.query.get('start')}-to-{self.query.get('end')}"
        parts = [period, *(p for p in (self.breakdown, self.group) if p)]
        name = "-".join(re.sub(r"[^A-Za-z0-9-]+", "-", p) for p in parts)
        return f"programme-report-{name}.csv"


def financial_quarter_of(day: date) -> str:
    """The NHS financial quarter a day falls in, e.g. `2025-26-Q1` for 14 May 2025."""
    first_year = day.year if day.month >= 4 else day.year - 1
    return f"{first_year}-{(first_year + 1) % 100:02d}-Q{(day.month - 4) % 12 // 3 + 1}"


def quarter_label(code: str) -> str:
    """`2025-26-Q1` as `2025/26 Q1 (Apr to Jun 2025)`."""
    found = QUARTER.match(code)
    if found is None:
        return code
    first_year, quarter = int(found[1]), int(found[3])
    start_month = 3 + 3 * (quarter - 1)  # 0-based: April is 3
    year = first_year + start_month // 12
    first, last = MONTHS[start_month % 12], MONTHS[(start_month + 2) % 12]
    return f"{found[1]}/{found[2]} Q{quarter} ({first} to {last} {year})"


def quarter_choices(today: date, asked: str = "", count: int = 8) -> list[tuple[str, str]]:
    """The current financial quarter and the ones before it, newest first (and the one asked for)."""
    codes = []
    day = today
    for _ in range(count):
        codes.append(financial_quarter_of(day))
        quarter_start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        day = quarter_start - timedelta(days=1)
    if asked and asked not in codes and QUARTER.match(asked):
        codes.insert(0, asked)
    return [(code, quarter_label(code)) for code in codes]


def read_filters(params: Mapping[str, str], today: date) -> ReportFilters:
    """Check the filters; default to the last year, or to the current quarter when a quarter is asked."""
    values = {k: str(params.get(k, "")).strip() for k in ("period", "start", "end", "quarter", "programme")}
    values |= {k: str(params.get(k, "")).strip() for k in ("breakdown", "group")}
    if values["period"] not in {p for p, _ in PERIODS}:
        only_quarter = values["quarter"] and not (values["start"] or values["end"])
        values["period"] = "quarter" if only_quarter else "dates"
    result = ReportFilters(values)
    errors, query = result.errors, result.query
    if values["period"] == "quarter":
        values["quarter"] = values["quarter"] or financial_quarter_of(today)
        if QUARTER.match(values["quarter"]) is None:
            errors["quarter"] = "Choose a quarter, written like 2025-26-Q1"
        query["quarter"] = values["quarter"]
    else:
        values["start"] = values["start"] or (today - timedelta(days=365)).isoformat()
        values["end"] = values["end"] or today.isoformat()
        for name in ("start", "end"):
            try:
                date.fromisoformat(values[name])
            except ValueError:
                errors[name] = f"Enter the {'first' if name == 'start' else 'last'} day as YYYY-MM-DD"
        if not errors and values["end"] < values["start"]:
            errors["end"] = "The last day must be on or after the first day"
        query |= {"start": values["start"], "end": values["end"]}
    if values["programme"]:
        if PROGRAMME.match(values["programme"]) is None:
            errors["programme"] = "Enter a programme code, for example t2d-one-to-one, or leave it empty"
        query["programme"] = values["programme"]
    if values["breakdown"] not in {b for b, _ in BREAKDOWNS}:
        errors["breakdown"] = "Choose a breakdown"
    return result


def group_label(breakdown: str, group: str) -> str:
    """How a group is named on the page."""
    if breakdown == "ethnic_category":
        return f"{ETHNIC_CATEGORY_LABELS.get(group, group)} ({group})"
    return group


def groups_of(report: Mapping[str, Any], breakdown: str) -> list[tuple[str, str]]:
    """The groups of a breakdown, as (code, label), in the report's order."""
    return [(g, group_label(breakdown, g)) for g in report.get("breakdowns", {}).get(breakdown, {})]


def _get(block: Mapping[str, Any], dotted: str) -> Any:
    node: Any = block
    for key in dotted.split("."):
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def show(value: Any, measure: str = "") -> str:
    """A figure as the outcomes service's page shows it (suppression markers as they come)."""
    if value is None:
        return "n/a"
    if isinstance(value, list):
        return " to ".join(show(v) for v in value)
    if isinstance(value, float) and measure.rsplit(".", 1)[-1] in PERCENTAGES:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def breakdown_rows(report: Mapping[str, Any], breakdown: str, group: str = "") -> list[tuple[str, list[str]]]:
    """The table of a breakdown: the whole programme, then each group (or the one asked for)."""
    rows = [("Everyone", [show(_get(report["total"], m), m) for m, _ in COLUMNS])]
    for code, block in report.get("breakdowns", {}).get(breakdown, {}).items():
        if not group or code == group:
            rows.append((group_label(breakdown, code), [show(_get(block, m), m) for m, _ in COLUMNS]))
    return rows


def filter_csv(text: str, breakdown: str, group: str = "") -> str:
    """The outcomes service's CSV narrowed to the whole programme and one breakdown (or one of its
    groups): rows are only dropped, never changed."""
    if not breakdown:
        return text
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return text
    writer.writerow(header)
    scope_at, group_at = header.index("scope"), header.index("group")
    for row in reader:
        if row[scope_at] == "total" or (row[scope_at] == breakdown and (not group or row[group_at] == group)):
            writer.writerow(row)
    return out.getvalue()
