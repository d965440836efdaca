"""Rules of the outcomes service: plain Python, no NATS, no SQL."""
