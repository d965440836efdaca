"""The sessions service's event consumers."""
