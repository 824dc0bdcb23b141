"""Outbound campaigns: a template to many contacts at the number's rate."""
