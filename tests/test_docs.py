"""The documentation operators and subscribers read keeps up with the code."""

from __future__ import annotations

from pathlib import Path

from peer_events import EVENT_TYPES
from peer_events.subjects import subject_of
from peer_shared.settings import ServiceSettings
from peer_support_cli.services import EVERYTHING

ROOT = Path(__file__).resolve().parent.parent


def test_every_public_event_is_in_the_catalogue() -> None:
    catalogue = (ROOT / "docs" / "events.md").read_text()
    missing = [
        name
        for name, data_type in EVENT_TYPES.items()
        if not data_type.internal and f"`{subject_of(data_type, '{condition}')}`" not in catalogue
    ]
    assert not missing, f"add to docs/events.md: {missing}"


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    settings_classes = [ServiceSettings, *(service.settings for service in EVERYTHING)]
    missing = sorted(
        {
            f"PEER_{name.upper()}"
            for cls in settings_classes
            for name in cls.model_fields
            if f"PEER_{name.upper()}" not in readme
        }
    )
    assert not missing, f"document in README.md's configuration table: {missing}"
