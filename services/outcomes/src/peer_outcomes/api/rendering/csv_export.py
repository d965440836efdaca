"""The report as CSV: one row per figure, `scope,group,measure,value`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

HEADER = ("period_start", "period_end", "scope", "group", "measure", "value")


def _rows(node: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    for key, value in node.items():
        if isinstance(value, Mapping):
            yield from _rows(value, (*prefix, key))
        else:
            yield ".".join((*prefix, key)), value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " to ".join(str(v) for v in value)
    return str(value)


def scopes(report: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """Every block of figures with its scope and group: the total, each breakdown group, the mentors, each
    group programme's section."""
    yield "total", "all", report["total"]
    for dimension, groups in report["breakdowns"].items():
        for group, block in groups.items():
            yield dimension, group, block
    yield "mentors", "all", report["mentors"]["total"]
    for condition, block in report["mentors"]["by_condition"].items():
        yield "mentors-condition", condition, block
    for programme, block in report["group_programmes"].items():
        yield "group-programme", programme, block


def report_csv(report: Mapping[str, Any]) -> str:
    """The CSV text of a report (as it may be shown)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    start, end = report["period"]["start"], report["period"]["end"]
    for scope, group, block in scopes(report):
        for measure, value in _rows(block):
            writer.writerow((start, end, scope, group, measure, _cell(value)))
    return out.getvalue()
