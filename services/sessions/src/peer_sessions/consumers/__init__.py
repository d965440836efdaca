"""What the sessions service consumes: the durable consumers, and the handlers translating each event
into a use-case call.
"""
