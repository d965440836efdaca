"""Breaking changes between the released event contracts and the ones about to ship.

`docs/schemas/released/` is a snapshot of the schemas (and the AsyncAPI document) of the last release.
`python -m peer_events.compat` compares `docs/schemas/` against it and exits 1 listing each
breaking change with its event type and JSON path; `--release` refreshes the snapshot when a release ships.

The rule (docs/events.md, "Versioning and compatibility"): within a major version changes are additive, so
every event valid under the released schema must stay valid under the new one, no field may disappear and
the subject stays put. Anything else is a new `...v2` type published alongside the old, so the old file
stays too. Descriptions, titles, defaults and `$id`s are documentation and never break.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peer_events.envelope import TYPE_PREFIX
from peer_events.export import ASYNCAPI_PATH, REPO_ROOT, SCHEMA_DIR

RELEASED_DIR = SCHEMA_DIR / "released"
Schema = dict[str, Any]
Change = tuple[str, str]
"""Where in the event (a JSON path) and what changed there."""

# A new value may only loosen these: upper bounds may grow, lower bounds shrink; absent means unbounded.
UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
# Any new or changed value may reject what was valid (proving one regex accepts all another did is beyond
# this check); a `$ref` still present after resolution points outside the file and cannot be followed.
EXACT = ("pattern", "format", "multipleOf", "$ref")
VERSIONED = re.compile(r"(?P<name>.+)\.v(?P<major>[0-9]+)(?P<suffix>\..+)?")


@dataclass(frozen=True)
class Break:
    """One breaking change: the event type (schema file), where in the event, and what changed."""

    event_type: str
    path: str
    change: str

    def __str__(self) -> str:
        return f"{self.event_type}: {self.path}: {self.change}"


def load_schemas(folder: Path) -> dict[str, Schema]:
    """The event schemas in `folder`, by file name without `.json` (the event type, `.data` for payloads)."""
    files = sorted(folder.glob(f"{TYPE_PREFIX}.*.json"))
    return {path.name.removesuffix(".json"): json.loads(path.read_text(encoding="utf-8")) for path in files}


def breaking_changes(released: Mapping[str, Schema], current: Mapping[str, Schema]) -> list[Break]:
    """Every breaking change from the `released` schemas to the `current` ones (both by event type)."""
    breaks = [_removed(event_type, current) for event_type in sorted(released) if event_type not in current]
    for event_type in sorted(released.keys() & current.keys()):
        breaks += schema_breaks(event_type, released[event_type], current[event_type])
    return breaks


def schema_breaks(event_type: str, released: Schema, current: Schema) -> list[Break]:
    """What the `current` schema of one event type breaks of its `released` one."""
    walk = _Walk(released, current)
    return [
        Break(event_type, path, change) for path, change in walk.node(released, current, "$", frozenset())
    ]


def subject_breaks(released: Schema, current: Schema) -> list[Break]:
    """Event types whose NATS subject (the AsyncAPI channel address) changed between two documents."""
    old, new = _addresses(released), _addresses(current)
    return [
        Break(event_type, "NATS subject", f"changed from {old[event_type]} to {new[event_type]}")
        for event_type in sorted(old.keys() & new.keys())
        if old[event_type] != new[event_type]
    ]


def check(root: Path) -> list[Break]:
    """The breaking changes from the released snapshot under `root` to the contracts in its working tree."""
    released = root / RELEASED_DIR
    breaks = breaking_changes(load_schemas(released), load_schemas(root / SCHEMA_DIR))
    return breaks + subject_breaks(_document(released / ASYNCAPI_PATH.name), _document(root / ASYNCAPI_PATH))


def release(root: Path) -> list[Path]:
    """Make the current contracts the released snapshot (retired ones leave it); return what changed."""
    target = root / RELEASED_DIR
    target.mkdir(parents=True, exist_ok=True)
    sources = [*sorted((root / SCHEMA_DIR).glob(f"{TYPE_PREFIX}.*.json")), root / ASYNCAPI_PATH]
    names = {source.name for source in sources}
    changed = []
    for retired in sorted(target.glob("*.json")):
        if retired.name not in names:
            retired.unlink()
            changed.append(retired.relative_to(root))
    for source in sources:
        copy = target / source.name
        if not copy.exists() or copy.read_bytes() != source.read_bytes():
            shutil.copyfile(source, copy)
            changed.append(copy.relative_to(root))
    return changed


def main(argv: list[str] | None = None) -> int:
    """Command line: report breaking changes and exit 1, or with `--release` refresh the snapshot."""
    parser = argparse.ArgumentParser(prog="python -m peer_events.compat")
    parser.add_argument("--release", action="store_true", help="snapshot the current contracts as released")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root")
    args = parser.parse_args(argv)
    if args.release:
        for path in release(args.root):
            print(f"released {path}")
        return 0
    if not (args.root / RELEASED_DIR).is_dir():
        # Without a baseline everything would look compatible: fail loudly instead.
        print(f"no released snapshot at {RELEASED_DIR}; run with --release", file=sys.stderr)
        return 2
    breaks = check(args.root)
    for found in breaks:
        print(f"breaking: {found}", file=sys.stderr)
    if breaks:
        print(
            "publish a breaking change as a new event version alongside the old (docs/events.md)",
            file=sys.stderr,
        )
        return 1
    print(f"compatible with {RELEASED_DIR}")
    return 0


class _Walk:
    """Walks a released schema and its successor side by side, yielding what the successor breaks."""

    def __init__(self, released_root: Schema, current_root: Schema) -> None:
        self.roots = (released_root, current_root)

    def node(self, old: Schema, new: Schema, path: str, seen: frozenset[tuple[str, str]]) -> Iterator[Change]:
        """What `new` breaks of `old`, the schemas of the value at `path` (either may use anyOf/`$ref`)."""
        # Each alternative the released schema accepted must still be accepted by one alternative now.
        candidates = _branches(new, self.roots[1])
        for branch, ref in _branches(old, self.roots[0]):
            attempts = [
                (
                    not _overlapping(branch, other),
                    list(self.branch(branch, other, path, seen, (ref, other_ref))),
                )
                for other, other_ref in candidates
            ]
            if all(changes for _, changes in attempts):
                # Report against the likeliest successor: one of the same type, with the fewest changes.
                yield from min(attempts, key=lambda attempt: (attempt[0], len(attempt[1])))[1]

    def branch(
        self, old: Schema, new: Schema, path: str, seen: frozenset[tuple[str, str]], refs: tuple[str, str]
    ) -> Iterator[Change]:
        """What `new` breaks of `old`, two resolved alternatives of the value at `path`, and inside them."""
        if refs in seen and all(refs):
            return  # a recursive model: this pair of definitions is already being compared further up
        seen = seen | {refs}
        yield from ((path, change) for change in _narrowed(old, new))
        old_properties, new_properties = old.get("properties", {}), new.get("properties", {})
        for name, prop in old_properties.items():
            if name not in new_properties:
                yield f"{path}.{name}", "property removed (or renamed)"
            else:
                yield from self.node(prop, new_properties[name], f"{path}.{name}", seen)
        for name in [n for n in new.get("required", []) if n not in old.get("required", [])]:
            yield f"{path}.{name}", "became required" if name in old_properties else "new required property"
        extra_old, extra_new = old.get("additionalProperties"), new.get("additionalProperties")
        if extra_new is False and extra_old is not False:
            yield path, "additionalProperties: false added"
        elif isinstance(extra_new, dict):
            yield from self.node(
                extra_old if isinstance(extra_old, dict) else {}, extra_new, f"{path}.*", seen
            )
        if "items" in old or "items" in new:
            yield from self.node(old.get("items", {}), new.get("items", {}), f"{path}[*]", seen)


def _narrowed(old: Schema, new: Schema) -> Iterator[str]:
    """The keyword-level narrowings of one value's schema (not looking inside objects or arrays)."""
    old_types, new_types = _types(old), _types(new)
    if new_types is not None:
        # An integer is a number, so `integer` widened to `number` loses nothing.
        lost = (old_types or {"any"}) - new_types - ({"integer"} if "number" in new_types else set())
        if lost:
            yield f"type narrowed to {sorted(new_types)}: no longer {sorted(lost)}"
        if not _overlapping(old, new):
            return  # limits of another type say nothing about this one
    old_values, new_values = _values(old), _values(new)
    if new_values is not None:
        keyword = "const" if "const" in new else "enum"
        lost_values = [value for value in (old_values or []) if value not in new_values]
        if old_values is None:
            yield f"{keyword} added: only {new_values}"
        elif "const" in old and "const" in new and lost_values:
            yield f"const changed from {old['const']!r} to {new['const']!r}"
        elif lost_values:
            yield f"{keyword} values removed: {lost_values}"
    for keyword in UPPER_BOUNDS + LOWER_BOUNDS:
        if keyword not in new:
            continue
        if keyword not in old:
            yield f"{keyword} added: {new[keyword]}"
        elif new[keyword] < old[keyword] if keyword in UPPER_BOUNDS else new[keyword] > old[keyword]:
            yield f"{keyword} tightened from {old[keyword]} to {new[keyword]}"
    for keyword in EXACT:
        if keyword in new and old.get(keyword) != new[keyword]:
            yield f"{keyword} changed from {old.get(keyword)!r} to {new[keyword]!r}"
    if new.get("uniqueItems") is True and old.get("uniqueItems") is not True:
        yield "uniqueItems added"


