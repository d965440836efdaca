"""Which condition and programme a referral is for, from its coded reason (SNOMED CT or ICD-10)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from peer_events.programmes import KNOWN_CONDITIONS, Condition


class CodeSystem(StrEnum):
    """The clinical code systems a referral reason may use."""

    SNOMED_CT = "snomed-ct"
    ICD10 = "icd-10"


@dataclass(frozen=True)
class ReasonCode:
    """A coded reason for referral as the feed gave it."""

    system: CodeSystem
    code: str


@dataclass(frozen=True)
class Route:
    """Where a referral goes: the condition (as published) and the programme."""

    known_condition: str
    """The condition in the platform's code list (`t2d`)."""
    condition: str
    """The code the referral's events are published under (usually the same)."""
    programme: str


def condition_for(reason: ReasonCode, conditions: Iterable[Condition] | None = None) -> Condition | None:
    """The known condition a reason code stands for, if any.

    ICD-10 codes match by category, so `E11.9` (type 2 diabetes without complications) counts as `E11`.
    """
    code = reason.code.strip().upper()
    for condition in conditions if conditions is not None else KNOWN_CONDITIONS.values():
        if reason.system is CodeSystem.SNOMED_CT and code in condition.snomed_ct:
            return condition
        if reason.system is CodeSystem.ICD10 and any(_icd10_within(code, c) for c in condition.icd10):
            return condition
    return None


def _icd10_within(code: str, category: str) -> bool:
    compact, wanted = code.replace(".", ""), category.upper().replace(".", "")
    return compact.startswith(wanted)


@dataclass(frozen=True)
class ConditionRouting:
    """The deployment's configuration: programmes per condition, aliases, and the conditions it serves."""

    programmes: Mapping[str, str]
    aliases: Mapping[str, str]
    served: frozenset[str]

    def route(self, condition: Condition) -> Route | None:
        """The route for a known condition, or None when this deployment does not serve it."""
        published = self.aliases.get(condition.code, condition.code)
        programme = self.programmes.get(condition.code)
        if programme is None or published not in self.served:
            return None
        return Route(condition.code, published, programme)
