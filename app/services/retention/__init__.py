"""Data lifecycle: the periodic purge of what is kept past its retention period, and the requests
of one person (GDPR): an export of a contact's data and its erasure."""
