"""Regional subscriber tenancy on NATS: one account per subscriber, holding mirrors of the public streams.

Pure: a subscriber's name and passwords in, NATS configuration text and JetStream stream configs out. The
operator command (commands/subscribers.py) writes the text and creates the mirrors; a test proves the
isolation on the real server (tests/test_subscriber_tenancy.py).

Why accounts and mirrors: a subscriber that consumes the PEER account's streams directly shares its subject
space with the services, so whatever consumers it may create (a push consumer delivers into that space,
where the services' streams capture `peer.>`) and whichever consumers it may touch are the services' and the
other subscribers' too. In an account of its own, `SUB_<NAME>`, the subscriber sees only its mirrors; a mirror
has no subjects (nothing published can land in it) and is filled by the server through a consumer the
server creates in PEER over an imported consumer-create API, delivering on `deliver.SUB_<NAME>.>` (outside
`peer.>`), which PEER exports to that account only. The subscriber's user is denied that imported API, and
stream changes, so the only consumers it can create are its own, on its own mirrors, within the account's
JetStream limits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nats.js.api import (
    DiscardPolicy,
    ExternalStream,
    RetentionPolicy,
    StorageType,
    StreamConfig,
    StreamSource,
)

from peer_events.streams import DEFAULT_MAX_BYTES, PRODUCERS, public_stream

PEER_ACCOUNT = "PEER"
MIRRORED_STREAMS: tuple[str, ...] = tuple(public_stream(producer).name for producer in PRODUCERS)
"""The public streams a subscriber account mirrors, under the same names (never an INTERNAL_ stream)."""
PEER_API_PREFIX = "$JS.PEER.API"
"""Where a subscriber account sees PEER's consumer-create API: only the server's mirrors use it."""
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]{0,31}$")


@dataclass(frozen=True)
class SubscriberLimits:
    """What one subscriber account may hold (its JetStream account limits)."""

    max_consumers: int = 10
    """Consumers on each mirror: NATS counts an account's consumer limit per stream."""
    max_ack_pending: int = 1000
    """Unacknowledged deliveries a consumer may have outstanding."""
    mirror_max_bytes: int = DEFAULT_MAX_BYTES
    """Each mirror's size; a mirror is as big as its source so it keeps every event."""

    @property
    def max_file(self) -> int:
        """The account's file storage: its mirrors and nothing else."""
        return self.mirror_max_bytes * len(MIRRORED_STREAMS)


@dataclass(frozen=True)
class Subscriber:
    """A regional subscriber: its name and the passwords of its two users."""

    name: str
    password: str
    """The subscriber's own user, handed to the subscriber."""
    admin_password: str
    """The operator's user in the subscriber account, which creates and deletes the mirrors."""

    def __post_init__(self) -> None:
        if not NAME_PATTERN.fullmatch(self.name):
            raise ValueError(
                f"subscriber name {self.name!r}: lower-case letters and digits, starting with a letter, "
                "at most 32"
            )

    @property
    def account(self) -> str:
        """The subscriber's NATS account, e.g. `SUB_ACME`."""
        return f"SUB_{self.name.upper()}"

    @property
    def user(self) -> str:
        """The subscriber's user name (users are global in a NATS config, hence the prefix)."""
        return f"sub-{self.name}"

    @property
    def admin_user(self) -> str:
        """The operator's user name in the subscriber account."""
        return f"sub-{self.name}-admin"

    @property
    def deliver_prefix(self) -> str:
        """Where PEER delivers this account's mirror traffic: outside `peer.>`, named by the account."""
        return f"deliver.{self.account}"


def inbox_prefix(user: str) -> str:
    """The inbox prefix a user must connect with (nats.connect(..., inbox_prefix=...))."""
    return f"_INBOX_{user}"


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(json.dumps(value) for value in values)


def subscriber_publish_allow() -> list[str]:
    """What a subscriber's user may publish: JetStream API calls on its own account's mirrors only.

    Consumers on a mirror are created with a name (CREATE.<stream>.<name>[.<filter>]) or a durable name
    (DURABLE.CREATE); info, list, pull, ack and delete are on that stream only. No stream create, update,
    delete or purge, no message get, and no publish outside the API.
    """
    allowed = ["$JS.API.INFO", "$JS.API.STREAM.NAMES"]
    for stream in MIRRORED_STREAMS:
        allowed += [
            f"$JS.API.STREAM.INFO.{stream}",
            f"$JS.API.CONSUMER.CREATE.{stream}.>",
            f"$JS.API.CONSUMER.DURABLE.CREATE.{stream}.*",
            f"$JS.API.CONSUMER.INFO.{stream}.*",
            f"$JS.API.CONSUMER.NAMES.{stream}",
            f"$JS.API.CONSUMER.LIST.{stream}",
            f"$JS.API.CONSUMER.MSG.NEXT.{stream}.*",
            f"$JS.API.CONSUMER.DELETE.{stream}.*",
            f"$JS.ACK.{stream}.>",
        ]
    return allowed


