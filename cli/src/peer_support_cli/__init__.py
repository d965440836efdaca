"""The operator command line and embedded launcher."""
