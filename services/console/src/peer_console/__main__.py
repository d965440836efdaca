"""`python -m peer_console`: run the web console."""

from peer_console.app import create_app
from peer_console.settings import ConsoleSettings
from peer_shared.serve import serve

if __name__ == "__main__":
    serve(create_app, ConsoleSettings())
