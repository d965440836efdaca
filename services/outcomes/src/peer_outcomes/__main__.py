"""`python -m peer_outcomes`: run the outcomes service's HTTP API and event handlers."""

from peer_outcomes.service import SERVICE
from peer_shared.serve import serve

if __name__ == "__main__":
    serve(SERVICE)
