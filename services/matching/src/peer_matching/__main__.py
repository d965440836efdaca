"""`python -m peer_matching`: run the matching service's HTTP API and event handlers."""

from peer_matching.service import SERVICE
from peer_shared.serve import serve

if __name__ == "__main__":
    serve(SERVICE)
