"""A regional NHS service subscribing to the platform's public events, with plain nats-py.

It connects with the read-only `regional` identity, creates (or resumes) its own durable pull consumer on
one stream, de-duplicates on the CloudEvents `id` (delivery is at least once), acts on
`ReferralWithdrawn`, and acknowledges each event after handling it. Restarting resumes where it stopped;
`--consumer` with a new name replays the stream from the beginning.

    python examples/regional_subscriber.py --url nats://127.0.0.1:4222 --user regional --password ... \
        --stream PEER_REFERRALS --filter 'peer.t2d.>' --consumer acme-ics-referrals-v1 --seen seen.txt
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import FetchTimeoutError

WITHDRAWN = "uk.nhs.peer-support.referrals.referral-withdrawn.v1"


class SeenIds:
    """Event ids already handled, kept in a file so de-duplication survives restarts.

    A real subscriber would record the id in the same database transaction as its own change.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._ids = set(path.read_text().split()) if path.exists() else set()

    def __contains__(self, event_id: str) -> bool:
        return event_id in self._ids

    def add(self, event_id: str) -> None:
        self._ids.add(event_id)
        with self._path.open("a") as file:
            file.write(event_id + "\n")


async def subscribe(
    *,
    url: str,
    user: str,
    password: str,
    stream: str,
    filter_subject: str,
    consumer: str,
    seen: SeenIds,
    handle: Callable[[dict[str, object]], None],
    stop_when_idle: bool = False,
) -> int:
    """Consume events until cancelled (or until caught up, with `stop_when_idle`); returns how many."""
    # Replies and deliveries must come to this identity's own inbox prefix: the permissions let it
    # receive on `_INBOX_<user>.>` only, never on the shared `_INBOX.>` that other clients use.
    nc = await nats.connect(url, user=user, password=password, inbox_prefix=f"_INBOX_{user}")
    js = nc.jetstream()
    # The read-only identity may create named consumers with a filter under `peer.`; creating an
    # existing one with the same settings simply resumes it.
    config = ConsumerConfig(
        name=consumer,
        durable_name=consumer,
        filter_subject=filter_subject,
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=30,
        max_deliver=10,
    )
    await js.add_consumer(stream, config)
    subscription = await js.pull_subscribe_bind(consumer, stream=stream)
    handled = 0
    try:
        while True:
            try:
                messages = await subscription.fetch(100, timeout=2)
            except (TimeoutError, FetchTimeoutError):
                if stop_when_idle:
                    return handled
                continue
            for message in messages:
                event = json.loads(message.data)
                if str(event["id"]) not in seen:
                    handle(event)
                    seen.add(str(event["id"]))
                    handled += 1
                await message.ack()
    finally:
        await nc.close()


def print_event(event: dict[str, object]) -> None:
    """What this example does with an event: print it, and say what a withdrawal obliges us to do."""
    data = event.get("data")
    print(f"{event['time']}  {event['type']}  {event.get('subject')}")
    if event["type"] == WITHDRAWN and isinstance(data, dict):
        action = "erase what we hold" if data.get("erase_personal_data") else "stop contact"
        print(f"    referral {data.get('referral_id')} withdrawn: {action}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="nats://127.0.0.1:4222")
    parser.add_argument("--user", default="regional")
    parser.add_argument("--password", required=True)
    parser.add_argument("--stream", default="PEER_REFERRALS")
    parser.add_argument("--filter", default="peer.*.referrals.>", dest="filter_subject")
    parser.add_argument("--consumer", required=True, help="your durable consumer's name; a new name replays")
    parser.add_argument("--seen", type=Path, default=Path("seen-event-ids.txt"))
    args = parser.parse_args()
    asyncio.run(
        subscribe(
            url=args.url,
            user=args.user,
            password=args.password,
            stream=args.stream,
            filter_subject=args.filter_subject,
            consumer=args.consumer,
            seen=SeenIds(args.seen),
            handle=print_event,
        )
    )


if __name__ == "__main__":
    main()
