"""`python -m peer_console`: run the web console."""

from peer_console.service import SERVICE
from peer_shared.serve import serve

if __name__ == "__main__":
    serve(SERVICE)
