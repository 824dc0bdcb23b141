"""Conversations as the engine runs them: inbound, outbound and its delivery, statuses,
reactions, routing, lifecycle and live events."""
