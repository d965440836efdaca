"""The web console: server-rendered pages for coordinators, mentors and commissioners."""
