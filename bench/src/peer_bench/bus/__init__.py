"""The event bus benchmark, split by phase: `python -m peer_bench.bus --help`."""
