"""The CloudEvents 1.0 envelope every event travels in (structured JSON mode).

`id` is unique per event and doubles as the idempotency key (`Nats-Msg-Id` on publish, the inbox key on
consume). Extensions: `correlationid` (the whole flow a referral started), `causationid` (the event that
caused this one), `condition` and `programme`. CloudEvents extension names are lower-case alphanumerics only.

`dataschema` names the schema of `data` alone, as CloudEvents defines it; the whole envelope has a schema
of its own, under another URN (`EventData.envelope_schema_uri`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, ClassVar, Generic, Literal, Protocol, TypeVar, cast

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints

from peer_events.programmes import ConditionCode, ProgrammeCode

TYPE_PREFIX = "uk.nhs.peer-support"
SOURCE_PREFIX = "/peer-support"
DATA_SCHEMA_PREFIX = "urn:peer-support:schema:"
ENVELOPE_SCHEMA_PREFIX = "urn:peer-support:envelope:"

EventType = Annotated[str, StringConstraints(pattern=r"^uk\.nhs\.peer-support\.[a-z-]+\.[a-z-]+\.v[0-9]+$")]
EventSource = Annotated[str, StringConstraints(pattern=r"^/peer-support/[a-z-]+$")]
SchemaUri = Annotated[
    str,
    StringConstraints(pattern=r"^urn:peer-support:schema:uk\.nhs\.peer-support\.[a-z-]+\.[a-z-]+\.v[0-9]+$"),
]
PseudonymousId = Annotated[str, StringConstraints(pattern=r"^[a-z]{3}_[0-9a-f]{32}$", max_length=36)]
"""A random, meaningless id with a three-letter kind prefix, e.g. `ref_...`, `mnt_...`, `pai_...`."""


class Clock(Protocol):
    """Anything that tells the current time, timezone-aware (`peer_shared.clock`'s clocks are such)."""

    def now(self) -> datetime: ...


class EventData(BaseModel):
    """Base of every event payload: frozen, closed, and tagged with where it lives."""

    # Field docstrings become the descriptions in the published JSON Schemas.
    model_config = ConfigDict(frozen=True, extra="ignore", use_attribute_docstrings=True)

    producer: ClassVar[str]
    """The producing service: `referrals`, `matching`, `sessions` or `outcomes`."""
    event_name: ClassVar[str]
    """Kebab-case event name, e.g. `referral-received`."""
    version: ClassVar[int] = 1
    """The contract's major version: a breaking change is a new version published alongside."""
    internal: ClassVar[bool] = False
    """Internal events (safeguarding) travel on their own stream, invisible to regional subscribers."""

    @classmethod
    def event_type(cls) -> str:
        """The CloudEvents `type`, e.g. `uk.nhs.peer-support.referrals.referral-received.v1`."""
        return f"{TYPE_PREFIX}.{cls.producer}.{cls.event_name}.v{cls.version}"

    @classmethod
    def schema_uri(cls) -> str:
        """The `dataschema` URI: the `$id` of the schema of `data`, `docs/schemas/<type>.data.json`.

        Unchanged since the first release (it used to be the envelope schema's `$id`), so every event
        already on the streams names the right schema.
        """
        return f"{DATA_SCHEMA_PREFIX}{cls.event_type()}"

    @classmethod
    def envelope_schema_uri(cls) -> str:
        """The `$id` of the schema of the whole event, `docs/schemas/<type>.json`."""
        return f"{ENVELOPE_SCHEMA_PREFIX}{cls.event_type()}"


DataT = TypeVar("DataT", bound=EventData)


class CloudEvent(BaseModel, Generic[DataT]):
    """A CloudEvents 1.0 structured-mode event carrying one `EventData` payload."""

    model_config = ConfigDict(frozen=True, extra="ignore", use_attribute_docstrings=True)

    specversion: Literal["1.0"] = "1.0"
    """CloudEvents specification version."""
    id: uuid.UUID
    """Unique per event; also the `Nats-Msg-Id` header, so consumers de-duplicate on it."""
    source: EventSource
    """The producing service, e.g. `/peer-support/referrals`."""
    type: EventType
    """The versioned event type, e.g. `uk.nhs.peer-support.referrals.referral-received.v1`."""
    time: AwareDatetime
    """When the event happened (timezone-aware; UTC)."""
    subject: PseudonymousId | None = None
    """The pseudonymous id of what the event is about, when there is one."""
    datacontenttype: Literal["application/json"] = "application/json"
    """Media type of `data`."""
    dataschema: SchemaUri
    """The `$id` of the JSON Schema of `data` alone (`docs/schemas/<type>.data.json`)."""
    correlationid: uuid.UUID
    """Shared by every event in one flow (a referral's whole journey)."""
    causationid: uuid.UUID | None = None
    """The `id` of the event that caused this one, if any."""
    condition: ConditionCode
    """The long-term condition the event concerns (also in the subject), e.g. `t2d`."""
    programme: ProgrammeCode
    """The peer-support programme, e.g. `t2d-one-to-one`."""
    data: DataT
    """The event payload."""


_ENVELOPES: dict[type[EventData], type[CloudEvent[Any]]] = {}


def envelope_for(data_type: type[EventData]) -> type[CloudEvent[Any]]:
    """`CloudEvent[data_type]`, built once per payload class and kept.

    Pydantic caches parametrised models only weakly: once nothing refers to one, the next garbage
    collection drops it and the next `CloudEvent[...]` builds the whole model class again (measured:
    about 4 % of the referrals service's CPU under load went on rebuilding it).
    """
    envelope = _ENVELOPES.get(data_type)
    if envelope is None:
        envelope = _ENVELOPES[data_type] = CloudEvent[data_type]  # type: ignore[valid-type]
    return envelope


def new_event(
    data: DataT,
    *,
    clock: Clock,
    condition: str,
    programme: str,
    subject: str | None = None,
    caused_by: CloudEvent[Any] | None = None,
    correlation_id: uuid.UUID | None = None,
) -> CloudEvent[DataT]:
    """Wrap a payload in its envelope.

    The correlation id is inherited from the causing event, so one referral's whole journey can be
    followed in the logs; a flow that starts here (a new referral) gets a fresh one.
    """
    if caused_by is not None:
        correlation_id = caused_by.correlationid
    # Parametrise by the payload's own class: `CloudEvent[EventData]` would serialise `data` as `{}`.
    envelope = cast("type[CloudEvent[DataT]]", envelope_for(type(data)))
    return envelope(
        id=uuid.uuid4(),
        source=f"{SOURCE_PREFIX}/{data.producer}",
        type=data.event_type(),
        time=clock.now(),
        subject=subject,
        dataschema=data.schema_uri(),
        correlationid=correlation_id or uuid.uuid4(),
        causationid=caused_by.id if caused_by is not None else None,
        condition=condition,
        programme=programme,
        data=data,
    )
