"""An agent's interactive message (reply buttons, a list, a URL button): checked before it is stored.

The shape (app/domain/interactive) has checked lengths and counts already; here come the rules
that need more: what spans several fields, the account's provider, and the 24-hour window, since
WhatsApp takes interactive messages only inside it (outside, only a template may go out).
"""

from app.domain import interactive
from app.domain.window import is_open as window_is_open
from app.services import clock
from app.services.channel.provider_access import capabilities
from app.services.errors import Conflict, ValidationFailed

WINDOW_CLOSED = "The 24-hour window is closed: interactive messages cannot go out. Send a template instead."


def checked_content(account, interaction, content):
    """The stored form of `content` (an `Interactive`), or the reason it cannot go out."""
    if "interactive" not in capabilities(account):
        raise ValidationFailed(
            f"Interactive messages are not possible with {account['provider']} accounts.",
            {"kind": "Not supported by this provider."},
        )
    if content is None:
        raise ValidationFailed("Compose the interactive message.", {"interactive": "Required."})
    found = interactive.problems(content)
    if found:
        raise ValidationFailed("Check the interactive message.", found)
    if not window_is_open(interaction, clock.now()):
        raise Conflict(WINDOW_CLOSED)
    return interactive.stored(content)
