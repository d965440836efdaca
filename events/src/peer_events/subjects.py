"""NATS subject naming: `peer.<condition>.<service>.<event>.v<major>`.

Public events live under `peer.`; internal ones (safeguarding) under `internal.`, on separate streams that
regional subscribers have no permission to read. A subscriber interested in one programme's condition
filters on `peer.t2d.>`; one interested in one event on `peer.*.referrals.referral-received.v1`.
"""

from __future__ import annotations

from typing import Any

from peer_events.envelope import CloudEvent, EventData

PUBLIC_ROOT = "peer"
INTERNAL_ROOT = "internal"


def subject_for(event: CloudEvent[Any]) -> str:
    """The subject an event is published on."""
    return subject_of(type(event.data), event.condition)


def subject_of(data_type: type[EventData], condition: str) -> str:
    """The subject for an event type and condition."""
    root = INTERNAL_ROOT if data_type.internal else PUBLIC_ROOT
    return f"{root}.{condition}.{data_type.producer}.{data_type.event_name}.v{data_type.version}"


def filter_for(data_type: type[EventData], condition: str = "*") -> str:
    """A consumer filter subject for one event type, across all conditions by default."""
    return subject_of(data_type, condition)
