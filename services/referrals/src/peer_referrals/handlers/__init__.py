"""Event subscribers and HTTP routes of the referrals service: translate input into domain calls."""
