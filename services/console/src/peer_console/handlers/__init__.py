"""Pages and actions: sign-in, coordinator, mentor and report pages, and the calls to the services."""
