"""Report arithmetic: percentiles, the t confidence interval, NHS financial quarters."""

from __future__ import annotations

from datetime import date

import pytest

from peer_outcomes.domain.periods import InvalidPeriod, date_range, financial_quarter
from peer_outcomes.domain.statistics import mean, mean_confidence_interval, median, percentile


def test_median_and_percentiles_interpolate_like_percentile_inc() -> None:
    values = [3, 1, 4, 1, 5, 9, 2, 6]
    assert median(values) == 3.5
    # Spreadsheet PERCENTILE.INC({1,1,2,3,4,5,6,9}, 0.9) = 6.9
    assert percentile(values, 0.9) == pytest.approx(6.9)
    assert percentile([7], 0.9) == 7
    assert median([]) is None and mean([]) is None


def test_the_confidence_interval_uses_student_t() -> None:
    # n = 5, mean 3, sd = 1.5811; t(0.975, 4) = 2.776445 -> margin 1.963243
    low, high = mean_confidence_interval([1, 2, 3, 4, 5]) or (0, 0)
    assert low == pytest.approx(3 - 1.963243, abs=1e-6)
    assert high == pytest.approx(3 + 1.963243, abs=1e-6)
    assert mean_confidence_interval([4.0]) is None


@pytest.mark.parametrize(
    ("code", "start", "end", "label"),
    [
        ("2025-26-Q1", date(2025, 4, 1), date(2025, 6, 30), "2025/26 Q1"),
        ("2025-26-Q2", date(2025, 7, 1), date(2025, 9, 30), "2025/26 Q2"),
        ("2025-26-Q3", date(2025, 10, 1), date(2025, 12, 31), "2025/26 Q3"),
        ("2025-26-Q4", date(2026, 1, 1), date(2026, 3, 31), "2025/26 Q4"),
        ("1999-00-Q4", date(2000, 1, 1), date(2000, 3, 31), "1999/00 Q4"),
    ],
)
def test_nhs_financial_quarters_start_in_april(code: str, start: date, end: date, label: str) -> None:
    quarter = financial_quarter(code)
    assert (quarter.start, quarter.end, quarter.label) == (start, end, label)


@pytest.mark.parametrize("code", ["2025-27-Q1", "2025-26-Q5", "2025Q1", "25-26-Q1"])
def test_malformed_quarters_are_refused(code: str) -> None:
    with pytest.raises(InvalidPeriod):
        financial_quarter(code)


def test_a_date_range_runs_forwards_and_lists_its_months() -> None:
    period = date_range(date(2025, 11, 15), date(2026, 2, 1))
    assert period.months() == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert date(2026, 2, 1) in period and date(2026, 2, 2) not in period
    with pytest.raises(InvalidPeriod, match="before it starts"):
        date_range(date(2026, 1, 2), date(2026, 1, 1))
