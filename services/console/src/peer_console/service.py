"""The web console's descriptor: a process with a database of its own (accounts) and no bus."""

from __future__ import annotations

from peer_console.app import create_app
from peer_console.settings import ConsoleSettings
from peer_console.store import MIGRATIONS
from peer_shared.service import ServiceDescriptor

SERVICE = ServiceDescriptor(
    name="console",
    module="peer_console",
    settings=ConsoleSettings,
    create_app=create_app,
    migrations=MIGRATIONS,
)
