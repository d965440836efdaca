"""What the outcomes service does: record PAM results, project events, build and rebuild reports."""
