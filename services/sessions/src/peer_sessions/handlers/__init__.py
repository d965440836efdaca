"""Event subscribers and HTTP routes of the sessions service: translate input into domain calls."""
