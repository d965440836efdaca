"""Summary statistics for reports: median, percentiles, means and a t-based confidence interval."""

from __future__ import annotations

import math
from collections.abc import Sequence

from scipy.stats import t as student_t  # type: ignore[import-untyped]


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean, or None when there are no values."""
    return math.fsum(values) / len(values) if values else None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` quantile with linear interpolation between order statistics (Hyndman-Fan type 7,
    the default of R, NumPy and spreadsheet PERCENTILE.INC), or None when there are no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (position - below) * (ordered[above] - ordered[below])


def median(values: Sequence[float]) -> float | None:
    """The median (the mean of the two middle values when there is an even number)."""
    return percentile(values, 0.5)


def mean_confidence_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float] | None:
    """The two-sided confidence interval of the mean from Student's t distribution with n-1 degrees of
    freedom; None with fewer than two values."""
    n = len(values)
    if n < 2:
        return None
    centre = math.fsum(values) / n
    variance = math.fsum((v - centre) ** 2 for v in values) / (n - 1)
    margin = float(student_t.ppf(0.5 + level / 2, n - 1)) * math.sqrt(variance / n)
    return centre - margin, centre + margin
