"""The matching service's event consumers."""
