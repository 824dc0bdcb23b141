"""Contacts: lists and their CSV files, matching an incoming number, shared contact cards, who sees which, phone numbers."""
