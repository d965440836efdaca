"""Reliable messaging, written once: outbox, relay, inbox, durable consumers, dead letters."""
