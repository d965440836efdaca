"""What a request or an event does in the groups service, in one unit of work each."""
