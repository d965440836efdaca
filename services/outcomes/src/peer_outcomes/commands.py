"""The outcomes service's operator command: rebuild the reporting projections from the start of the
streams. `peer-support replay outcomes` calls `run`; `python -m peer_outcomes.commands` runs `main`.

Uses the same `PEER_...` settings as the service (database, NATS, conditions). Safe while the service
runs; reports asked for meanwhile see the projections part-built.
"""

from __future__ import annotations

import asyncio

from peer_outcomes.consumers.subscriptions import subscriptions
from peer_outcomes.settings import OutcomesSettings
from peer_outcomes.store import MIGRATIONS
from peer_outcomes.use_cases.rebuild import RebuildResult, rebuild_projections
from peer_shared.bus import connect
from peer_shared.db import make_engine, make_session_factory, migrate
from peer_shared.logging import configure_logging


async def run(settings: OutcomesSettings) -> RebuildResult:
    """Connect, bring the schema up to date, rebuild, disconnect."""
    url = settings.database_url.get_secret_value()
    await migrate(MIGRATIONS, url)
    engine = make_engine(url)
    client = await connect(settings, name=f"{settings.service_name}-rebuild")
    try:
        return await rebuild_projections(
            client.jetstream(),
            make_session_factory(engine),
            subscriptions(settings),
            batch_size=settings.rebuild_batch_size,
            consumer_prefix=settings.consumer_name_prefix,
        )
    finally:
        await client.drain()
        await engine.dispose()


def main() -> None:
    """Rebuild and print what was done."""
    settings = OutcomesSettings()
    configure_logging(settings.service_name, fmt=settings.log_format, level=settings.log_level)
    result = asyncio.run(run(settings))
    print(
        f"rebuilt from {result.events} events ({result.skipped} skipped) in {result.seconds:.1f}s "
        f"({result.events_per_second:,.0f} events/s)"
    )


if __name__ == "__main__":
    main()
