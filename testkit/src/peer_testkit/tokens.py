"""Bearer tokens for tests, signed by the session's operator key on a chosen clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from peer_shared.auth.tokens import Role, issue_token, load_private_key
from peer_shared.clock import Clock, SystemClock
from peer_support_cli.embedded import Infrastructure
from peer_support_cli.embedded.service_config import OPERATOR_ISSUER

TOKEN_TTL = timedelta(hours=1)


@dataclass(frozen=True)
class TokenIssuer:
    """Issues operator tokens on `clock` (a service on a fixed clock must see them as valid now)."""

    infra: Infrastructure
    clock: Clock = field(default_factory=SystemClock)

    def issue(self, role: Role, subject: str = "tester", ttl: timedelta = TOKEN_TTL) -> str:
        """A bearer token for `role`."""
        key = load_private_key(self.infra.issuer_private_key_path)
        return issue_token(key, issuer=OPERATOR_ISSUER, role=role, subject=subject, ttl=ttl, clock=self.clock)

    def headers(self, role: Role, subject: str = "tester") -> dict[str, str]:
        """`Authorization` headers carrying a token for `role`."""
        return {"Authorization": f"Bearer {self.issue(role, subject)}"}
