"""No direct patient identifier can travel on the bus.

Three guards: no field is named like an identifier; no string in any published schema is unconstrained
(free text is how names and notes leak); and identifier-shaped values (NHS numbers, emails, postcodes,
phone numbers) are refused by every constrained string field.
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable, Iterator
from inspect import isclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from peer_events import EVENT_TYPES, CloudEvent, EventData
from peer_events.export import ASYNCAPI_PATH, SCHEMA_DIR

ROOT = Path(__file__).resolve().parents[2]
IDENTIFIER_WORDS = {
    "name", "forename", "surname", "nhs", "dob", "birth", "address", "postcode", "phone", "telephone",
    "mobile", "email", "note", "notes", "comment", "comments", "text", "description",
}  # fmt: skip
ALLOWED_NAMES = {"postcode_district"}
SAFE_STRING_FORMATS = {"date", "date-time", "uuid"}

Wrap = Callable[[object], object]
Slot = tuple[str, TypeAdapter[Any], Wrap]


def _field_names(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    for name, field in model.model_fields.items():
        yield f"{prefix}{name}"
        for nested in _models_in(field.annotation):
            yield from _field_names(nested, f"{prefix}{name}.")


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isclass(annotation) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in get_args(annotation):
        yield from _models_in(arg)


def _string_slots(model: type[BaseModel], prefix: str = "") -> Iterator[Slot]:
    """Every string-typed place in a model, with a validator for its field and a way to put a value there."""
    for name, field in model.model_fields.items():
        field_type: Any = Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
        adapter: TypeAdapter[Any] = TypeAdapter(field_type)
        yield from _slots_in(field.annotation, f"{prefix}{name}", adapter, lambda value: value)


def _slots_in(annotation: Any, path: str, adapter: TypeAdapter[Any], wrap: Wrap) -> Iterator[Slot]:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        yield from _slots_in(args[0], path, adapter, wrap)
    elif origin in (Union, types.UnionType):
        for arg in args:
            yield from _slots_in(arg, path, adapter, wrap)
    elif origin in (list, tuple, set, frozenset):
        yield from _slots_in(args[0], f"{path}[]", adapter, lambda value: wrap([value]))
    elif isclass(annotation) and issubclass(annotation, BaseModel):
        # A nested model's fields are checked with the nested model's own validators.
        yield from _string_slots(annotation, f"{path}.")
    elif origin is Literal or (isclass(annotation) and issubclass(annotation, str)):
        yield path, adapter, wrap


def _all_slots() -> list[Slot]:
    envelope = [s for s in _string_slots(CloudEvent[EventData], "envelope.") if s[0] != "envelope.data"]
    return envelope + [
        slot for key in sorted(EVENT_TYPES) for slot in _string_slots(EVENT_TYPES[key], f"{key}:")
    ]


SLOTS = _all_slots()

NHS_NUMBERS = st.from_regex(r"\A[0-9]{10}\Z") | st.from_regex(r"\A[0-9]{3} [0-9]{3} [0-9]{4}\Z")
POSTCODES = st.from_regex(r"\A[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}\Z")
PHONES = st.from_regex(r"\A(\+44 ?|0)[1-9][0-9]{9}\Z")
IDENTIFIER_LIKE = NHS_NUMBERS | st.emails() | POSTCODES | PHONES


def _unconstrained_strings(node: object, path: str = "#") -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") == "string" and not (
            {"pattern", "enum", "const"} & node.keys() or node.get("format") in SAFE_STRING_FORMATS
        ):
            yield path
        for key, value in node.items():
            yield from _unconstrained_strings(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _unconstrained_strings(value, f"{path}/{index}")


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_no_field_is_named_like_a_direct_identifier(event_type: str) -> None:
    offending = [
        path
        for path in _field_names(EVENT_TYPES[event_type])
        if path.rsplit(".", 1)[-1] not in ALLOWED_NAMES
        and IDENTIFIER_WORDS & set(path.rsplit(".", 1)[-1].split("_"))
    ]
    assert offending == []


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_every_string_in_the_published_schema_is_constrained(event_type: str) -> None:
    schema = json.loads((ROOT / SCHEMA_DIR / f"{event_type}.json").read_text(encoding="utf-8"))
    assert list(_unconstrained_strings(schema)) == []


def test_every_string_in_the_asyncapi_payloads_is_constrained() -> None:
    document = json.loads((ROOT / ASYNCAPI_PATH).read_text(encoding="utf-8"))
    assert list(_unconstrained_strings(document["components"]["schemas"])) == []


def test_the_string_check_catches_free_text() -> None:
    free_text = {"properties": {"notes": {"type": "string", "maxLength": 500}}}
    assert list(_unconstrained_strings(free_text)) == ["#/properties/notes"]


def test_the_walk_finds_the_fields_it_guards() -> None:
    paths = {path for path, _, _ in SLOTS}
    assert "uk.nhs.peer-support.referrals.referral-received.v1:postcode_district" in paths
    assert "uk.nhs.peer-support.referrals.referral-received.v1:preferences.languages[]" in paths
    assert "uk.nhs.peer-support.matching.mentor-matched.v1:components[].component" in paths
    assert "envelope.subject" in paths


@pytest.mark.parametrize(("path", "adapter", "wrap"), SLOTS, ids=[slot[0] for slot in SLOTS])
@settings(max_examples=30, deadline=None)
@given(candidate=IDENTIFIER_LIKE)
def test_identifier_shaped_values_are_refused(
    path: str, adapter: TypeAdapter[Any], wrap: Wrap, candidate: str
) -> None:
    with pytest.raises(ValidationError):
        adapter.validate_python(wrap(candidate))


@pytest.mark.parametrize("value", ["SW1A 1AA", "SW1A1AA", "sw1a", "M1 1AE", "9434765919"])
def test_a_full_postcode_is_not_a_district(value: str) -> None:
    district = next(s for s in SLOTS if s[0].endswith("referral-received.v1:postcode_district"))
    with pytest.raises(ValidationError):
        district[1].validate_python(value)


@pytest.mark.parametrize("value", ["SW1A", "M1", "B33", "EC1A", "TS18"])
def test_postcode_districts_are_accepted(value: str) -> None:
    district = next(s for s in SLOTS if s[0].endswith("referral-received.v1:postcode_district"))
    assert district[1].validate_python(value) == value


def test_ods_codes_need_a_letter_so_an_nhs_number_is_refused() -> None:
    ods = next(s for s in SLOTS if s[0].endswith("referral-received.v1:referrer_ods_code"))
    assert [ods[1].validate_python(code) for code in ("A81001", "RX1", "00L")] == ["A81001", "RX1", "00L"]
    with pytest.raises(ValidationError):
        ods[1].validate_python("9434765919")
