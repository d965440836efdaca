"""The outcomes service."""
