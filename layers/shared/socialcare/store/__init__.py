"""Adapters that keep state: conversations, idempotency records, the inbound queue."""