def _user_entry(user: str, password: str, allow: Sequence[str], deny: Sequence[str]) -> str:
    """A user of a subscriber account, receiving on its own inbox prefix only."""
    return f"""{{user: {json.dumps(user)}, password: {json.dumps(password)}, permissions: {{
        publish: {{allow: [{_quoted(allow)}],
                  deny: [{_quoted(deny)}]}}
        subscribe: {{allow: [{json.dumps(inbox_prefix(user) + ".>")}]}}
      }}}}"""


def subscriber_account(subscriber: Subscriber, limits: SubscriberLimits) -> str:
    """The `SUB_<NAME> { ... }` entry of the accounts block."""
    imports = []
    for stream in MIRRORED_STREAMS:
        # The bare subject and the longer forms: the server's mirror consumer-create request takes one.
        for suffix in ("", ".>"):
            subject = f"$JS.API.CONSUMER.CREATE.{stream}{suffix}"
            mapped = f"{PEER_API_PREFIX}.CONSUMER.CREATE.{stream}{suffix}"
            imports.append(f'{{service: {{account: {PEER_ACCOUNT}, subject: "{subject}"}}, to: "{mapped}"}}')
    imports.append(f'{{stream: {{account: {PEER_ACCOUNT}, subject: "{subscriber.deliver_prefix}.>"}}}}')
    # Belt and braces: the allow list already leaves these out.
    denied = [f"{PEER_API_PREFIX}.>", "deliver.>"]
    imports_text = "\n      ".join(imports)
    return f"""{subscriber.account} {{
    jetstream: {{max_mem: 0, max_file: {limits.max_file}, max_streams: {len(MIRRORED_STREAMS)},
                max_consumers: {limits.max_consumers}, max_ack_pending: {limits.max_ack_pending}}}
    imports: [
      {imports_text}
    ]
    users: [
      {_user_entry(subscriber.user, subscriber.password, subscriber_publish_allow(), denied)}
      {_user_entry(subscriber.admin_user, subscriber.admin_password, ["$JS.API.>"], denied)}
    ]
  }}"""


def peer_exports(subscribers: Sequence[Subscriber]) -> str:
    """The `exports: [...]` of the PEER account: for each subscriber account, and to it only, the
    consumer-create API of the public streams and its own deliver subjects. Empty without subscribers."""
    if not subscribers:
        return ""
    accounts = f"[{', '.join(s.account for s in subscribers)}]"
    exports = [
        f'{{service: "$JS.API.CONSUMER.CREATE.{stream}{suffix}", accounts: {accounts}}}'
        for stream in MIRRORED_STREAMS
        for suffix in ("", ".>")
    ]
    exports += [f'{{stream: "{s.deliver_prefix}.>", accounts: [{s.account}]}}' for s in subscribers]
    return "exports: [\n      " + "\n      ".join(exports) + "\n    ]"


def accounts_config(
    subscribers: Sequence[Subscriber], *, peer_include: str, limits: SubscriberLimits = SubscriberLimits()
) -> str:
    """The whole accounts section: SYS, PEER (its users and JetStream from `peer_include`, a path relative
    to the file this text is written to, as NATS resolves includes) with the exports, and the subscribers."""
    names = [s.name for s in subscribers]
    if len(set(names)) != len(names):
        raise ValueError("subscriber names must be unique")
    entries = "\n  ".join(subscriber_account(s, limits) for s in subscribers)
    return f"""# Generated by `peer-support subscribers`; edits are overwritten.
system_account: SYS

accounts {{
  SYS {{}}
  {PEER_ACCOUNT} {{
    include {json.dumps(peer_include)}
    {peer_exports(subscribers)}
  }}
  {entries}
}}
"""


def mirror_configs(
    subscriber: Subscriber, limits: SubscriberLimits = SubscriberLimits()
) -> list[StreamConfig]:
    """The mirrors the operator creates in the subscriber's account, one per public stream."""
    return [
        StreamConfig(
            name=stream,
            description=f"Mirror of {PEER_ACCOUNT}'s {stream} for subscriber {subscriber.name}",
            storage=StorageType.FILE,
            retention=RetentionPolicy.LIMITS,
            discard=DiscardPolicy.NEW,
            max_bytes=limits.mirror_max_bytes,
            max_age=0,
            max_msgs=-1,
            mirror=StreamSource(
                name=stream,
                external=ExternalStream(api=PEER_API_PREFIX, deliver=subscriber.deliver_prefix),
            ),
        )
        for stream in MIRRORED_STREAMS
    ]
