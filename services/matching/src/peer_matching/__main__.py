"""`python -m peer_matching`: run the matching service's HTTP API and event handlers."""

from peer_matching.app import create_app
from peer_matching.settings import MatchingSettings
from peer_shared.serve import serve

if __name__ == "__main__":
    serve(create_app, MatchingSettings())
