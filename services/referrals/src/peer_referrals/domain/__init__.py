"""Rules of the referrals service: plain Python, no NATS, no SQL."""
