"""What every service's HTTP API shares: the app skeleton, request dependencies, problem details, health."""
