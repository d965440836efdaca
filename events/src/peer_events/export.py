"""Generate the published contract documents from the event models.

`python -m peer_events.export` writes two JSON Schemas per event type: the whole CloudEvent with
that payload, `docs/schemas/<event type>.json`, and its `data` alone, `docs/schemas/<event type>.data.json`,
the schema an event's `dataschema` names (CloudEvents: `dataschema` describes `data`, not the envelope). It
also writes the AsyncAPI 3.0 document `docs/asyncapi.json`; `--check` writes nothing and exits 1 listing
the files that differ from the models, so CI catches a contract changed without its documents (or the
reverse).
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from peer_events.envelope import SOURCE_PREFIX, CloudEvent, EventData, EventType
from peer_events.programmes import KNOWN_CONDITIONS
from peer_events.registry import EVENT_TYPES
from peer_events.streams import ALL_STREAMS, StreamSpec
from peer_events.subjects import subject_of

REPO_ROOT = Path(__file__).resolve().parents[3]
SCHEMA_DIR = Path("docs/schemas")
ASYNCAPI_PATH = Path("docs/asyncapi.json")
DIALECT = "https://json-schema.org/draft/2020-12/schema"
CONTENT_TYPE = "application/cloudevents+json"
COMPONENT_REF = "#/components/schemas/{model}"
NATS_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "Sent with every event (`peer_shared.messaging.outbox.headers_of`). The message is in "
    "CloudEvents structured mode, as `content-type` says: the JSON body is the whole event and is "
    "authoritative; the `ce-` headers copy two of its attributes so a subscriber can route or filter "
    "without parsing it.",
    "properties": {
        "Nats-Msg-Id": {
            "type": "string",
            "format": "uuid",
            "description": "Equal to the CloudEvent `id`: JetStream de-duplicates on it.",
        },
        "content-type": {"const": CONTENT_TYPE, "description": "CloudEvents structured mode, JSON format."},
        "ce-type": {**TypeAdapter(EventType).json_schema(), "description": "Equal to the CloudEvent `type`."},
        "ce-correlationid": {
            "type": "string",
            "format": "uuid",
            "description": "Equal to the CloudEvent `correlationid` extension.",
        },
    },
    "required": ["Nats-Msg-Id"],
}
INFO_DESCRIPTION = (
    "Events of the NHS peer-support platform (referrals, matching, sessions, outcomes) on NATS "
    "JetStream, each a CloudEvents 1.0 structured-mode JSON message. Payloads carry pseudonymous ids "
    "and codes only, never direct patient identifiers. Compatible changes add optional fields; a "
    "breaking change is a new `type` version published alongside the old. Channels marked "
    "`x-internal: true` (subjects under `internal.`) are for the platform's own services only."
)


def event_types() -> list[type[EventData]]:
    """Every registered event type, in a stable order."""
    return sorted(EVENT_TYPES.values(), key=lambda data_type: data_type.event_type())


def event_schema(data_type: type[EventData]) -> dict[str, Any]:
    """The JSON Schema of a whole CloudEvent carrying `data_type` (its `data` included, self-contained)."""
    schema = CloudEvent[data_type].model_json_schema()  # type: ignore[valid-type]
    _describe_envelope(schema, data_type)
    return {"$schema": DIALECT, "$id": data_type.envelope_schema_uri(), **schema}


def data_schema(data_type: type[EventData]) -> dict[str, Any]:
    """The JSON Schema of `data_type` alone, identified by the URI events carry in `dataschema`."""
    return {"$schema": DIALECT, "$id": data_type.schema_uri(), **data_type.model_json_schema()}


def envelope_file(data_type: type[EventData]) -> Path:
    """Where the schema of the whole event is published, relative to the repository root."""
    return SCHEMA_DIR / f"{data_type.event_type()}.json"


def data_file(data_type: type[EventData]) -> Path:
    """Where the schema of `data` (the one `dataschema` names) is published, relative to the root."""
    return SCHEMA_DIR / f"{data_type.event_type()}.data.json"


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document: the NATS server, one channel, operation and message per event type."""
    types = event_types()
    envelopes: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (CloudEvent[t], "validation")  # type: ignore[valid-type]
        for t in types
    ]
    refs, definitions = models_json_schema(envelopes, ref_template=COMPONENT_REF)
    schemas: dict[str, Any] = {**definitions["$defs"], "NatsHeaders": NATS_HEADERS}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for data_type, envelope in zip(types, envelopes, strict=True):
        key = data_type.event_type()
        payload_ref = refs[envelope]["$ref"]
        _describe_envelope(schemas[payload_ref.rsplit("/", 1)[1]], data_type)
        messages[key] = _message(data_type, payload_ref)
        channels[key] = _channel(data_type)
        operations[f"{key}.send"] = _operation(data_type)
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Peer support platform events",
            "version": "1.0.0",
            "description": INFO_DESCRIPTION,
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "nats": {
                "host": "localhost:4222",
                "protocol": "nats",
                "description": "NATS with JetStream; the host differs per deployment. Regional "
                "subscribers may read `peer.>` only.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def stream_of(data_type: type[EventData]) -> StreamSpec:
    """The stream whose subjects take this event type's subject."""
    subject = subject_of(data_type, "any")
    matching = [s for s in ALL_STREAMS if any(_matches(f, subject) for f in s.subjects)]
    if len(matching) != 1:
        raise LookupError(f"{subject} is taken by {len(matching)} streams, not exactly one")
    return matching[0]


def rendered_files() -> dict[Path, str]:
    """Every generated file, by path relative to the repository root, with its exact contents."""
    files: dict[Path, str] = {}
    for data_type in event_types():
        files[envelope_file(data_type)] = _render(event_schema(data_type))
        files[data_file(data_type)] = _render(data_schema(data_type))
    files[ASYNCAPI_PATH] = _render(asyncapi_document())
    return files


def drift(root: Path) -> list[str]:
    """The generated files under `root` that are missing, differ from the models, or are left over."""
    expected = rendered_files()
    problems = [
        f"{path} ({'differs' if (root / path).exists() else 'missing'})"
        for path, text in expected.items()
        if not (root / path).exists() or (root / path).read_text(encoding="utf-8") != text
    ]
    problems += [f"{path} (stale)" for path in _stale(root, expected)]
    return problems


def write(root: Path) -> list[Path]:
    """Write every generated file under `root` and delete stale schemas; return what changed."""
    expected = rendered_files()
    changed = []
    for path, text in expected.items():
        target = root / path
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            changed.append(path)
    for path in _stale(root, expected):
        (root / path).unlink()
        changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    """Command line: write the documents, or with `--check` report drift and exit 1."""
    parser = argparse.ArgumentParser(prog="python -m peer_events.export")
    parser.add_argument("--check", action="store_true", help="report drift, write nothing")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root")
    args = parser.parse_args(argv)
    if args.check:
        problems = drift(args.root)
        for problem in problems:
            print(f"drifted: {problem}", file=sys.stderr)
        if problems:
            print("run: uv run python -m peer_events.export", file=sys.stderr)
        return 1 if problems else 0
    for path in write(args.root):
        print(f"wrote {path}")
    return 0


def _describe_envelope(schema: dict[str, Any], data_type: type[EventData]) -> None:
    # The generic envelope allows any type; this schema is for one, so pin what that one must say.
    schema["title"] = f"{data_type.__name__} event"
    schema["description"] = inspect.cleandoc(data_type.__doc__ or "")
    properties = schema["properties"]
    properties["type"]["const"] = data_type.event_type()
    properties["source"]["const"] = f"{SOURCE_PREFIX}/{data_type.producer}"
    properties["dataschema"]["const"] = data_type.schema_uri()


def _summary(data_type: type[EventData]) -> str:
    return inspect.cleandoc(data_type.__doc__ or "").splitlines()[0]


def _channel(data_type: type[EventData]) -> dict[str, Any]:
    stream = stream_of(data_type)
    return {
        "address": subject_of(data_type, "{condition}"),
        "title": data_type.__name__,
        "summary": _summary(data_type),
        "description": f"On JetStream stream `{stream.name}`: {stream.description}.",
        "parameters": {
            "condition": {
                "description": "The condition code, e.g. `t2d`; the list is open.",
                "examples": sorted(KNOWN_CONDITIONS),
            }
        },
        "messages": {data_type.__name__: {"$ref": f"#/components/messages/{data_type.event_type()}"}},
        "x-jetstream-stream": stream.name,
        "x-internal": data_type.internal,
    }


def _operation(data_type: type[EventData]) -> dict[str, Any]:
    key = data_type.event_type()
    return {
        "action": "send",
        "title": f"The {data_type.producer} service publishes {data_type.__name__}",
        "summary": _summary(data_type),
        "channel": {"$ref": f"#/channels/{key}"},
        "messages": [{"$ref": f"#/channels/{key}/messages/{data_type.__name__}"}],
        "tags": [{"name": data_type.producer}],
        "x-internal": data_type.internal,
    }


def _message(data_type: type[EventData], payload_ref: str) -> dict[str, Any]:
    return {
        "name": data_type.__name__,
        "title": data_type.__name__,
        "summary": _summary(data_type),
        "contentType": CONTENT_TYPE,
        "headers": {"$ref": "#/components/schemas/NatsHeaders"},
        "payload": {"$ref": payload_ref},
        "correlationId": {"location": "$message.payload#/correlationid"},
        "x-event-type": data_type.event_type(),
        # The payload above is the whole envelope, self-contained; these name the published files, the
        # data one by the `$id` every event of the type carries in `dataschema`.
        "x-dataschema": data_type.schema_uri(),
        "x-schema-files": {
            "envelope": _relative_to_document(envelope_file(data_type)),
            "data": _relative_to_document(data_file(data_type)),
        },
        "x-internal": data_type.internal,
    }


def _relative_to_document(path: Path) -> str:
    return path.relative_to(ASYNCAPI_PATH.parent).as_posix()


def _stale(root: Path, expected: dict[Path, str]) -> list[Path]:
    present = sorted(p.relative_to(root) for p in (root / SCHEMA_DIR).glob("*.json"))
    return [path for path in present if path not in expected]


def _matches(filter_subject: str, subject: str) -> bool:
    # NATS wildcards: `*` is exactly one token, a final `>` is one or more.
    pattern, tokens = filter_subject.split("."), subject.split(".")
    if pattern[-1] == ">":
        return len(tokens) >= len(pattern) and all(
            p in ("*", t) for p, t in zip(pattern[:-1], tokens, strict=False)
        )
    return len(tokens) == len(pattern) and all(p in ("*", t) for p, t in zip(pattern, tokens, strict=True))


def _render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
