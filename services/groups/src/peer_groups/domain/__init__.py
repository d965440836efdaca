"""Group programme rules: cohorts, the waitlist, facilitators, attendance and measures (no I/O)."""
