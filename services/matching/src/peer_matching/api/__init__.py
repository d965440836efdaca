"""HTTP API of the matching service: routes, request bodies, views."""
