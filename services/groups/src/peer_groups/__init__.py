"""The groups service: group peer-support programmes (cohorts, waitlist, attendance, measures)."""
