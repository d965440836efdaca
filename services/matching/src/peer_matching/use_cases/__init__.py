"""What the matching service does: mentor registry, matching rounds, decisions, the waitlist."""
