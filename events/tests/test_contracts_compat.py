"""The compatibility check: today's contracts against the released snapshot, and each kind of change."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from peer_events.compat import (
    RELEASED_DIR,
    Break,
    breaking_changes,
    check,
    load_schemas,
    main,
    release,
    schema_breaks,
    subject_breaks,
)
from peer_events.export import ASYNCAPI_PATH, SCHEMA_DIR

ROOT = Path(__file__).resolve().parents[2]
SESSION_LOGGED = "uk.nhs.peer-support.sessions.session-logged.v1"
MEETING_LOGGED = "uk.nhs.peer-support.sessions.meeting-logged.v1"
GOAL_SET = "uk.nhs.peer-support.sessions.goal-set.v1"
RELEASED = load_schemas(ROOT / RELEASED_DIR)
Schema = dict[str, Any]


def _payload(schema: Schema) -> Schema:
    payload: Schema = schema["$defs"]["SessionLogged"]
    return payload


def _changed(change: Callable[[Schema], object]) -> list[Break]:
    """The breaks `change`, applied to a copy of the released `SessionLogged` schema, makes."""
    current = copy.deepcopy(RELEASED[SESSION_LOGGED])
    change(current)
    return schema_breaks(SESSION_LOGGED, RELEASED[SESSION_LOGGED], current)


def _add_optional_field(schema: Schema) -> None:
    _payload(schema)["properties"]["venue_kind"] = {"type": "string", "maxLength": 32}


def _add_required_field(schema: Schema) -> None:
    _add_optional_field(schema)
    _payload(schema)["required"].append("venue_kind")


def _widen_limits(schema: Schema) -> None:
    _payload(schema)["properties"]["mentor_id"]["maxLength"] = 64
    _payload(schema)["properties"]["revision"]["minimum"] = 0
    _payload(schema)["properties"]["topics"]["maxItems"] = 20


def _reword(schema: Schema) -> None:
    schema["description"] = "Reworded."
    schema["$id"] = "urn:peer-support:envelope:" + SESSION_LOGGED
    _payload(schema)["properties"]["mode"]["description"] = "Reworded too."


def _make_nullable(schema: Schema) -> None:
    # Optional[...] as pydantic spells it: the old type becomes one alternative of two.
    limits = _payload(schema)["properties"]["revision"]
    limits["anyOf"] = [{key: limits.pop(key) for key in ("type", "minimum", "maximum")}, {"type": "null"}]


COMPATIBLE: dict[str, Callable[[Schema], object]] = {
    "new optional field": _add_optional_field,
    "new enum value": lambda s: s["$defs"]["Attendance"]["enum"].append("rescheduled"),
    "widened limits": _widen_limits,
    "descriptions and $id": _reword,
    "dropped limit": lambda s: _payload(s)["properties"]["mentor_id"].pop("pattern"),
    "made nullable": _make_nullable,
}

BREAKING: dict[str, tuple[Callable[[Schema], object], list[tuple[str, str]]]] = {
    "removed field": (
        lambda s: _payload(s)["properties"].pop("goals_set"),
        [("$.data.goals_set", "property removed (or renamed)")],
    ),
    "new required field": (_add_required_field, [("$.data.venue_kind", "new required property")]),
    "optional field became required": (
        lambda s: _payload(s)["required"].append("goals_set"),
        [("$.data.goals_set", "became required")],
    ),
    "nullable no longer": (
        lambda s: _payload(s)["properties"].update(duration_minutes={"type": "integer", "minimum": 1}),
        [("$.data.duration_minutes", "type narrowed to ['integer']: no longer ['null']")],
    ),
    "narrowed type": (
        lambda s: _payload(s)["properties"]["session_date"].update(type="integer"),
        [("$.data.session_date", "type narrowed to ['integer']: no longer ['string']")],
    ),
    "maxLength tightened": (
        lambda s: _payload(s)["properties"]["mentor_id"].update(maxLength=20),
        [("$.data.mentor_id", "maxLength tightened from 36 to 20")],
    ),
    "maximum tightened inside anyOf": (
        lambda s: _payload(s)["properties"]["duration_minutes"]["anyOf"][0].update(maximum=120),
        [("$.data.duration_minutes", "maximum tightened from 240 to 120")],
    ),
    "enum value removed": (
        lambda s: s["$defs"]["Attendance"]["enum"].remove("cancelled-by-mentor"),
        [("$.data.attendance", "enum values removed: ['cancelled-by-mentor']")],
    ),
    "changed $defs referenced type": (
        lambda s: s["$defs"].update(Topic={"type": "integer"}),
        [("$.data.topics[*]", "type narrowed to ['integer']: no longer ['string']")],
    ),
    "pattern changed": (
        lambda s: _payload(s)["properties"]["session_id"].update(pattern="^ses_[0-9a-f]{16}$"),
        [("$.data.session_id", "pattern changed from '^ses_[0-9a-f]{32}$' to '^ses_[0-9a-f]{16}$'")],
    ),
    "format changed": (
        lambda s: _payload(s)["properties"]["session_date"].update(format="date-time"),
        [("$.data.session_date", "format changed from 'date' to 'date-time'")],
    ),
    "type name changed": (
        lambda s: s["properties"]["type"].update(const=MEETING_LOGGED),
        [
            (
                "$.type",
                f"const changed from '{SESSION_LOGGED}' to '{MEETING_LOGGED}'",
            )
        ],
    ),
    "closed to unknown fields": (
        lambda s: _payload(s).update(additionalProperties=False),
        [("$.data", "additionalProperties: false added")],
    ),
}


def test_todays_contracts_are_compatible_with_the_released_snapshot() -> None:
    assert len(RELEASED) >= 31
    assert check(ROOT) == []
    assert main(["--root", str(ROOT)]) == 0


@pytest.mark.parametrize("change", COMPATIBLE.values(), ids=COMPATIBLE.keys())
def test_compatible_changes_pass(change: Callable[[Schema], object]) -> None:
    assert _changed(change) == []


@pytest.mark.parametrize(("change", "expected"), BREAKING.values(), ids=BREAKING.keys())
def test_breaking_changes_are_reported_with_their_path(
    change: Callable[[Schema], object], expected: list[tuple[str, str]]
) -> None:
    assert _changed(change) == [Break(SESSION_LOGGED, path, what) for path, what in expected]


def test_a_new_version_beside_the_old_is_compatible_but_cannot_replace_it() -> None:
    v2 = GOAL_SET.replace(".v1", ".v2")
    alongside = {**RELEASED, v2: {"type": "object"}, f"{v2}.data": {"type": "object"}}
    assert breaking_changes(RELEASED, alongside) == []

    instead = {name: schema for name, schema in alongside.items() if name != GOAL_SET}
    assert breaking_changes(RELEASED, instead) == [
        Break(GOAL_SET, "$", f"schema file removed; {v2} must be published alongside it, not instead")
    ]


def test_a_changed_subject_breaks() -> None:
    released: Schema = json.loads((ROOT / RELEASED_DIR / "asyncapi.json").read_text(encoding="utf-8"))
    current = copy.deepcopy(released)
    current["channels"][GOAL_SET]["address"] = "internal.{condition}.sessions.goal-set.v1"
    assert subject_breaks(released, released) == []
    assert subject_breaks(released, current) == [
        Break(
            GOAL_SET,
            "NATS subject",
            "changed from peer.{condition}.sessions.goal-set.v1 to internal.{condition}.sessions.goal-set.v1",
        )
    ]


def test_the_command_lists_a_removed_schema_file_and_release_accepts_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / SCHEMA_DIR).mkdir(parents=True)
    for name in (f"{GOAL_SET}.json", f"{SESSION_LOGGED}.json", "asyncapi.json"):
        shutil.copyfile(ROOT / RELEASED_DIR / name, tmp_path / SCHEMA_DIR / name)
    shutil.move(tmp_path / SCHEMA_DIR / "asyncapi.json", tmp_path / ASYNCAPI_PATH)
    assert main(["--root", str(tmp_path)]) == 2  # no snapshot yet
    assert sorted(p.name for p in release(tmp_path)) == [
        "asyncapi.json",
        f"{GOAL_SET}.json",
        f"{SESSION_LOGGED}.json",
    ]
    assert main(["--root", str(tmp_path)]) == 0

    (tmp_path / SCHEMA_DIR / f"{GOAL_SET}.json").unlink()
    capsys.readouterr()
    assert main(["--root", str(tmp_path)]) == 1
    assert f"breaking: {GOAL_SET}: $: schema file removed\n" in capsys.readouterr().err

    # Retiring the old version at a release takes it out of the snapshot.
    assert release(tmp_path) == [RELEASED_DIR / f"{GOAL_SET}.json"]
    assert main(["--root", str(tmp_path)]) == 0
