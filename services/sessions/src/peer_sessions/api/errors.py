"""How the sessions API documents its refusals (answered as problem details by the shared handlers)."""

from __future__ import annotations

from typing import Any

from peer_shared.http.problems import problem_responses

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = problem_responses(
    403,
    404,
    409,
    422,
    s403="Not allowed (for example another mentor's pairing); `code` says why",
    s404="Unknown pairing, session, goal or concern",
    s409="Clashes with the current state (pairing not active, overlapping session)",
    s422="Breaks a rule about the request's content (duration, date, confidence)",
)
