"""Event subscriptions of the groups service: events from other services translated into use cases."""
