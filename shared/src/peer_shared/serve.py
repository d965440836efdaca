"""Run a service process: uvicorn serving the app, stopping cleanly on SIGTERM or Ctrl-C."""

from __future__ import annotations

import uvicorn

from peer_shared.service import ServiceDescriptor


def serve(service: ServiceDescriptor) -> None:
    """Serve the service's app, with settings from the environment, until told to stop."""
    settings = service.settings()
    uvicorn.run(
        service.create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
