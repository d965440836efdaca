"""Score-to-level cut points of the Patient Activation Measure.

The PAM is licensed and its scoring algorithm is not public: the licensed tool produces the activation
score (0-100) and usually the level. When only the score is entered, the level is derived here from a
published cut-point set, and the record says so and names the set. The default is the set published by
Hibbard et al. (2005) for the PAM-13: level 1 up to 47.0, level 2 47.1-55.1, level 3 55.2-67.0, level 4
from 67.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

LEVELS = (1, 2, 3, 4)


@dataclass(frozen=True)
class CutPointSet:
    """A named set of cut points: the highest score of levels 1, 2 and 3 (level 4 is everything above)."""

    code: str
    level_maxima: tuple[Decimal, Decimal, Decimal]

    def __post_init__(self) -> None:
        if list(self.level_maxima) != sorted(set(self.level_maxima)):
            raise ValueError("cut points must rise strictly from level 1 to level 3")
        if not all(Decimal(0) <= bound < Decimal(100) for bound in self.level_maxima):
            raise ValueError("cut points lie between 0 and 100")

    def level_for(self, score: Decimal) -> int:
        """The level a score falls in."""
        for level, maximum in zip(LEVELS, self.level_maxima, strict=False):
            if score <= maximum:
                return level
        return 4

    def describe(self, level: int) -> str:
        """The score range of a level in words, for error messages: `55.2-67.0`, `67.1 and above`."""
        step = Decimal("0.1")
        lows = (Decimal(0), *(bound + step for bound in self.level_maxima))
        if level == 4:
            return f"{lows[3]} and above"
        return f"{lows[level - 1]}-{self.level_maxima[level - 1]}"


HIBBARD_2005 = CutPointSet(
    code="hibbard-2005", level_maxima=(Decimal("47.0"), Decimal("55.1"), Decimal("67.0"))
)
"""Hibbard JH, Mahoney ER, Stockard J, Tusler M. Development and testing of a short form of the patient
activation measure. Health Serv Res 2005;40(6 Pt 1):1918-30."""
