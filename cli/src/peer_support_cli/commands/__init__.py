"""The command groups of `peer-support`, one module each."""
