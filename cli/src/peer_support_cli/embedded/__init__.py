"""The embedded infrastructure: real NATS and Postgres as child processes.

The CLI's ``up`` and the test suite's ``infra`` fixture start them with
:class:`EmbeddedInfrastructure`; both read the deploy/ configuration that
docker compose uses.
"""

from .infrastructure import Infrastructure
from .launcher import EmbeddedInfrastructure

__all__ = ["EmbeddedInfrastructure", "Infrastructure"]
