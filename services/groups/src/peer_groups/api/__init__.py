"""The HTTP API of the groups service: every route declares the roles it admits."""
