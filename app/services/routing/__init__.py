"""Routing like a contact center: who gets which interaction, and when it moves on."""
