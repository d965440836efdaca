"""`peer-support events tail` on the real server: filters by condition and type, prints readably."""

from __future__ import annotations

import pytest
from nats.js import JetStreamContext

from peer_events.subjects import subject_for
from peer_shared.messaging.outbox import headers_of
from peer_support_cli.commands.events import subject_filter, tail
from peer_support_cli.embedded import Infrastructure
from peer_testkit.journeys import rejection

pytestmark = pytest.mark.integration


async def test_tail_prints_only_the_chosen_condition_and_type(
    infra: Infrastructure, js: JetStreamContext, condition: str
) -> None:
    mine, other = rejection(condition), rejection(condition + "x")
    for event in (other, mine):
        await js.publish(subject_for(event), event.model_dump_json().encode(), headers=headers_of(event))
    user, password = infra.nats_credentials["operator"]
    lines: list[str] = []
    shown = await tail(
        infra.nats_url,
        user,
        password,
        subject_filter(condition, "referral-rejected", include_internal=False),
        from_start=True,
        limit=1,
        emit=lines.append,
    )
    assert shown == 1
    [line] = lines
    assert "referrals.referral-rejected.v1" in line
    assert f"referral_id={mine.data.referral_id}" in line
    assert other.data.referral_id not in line


def test_filters_cover_internal_subjects_only_when_asked() -> None:
    assert subject_filter("t2d", None, include_internal=False) == ["peer.t2d.>"]
    assert subject_filter("*", "session-logged", include_internal=True) == [
        "peer.*.*.session-logged.>",
        "internal.*.*.session-logged.>",
    ]
