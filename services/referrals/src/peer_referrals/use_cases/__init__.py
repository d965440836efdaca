"""Use cases of the referrals service: each runs in one unit of work (state change plus its events)."""
