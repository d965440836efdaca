"""Every event the outcomes service builds: `PamRecorded`, once per recorded revision of a PAM result."""

from __future__ import annotations

import uuid
from typing import cast

from peer_events.envelope import CloudEvent, EventData, new_event
from peer_events.events.outcomes import PamRecorded
from peer_outcomes.domain.pam import PamRecord
from peer_shared.clock import Clock


def pam_recorded(
    pam: PamRecord, *, clock: Clock, condition: str, programme: str, correlation_id: uuid.UUID | None
) -> CloudEvent[EventData]:
    """`PamRecorded` for a record's current revision, in its referral's condition, programme and thread."""
    result = pam.result
    event = new_event(
        PamRecorded(
            pam_id=pam.pam_id,
            referral_id=pam.referral_id,
            revision=pam.revision,
            timepoint=result.timepoint,
            follow_up_number=result.follow_up_number,
            assessed_on=result.assessed_on,
            score=result.score,
            level=result.level,
            level_derived=result.level_derived,
            cut_point_set=result.cut_point_set,
            tool_version=result.tool_version,
        ),
        clock=clock,
        condition=condition,
        programme=programme,
        subject=pam.referral_id,
        correlation_id=correlation_id,
    )
    # `emit` takes `CloudEvent[EventData]`; the generic envelope is invariant in its payload type.
    return cast("CloudEvent[EventData]", event)
