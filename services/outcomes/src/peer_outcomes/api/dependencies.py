"""The request dependency the outcomes routes add to peer_shared's: the service's own settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from peer_outcomes.settings import OutcomesSettings
from peer_shared.http.dependencies import Runtime


async def outcomes_settings(runtime: Runtime) -> OutcomesSettings:
    """The running service's settings (cut points, localities, suppression threshold)."""
    assert isinstance(runtime.settings, OutcomesSettings)
    return runtime.settings


Settings = Annotated[OutcomesSettings, Depends(outcomes_settings)]
