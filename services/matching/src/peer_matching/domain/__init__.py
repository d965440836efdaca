"""Rules of the matching service: plain Python, no NATS, no SQL."""
