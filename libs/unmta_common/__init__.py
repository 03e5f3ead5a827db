"""Shared building blocks: envelopes, Postgres event store and outbox, Kafka adapters, config, logs.

Knows nothing about any one service.
"""
