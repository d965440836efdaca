"""`python -m peer_groups`: run the groups service's HTTP API and event handlers."""

from peer_groups.service import SERVICE
from peer_shared.serve import serve

if __name__ == "__main__":
    serve(SERVICE)
