"""What the assistant decides without the model: whether it runs, whether the customer asks for a
person, and what it cannot read."""

import re
import unicodedata

# Words customers use to ask for a person (English, Spanish, Italian, Portuguese, compared without accents).
_PERSON = re.compile(
    r"\b(human|humans|person|real person|someone real|agent|operator|representative|speak to someone|talk to someone"
    r"|persona|humano|operador|operadora|agente|asesor|alguien real"
    r"|operatore|operatrice|umano|una persona"
    r"|atendente|pessoa)\b"
)
# Kinds of customer message the assistant cannot read: they go to an agent.
UNREADABLE = {"image": "an image", "audio": "an audio message", "voice": "a voice note", "video": "a video",
              "document": "a document", "sticker": "a sticker", "location": "a location", "contacts": "a contact card",
              "unsupported": "a message WhatsApp could not show"}


NO_AGENTS_ONLINE = "no_agents_online"
OUT_OF_HOURS = "out_of_hours"


def enabled(chatbot):
    """Whether the assistant is configured to answer at all (at some time)."""
    configured = chatbot.get("enabled") and chatbot.get("endpoint") and chatbot.get("model")
    return bool(configured and chatbot.get("runs") in ("always", NO_AGENTS_ONLINE, OUT_OF_HOURS))


def runs_now(chatbot, agents_online=False, handed_out_of_hours=False):
    """Whether the assistant answers now: always; (outside agents' hours) while none of the account
    queue's agents is online; or when the queue, closed, hands it its conversations
    (`handed_out_of_hours`: its business hours send out-of-hours conversations to the assistant)."""
    if not enabled(chatbot):
        return False
    runs = chatbot.get("runs")
    if handed_out_of_hours or runs == "always":
        return True
    return runs == NO_AGENTS_ONLINE and not agents_online


def _plain(text):
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in folded if not unicodedata.combining(c))


def asks_for_person(text):
    return bool(text) and _PERSON.search(_plain(text)) is not None


def leaks(text, api_key, instructions):
    """Whether an answer gives away the API key or quotes the instructions (a prompt-injection that worked)."""
    if api_key and api_key in text:
        return True
    folded = " ".join(_plain(text).split())
    lines = [" ".join(_plain(line).split()) for line in instructions.splitlines()]
    return any(len(line) >= 40 and line in folded for line in lines)


def unreadable(message):
    """What the customer sent that the assistant cannot read ("an image"…), or None."""
    return UNREADABLE.get(message.get("kind"))
