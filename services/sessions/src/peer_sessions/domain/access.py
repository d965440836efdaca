"""Who may see and change which pairing: a mentor only their own; a coordinator all of them."""

from __future__ import annotations

import hashlib
import re

from peer_shared.auth.tokens import Principal, Role
from peer_shared.refusals import NotAllowed

_MENTOR_ID = re.compile(r"^mnt_[0-9a-f]{32}$")
_STAFF_ID = re.compile(r"^usr_[0-9a-f]{32}$")


def mentor_of(principal: Principal) -> str | None:
    """The mentor id a mentor's token acts as (its subject); None for staff, who see every pairing."""
    if principal.role is not Role.MENTOR:
        return None
    if not _MENTOR_ID.fullmatch(principal.subject):
        raise NotAllowed("mentor-subject-invalid", "a mentor token's subject must be the mentor id (mnt_...)")
    return principal.subject


def require_pairing_access(principal: Principal, *, pairing_id: str, mentor_id: str) -> None:
    """Refuse a mentor acting on a pairing that is not theirs."""
    acting_as = mentor_of(principal)
    if acting_as is not None and acting_as != mentor_id:
        raise NotAllowed("not-your-pairing", f"pairing {pairing_id} belongs to another mentor")


def staff_id_of(principal: Principal) -> str:
    """The staff account id (`usr_...`) recorded on a coordinator's acknowledgement.

    A token whose subject is already a staff id is used as is; any other subject (an operator's login
    name) is turned into a stable pseudonym, so the published event never carries a name.
    """
    if _STAFF_ID.fullmatch(principal.subject):
        return principal.subject
    digest = hashlib.sha256(f"peer-support-staff:{principal.subject}".encode()).hexdigest()
    return f"usr_{digest[:32]}"
