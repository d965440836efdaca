"""`python -m peer_sessions`: run the sessions service's HTTP API and event handlers."""

from peer_sessions.app import create_app
from peer_sessions.settings import SessionsSettings
from peer_shared.serve import serve

if __name__ == "__main__":
    serve(create_app, SessionsSettings())
