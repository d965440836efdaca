"""Conditions and programmes: two different things.

A *condition* is what a person lives with (type 2 diabetes, long Covid); a *programme* is a way of offering
peer support for one condition (one-to-one diabetes mentoring, long-Covid group support). Subjects carry the
condition so a programme can subscribe to its own slice; events carry both.

Both are open code lists rather than enums: a new condition or programme is added by configuration, and the
contract stays the same (a consumer must tolerate a code it does not know).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints

CODE_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"

ConditionCode = Annotated[str, StringConstraints(pattern=CODE_PATTERN, max_length=32)]
ProgrammeCode = Annotated[str, StringConstraints(pattern=CODE_PATTERN, max_length=48)]


class DeliveryFormat(StrEnum):
    """How a programme brings people together."""

    ONE_TO_ONE = "one-to-one"
    GROUP = "group"


@dataclass(frozen=True)
class Condition:
    """A long-term condition that mentors and mentees share."""

    code: str
    title: str
    snomed_ct: tuple[str, ...]
    icd10: tuple[str, ...]


@dataclass(frozen=True)
class Programme:
    """A peer-support offer for one condition."""

    code: str
    title: str
    condition: str
    delivery: DeliveryFormat


T2D = Condition(
    code="t2d",
    title="Type 2 diabetes",
    snomed_ct=("44054006",),
    icd10=("E11",),
)
LONG_COVID = Condition(
    code="long-covid",
    title="Long Covid (post-COVID-19 syndrome)",
    snomed_ct=("1325161000000102", "1325181000000106", "1119303003"),
    icd10=("U09.9",),
)

T2D_ONE_TO_ONE = Programme(
    code="t2d-one-to-one",
    title="One-to-one peer support for type 2 diabetes",
    condition=T2D.code,
    delivery=DeliveryFormat.ONE_TO_ONE,
)
LONG_COVID_GROUP = Programme(
    code="long-covid-group",
    title="Group peer support for long Covid",
    condition=LONG_COVID.code,
    delivery=DeliveryFormat.GROUP,
)

KNOWN_CONDITIONS: dict[str, Condition] = {c.code: c for c in (T2D, LONG_COVID)}
KNOWN_PROGRAMMES: dict[str, Programme] = {p.code: p for p in (T2D_ONE_TO_ONE, LONG_COVID_GROUP)}
