"""Event subscribers and HTTP routes of the matching service: translate input into domain calls."""
