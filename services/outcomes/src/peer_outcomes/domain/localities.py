"""Reporting localities: groups of postcode districts, configured per deployment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

OTHER = "other"
"""A district the configuration puts in no group."""
UNKNOWN = "unknown"
"""No district known (the referral's `ReferralReceived` has not been seen)."""


@dataclass(frozen=True)
class LocalityMap:
    """Which locality each postcode district belongs to."""

    names: tuple[str, ...]
    district_to_locality: Mapping[str, str]

    @classmethod
    def from_groups(cls, groups: Mapping[str, Sequence[str]]) -> LocalityMap:
        """Build from `name -> districts`; a district may belong to one group only."""
        lookup: dict[str, str] = {}
        for name, districts in groups.items():
            if name in (OTHER, UNKNOWN):
                raise ValueError(f"'{name}' is reserved for districts outside every group")
            for district in districts:
                if lookup.setdefault(district.upper(), name) != name:
                    raise ValueError(f"district {district} is in two locality groups")
        return cls(tuple(groups), lookup)

    def locality_of(self, district: str | None) -> str:
        """The locality of a district."""
        if district is None:
            return UNKNOWN
        return self.district_to_locality.get(district.upper(), OTHER)

    def all_names(self) -> tuple[str, ...]:
        """Every locality a report lists, configured ones first."""
        return (*self.names, OTHER, UNKNOWN)
