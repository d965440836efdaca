"""Age at referral and the age band that travels instead of the date of birth."""

from __future__ import annotations

from datetime import date

from peer_events.codes import AgeBand

_BANDS: tuple[tuple[int, AgeBand], ...] = (
    (75, AgeBand.AGE_75_PLUS),
    (65, AgeBand.AGE_65_74),
    (55, AgeBand.AGE_55_64),
    (45, AgeBand.AGE_45_54),
    (35, AgeBand.AGE_35_44),
    (25, AgeBand.AGE_25_34),
    (18, AgeBand.AGE_18_24),
)


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on `day` (someone born on 29 February turns a year older on 1 March)."""
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def age_band(age: int) -> AgeBand:
    """The band an adult's age falls in."""
    for lowest, band in _BANDS:
        if age >= lowest:
            return band
    raise ValueError(f"no age band for an age of {age}: referrals are for adults")
