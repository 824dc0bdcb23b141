"""The simulator's "jump 24 h ahead" (development and tests only): the conversation's window closes now.

Only the window moves. The interaction's last customer-message time and its window expiry go back
24 hours, as if the customer had last written a day earlier; messages, their times and every figure
built on them stay as they are, so nothing else is rewritten. The expiry is then marked and
announced as the periodic check would, and the customer's next message opens the window again.
"""

from app.db import get_db
from app.domain.window import WINDOW, expiry_after
from app.services.conversations import window_expiry
from app.services.errors import Conflict, NotFound


def jump(interaction):
    """Move the interaction's window 24 h back; returns whether the desktop was told it closed."""
    if interaction is None:
        raise NotFound("No conversation yet: send a message first.")
    last = interaction.get("last_inbound_at")
    if last is None:
        raise Conflict("The customer has not written in this conversation: its window is closed already.")
    earlier = last - WINDOW
    moved = get_db().interactions.update_one(
        {"_id": interaction["_id"], "last_inbound_at": last},
        {"$set": {"last_inbound_at": earlier, "window_expires_at": expiry_after(earlier)}},
    )
    if not moved.modified_count:
        raise Conflict("The customer wrote meanwhile: jump again.")
    return window_expiry.expire_now(interaction["_id"])
