"""Coded preferences a referrer may send: `kind:value` codes, the same in every feed.

`mentor-gender:female`, `language:pa`, `availability:tue-evening`, `contact-mode:phone`,
`experience:insulin`. The codes become the `MenteePreferences` value object that events carry.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import ValidationError

from peer_events.events.referrals import MenteePreferences

_FIELDS = {
    "language": "languages",
    "availability": "availability",
    "contact-mode": "contact_modes",
    "experience": "experience",
}


class PreferenceError(ValueError):
    """A preference code that is not in the published code lists."""


def parse_preferences(codes: Iterable[str]) -> MenteePreferences:
    """Build preferences from `kind:value` codes; raise `PreferenceError` naming the first bad one."""
    values: dict[str, list[str]] = {field: [] for field in _FIELDS.values()}
    gender: str | None = None
    for raw in codes:
        kind, _, value = raw.strip().partition(":")
        value = value.strip()
        if not value:
            raise PreferenceError(f"preference {raw!r} is not of the form kind:value")
        if kind == "mentor-gender":
            gender = value
        elif kind in _FIELDS:
            if value not in values[_FIELDS[kind]]:
                values[_FIELDS[kind]].append(value)
        else:
            known = ", ".join(["mentor-gender", *_FIELDS])
            raise PreferenceError(f"preference kind {kind!r} is not one of {known}")
    try:
        return MenteePreferences(preferred_mentor_gender=gender, **values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "preferences"
        raise PreferenceError(f"{field}: {first['msg']}") from None
