"""Reporting periods: any date range, or an NHS financial quarter (the year starts on 1 April: Q1 is
April-June, Q4 January-March)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from peer_shared.refusals import Invalid

MAX_PERIOD_DAYS = 366 * 10
_QUARTER = re.compile(r"^(\d{4})-(\d{2})-Q([1-4])$")


class InvalidPeriod(Invalid):
    """A period that cannot be reported on (code `invalid-period`)."""

    def __init__(self, message: str) -> None:
        super().__init__("invalid-period", message)


@dataclass(frozen=True)
class Period:
    """Inclusive start and end dates, and how to name the period."""

    start: date
    end: date
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def months(self) -> list[str]:
        """Every calendar month the period touches, as `YYYY-MM`."""
        months = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


def requested_period(start: date | None, end: date | None, quarter: str | None) -> Period:
    """The period a report was asked for: a financial quarter, or a start and an end date (not both)."""
    if quarter is not None:
        if start is not None or end is not None:
            raise InvalidPeriod("give either a quarter or a start and end date, not both")
        return financial_quarter(quarter)
    if start is None or end is None:
        raise InvalidPeriod("give a quarter (e.g. 2025-26-Q1) or both start and end dates")
    return date_range(start, end)


def date_range(start: date, end: date) -> Period:
    """A period from `start` to `end`, both included."""
    if end < start:
        raise InvalidPeriod(f"the period ends ({end}) before it starts ({start})")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise InvalidPeriod("a report covers at most ten years")
    return Period(start, end, f"{start.isoformat()} to {end.isoformat()}")


def financial_quarter(code: str) -> Period:
    """The NHS financial quarter named like `2025-26-Q1` (1 April to 30 June 2025)."""
    match = _QUARTER.match(code)
    if match is None:
        raise InvalidPeriod(f"a quarter is written like 2025-26-Q1, not {code!r}")
    first_year, second_year, quarter = int(match[1]), int(match[2]), int(match[3])
    if (first_year + 1) % 100 != second_year:
        raise InvalidPeriod(f"{code!r}: a financial year runs from one year into the next, e.g. 2025-26")
    start_month = 4 + 3 * (quarter - 1)
    start_year = first_year + (start_month - 1) // 12
    start = date(start_year, (start_month - 1) % 12 + 1, 1)
    after = date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)
    return Period(start, after - timedelta(days=1), f"{first_year}/{second_year:02d} Q{quarter}")
