"""The referrals service's event consumers."""
