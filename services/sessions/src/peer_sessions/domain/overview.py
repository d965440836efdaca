"""What a coordinator sees of a pairing at a glance: how many sessions, how many attended, last contact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PairingActivity:
    """A pairing's sessions in numbers."""

    sessions: int
    attended: int
    last_contact: datetime | None
    """When the mentee and mentor last met (the latest session that took place)."""

    @property
    def attendance_rate(self) -> float | None:
        """Share of logged sessions the mentee attended; None before any session is logged."""
        if self.sessions == 0:
            return None
        return round(self.attended / self.sessions, 3)
