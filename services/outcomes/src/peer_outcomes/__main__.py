"""`python -m peer_outcomes`: run the outcomes service's HTTP API and event handlers."""

from peer_outcomes.app import create_app
from peer_outcomes.settings import OutcomesSettings
from peer_shared.serve import serve

if __name__ == "__main__":
    serve(create_app, OutcomesSettings())
