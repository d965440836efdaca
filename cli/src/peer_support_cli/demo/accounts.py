"""The demo's web console accounts: one coordinator, one commissioner and one of the cohort's mentors,
each with a password made up for this run (shown only when the demo keeps running)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from peer_console.commands import add_account
from peer_shared.auth.tokens import Role
from peer_support_cli.demo.client import Api
from peer_support_cli.demo.state import COORDINATOR, State

PASSWORD_WORDS = 4


@dataclass(frozen=True)
class DemoAccount:
    """A console account the demo made, with its password."""

    username: str
    name: str
    role: Role
    password: str
    mentor_id: str | None = None


def new_password() -> str:
    """A random password of the console's length (12+), easy to type: four groups of five characters."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(PASSWORD_WORDS))


async def create_accounts(database_url: str, api: Api, state: State) -> list[DemoAccount]:
    """Add the demo's accounts to the console's database; the mentor is the one who supported the first
    mentee the scenario paired (the same person for a given seed)."""
    key = min(state.pairings)
    mentor_id = state.pairings[key][1]
    mentor = await api.json("matching", "GET", f"/mentors/{mentor_id}", **COORDINATOR)
    mentor_name = (mentor.get("contact") or {}).get("full_name") or "Demo mentor"
    accounts = [
        DemoAccount("coordinator", "Demo Coordinator", Role.COORDINATOR, new_password()),
        DemoAccount("commissioner", "Demo Commissioner", Role.COMMISSIONER, new_password()),
        DemoAccount("mentor", mentor_name, Role.MENTOR, new_password(), mentor_id),
    ]
    for account in accounts:
        await add_account(
            database_url, account.username, account.name, account.role, account.password, account.mentor_id
        )
    return accounts
