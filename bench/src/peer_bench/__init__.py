"""Benchmarks: each module is a script that prints figures (`python -m peer_bench.<name> --help`)."""
