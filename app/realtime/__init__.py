"""Socket.IO: the push side services use (push.py) and the event handlers that call services (handlers.py)."""
