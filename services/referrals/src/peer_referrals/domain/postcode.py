"""UK postcodes: validation, normal form, and the outward code (district) that may travel on the bus."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The outward code is one or two letters, a digit, then an optional letter or digit; the inward code is a
# digit and two letters that never include C, I, K, M, O or V (Royal Mail's rules).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][ABD-HJLNP-UW-Z]{2})$")


@dataclass(frozen=True)
class Postcode:
    """A valid UK postcode in its normal form (`LS1 4AP`)."""

    outward: str
    inward: str

    @property
    def full(self) -> str:
        """The postcode as written on a letter."""
        return f"{self.outward} {self.inward}"

    @property
    def district(self) -> str:
        """The outward code: a district of a few thousand addresses, not a person."""
        return self.outward


def parse_postcode(text: str) -> Postcode | None:
    """The postcode in `text` (any case and spacing), or None if it is not a UK postcode."""
    compact = re.sub(r"\s+", "", text.upper())
    if len(compact) > 7:
        return None
    match = _POSTCODE.match(compact)
    if match is None:
        return None
    return Postcode(match.group(1), match.group(2))