def _branches(schema: Schema, root: Schema) -> list[tuple[Schema, str]]:
    """The alternatives a schema accepts (one unless anyOf/oneOf), `$ref`s followed, with the last ref."""
    schema, ref = _resolve(schema, root)
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if not alternatives:
        return [(schema, ref)]
    # Keywords beside anyOf apply to every alternative (pydantic puts only annotations there).
    shared = {key: value for key, value in schema.items() if key not in ("anyOf", "oneOf")}
    return [branch for alternative in alternatives for branch in _branches({**shared, **alternative}, root)]


def _resolve(schema: Schema, root: Schema) -> tuple[Schema, str]:
    ref = ""
    while isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#/"):
        ref = schema["$ref"]
        target: Any = root
        for token in ref[2:].split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        # Keywords beside a `$ref` (pydantic adds the field's description) apply alongside the target's.
        schema = {**target, **{key: value for key, value in schema.items() if key != "$ref"}}
    return schema, ref


def _types(schema: Schema) -> set[str] | None:
    declared = schema.get("type")
    return None if declared is None else {declared} if isinstance(declared, str) else set(declared)


def _values(schema: Schema) -> list[Any] | None:
    return [schema["const"]] if "const" in schema else schema.get("enum")


def _overlapping(old: Schema, new: Schema) -> bool:
    old_types, new_types = _types(old), _types(new)
    return old_types is None or new_types is None or bool(old_types & new_types)


def _removed(event_type: str, current: Mapping[str, Schema]) -> Break:
    family, major = _version(event_type)
    newer = sorted(other for other in current if _version(other)[0] == family and _version(other)[1] > major)
    alongside = f"; {', '.join(newer)} must be published alongside it, not instead" if newer else ""
    return Break(event_type, "$", f"schema file removed{alongside}")


def _version(event_type: str) -> tuple[tuple[str, str], int]:
    # `<name>.v<major>` or `<name>.v<major>.data`: the family is the name and the suffix.
    found = VERSIONED.fullmatch(event_type)
    return ((found["name"], found["suffix"]), int(found["major"])) if found else ((event_type, ""), 0)


def _addresses(asyncapi: Schema) -> dict[str, str]:
    return {key: channel["address"] for key, channel in asyncapi.get("channels", {}).items()}


def _document(path: Path) -> Schema:
    # A missing AsyncAPI document has no channels to compare; the export's drift check catches it.
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


if __name__ == "__main__":
    raise SystemExit(main())
