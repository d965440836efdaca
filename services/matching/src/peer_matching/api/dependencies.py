"""The request dependency the matching routes add to peer_shared's: the service's own settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from peer_matching.settings import MatchingSettings
from peer_shared.http.dependencies import Runtime


async def matching_settings(runtime: Runtime) -> MatchingSettings:
    """The running service's settings (programmes, check rules...)."""
    settings = runtime.settings
    if not isinstance(settings, MatchingSettings):
        raise TypeError(f"the matching routes run on MatchingSettings, not {type(settings).__name__}")
    return settings


Settings = Annotated[MatchingSettings, Depends(matching_settings)]
