"""HTTP API of the referrals service: triage, identifiable records and the referrer's view."""
