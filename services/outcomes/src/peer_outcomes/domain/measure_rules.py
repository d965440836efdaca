"""Report rules for the group programmes' outcome measures: the scales of each instrument, which way is
better on each, and the minimal important difference (MID) a member's change is judged against.

The groups service records scale totals only; what counts as a meaningful change is a reporting rule, so
it lives here. Sources of the published MIDs:

- C19-YRSm (modified COVID-19 Yorkshire Rehabilitation Scale): Sivan M et al., the modified C19-YRS
  (C19-YRSm) patient-reported outcome measure for Long Covid, 2022, and the minimal important differences
  published by the same group, 2023: symptom severity 2 points, functional ability 1 point, lower scores
  better. No MID is used for other symptoms or overall health (reported as mean change only); on overall
  health higher is better.
- ONS4 (ONS personal well-being): Office for National Statistics, personal well-being user guidance: each
  item scored 0-10, a change of 1 point taken as important; higher is better except anxiety, where lower
  is better.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from peer_events.events.groups import Instrument, Scale


class Better(StrEnum):
    """Which direction of change is an improvement."""

    LOWER = "lower"
    HIGHER = "higher"


@dataclass(frozen=True)
class ScaleRule:
    """How one scale of an instrument is reported."""

    instrument: str
    scale: str
    better: Better
    mid: int | None
    """The minimal important difference in points, or None where none is used."""

    def improvement(self, baseline: int, end: int) -> int:
        """Points of improvement from baseline to end (negative when the member got worse)."""
        return baseline - end if self.better is Better.LOWER else end - baseline

    def reaches_mid(self, baseline: int, end: int) -> bool:
        """Whether the member improved by at least the MID (never, for a scale without one)."""
        return self.mid is not None and self.improvement(baseline, end) >= self.mid


def _rule(instrument: Instrument, scale: Scale, better: Better, mid: int | None) -> ScaleRule:
    return ScaleRule(instrument.value, scale.value, better, mid)


_C19, _ONS4 = Instrument.C19_YRSM, Instrument.ONS4
RULES: tuple[ScaleRule, ...] = (
    _rule(_C19, Scale.SYMPTOM_SEVERITY, Better.LOWER, 2),
    _rule(_C19, Scale.FUNCTIONAL_ABILITY, Better.LOWER, 1),
    _rule(_C19, Scale.OTHER_SYMPTOMS, Better.LOWER, None),
    _rule(_C19, Scale.OVERALL_HEALTH, Better.HIGHER, None),
    _rule(_ONS4, Scale.LIFE_SATISFACTION, Better.HIGHER, 1),
    _rule(_ONS4, Scale.WORTHWHILE, Better.HIGHER, 1),
    _rule(_ONS4, Scale.HAPPINESS, Better.HIGHER, 1),
    _rule(_ONS4, Scale.ANXIETY, Better.LOWER, 1),
)
"""Every reported scale, in report order."""

INSTRUMENTS: dict[str, tuple[ScaleRule, ...]] = {
    instrument.value: tuple(r for r in RULES if r.instrument == instrument.value) for instrument in Instrument
}
"""Each instrument's scales."""

SCALES: tuple[str, ...] = tuple(scale.value for scale in Scale)
"""Every scale any instrument scores."""
