"""The published contract documents, as files: each event type's JSON Schemas and the AsyncAPI document.

Installed from a wheel they are package data (`peer_events/schemas/`, `peer_events/asyncapi.json`); in the
platform's own workspace they are the repository's `docs/` files, which `python -m peer_events.export`
generates from the models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent
_REPOSITORY_DOCS = _PACKAGE.parents[2] / "docs"


def _folder() -> tuple[Path, Path]:
    if (_PACKAGE / "schemas").is_dir():
        return _PACKAGE / "schemas", _PACKAGE / "asyncapi.json"
    return _REPOSITORY_DOCS / "schemas", _REPOSITORY_DOCS / "asyncapi.json"


def envelope_schema(event_type: str) -> dict[str, Any]:
    """The JSON Schema of a whole event of `event_type` (`uk.nhs.peer-support.<service>.<event>.v<N>`)."""
    schemas, _ = _folder()
    loaded: dict[str, Any] = json.loads((schemas / f"{event_type}.json").read_text(encoding="utf-8"))
    return loaded


def data_schema(event_type: str) -> dict[str, Any]:
    """The JSON Schema of an event's `data`: the schema its `dataschema` names."""
    schemas, _ = _folder()
    loaded: dict[str, Any] = json.loads((schemas / f"{event_type}.data.json").read_text(encoding="utf-8"))
    return loaded


def asyncapi() -> dict[str, Any]:
    """The AsyncAPI 3.0 document of every public channel and message."""
    _, document = _folder()
    loaded: dict[str, Any] = json.loads(document.read_text(encoding="utf-8"))
    return loaded
