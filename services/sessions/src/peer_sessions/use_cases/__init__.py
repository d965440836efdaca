"""What the sessions service does, for HTTP routes and event consumers alike: each takes a unit of work,
applies the domain's rules, writes through the repositories and stages the events it raises.
"""
