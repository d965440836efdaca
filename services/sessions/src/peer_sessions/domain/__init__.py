"""Rules of the sessions service: plain Python, no NATS, no SQL."""
