"""`python -m peer_sessions`: run the sessions service's HTTP API and event handlers."""

from peer_sessions.service import SERVICE
from peer_shared.serve import serve

if __name__ == "__main__":
    serve(SERVICE)
