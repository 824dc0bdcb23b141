"""Agents' presence as routing reads it.

This minimal version treats an agent with a live Socket.IO connection as Online and anyone else as
Offline; the Online / Paused / Offline states chosen in the desktop replace it."""

from app.realtime.push import online_user_ids
from app.services import clock


def states(user_ids):
    """{user_id_str: {"state": "online" | "offline", "reason": None, "since": now}} for `user_ids`."""
    online, now = online_user_ids(), clock.now()
    return {str(u): {"state": "online" if str(u) in online else "offline", "reason": None, "since": now} for u in user_ids}
