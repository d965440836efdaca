"""Event subscribers and HTTP routes of the outcomes service: translate input into domain calls."""
