"""The outcomes service's event consumers."""
