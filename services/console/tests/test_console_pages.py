"""The console's templates rendered on their own (no server): what a page links to."""

from __future__ import annotations

from types import SimpleNamespace

from peer_console.pages.web import TEMPLATES

PAIRING_ID = "pai_" + "f6" * 16
MENTOR_ID = "mnt_" + "c3" * 16


def test_the_quiet_pairings_on_the_coordinator_home_link_to_their_pairing_page() -> None:
    pairing = {
        "id": PAIRING_ID,
        "mentor_id": MENTOR_ID,
        "referral_id": "ref_" + "d4" * 16,
        "activity": {"last_contact": None},
    }
    unavailable = (None, "down")
    html = TEMPLATES.env.get_template("coordinator_home.html").render(
        request=SimpleNamespace(query_params={}),
        concerns=unavailable,
        group_concerns=unavailable,
        follow_ups=unavailable,
        referrals=unavailable,
        waitlist=unavailable,
        proposals=unavailable,
        checks=unavailable,
        quiet=({"items": [pairing]}, None),
        quiet_days=14,
        dead_letters={},
        actions=[],
        csrf_token="t",
    )
    assert f'<a href="/coordinator/pairings/{PAIRING_ID}">Pairing {PAIRING_ID}</a>' in html
