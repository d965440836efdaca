"""The groups service's own settings, for routes that apply a programme's rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from peer_groups.settings import GroupsSettings
from peer_shared.http.dependencies import Runtime


async def groups_settings(runtime: Runtime) -> GroupsSettings:
    """The settings the app was built with."""
    settings = runtime.settings
    assert isinstance(settings, GroupsSettings), "the groups app runs on GroupsSettings"
    return settings


Settings = Annotated[GroupsSettings, Depends(groups_settings)]
